"""One timeline event as a sentence a QA reviewer reads: 인사말 재생, 메뉴에서 0번 선택, 상담사 김민지 연결.

The stored events are the engine's (`step=welcome type=play`); here they are
said in the call center's words, with counselors by name, queues by their
Korean names and menu keys by what the menu calls them (ivr/flows/path_words.py).
English where the reviewer chose English (users.language).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ivr.flows.path_words import FlowWords
from ivr.protection.situations import Situation

# Each kind: (Korean, English); {placeholders} are filled from the event's detail.
SAID: dict[str, tuple[str, str]] = {
    "call_started": ("전화 수신", "Call arrived"),
    "answered": ("자동 응답", "Answered by the IVR"),
    "menu_choice": ("메뉴에서 {digit}번 선택{option}", "Pressed {digit} in the menu{option}"),
    "menu_invalid": ("잘못된 번호 {digit} 입력", "Invalid key {digit}"),
    "menu_timeout": ("번호 입력 없음", "No key pressed"),
    "language": ("언어 선택", "Language chosen"),
    "schedule": ("운영 시간 확인", "Opening hours checked"),
    "caller": ("발신자 확인", "Caller checked"),
    "queue_entered": ("{queue} 대기 시작 ({position}번째)", "Joined {queue} (position {position})"),
    "queue_announced": ("대기 순서 안내 ({position}번째)", "Position announced ({position})"),
    "queue_left": ("대기 중 나감", "Left the queue"),
    "queue_refused": ("대기 불가", "Queue refused"),
    "offer": ("상담사 {counselor} 호출", "Ringing counselor {counselor}"),
    "offer_result": ("상담사 {counselor}: {result}", "Counselor {counselor}: {result}"),
    "queue_connected": ("상담 연결 ({waited}초 대기)", "Connected after {waited} s"),
    "connected": ("상담사 {counselor} 연결", "Connected to counselor {counselor}"),
    "recording_started": ("녹음 시작", "Recording started"),
    "recording_failed": ("녹음 실패", "Recording failed"),
    "counselor_key": ("상담사 버튼", "Counselor key"),
    **{f"{s.value}_warning": (f"{s.label_ko} 경고", f"Warning: {s.label_en}") for s in Situation},
    **{f"{s.value}_warning_played": ("경고 안내 재생", "Warning played") for s in Situation},
    **{f"{s.value}_ended": (f"{s.label_ko} 사유로 종료", f"Ended: {s.label_en}") for s in Situation},
    "length_warning": ("통화 시간 안내", "Call-length notice"),
    "length_ended": ("통화 시간 종료", "Ended at the time limit"),
    "length_extended": ("통화 연장", "Call extended"),
    "length_exempt": ("시간 제한 제외", "Exempt from the time limit"),
    "supervisor_joined": ("관리자 참여", "Supervisor joined"),
    "transfer": ("{department}(으)로 전환", "Transferred to {department}"),
    "transfer_ringing": ("{department} 호출 중", "Ringing {department}"),
    "transfer_failed": ("{department} 전환 실패", "Transfer to {department} failed"),
    "transfer_refused": ("전환 불가", "Transfer refused"),
    "consult_started": ("{department}와 협의 통화", "Consulting {department}"),
    "consulting": ("협의 중", "Consulting"),
    "consult_returned": ("협의 후 복귀", "Back from consultation"),
    "survey": ("만족도 {answer}점 응답", "Survey answer {answer}"),
    "survey_skipped": ("만족도 건너뜀", "Survey skipped"),
    "voicemail": ("음성 메시지 남김", "Voicemail left"),
    "callback_dialed": ("회신 전화", "Callback dialed"),
    "callback_attempt": ("회신 시도", "Callback attempt"),
    "case": ("민원 처리 상황 안내", "Case status told"),
    "case_call": ("민원 답변 안내 전화", "Case answer call"),
    "case_call_dialed": ("민원 답변 전화 발신", "Case answer call dialed"),
    "tagged": ("상담 분류 지정", "Tagged"),
    "call_ended": ("통화 종료", "Call ended"),
}
# An IVR step by its node type: what the caller went through.
STEPS: dict[str, tuple[str, str]] = {
    "play": ("안내 재생", "Message played"),
    "menu": ("메뉴 안내", "Menu"),
    "queue": ("상담사 연결 대기", "Waiting for a counselor"),
    "schedule": ("운영 시간 확인", "Opening hours"),
    "caller": ("발신자 확인", "Caller check"),
    "voicemail": ("음성 메시지 안내", "Voicemail"),
    "callback": ("전화 요청 안내", "Callback request"),
    "booking": ("상담 예약 안내", "Booking"),
    "survey": ("만족도 조사", "Survey"),
    "hangup": ("종료 안내", "Goodbye"),
    "transfer": ("부서 연결", "Department transfer"),
}
RESULTS: dict[str, tuple[str, str]] = {
    "answered": ("받음", "answered"),
    "busy": ("통화 중", "busy"),
    "no_answer": ("받지 않음", "no answer"),
    "rejected": ("거절", "rejected"),
    "unreachable": ("전화기 연결 안 됨", "phone unreachable"),
    "pbx_failed": ("교환기 오류", "PBX error"),
}


# A counselor's transfer, by how it was made (flows/nodes/transfers.py).
TRANSFERRED: dict[str, tuple[str, str]] = {
    "blind": ("{department}(으)로 돌려 드림 (상담사 {counselor})", "{counselor} transferred to {department}"),
    "attended": (
        "{department}와 협의 후 돌려 드림 (상담사 {counselor})",
        "{counselor} consulted, then transferred",
    ),
    "colleague": ("동료 상담사 {colleague}에게 돌려 드림", "Handed to colleague {colleague}"),
    "queue": (
        "{queue} 줄 맨 앞으로 돌려 드림 (상담사 {counselor})",
        "{counselor} sent the caller to {queue}",
    ),
}


@dataclass(frozen=True)
class Words:
    """What names the timeline uses: counselors, queues, the flow's steps and menu options."""

    counselors: Mapping[str, str] = field(default_factory=dict)
    queues: Mapping[str, str] = field(default_factory=dict)
    flow: FlowWords = field(default_factory=FlowWords)
    english: bool = False


