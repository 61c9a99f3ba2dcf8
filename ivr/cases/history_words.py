"""The Korean words of the history lines the way back to the citizen writes (no status change).

The events are written by store/case_out.py (answer routing, outbound call
attempts, 해피콜, supervisors' follow-ups); `states.event_name` reads them here.
"""

from __future__ import annotations

OUTBOUND_EVENTS: dict[str, str] = {
    "answer_due": "자동 안내 전화 예정",
    "answer_callback": "상담사 콜백 요청",
    "answer_sms_queued": "문자 대기(게이트웨이 없음)",
    "answer_call_attempt": "자동 안내 전화 시도",
    "answer_delivered": "답변 전달 완료",
    "happy_call_planned": "해피콜 예정",
    "happy_call_attempt": "해피콜 시도",
    "follow_up": "후속 조치 요청",
    "follow_up_assigned": "후속 조치 배정",
    "follow_up_done": "후속 조치 완료",
}
