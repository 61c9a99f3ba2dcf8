"""/bookings: 예약 상담 listed by slot; numbers masked for counselors, shown (and audited) for supervisors."""

from __future__ import annotations

from tests.web.conftest import Desk


def _book(desk: Desk, n: int, number: str, slot: str) -> None:
    desk.insert(
        "callbacks",
        {
            "call_id": f"call-{n}",
            "number": number,
            "queue": "general",
            "requested_at": "2026-11-27T10:00:00.000+09:00",
            "place_at": slot,
            "next_at": slot,
            "booked_for": slot,
            "status": "new",
            "attempts": 0,
            "merged": 0,
        },
    )


async def test_bookings_are_listed_by_slot_masked_for_counselors_and_audited_for_supervisors(
    desk: Desk,
) -> None:
    day = desk.clock().astimezone().date().isoformat()
    _book(desk, 1, "01012345678", f"{day}T23:00:00.000+09:00")
    _book(desk, 2, "01087654321", f"{day}T23:00:00.000+09:00")
    _book(desk, 3, "01055556666", "2020-01-01T10:00:00.000+09:00")  # long past: not listed
    counselor = await desk.logged_in("counselor")
    page = await (await counselor.get("/bookings")).text()
    assert page.count('class="card booking-slot"') == 1 and "2건" in page and "오후 열한 시" in page
    assert "010-****-5678" in page and "01012345678" not in page and "5666" not in page
    assert desk.audit("bookings_viewed") == []
    supervisor = await desk.logged_in("supervisor")
    page = await (await supervisor.get("/bookings")).text()
    assert "01012345678" in page and "01087654321" in page
    assert len(desk.audit("bookings_viewed")) == 1
