"""Back to the citizen: how a 민원's answer reaches them, and the 해피콜 after it closes.

Pure rules (no I/O). When a department answers, the answer goes out by the
channel the citizen chose: an automated call reads it (where the hotline can
dial out), a 문자 waits in the outbox for a gateway, and anything else is a
callback task for the call center's counselors (the callback runner and its
calling hours). Days after a case closes a 해피콜 asks whether it was solved.

One outbound task (an answer call or a 해피콜) is `due` until a call reaches
the citizen (`done`) or its last attempt reached nobody (`left_for_person`: a
follow-up on the supervisors' list). `go(status, event)` is the only way a
task's status changes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from ivr.calls.callback_plan import CallbackRules, next_calling_time
from ivr.errors import HotlineError


class TaskKind(enum.StrEnum):
    ANSWER = "answer"  # the department's answer, read by an automated call
    HAPPY = "happy"  # 해피콜: was it solved, how satisfied


class TaskStatus(enum.StrEnum):
    DUE = "due"  # an attempt is due at `next_at`
    DONE = "done"  # a call reached the citizen (answer heard, or the survey reached)
    LEFT_FOR_PERSON = "left_for_person"  # every attempt failed: a supervisor's follow-up
    CALLBACK = "callback"  # handed to the call center's callback runner (a counselor calls)
    SMS_QUEUED = "sms_queued"  # 문자 in the outbox, waiting for a gateway


class TaskEvent(enum.StrEnum):
    RETRY = "retry"  # an attempt reached nobody (or not the right person); another is due
    REACHED = "reached"
    GAVE_UP = "gave_up"  # the last attempt reached nobody


class CallResult(enum.StrEnum):
    """How one outbound attempt ended, as the case's history says it."""

    REACHED = "reached"  # picked up and pressed 1 (the right person)
    NOT_CONFIRMED = "not_confirmed"  # picked up, never pressed 1
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    DECLINED = "declined"  # the phone rang and was rejected
    FAILED = "failed"  # the trunk refused the call


RESULT_NAMES = {
    CallResult.REACHED: "통화 연결(본인 확인)",
    CallResult.NOT_CONFIRMED: "받았으나 본인 확인 안 됨",
    CallResult.NO_ANSWER: "받지 않음",
    CallResult.BUSY: "통화 중",
    CallResult.DECLINED: "수신 거절",
    CallResult.FAILED: "발신 실패(회선 거절)",
}

_S, _E = TaskStatus, TaskEvent
LEGAL: dict[tuple[TaskStatus, TaskEvent], TaskStatus] = {
    (_S.DUE, _E.RETRY): _S.DUE,
    (_S.DUE, _E.REACHED): _S.DONE,
    (_S.DUE, _E.GAVE_UP): _S.LEFT_FOR_PERSON,
}


class IllegalTaskTransition(HotlineError):
    def __init__(self, status: TaskStatus, event: TaskEvent) -> None:
        self.status, self.event = status, event
        super().__init__(f"an outbound case task that is {status} cannot take {event}")


def go(status: str, event: TaskEvent) -> TaskStatus:
    """The status after `event`; IllegalTaskTransition if the table has no entry."""
    current = TaskStatus(status)
    nxt = LEGAL.get((current, event))
    if nxt is None:
        raise IllegalTaskTransition(current, event)
    return nxt


def route(answer_channel: str, can_dial: bool) -> TaskStatus:
    """Where an answered case's answer goes: the citizen's choice, a counselor where it
    cannot be had (no trunk for an automated call, an unknown channel)."""
    if answer_channel == "automated_call" and can_dial:
        return TaskStatus.DUE
    if answer_channel == "sms":
        return TaskStatus.SMS_QUEUED
    return TaskStatus.CALLBACK


@dataclass(frozen=True)
class Next:
    event: TaskEvent
    retry_at: datetime | None = None


def after_call(result: CallResult, attempts: int, at: datetime, rules: CallbackRules) -> Next:
    """What an attempt means (`attempts` counted so far, this one included): reached, or
    another attempt after `rules.retry_after` within calling hours, or given up."""
    if result is CallResult.REACHED:
        return Next(TaskEvent.REACHED)
    if attempts >= rules.max_attempts:
        return Next(TaskEvent.GAVE_UP)
    return Next(TaskEvent.RETRY, next_calling_time(at + rules.retry_after, rules))


def happy_call_at(closed_at: datetime, days: int, rules: CallbackRules) -> datetime:
    """When the 해피콜 is due: `days` after closing, moved into calling hours."""
    return next_calling_time(closed_at + timedelta(days=days), rules)


def needs_follow_up(solved: int | None, score: int | None) -> str | None:
    """The reason a 해피콜's answers open a follow-up for a supervisor, or None.
    `solved` is 1 (해결) or 2 (미해결); `score` 1–5. Unanswered questions open nothing."""
    reasons = []
    if solved == 2:
        reasons.append("해결되지 않음")
    if score is not None and score <= 2:
        reasons.append(f"만족도 {score}점")
    return ", ".join(reasons) or None
