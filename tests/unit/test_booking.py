"""예약 상담: open slots (full ones not offered), the node's keys and read-back,
and the callback runner calling at the booked hour (a clock moved, not slept)."""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from ivr.calls.booking import BookingRules, Bookings, open_slots
from ivr.calls.callback_plan import CallbackRules
from ivr.calls.callbacks import CallbackRunner
from ivr.calls.service import CallService
from ivr.flows.loader import Known, load_text
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import FlowEnv
from ivr.ports import CallbackRequest, OfferResult
from ivr.prompts import slots
from ivr.store.calls import SqliteCallRecords
from tests.unit.fakes import FakeCall, MemoryRecords, dispatcher, settled
from tests.unit.test_callbacks import Dialer, Records

KST = timezone(timedelta(hours=9))
FRIDAY = datetime(2026, 11, 27, 10, 20, tzinfo=KST)  # inside calling hours, before a weekend
RULES = CallbackRules()  # 09:00-18:00 on weekdays that are not holidays


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=KST) if day > 3 else datetime(2026, 12, day, hour, tzinfo=KST)


def test_today_then_the_next_calling_days_by_hour_and_a_full_slot_is_not_offered() -> None:
    days = open_slots(FRIDAY, RULES, BookingRules(capacity=2, days=2), {at(27, 14): 2, at(27, 15): 1})
    assert [d.date() for d in days] == [
        date(2026, 11, 27),
        date(2026, 11, 30),
        date(2026, 12, 1),
    ]  # no weekend
    today = [s.hour for s in days[datetime(2026, 11, 27, tzinfo=KST)]]
    assert today == [11, 12, 13, 15, 16, 17]  # 10:00 has begun; 14:00 is full; 15:00 has room
    assert [s.hour for s in days[datetime(2026, 11, 30, tzinfo=KST)]] == list(range(9, 18))


def test_after_hours_today_is_not_offered_and_a_fully_booked_day_is_left_out() -> None:
    evening = FRIDAY.replace(hour=19)
    monday = {at(30, h): 1 for h in range(9, 18)}
    days = open_slots(evening, RULES, BookingRules(capacity=1, days=2), monday)
    assert [d.date() for d in days] == [date(2026, 12, 1)]


def test_the_slot_is_read_back_in_korean_with_native_hours() -> None:
    assert slots.read_back("ko", at(30, 14), date(2026, 11, 27)) == "십일월 삼십 일 월요일 오후 두 시"
    assert slots.read_back("ko", at(28, 9), date(2026, 11, 27)) == "내일 십일월 이십팔 일 토요일 오전 아홉 시"
    assert slots.read_back("ko", datetime(2026, 6, 10, 12, tzinfo=KST), date(2026, 6, 10)) == (
        "오늘 유월 십 일 수요일 낮 열두 시"
    )
    assert slots.read_back("en", at(30, 14), date(2026, 11, 27)) == "Monday November 30 2 p.m."


FLOW = """
flow: book
languages: [ko]
start: book
prompts:
  day: {ko: 원하시는 날짜를 선택해 주십시오.}
  hour: {ko: 원하시는 시간을 선택해 주십시오.}
  done: {ko: 예약되었습니다. 그 시간에 상담사가 전화드리겠습니다.}
  full: {ko: 죄송합니다. 지금은 예약하실 수 있는 시간이 없습니다.}
  wrong: {ko: 잘못 누르셨습니다. 다시 선택해 주십시오.}
  sorry: {ko: 선택이 확인되지 않아 전화를 마칩니다. 다음에 다시 걸어 주십시오.}
  bye: {ko: 감사합니다.}
nodes:
  book:
    type: booking
    day_prompt: day
    hour_prompt: hour
    confirmed_prompt: done
    full_prompt: full
    invalid_prompt: wrong
    queue: general
    on: {done: bye, full: bye, invalid: sorry}
  sorry: {type: hangup, prompt: sorry}
  bye: {type: hangup, prompt: bye}
"""


