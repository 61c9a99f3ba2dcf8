"""A call's timeline as QA reads it: what happened, when, and where in the recording."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from ivr.protection.situations import Situation

LABELS = {
    "call_started": "전화 수신 · Call arrived",
    "answered": "자동 응답 · Answered by the IVR",
    "ivr": "안내 단계 · IVR step",
    "menu_choice": "메뉴 선택 · Menu choice",
    "menu_invalid": "잘못된 번호 · Invalid key",
    "menu_timeout": "입력 없음 · No key pressed",
    "language": "언어 선택 · Language",
    "schedule": "운영 시간 확인 · Opening hours",
    "caller": "발신자 확인 · Caller check",
    "queue_entered": "대기 시작 · Joined the queue",
    "queue_announced": "대기 안내 · Position announced",
    "queue_left": "대기 종료 · Left the queue",
    "queue_refused": "대기 불가 · Queue refused",
    "offer": "상담사 호출 · Counselor rung",
    "offer_result": "호출 결과 · Ring result",
    "queue_connected": "상담 연결 · Connected",
    "connected": "상담 연결 · Connected",
    "recording_started": "녹음 시작 · Recording started",
    "recording_failed": "녹음 실패 · Recording failed",
    "counselor_key": "상담사 버튼 · Counselor key",
    **{f"{s.value}_warning": f"{s.label_ko} 경고 · Warning: {s.label_en}" for s in Situation},
    **{f"{s.value}_warning_played": "경고 안내 재생 · Warning played" for s in Situation},
    **{f"{s.value}_ended": f"{s.label_ko} 사유로 종료 · Ended: {s.label_en}" for s in Situation},
    "length_warning": "통화 시간 안내 · Call-length notice",
    "length_ended": "통화 시간 종료 · Ended at the time limit",
    "length_extended": "통화 연장 · Call extended",
    "length_exempt": "시간 제한 제외 · Exempt from the time limit",
    "supervisor_joined": "관리자 참여 · Supervisor joined",
    "transfer": "호 전환 · Transfer",
    "transfer_ringing": "전환 호출 중 · Transfer ringing",
    "transfer_failed": "전환 실패 · Transfer failed",
    "transfer_refused": "전환 불가 · Transfer refused",
    "consult_started": "협의 통화 · Consultation",
    "consulting": "협의 중 · Consulting",
    "consult_returned": "협의 후 복귀 · Back from consultation",
    "survey": "만족도 응답 · Survey answer",
    "survey_skipped": "만족도 건너뜀 · Survey skipped",
    "voicemail": "음성 메시지 · Voicemail",
    "callback_dialed": "회신 전화 · Callback dialed",
    "callback_attempt": "회신 시도 · Callback attempt",
    "case": "민원 안내 · Case told",
    "case_call": "민원 안내 전화 · Case call",
    "case_call_dialed": "민원 안내 전화 발신 · Case call dialed",
    "tagged": "분류 지정 · Tagged",
    "call_ended": "통화 종료 · Call ended",
}


def timeline(
    events: list[dict[str, Any]], recording_start: datetime | None, tz: tzinfo
) -> list[dict[str, Any]]:
    """Each event with its local time, a label, a short detail, and its offset into the
    recording in seconds (None before the recording began)."""
    shown = []
    for event in events:
        at = datetime.fromisoformat(event["at"])
        offset = (at - recording_start).total_seconds() if recording_start is not None else None
        shown.append(
            {
                "time": at.astimezone(tz).strftime("%H:%M:%S"),
                "kind": event["kind"],
                "label": LABELS.get(event["kind"], event["kind"]),
                "detail": _detail(event.get("detail")),
                "offset": round(offset, 1) if offset is not None and offset >= 0 else None,
            }
        )
    return shown


def _detail(text: str | None) -> str:
    if not text:
        return ""
    try:
        detail = json.loads(text)
    except json.JSONDecodeError:
        return text[:120]
    if not isinstance(detail, dict):
        return str(detail)[:120]
    return " ".join(f"{k}={v}" for k, v in detail.items() if k != "caller")[:120]
