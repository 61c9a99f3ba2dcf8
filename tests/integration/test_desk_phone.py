"""Counselors change their state from the desk phone's keypad (*21, *22, *23N, *24)."""

from __future__ import annotations

from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab


def states(hotline: Service, counselor: str) -> list[tuple[str, str | None]]:
    rows = hotline.query(
        "SELECT to_state, reason FROM counselor_events WHERE counselor_id = ? ORDER BY id", (counselor,)
    )
    return [(r["to_state"], r["reason"]) for r in rows]


def test_feature_codes_log_out_in_pause_with_a_reason_and_unpause(hotline: Service, lab: SippLab) -> None:
    desk = COUNSELOR_PORTS[1]  # c2's phone
    hotline.wait_log("ARI events connected")
    before = len(states(hotline, "c2"))
    for code in ("*22", "*21", "*232", "*24"):
        phone = lab.desk_call(desk, code)
        # The hotline answers, says how it went, and hangs up.
        assert phone.wait(60) == 0, phone.errors()
    assert states(hotline, "c2")[before:] == [
        ("logged_out", None),
        ("available", None),
        ("paused", "meal"),
        ("available", None),
    ]
    # Nobody else changed: the call was known by its phone's own address.
    assert all(len(states(hotline, f"c{n}")) == 1 for n in (1, 3, 4))


def test_a_code_that_does_not_apply_changes_nothing(hotline: Service, lab: SippLab) -> None:
    desk = COUNSELOR_PORTS[2]  # c3, available: unpausing means nothing
    hotline.wait_log("ARI events connected")
    before = states(hotline, "c3")
    for code in ("*24", "*29"):
        phone = lab.desk_call(desk, code)
        assert phone.wait(60) == 0, phone.errors()
    assert states(hotline, "c3") == before
    assert "c3 keyed *24: unpause is not possible while available" in hotline.log()