def say(kind: str, detail: Mapping[str, Any], words: Words) -> str:
    """The event as one short sentence."""
    en = 1 if words.english else 0
    if kind == "ivr":
        return _step(str(detail.get("step") or ""), str(detail.get("type") or ""), words)
    pair = (
        TRANSFERRED.get(str(detail.get("how")), TRANSFERRED["blind"])
        if kind == "transferred"
        else SAID.get(kind)
    )
    if pair is None:
        return kind
    counselor = str(detail.get("counselor") or "")
    result = str(detail.get("result") or "")
    option = words.flow.options.get((str(detail.get("node") or ""), str(detail.get("digit") or "")))
    values = {
        **{k: v for k, v in detail.items() if k != "caller"},
        "counselor": words.counselors.get(counselor, counselor) or "-",
        "colleague": words.counselors.get(str(detail.get("colleague") or ""), detail.get("colleague") or "-"),
        "queue": words.queues.get(str(detail.get("queue") or ""), str(detail.get("queue") or "")),
        "result": RESULTS.get(result, (result, result))[en],
        "option": f" ({option})" if option else "",
        "waited": f"{float(detail.get('waited') or 0):.0f}",
    }
    return pair[en].format_map(_Blank(values))


class _Blank(dict[str, Any]):
    """An event stored without a detail the sentence names reads "-" there."""

    def __missing__(self, key: str) -> str:
        return "-"


def _step(step: str, node_type: str, words: Words) -> str:
    en = 1 if words.english else 0
    if node_type == "play" and step == words.flow.start:
        return ("인사말 재생", "Greeting played")[en]
    said = STEPS.get(node_type, ("안내 단계", "IVR step"))[en]
    named = words.flow.steps.get(step)
    return f"{said}: {named}" if named else said
