"""A take of a prompt (a recording made in the studio or on a desk phone) from
made to published, and what a published take becomes.

    prepared ──accept──> published ──replace──> superseded
        └────discard───> discarded

A take is prepared when the server has converted and checked it (the admin
listens to it); accepting publishes it; recording again or leaving it
discards it; a later publish or a rollback of the same prompt supersedes
it. One table, one function: anything else raises.
"""

from __future__ import annotations

from enum import StrEnum

from ivr.errors import HotlineError


class TakeState(StrEnum):
    PREPARED = "prepared"
    PUBLISHED = "published"
    DISCARDED = "discarded"
    SUPERSEDED = "superseded"


TRANSITIONS: dict[TakeState, frozenset[TakeState]] = {
    TakeState.PREPARED: frozenset({TakeState.PUBLISHED, TakeState.DISCARDED}),
    TakeState.PUBLISHED: frozenset({TakeState.SUPERSEDED}),
    TakeState.DISCARDED: frozenset(),
    TakeState.SUPERSEDED: frozenset(),
}


class IllegalTakeTransition(HotlineError):
    """A take's state change the table forbids (accepting a discarded take, twice a publish)."""


def change(current: str, wanted: TakeState) -> TakeState:
    """The new state, or IllegalTakeTransition with both states named."""
    state = TakeState(current)
    if wanted not in TRANSITIONS[state]:
        raise IllegalTakeTransition(f"a take that is {state.value} cannot become {wanted.value}")
    return wanted