async def booking_call(
    digits: list[str | None], booked: int = 0, capacity: int = 1
) -> tuple[FakeCall, MemoryRecords]:
    flows = FlowRegistry("book")
    flows.swap({"book": load_text(FLOW, "book.yaml", Known(queues=frozenset({"general"})))})
    records = MemoryRecords()
    for n in range(booked):
        await records.book_callback("old", f"0101111000{n}", "general", FRIDAY, at(27, 11), capacity)
    env = FlowEnv(now=lambda: FRIDAY, bookings=Bookings(records, RULES, BookingRules(capacity=capacity)))
    svc = CallService(flows, env, dispatcher(["c1"]), records, lambda: FRIDAY, time.monotonic)
    call = FakeCall(digits=digits)
    await svc.new_call(call)
    await asyncio.wait_for(svc.join(call.call_id), 5)
    return call, records


async def test_the_caller_books_an_hour_and_hears_it_read_back() -> None:
    call, records = await booking_call(["1", "2"])  # today, the second open hour
    [(number, queue, slot)] = records.bookings.values()
    assert (number, queue, slot) == ("01012345678", "general", at(27, 12))
    heard = call.prompts()
    confirmation = heard[heard.index(next(p for p in heard if ".done." in p)) - 5 :]
    # Read back before the confirmation: today, 11월 27일 금요일, 오후 열두 시 (낮 열두 시).
    assert [p.split("/")[1].split(".")[:2] for p in confirmation[:5]] == [
        ["slot", "today"],
        ["slot", "month_11"],
        ["slot", "dom_27"],
        ["slot", "weekday_4"],
        ["slot", "hour_12"],
    ]
    assert records.calls["call-1"].ivr_path == ["book", "bye"]


async def test_a_full_slot_is_not_offered_to_the_caller() -> None:
    call, records = await booking_call(["1", "1"], booked=1, capacity=1)  # 11:00 is full
    hour_menu = [ps for kind, ps in call.log if kind == "play"][1]  # the second prompt: the hours
    offered = [p.split(".")[1] for p in hour_menu if ".hour_" in p]
    assert "hour_11" not in offered and offered[0] == "hour_12"
    assert [s for _, _, s in records.bookings.values()] == [at(27, 11), at(27, 12)]


async def test_a_key_that_is_no_option_is_asked_again_then_the_call_ends_politely() -> None:
    call, records = await booking_call(["7", "#"])  # three days offered: 7 and # are no options
    invalid = [d for c, k, d in records.events if k == "booking_invalid"]
    assert [(d["step"], d["digit"], d["attempt"]) for d in invalid] == [("day", "7", 1), ("day", "#", 2)]
    assert sum(".wrong." in p for p in call.prompts()) == 1  # told once, then asked again
    assert records.calls["call-1"].ivr_path == ["book", "sorry"]
    assert not records.bookings


async def test_every_slot_full_says_so_and_books_nothing() -> None:
    records_full = {h: 1 for h in range(9, 18)}
    assert (
        open_slots(
            FRIDAY, RULES, BookingRules(capacity=1, days=0), {at(27, h): n for h, n in records_full.items()}
        )
        == {}
    )


class MovingClock:
    """A clock the test moves; sleepers wake when it passes their time."""

    def __init__(self, t: datetime) -> None:
        self.t = t
        self.moved = asyncio.Condition()
        self.asleep = asyncio.Event()

    def now(self) -> datetime:
        return self.t

    async def sleep(self, seconds: float) -> None:
        until = self.t + timedelta(seconds=seconds)
        async with self.moved:
            self.asleep.set()
            await self.moved.wait_for(lambda: self.t >= until)

    async def move_to(self, t: datetime) -> None:
        async with self.moved:
            self.t = t
            self.moved.notify_all()


