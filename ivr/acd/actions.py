"""What a counselor asks for themself: log in, pause, unpause, more wrap-up time, ready now, log out.

The web desk and the phone's feature codes both come here, so the two can
never disagree. A request the state does not allow (unpause while available,
log in twice) is the counselor's mistake, not a bug: it gets a clear answer in
Korean and English and changes nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ivr.acd.counselor_model import Counselor, CounselorState, Event, EventKind, PauseReason
from ivr.acd.counselor_states import LEGAL
from ivr.acd.dispatcher import Dispatcher


class Action(enum.Enum):
    LOGIN = "login"
    LOGOUT = "logout"
    PAUSE = "pause"
    UNPAUSE = "unpause"
    EXTEND_WRAP_UP = "extend_wrap_up"
    READY = "ready"  # 지금 상담 가능: wrap-up ends now


# Reasons a counselor may choose; cooldown and missed_calls are set by the service.
CHOSEN_REASONS = (PauseReason.BREAK, PauseReason.MEAL, PauseReason.TRAINING, PauseReason.ADMIN)

STATE_KO = {
    CounselorState.LOGGED_OUT: "로그아웃",
    CounselorState.AVAILABLE: "대기",
    CounselorState.RESERVED: "연결 중",
    CounselorState.ON_CALL: "통화 중",
    CounselorState.WRAP_UP: "후처리",
    CounselorState.PAUSED: "휴식",
}
REASON_KO = {
    PauseReason.BREAK: "휴식",
    PauseReason.MEAL: "식사",
    PauseReason.TRAINING: "교육",
    PauseReason.ADMIN: "행정 업무",
    PauseReason.COOLDOWN: "보호 휴식",
    PauseReason.MISSED_CALLS: "미응답 자동 휴식",
}


@dataclass(frozen=True)
class ActionResult:
    ok: bool
    state: str  # the counselor's state after the request
    pending: str | None  # a pause or logout that will happen when the call ends
    message_ko: str
    message_en: str


class CounselorActions:
    def __init__(self, acd: Dispatcher) -> None:
        self.acd = acd

    def request(self, counselor_id: str, action: Action, reason: PauseReason | None = None) -> ActionResult:
        if counselor_id not in self.acd:
            raise KeyError(f"unknown counselor {counselor_id!r}")
        if action is Action.PAUSE:
            if reason not in CHOSEN_REASONS:
                choices = ", ".join(r.value for r in CHOSEN_REASONS)
                return self._refused(
                    counselor_id,
                    "휴식 사유를 골라 주십시오(휴식, 식사, 교육, 행정 업무).",
                    f"choose a pause reason: {choices}",
                )
            assert reason is not None
            event = Event.pause(reason)
        else:
            event = _EVENTS[action]()
        state = self.acd.state(counselor_id)
        if (state, event.kind) not in LEGAL:
            return self._refused(
                counselor_id,
                f"지금 상태({STATE_KO[state]})에서는 할 수 없는 요청입니다.",
                f"{action.value} is not possible while {state.value}",
            )
        refused = self.acd.try_apply(counselor_id, event)
        if refused is not None:
            ko = "요청이 받아들여지지 않았습니다."
            if action is Action.EXTEND_WRAP_UP:
                ko = "후처리 시간을 더 늘릴 수 없습니다."
            return self._refused(counselor_id, ko, f"{action.value} was refused: {refused}")
        c = self.acd.counselors[counselor_id]
        pending = str(c.pending) if c.pending else None
        if pending:
            return ActionResult(
                True,
                c.state.value,
                pending,
                "통화가 끝나면 적용됩니다.",
                f"{action.value} will apply when the call ends",
            )
        return ActionResult(
            True, c.state.value, None, f"{STATE_KO[c.state]} 상태입니다.", f"now {c.state.value}"
        )

    def _refused(self, counselor_id: str, ko: str, en: str) -> ActionResult:
        c = self.acd.counselors[counselor_id]
        return ActionResult(False, c.state.value, str(c.pending) if c.pending else None, ko, en)


_EVENTS = {
    Action.LOGIN: Event.login,
    Action.LOGOUT: Event.logout,
    Action.UNPAUSE: Event.unpause,
    Action.EXTEND_WRAP_UP: Event.extend_wrap_up,
    Action.READY: Event.ready,
}


def allowed(c: Counselor) -> list[Action]:
    """What the counselor's buttons may ask for now, read from the one table (LEGAL): the
    desk enables these and no others. Unpause while busy only cancels a pending pause."""
    found = []
    for action, make in _EVENTS.items():
        kind = make().kind
        if (c.state, kind) not in LEGAL:
            continue
        if kind is EventKind.UNPAUSE and c.state is not CounselorState.PAUSED and c.pending is None:
            continue
        found.append(action)
    if (c.state, EventKind.PAUSE) in LEGAL:
        found.append(Action.PAUSE)
    return found


def pending_ko(pending: str | None) -> str | None:
    """A pause or logout waiting for the call to end, as the desk says it: 식사 예정, 로그아웃 예정."""
    if not pending:
        return None
    if pending.startswith("pause(") and pending.endswith(")"):
        try:
            return f"{REASON_KO[PauseReason(pending[6:-1])]} 예정"
        except ValueError:
            return "휴식 예정"
    return "로그아웃 예정" if pending == "logout" else pending
