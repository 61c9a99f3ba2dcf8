"""A case's status and the one table of legal changes.

received → assigned → in_progress → answered → closed is the usual way: the
counselor registers the case and hands it to a department (assigned), the
department starts on it, answers it, and the call center closes it once the
citizen has been told. A department that finds the case is not theirs returns
it with a reason (returned); the call center hands it to another department
(reassigned), which then works it like an assigned one. A department may also
ask the citizen something back through the call center (the case stays in
progress, the question in its history).

`advance(status, event)` is the only way a status changes; `may(role, event)`
says who may fire an event. Every change is stored with who, when and why
(store/case_events.py).
"""

from __future__ import annotations

import enum

from ivr.cases.history_words import OUTBOUND_EVENTS
from ivr.errors import HotlineError


class CaseStatus(enum.StrEnum):
    RECEIVED = "received"  # 접수
    ASSIGNED = "assigned"  # 이관 (handed to a department)
    IN_PROGRESS = "in_progress"  # 처리 중
    ANSWERED = "answered"  # 답변 완료 (the citizen still to be told)
    CLOSED = "closed"  # 종결
    RETURNED = "returned"  # 반송 (not this department's)
    REASSIGNED = "reassigned"  # 재이관


class CaseEvent(enum.StrEnum):
    ASSIGN = "assign"  # the call center hands a received case to a department
    START = "start"  # the department starts on it
    ASK_CITIZEN = "ask_citizen"  # the department asks the citizen back through the call center
    ANSWER = "answer"  # the department's answer (text)
    RETURN = "return"  # not this department's, with a reason
    REASSIGN = "reassign"  # the call center hands a returned case to another department
    CLOSE = "close"  # the citizen has been told: the call center closes the case


STATUS_NAMES: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: "접수",
    CaseStatus.ASSIGNED: "이관",
    CaseStatus.IN_PROGRESS: "처리 중",
    CaseStatus.ANSWERED: "답변 완료",
    CaseStatus.CLOSED: "종결",
    CaseStatus.RETURNED: "반송",
    CaseStatus.REASSIGNED: "재이관",
}

EVENT_NAMES: dict[CaseEvent, str] = {
    CaseEvent.ASSIGN: "이관",
    CaseEvent.START: "처리 시작",
    CaseEvent.ASK_CITIZEN: "민원인 확인 요청",
    CaseEvent.ANSWER: "답변",
    CaseEvent.RETURN: "반송",
    CaseEvent.REASSIGN: "재이관",
    CaseEvent.CLOSE: "종결",
}


def event_name(event: str) -> str:
    """The Korean word for a history line's event: a transition's, `receive`, or the stored
    text itself for events that change no status (an attempt to call the citizen back)."""
    words = {e.value: name for e, name in EVENT_NAMES.items()}
    return {"receive": "접수", **OUTBOUND_EVENTS, **words}.get(event, event)


_S = CaseStatus
_E = CaseEvent
_WITH_DEPARTMENT = (_S.ASSIGNED, _S.REASSIGNED, _S.IN_PROGRESS)

# (status, event) -> the next status. Anything absent is illegal.
LEGAL: dict[tuple[CaseStatus, CaseEvent], CaseStatus] = {
    (_S.RECEIVED, _E.ASSIGN): _S.ASSIGNED,
    (_S.ASSIGNED, _E.START): _S.IN_PROGRESS,
    (_S.REASSIGNED, _E.START): _S.IN_PROGRESS,
    **{(s, _E.ASK_CITIZEN): _S.IN_PROGRESS for s in _WITH_DEPARTMENT},
    **{(s, _E.ANSWER): _S.ANSWERED for s in _WITH_DEPARTMENT},
    **{(s, _E.RETURN): _S.RETURNED for s in _WITH_DEPARTMENT},
    (_S.RETURNED, _E.REASSIGN): _S.REASSIGNED,
    (_S.ANSWERED, _E.CLOSE): _S.CLOSED,
}

# Which side fires which event: the department (its own cases only) or the call center.
DEPARTMENT_EVENTS = frozenset({_E.START, _E.ASK_CITIZEN, _E.ANSWER, _E.RETURN})
CENTER_EVENTS = frozenset({_E.ASSIGN, _E.REASSIGN, _E.CLOSE})

# Statuses a case is still open in (counted as open, shown on the desks, checked for overdue).
OPEN = frozenset(set(CaseStatus) - {_S.ANSWERED, _S.CLOSED})
# Statuses in which the case waits on a department (its deadline runs against them).
WITH_DEPARTMENT = frozenset(_WITH_DEPARTMENT)

# Events whose "why" may not be empty.
NEEDS_REASON = frozenset({_E.RETURN, _E.ANSWER, _E.ASK_CITIZEN})


class IllegalCaseTransition(HotlineError):
    """A change the table does not allow, in words a desk user can act on."""

    def __init__(self, number: str, status: CaseStatus, event: CaseEvent) -> None:
        self.number, self.status, self.event = number, status, event
        super().__init__(
            f"민원 {number}은(는) '{STATUS_NAMES[status]}' 상태여서 '{EVENT_NAMES[event]}'할 수 없습니다. · "
            f"case {number} is {status}: it cannot take {event}"
        )


def advance(number: str, status: str, event: CaseEvent) -> CaseStatus:
    """The status after `event`; raises IllegalCaseTransition if the table has no entry."""
    current = CaseStatus(status)
    nxt = LEGAL.get((current, event))
    if nxt is None:
        raise IllegalCaseTransition(number, current, event)
    return nxt


def may(side: str, event: CaseEvent) -> bool:
    """Whether the side ('department' or 'center') may fire the event."""
    return event in (DEPARTMENT_EVENTS if side == "department" else CENTER_EVENTS)