async def test_a_booked_slot_is_called_at_its_hour_counselor_first() -> None:
    slot = at(27, 14)
    records = Records([CallbackRequest(9, "01055554444", "general", slot, next_at=slot, booked_for=slot)])
    dialer = Dialer(OfferResult.ANSWERED, counselors={"c1": OfferResult.ANSWERED})
    clock = MovingClock(FRIDAY)
    flows = FlowRegistry("book")
    flows.swap({"book": load_text(FLOW, "book.yaml", Known(queues=frozenset({"general"})))})
    svc = CallService(flows, FlowEnv(now=clock.now), dispatcher(["c1"]), records, clock.now, time.monotonic)
    cb = CallbackRunner(
        svc,
        records,
        dialer,
        RULES,
        ring_seconds=30,
        default_queue="general",
        now=clock.now,
        monotonic=time.monotonic,
        sleep=clock.sleep,
    )
    await cb.refresh()
    await asyncio.wait_for(clock.asleep.wait(), 5)
    await clock.move_to(slot - timedelta(minutes=1))
    await asyncio.sleep(0)
    assert not dialer.calls  # not before the hour the citizen chose
    await clock.move_to(slot)
    await asyncio.wait_for(dialer.placed.wait(), 5)
    [call] = dialer.calls
    await asyncio.wait_for(call.connected.wait(), 5)
    assert [kind for kind, _ in call.log][:2] == ["offer", "dial"]  # the counselor first, as for any callback
    assert records.calls[call.call_id].started_at == slot
    call.legs["c1"].ended.set()
    await asyncio.wait_for(records.attempted.wait(), 5)
    await asyncio.wait_for(cb.join(), 5)
    assert settled(cb.acd)


async def test_the_store_keeps_a_slots_capacity_and_gives_the_runner_its_hour(
    records_at: Path | str, tmp_path: Path
) -> None:
    records = SqliteCallRecords(records_at)
    records.start()
    try:
        slot = at(30, 14)
        first = await records.book_callback("c1", "01011112222", "general", FRIDAY, slot, 2)
        second = await records.book_callback("c2", "01033334444", "general", FRIDAY, slot, 2)
        assert (
            first
            and second
            and await records.book_callback("c3", "01055556666", None, FRIDAY, slot, 2) is None
        )
        assert await records.booked_slots(FRIDAY) == {slot: 2}
        pending = {r.id: r for r in await records.pending_callbacks()}
        assert (pending[first].booked_for, pending[first].next_at, pending[first].place_at) == (
            slot,
            slot,
            slot,
        )
        days = await Bookings(records, RULES, BookingRules(capacity=2)).open_slots(FRIDAY)
        assert slot not in days[datetime(2026, 11, 30, tzinfo=KST)]  # full: not offered
    finally:
        records.close()


# The same booking, reached from a queue with its book key.
LINE = (
    FLOW.replace("flow: book", "flow: line")
    .replace("start: book", "start: wait")
    .replace(
        "nodes:\n",
        "  connecting: {ko: 상담사를 연결해 드리겠습니다.}\n"
        "  offer: {ko: 원하시는 시간에 상담 예약을 하시려면 2번을 눌러 주십시오.}\n"
        "nodes:\n"
        "  wait:\n"
        "    type: queue\n"
        "    queue: general\n"
        "    prompt: connecting\n"
        "    announce_every_seconds: 0.2\n"
        '    book_key: "2"\n'
        "    leave_prompt: offer\n"
        "    on: {completed: bye, overflow: bye, closed: bye, book: book}\n",
    )
)


async def test_a_caller_waiting_in_line_presses_the_book_key_and_books_an_hour() -> None:
    flows = FlowRegistry("line")
    flows.swap({"line": load_text(LINE, "line.yaml", Known(queues=frozenset({"general"})))})
    records = MemoryRecords()
    env = FlowEnv(now=lambda: FRIDAY, bookings=Bookings(records, RULES, BookingRules()))
    svc = CallService(flows, env, dispatcher(["c1"]), records, lambda: FRIDAY, time.monotonic)
    talking = FakeCall(counselors={"c1": OfferResult.ANSWERED})
    talking.call_id = "call-0"
    await svc.new_call(talking)
    await asyncio.wait_for(talking.connected.wait(), 5)
    waiting = FakeCall(digits=["2", "1"], counselors={"c1": OfferResult.ANSWERED})
    waiting.hold_keys = ["2"]  # the book key, while on hold
    await svc.new_call(waiting)
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert records.calls["call-1"].ivr_path == ["wait", "book", "bye"]  # bye after the booking
    assert records.queue_events("call-1")[:2] == ["entered", "exit_key"]
    [(number, queue, slot)] = records.bookings.values()
    # Monday 09:00: the second day offered, its first hour.
    assert (number, queue, slot) == ("01012345678", "general", at(30, 9))
    talking.legs["c1"].ended.set()
    await svc.join("call-0")
