"""Callback requests and voicemails change status only as the one table says: every pair tried."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ivr.calls.followup_states import (
    LEGAL,
    STATUSES,
    FollowupEvent,
    FollowupStatus,
    IllegalFollowupTransition,
    Kind,
    follow,
)
from ivr.errors import HotlineError
from ivr.store import followups, recordings
from ivr.store.calls import SqliteCallRecords

S, E = FollowupStatus, FollowupEvent
KST = timezone(timedelta(hours=9))
T0 = datetime(2026, 11, 27, 10, 0, tzinfo=KST)

# What a person at `ivr callbacks` / `ivr voicemails` and the automatic runner
# expect, written out pair by pair rather than derived from the table.
EXPECTED = {
    (Kind.CALLBACK, S.NEW, E.RETRY_DUE): S.QUEUED,
    (Kind.CALLBACK, S.NEW, E.CONNECTED): S.DONE,
    (Kind.CALLBACK, S.NEW, E.GAVE_UP): S.FAILED,
    (Kind.CALLBACK, S.NEW, E.ASSIGN): S.ASSIGNED,
    (Kind.CALLBACK, S.NEW, E.DONE_BY_HAND): S.DONE,
    (Kind.CALLBACK, S.QUEUED, E.RETRY_DUE): S.QUEUED,
    (Kind.CALLBACK, S.QUEUED, E.CONNECTED): S.DONE,
    (Kind.CALLBACK, S.QUEUED, E.GAVE_UP): S.FAILED,
    (Kind.CALLBACK, S.QUEUED, E.ASSIGN): S.ASSIGNED,
    (Kind.CALLBACK, S.QUEUED, E.DONE_BY_HAND): S.DONE,
    (Kind.CALLBACK, S.ASSIGNED, E.RETRY_DUE): S.ASSIGNED,
    (Kind.CALLBACK, S.ASSIGNED, E.CONNECTED): S.DONE,
    (Kind.CALLBACK, S.ASSIGNED, E.GAVE_UP): S.ASSIGNED,
    (Kind.CALLBACK, S.ASSIGNED, E.ASSIGN): S.ASSIGNED,
    (Kind.CALLBACK, S.ASSIGNED, E.DONE_BY_HAND): S.DONE,
    (Kind.CALLBACK, S.FAILED, E.DONE_BY_HAND): S.DONE,
    (Kind.VOICEMAIL, S.NEW, E.ASSIGN): S.ASSIGNED,
    (Kind.VOICEMAIL, S.NEW, E.DONE_BY_HAND): S.DONE,
    (Kind.VOICEMAIL, S.ASSIGNED, E.ASSIGN): S.ASSIGNED,
    (Kind.VOICEMAIL, S.ASSIGNED, E.DONE_BY_HAND): S.DONE,
    (Kind.CASE, S.NEW, E.ASSIGN): S.ASSIGNED,
    (Kind.CASE, S.NEW, E.DONE_BY_HAND): S.DONE,
    (Kind.CASE, S.ASSIGNED, E.ASSIGN): S.ASSIGNED,
    (Kind.CASE, S.ASSIGNED, E.DONE_BY_HAND): S.DONE,
}

EVERY_PAIR = [(k, s, e) for k in Kind for s, e in itertools.product(STATUSES[k], FollowupEvent)]


@pytest.mark.parametrize(("kind", "status", "event"), EVERY_PAIR, ids=lambda v: str(v))
def test_every_status_and_event(kind: Kind, status: FollowupStatus, event: FollowupEvent) -> None:
    expected = EXPECTED.get((kind, status, event))
    if expected is None:
        with pytest.raises(IllegalFollowupTransition):
            follow(kind, status, event)
    else:
        assert follow(kind, status, event) is expected


def test_the_table_has_nothing_the_expectations_do_not() -> None:
    assert LEGAL == EXPECTED


def test_a_refusal_says_what_the_request_is_already() -> None:
    with pytest.raises(IllegalFollowupTransition, match="the callback request is done already"):
        follow(Kind.CALLBACK, "done", E.ASSIGN)
    with pytest.raises(ValueError):
        follow(Kind.CALLBACK, "lost", E.ASSIGN)  # a status nobody writes


async def test_given_a_person_took_the_request_when_the_runners_attempt_ends_unanswered_then_it_stays_theirs(
    records_at: Path | str,
    tmp_path: Path,
) -> None:
    records = SqliteCallRecords(records_at)
    records.start()
    try:
        request_id, _ = await records.add_callback("c1", "01012345678", "general", T0)
        # The runner is ringing the citizen when an admin runs `ivr callbacks assign`.
        other = recordings.open_db(records_at)
        followups.assign(other, "callbacks", request_id, "c02", T0)
        status = await records.callback_attempted(
            request_id,
            T0 + timedelta(seconds=30),
            call_id="cb1-1",
            counselor_id="c01",
            result="no_answer",
            event=E.RETRY_DUE,
            attempts=1,
            next_at=T0 + timedelta(minutes=10),
        )
        assert status == "assigned"
        assert await records.pending_callbacks() == []  # the runner will not take it up again
        [row] = followups.callbacks(other, "assigned")
        assert (row["assigned_to"], row["attempts"], row["next_at"]) == ("c02", 1, None)
        [attempt] = other.query("SELECT result FROM callback_attempts")
        assert attempt["result"] == "no_answer"  # the attempt itself is kept
    finally:
        records.close()


def test_done_by_hand_after_the_runner_gave_up(records_at: Path | str, tmp_path: Path) -> None:
    db = recordings.open_db(records_at)
    db.table("callbacks").insert({"call_id": "1", "number": "01", "requested_at": "x", "status": "failed"})
    followups.done(db, "callbacks", 1, "root", T0)
    assert [r["status"] for r in followups.callbacks(db, "done")] == ["done"]
    with pytest.raises(HotlineError, match="done already"):
        followups.done(db, "callbacks", 1, "root", T0)
