"""A prompt take's lifecycle: every pair of states, legal or refused."""

from __future__ import annotations

import itertools

import pytest

from ivr.prompts.takes import TRANSITIONS, IllegalTakeTransition, TakeState, change

LEGAL = {
    (TakeState.PREPARED, TakeState.PUBLISHED),
    (TakeState.PREPARED, TakeState.DISCARDED),
    (TakeState.PUBLISHED, TakeState.SUPERSEDED),
}


@pytest.mark.parametrize(("start", "wanted"), list(itertools.product(TakeState, TakeState)))
def test_every_pair_of_states(start: TakeState, wanted: TakeState) -> None:
    if (start, wanted) in LEGAL:
        assert change(start.value, wanted) is wanted
    else:
        with pytest.raises(IllegalTakeTransition, match=f"{start.value} cannot become {wanted.value}"):
            change(start.value, wanted)


def test_the_table_is_the_one_drawn() -> None:
    assert {(a, b) for a, bs in TRANSITIONS.items() for b in bs} == LEGAL
