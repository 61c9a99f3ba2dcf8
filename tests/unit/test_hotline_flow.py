"""The real 222-1000 flow (callflows/hotline.yaml) through the engine, on a fake call."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr import config
from ivr.acd.dispatcher import Dispatcher
from ivr.admin.flows import booking_rules, callback_rules, env_of, known
from ivr.calls.booking import Bookings
from ivr.calls.service import CallService
from ivr.flows.model_case import CaseNode
from ivr.flows.registry import FlowRegistry, load_dir
from ivr.flows.run import CaseGlance
from ivr.ports import CallFacts, OfferResult
from tests.unit.fakes import FakeCall, MemoryRecords, StepClock, dispatcher, settled
from tests.unit.test_case_node import Cases

ROOT = Path(__file__).resolve().parents[2]
CFG = config.load(ROOT / "config.yaml")
KST = ZoneInfo("Asia/Seoul")
TUESDAY_10 = datetime(2026, 9, 22, 10, 0, tzinfo=KST)
ALL_ANSWER = {c.id: OfferResult.ANSWERED for c in CFG.settings.counselors}


def registry() -> FlowRegistry:
    reg = FlowRegistry("hotline")
    reg.swap(load_dir(ROOT / "callflows", known(CFG)))
    return reg


REGISTRY = registry()
QUEUES = {q: list(CFG.settings.queue_members(q)) for q in CFG.settings.queues}


class Run:
    def __init__(self, facts: CallFacts, call: FakeCall, records: MemoryRecords, pool: Dispatcher):
        self.facts, self.call, self.records, self.pool = facts, call, records, pool

    @property
    def path(self) -> list[str]:
        return self.facts.ivr_path


async def place(
    digits: list[str | None],
    at: datetime = TUESDAY_10,
    counselors: dict[str, OfferResult] | None = None,
    caller: str = "01012345678",
    records: MemoryRecords | None = None,
    hang_up_at: str | None = None,
    case: CaseGlance | None = None,
) -> Run:
    records = records or MemoryRecords()
    pool = dispatcher([c.id for c in CFG.settings.counselors], QUEUES)
    clock = StepClock()
    env = env_of(CFG, REGISTRY, lambda: at)
    env.bookings = Bookings(records, callback_rules(CFG.settings), booking_rules(CFG.settings))
    env.cases = Cases(case)
    service = CallService(REGISTRY, env, pool, records, clock.now, clock.monotonic)
    call = FakeCall(digits=digits, counselors=ALL_ANSWER if counselors is None else counselors)
    call.caller = caller
    if hang_up_at is not None:

        def hook(kind: str, detail: dict) -> None:
            if kind == "ivr" and detail["step"] == hang_up_at:
                service.call_ended(call.call_id, "normal_clearing")

        records.on_event = hook
    await service.new_call(call)
    # Counselors answer and then hang up at once in these tests.
    task = asyncio.ensure_future(service.join(call.call_id))
    while not task.done():
        for leg in call.legs.values():
            leg.ended.set()
        await asyncio.wait({task}, timeout=0.01)
    return Run(records.calls[call.call_id], call, records, pool)


def silent(step: str) -> bool:
    flow_name, _, node_id = step.rpartition(".")
    loaded, _ = REGISTRY.get(flow_name or "hotline")
    node = loaded.flow.nodes[node_id]
    if isinstance(node, CaseNode) and not node.none_prompt:
        return True  # it speaks only to a caller with a case; the others go straight on
    return not node.prompt_ids() and not node.waits_for_caller


GREET = [None, None]  # the greeting and the recording notice, heard to the end
MENU = [None]  # the main menu prompt, heard to the end


@pytest.mark.parametrize(
    ("digit", "topic", "info"),
    [
        ("1", "documents", "documents_info"),
        ("2", "transport", "transport_info"),
        ("3", "local_tax", "tax_info"),
        ("4", "welfare", "welfare_info"),
        ("5", "water", "water_info"),
    ],
)
async def test_given_a_topic_digit_then_the_answer_then_a_counselor_and_the_survey(
    digit: str, topic: str, info: str
) -> None:
    run = await place([*GREET, *MENU, digit, None, None, "0", "4"])
    assert run.path == [
        "welcome",
        "notice",
        "notice.notice",
        "notice.back",
        "screen",
        "open_case",
        "hours",
        "main_menu",
        run.path[8],
        info,
        "after_info",
        "queue_general",
        "survey",
        "goodbye",
    ]
    assert run.path[8] == f"topic_{info.removesuffix('_info')}"
    assert run.facts.topic == topic
    assert run.facts.disposition == "answered"
    assert run.records.survey == [("call-1", "satisfaction", 4)]
    assert settled(run.pool)


async def test_given_6_then_office_information_and_back_to_the_main_menu() -> None:
    run = await place([*GREET, *MENU, "6", None, "2", None, None, "*", *MENU, "0", None])
    assert run.path[7:] == [
        "main_menu",
        "info_menu",
        "location",
        "after_info",
        "main_menu",
        "topic_general",
        "queue_general",
        "survey",
        "goodbye",
    ]


async def test_given_0_then_straight_to_a_counselor() -> None:
    run = await place([*GREET, *MENU, "0", None])
    assert run.path[7:] == ["main_menu", "topic_general", "queue_general", "survey", "goodbye"]
    assert run.facts.counselor_id == "c01"
    assert run.records.survey == []  # no answer to the survey: nothing stored


async def test_given_silence_then_after_three_tries_a_counselor_takes_the_call() -> None:
    run = await place([*GREET, None, None, None, None, None, None])
    assert run.path[7:10] == ["main_menu", "topic_general", "queue_general"]
    kinds = [k for _, k, _ in run.records.events]
    assert kinds.count("menu_timeout") == 3
    heard = [p for p in run.call.prompts() if ".no_input." in p]
    assert len(heard) == 2  # re-prompted twice, then connected


async def test_given_wrong_digits_then_told_so_then_a_counselor() -> None:
    run = await place([*GREET, None, "7", None, "8", None, "#"])
    assert [d["digit"] for _, k, d in run.records.events if k == "menu_invalid"] == ["7", "8", "#"]
    assert run.path[8] == "topic_general"
    assert len([p for p in run.call.prompts() if ".invalid." in p]) == 2


async def test_given_9_then_chinese_and_a_foreign_language_counselor() -> None:
    run = await place([*GREET, *MENU, "9", None, "2"])
    assert run.path[7:] == [
        "main_menu",
        "foreign",
        "foreign.choose",
        "foreign.chinese",
        "foreign.connect",
        "foreign.goodbye",
    ]
    assert run.facts.counselor_id == "c10"
    assert any(".goodbye.zh." in p for p in run.call.prompts())


async def test_given_after_hours_then_a_message_can_be_left() -> None:
    run = await place([*GREET, None, "1"], at=datetime(2026, 9, 22, 20, 30, tzinfo=KST))
    assert run.path[6:] == ["hours", "after_hours", "voicemail", "goodbye"]
    assert run.records.voicemails == [("call-1", "voicemail-call-1", 12.5)]
    assert run.facts.disposition == "ivr_ended"


async def test_given_a_caller_who_hangs_up_to_end_their_message_then_it_is_kept() -> None:
    records = MemoryRecords()
    clock = StepClock()
    after_hours = datetime(2026, 9, 22, 20, 30, tzinfo=KST)
    env = env_of(CFG, REGISTRY, lambda: after_hours)
    pool = dispatcher([c.id for c in CFG.settings.counselors], QUEUES)
    service = CallService(REGISTRY, env, pool, records, clock.now, clock.monotonic)
    call = FakeCall(digits=[*GREET, None, "1"])
    call.message_ends = asyncio.Event()
    await service.new_call(call)
    await asyncio.wait_for(call.recording_message.wait(), 5)
    service.call_ended(call.call_id, "normal_clearing")  # the caller hangs up...
    call.message_ends.set()  # ...and the PBX ends their message with the call
    await service.join(call.call_id)
    assert records.voicemails == [("call-1", "voicemail-call-1", 12.5)]
    facts = records.calls["call-1"]
    assert facts.ended_at is not None and facts.hangup_by == "caller"
    assert facts.ivr_path[-1] == "voicemail"  # nothing more was played to nobody


@pytest.mark.parametrize(
    ("when", "name"),
    [
        (datetime(2026, 9, 25, 10, 0, tzinfo=KST), "추석"),  # Chuseok 2026, a lunar holiday
        (datetime(2026, 10, 5, 11, 0, tzinfo=KST), "개천절 대체 휴일"),  # a substitute holiday
    ],
)
async def test_given_a_public_holiday_then_the_holiday_notice_and_a_callback(
    when: datetime, name: str
) -> None:
    run = await place([*GREET, None, "2", "1"], at=when)
    assert run.path[6:] == ["hours", "holiday", "after_hours", "callback", "goodbye"]
    [decision] = [d for _, k, d in run.records.events if k == "schedule"]
    assert (decision["outcome"], decision["reason"]) == ("holiday", name)
    assert run.records.callbacks == [("call-1", "01012345678", "general")]


async def test_given_saturday_then_after_hours() -> None:
    run = await place([*GREET, None, None, None, None], at=datetime(2026, 9, 26 + 1, 10, 0, tzinfo=KST))
    assert run.path[6:8] == ["hours", "after_hours"]


async def test_given_a_repeat_caller_then_welcomed_back_and_tagged() -> None:
    records = MemoryRecords()
    records.history["01055554444"] = 1
    run = await place([*GREET, None, *MENU, "0", None], caller="01055554444", records=records)
    assert run.path[4:7] == ["screen", "repeat_caller", "tag_repeat"]
    assert run.facts.category == "repeat"


async def test_given_a_caller_with_abuse_strikes_then_warned_first() -> None:
    records = MemoryRecords()
    records.strike_counts["01066667777"] = 3
    run = await place([*GREET, None, *MENU, "0", None], caller="01066667777", records=records)
    assert run.path[4:6] == ["screen", "abuse_warning"]


async def test_given_nobody_answers_then_a_callback_to_another_number() -> None:
    nobody = {c.id: OfferResult.NO_ANSWER for c in CFG.settings.counselors}
    run = await place([*GREET, *MENU, "0", None, "1", "2", None, *"01098765432"], counselors=nobody)
    assert run.path[7:] == ["main_menu", "topic_general", "queue_general", "all_busy", "callback", "goodbye"]
    assert run.records.callbacks == [("call-1", "01098765432", "general")]
    assert run.facts.disposition == "no_counselor"


OPEN = CaseGlance("2026-000123", answered=False)


async def test_given_no_open_case_then_the_case_node_says_nothing_and_the_menu_follows() -> None:
    run = await place([*GREET, *MENU, "0", None])
    assert run.path[4:7] == ["screen", "open_case", "hours"]
    assert [d for _, k, d in run.records.events if k == "case"] == [{"outcome": "none"}]
    assert not any(".case_" in p for p in run.call.prompts())


async def test_given_an_open_case_then_its_number_is_read_and_0_reaches_a_counselor() -> None:
    run = await place([*GREET, None, "0", None], case=OPEN)  # the case's sentence is not cut by keys
    assert run.path[4:] == [
        "screen",
        "open_case",
        "case_open_menu",
        "topic_case",
        "queue_general",
        "survey",
        "goodbye",
    ]
    [told] = [d for _, k, d in run.records.events if k == "case"]
    assert (told["outcome"], told["reads"]) == ("open", "이 공 이 육, 공 공 공 일 이 삼")
    heard = run.call.prompts()
    start = next(i for i, p in enumerate(heard) if ".case_intro." in p)
    end = next(i for i, p in enumerate(heard) if ".case_open." in p)
    assert end - start == 11, heard[start : end + 1]  # the ten digits of 2026-000123 between
    assert run.facts.topic == "case" and run.facts.counselor_id == "c01"


async def test_given_an_open_case_and_no_key_then_the_usual_menu() -> None:
    run = await place([*GREET, None, None, *MENU, "0", None], case=OPEN)
    assert run.path[5:9] == ["open_case", "case_open_menu", "hours", "main_menu"]


async def test_given_an_answered_case_then_told_it_is_ready_and_connected_to_a_counselor() -> None:
    run = await place([*GREET, None], case=CaseGlance("2026-000123", answered=True))
    assert run.path[5:8] == ["open_case", "topic_case", "queue_general"]
    assert any(".case_ready." in p for p in run.call.prompts())
    assert run.facts.counselor_id == "c01"


NOBODY = {c.id: OfferResult.NO_ANSWER for c in CFG.settings.counselors}
CHUSEOK = datetime(2026, 9, 25, 10, 0, tzinfo=KST)
EVENING = datetime(2026, 9, 22, 20, 30, tzinfo=KST)
PATHS: dict[str, tuple[list[str | None], dict]] = {
    "documents": ([*GREET, *MENU, "1", None, None, "0", "4"], {}),
    "info": ([*GREET, *MENU, "6", None, "3", None, None, "*", *MENU, "0", None], {}),
    "foreign": ([*GREET, *MENU, "9", None, "3"], {}),
    "busy_voicemail": ([*GREET, *MENU, "0", None, "2"], {"counselors": NOBODY}),
    "busy_callback": ([*GREET, *MENU, "0", None, "1", "2", None, *"01098765432"], {"counselors": NOBODY}),
    "holiday_callback": ([*GREET, None, "2", "1"], {"at": CHUSEOK}),
    "evening_voicemail": ([*GREET, None, "1"], {"at": EVENING}),
    # 예약 상담 after hours: tomorrow (1) at 10:00 (2); or keys that are no option, twice.
    "evening_booking": ([*GREET, None, "3", "1", "2"], {"at": EVENING}),
    "evening_booking_wrong_keys": ([*GREET, None, "3", "7", None, "#"], {"at": EVENING}),
    "repeat_caller": ([*GREET, None, *MENU, "0", None], {"caller": "01055554444", "repeat": True}),
    "abuser": ([*GREET, None, *MENU, "0", None], {"caller": "01066667777", "strikes": 3}),
    "case_open": ([*GREET, None, "0", None], {"case": CaseGlance("2026-000123", answered=False)}),
    "case_answered": ([*GREET, None], {"case": CaseGlance("2026-000123", answered=True)}),
}


def records_for(options: dict) -> MemoryRecords:
    records = MemoryRecords()
    if options.get("repeat"):
        records.history[options["caller"]] = 1
    if options.get("strikes"):
        records.strike_counts[options["caller"]] = options["strikes"]
    return records


def place_kwargs(options: dict) -> dict:
    return {k: v for k, v in options.items() if k in ("counselors", "at", "caller", "case")}


@pytest.mark.parametrize("scenario", sorted(PATHS))
async def test_given_a_hangup_at_any_node_then_the_record_closes_and_nobody_is_held(scenario: str) -> None:
    digits, options = PATHS[scenario]
    full = await place(list(digits), records=records_for(options), **place_kwargs(options))
    for step in dict.fromkeys(full.path):
        run = await place(
            list(digits), records=records_for(options), hang_up_at=step, **place_kwargs(options)
        )
        # The hangup lands at the next wait: only silent nodes may follow it.
        after = run.path[run.path.index(step) + 1 : -1]
        assert all(silent(s) for s in after), (step, run.path)
        assert run.facts.hangup_by == "caller", step
        assert run.records.closed_ids == ["call-1"], step
        assert run.facts.disposition in ("abandoned_ivr", "answered"), step
        assert settled(run.pool), step


async def test_the_hangup_scenarios_visit_every_node_of_the_hotline_flow() -> None:
    seen: set[str] = set()
    for digits, options in PATHS.values():
        seen.update((await place(list(digits), records=records_for(options), **place_kwargs(options))).path)
    missing = set(REGISTRY.get("hotline")[0].flow.nodes) - seen
    # Topics 2-5 and the other info answers have the shape of the ones walked
    # (and each is walked to its end by the topic test above).
    assert missing <= {
        "topic_transport",
        "transport_info",
        "topic_tax",
        "tax_info",
        "topic_welfare",
        "welfare_info",
        "topic_water",
        "water_info",
        "office_hours",
        "location",
    }, missing


async def test_given_the_recording_fails_then_the_conversation_goes_on_and_the_failure_is_kept() -> None:
    records = MemoryRecords()
    pool = dispatcher([c.id for c in CFG.settings.counselors], QUEUES)
    clock = StepClock()
    service = CallService(
        REGISTRY, env_of(CFG, REGISTRY, lambda: TUESDAY_10), pool, records, clock.now, clock.monotonic
    )
    call = FakeCall(digits=[*GREET, *MENU, "0", None], counselors=ALL_ANSWER)
    call.recording_works = False
    await service.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    call.legs["c01"].ended.set()
    await service.join(call.call_id)
    facts = records.calls["call-1"]
    assert facts.disposition == "answered" and facts.recording is None
    assert "recording_failed" in records.kinds()
    assert ("connect", "c01") in call.log
