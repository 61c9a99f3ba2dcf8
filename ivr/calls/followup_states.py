"""The lifecycle of a callback request and of a voicemail: one table of legal transitions.

A callback request starts `new` (holding the caller's place in line), becomes
`queued` when an attempt reached nobody and another is due, `done` when a
counselor and the citizen talked (or a person marked it done), `failed` after
the last attempt, and `assigned` when a person takes it from the automatic
runner to return by hand. A voicemail is `new`, `assigned` or `done`, and so
is a 민원's follow-up for a supervisor (store/case_out.py).

`follow(kind, status, event)` is the only way either changes; it returns the
next status or raises `IllegalFollowupTransition` with words a person at the
command line can act on. One rule the table holds that bare strings did not: a
runner's round that was under way when a person took the request leaves it
with that person (`assigned` stays `assigned`).
"""

from __future__ import annotations

import enum

from ivr.errors import HotlineError


class FollowupStatus(enum.StrEnum):
    NEW = "new"
    QUEUED = "queued"  # a callback waiting for its next attempt (`next_at`)
    ASSIGNED = "assigned"  # a person returns it by hand
    DONE = "done"
    FAILED = "failed"  # every attempt reached nobody


class FollowupEvent(enum.StrEnum):
    RETRY_DUE = "retry_due"  # the runner: an attempt reached nobody; try again later
    CONNECTED = "connected"  # the runner: the counselor and the citizen talked
    GAVE_UP = "gave_up"  # the runner: the last attempt reached nobody
    ASSIGN = "assign"  # a person takes it (or hands it to another counselor)
    DONE_BY_HAND = "done_by_hand"  # a person returned it


class Kind(enum.StrEnum):
    CALLBACK = "callback"
    VOICEMAIL = "voicemail"
    CASE = "case"  # a 민원 left for a person: nobody reached, or an unhappy 해피콜


_S = FollowupStatus
_E = FollowupEvent
_RUNNER = (_E.RETRY_DUE, _E.CONNECTED, _E.GAVE_UP)

# (kind, status, event) -> the next status. Anything absent is illegal.
LEGAL: dict[tuple[Kind, FollowupStatus, FollowupEvent], FollowupStatus] = {
    **{
        (Kind.CALLBACK, s, e): t
        for s in (_S.NEW, _S.QUEUED)
        for e, t in ((_E.RETRY_DUE, _S.QUEUED), (_E.CONNECTED, _S.DONE), (_E.GAVE_UP, _S.FAILED))
    },
    # A round the runner had begun when a person took the request: a talk
    # settles it, anything else leaves it with the person.
    (Kind.CALLBACK, _S.ASSIGNED, _E.RETRY_DUE): _S.ASSIGNED,
    (Kind.CALLBACK, _S.ASSIGNED, _E.GAVE_UP): _S.ASSIGNED,
    (Kind.CALLBACK, _S.ASSIGNED, _E.CONNECTED): _S.DONE,
    **{(Kind.CALLBACK, s, _E.ASSIGN): _S.ASSIGNED for s in (_S.NEW, _S.QUEUED, _S.ASSIGNED)},
    # A failed request may still be returned by a person who reached the citizen.
    **{(Kind.CALLBACK, s, _E.DONE_BY_HAND): _S.DONE for s in (_S.NEW, _S.QUEUED, _S.ASSIGNED, _S.FAILED)},
    **{(Kind.VOICEMAIL, s, _E.ASSIGN): _S.ASSIGNED for s in (_S.NEW, _S.ASSIGNED)},
    **{(Kind.VOICEMAIL, s, _E.DONE_BY_HAND): _S.DONE for s in (_S.NEW, _S.ASSIGNED)},
    **{(Kind.CASE, s, _E.ASSIGN): _S.ASSIGNED for s in (_S.NEW, _S.ASSIGNED)},
    **{(Kind.CASE, s, _E.DONE_BY_HAND): _S.DONE for s in (_S.NEW, _S.ASSIGNED)},
}

STATUSES: dict[Kind, tuple[FollowupStatus, ...]] = {
    Kind.CALLBACK: tuple(FollowupStatus),
    Kind.VOICEMAIL: (_S.NEW, _S.ASSIGNED, _S.DONE),
    Kind.CASE: (_S.NEW, _S.ASSIGNED, _S.DONE),
}


class IllegalFollowupTransition(HotlineError):
    """A change the table does not allow: a person's request refused with the reason."""

    def __init__(self, kind: Kind, status: FollowupStatus, event: FollowupEvent) -> None:
        self.kind, self.status, self.event = kind, status, event
        what = {Kind.CALLBACK: "callback request", Kind.VOICEMAIL: "voicemail"}.get(kind, "case follow-up")
        if event in _RUNNER:
            message = f"a {what} that is {status} cannot take an attempt's result ({event})"
        else:
            message = f"the {what} is {status} already"
        super().__init__(message)


def follow(kind: Kind, status: str, event: FollowupEvent) -> FollowupStatus:
    """The status after `event`; raises IllegalFollowupTransition if the table has no entry."""
    current = FollowupStatus(status)
    nxt = LEGAL.get((kind, current, event))
    if nxt is None:
        raise IllegalFollowupTransition(kind, current, event)
    return nxt
