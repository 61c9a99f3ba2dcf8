"""The prompt studio's recordings reach calls through the prompt books: new calls hear
a published recording, a call in progress keeps what it started with (subflows too)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ivr.admin.flows import env_of
from ivr.admin.prompt_studio import entries, recorded_names
from ivr.calls.service import CallService
from ivr.flows.registry import FlowRegistry
from ivr.ports import OfferResult
from tests.unit.fakes import FakeCall, MemoryRecords, StepClock, dispatcher
from tests.unit.test_hotline_flow import CFG, GREET, MENU, QUEUES, TUESDAY_10, registry

RECORDED = {"hotline": {("greeting", "ko"): "jeonju-studio/hotline.greeting.ko.1"},
            "foreign": {("goodbye", "zh"): "jeonju-studio/foreign.goodbye.zh.1"}}  # fmt: skip


def test_a_published_recording_replaces_the_voice_for_books_made_after_it() -> None:
    reg = registry()
    before = reg.current()[1]
    reg.retake(RECORDED)
    assert reg.current()[1].sound("greeting", "ko").name == "jeonju-studio/hotline.greeting.ko.1"
    assert before.sound("greeting", "ko").name.startswith("jeonju-flows/hotline.greeting.ko.")
    # A flow publish afterwards keeps the recordings.
    reg.swap(reg.loaded())
    assert reg.current()[1].sound("greeting", "ko").recorded
    reg.retake({})
    assert not reg.current()[1].sound("greeting", "ko").recorded


def test_recorded_names_come_from_the_newest_recorded_versions_of_flow_prompts() -> None:
    current = {
        "flow/hotline/greeting/ko": {"kind": "recorded", "stem": "s1"},
        "flow/hotline/menu/ko": {"kind": "synthesized", "stem": None},
        "system/greeting/ko": {"kind": "recorded", "stem": "s2"},
    }
    assert recorded_names(current) == {"hotline": {("greeting", "ko"): "jeonju-studio/s1"}}


def test_every_prompt_is_numbered_once_with_the_nodes_that_play_it() -> None:
    found = entries(registry().loaded(), "hotline")
    assert [e.number for e in found] == list(range(1, len(found) + 1))
    greeting = next(e for e in found if e.key == "flow/hotline/greeting/ko")
    assert greeting.nodes and greeting.steps == greeting.nodes
    foreign = next(e for e in found if e.flow == "foreign" and e.nodes)
    assert all(s.startswith("foreign.") for s in foreign.steps)
    assert found[0].flow is None  # the system prompts first


class PublishedMidCall(FakeCall):
    """A caller during whose greeting an admin publishes recordings."""

    def __init__(self, reg: FlowRegistry, digits: Sequence[str | None]) -> None:
        super().__init__(
            digits=digits, counselors={c.id: OfferResult.ANSWERED for c in CFG.settings.counselors}
        )
        self.reg = reg

    async def play(self, prompts: Sequence[str], *, barge_in: bool = True) -> str | None:
        if not self.log or self.log[-1][0] == "answer":
            self.reg.retake(RECORDED)
        return await super().play(prompts, barge_in=barge_in)


async def test_a_call_in_progress_keeps_its_audio_in_subflows_too_and_the_next_call_hears_the_new() -> None:
    reg = registry()
    clock = StepClock()
    pool = dispatcher([c.id for c in CFG.settings.counselors], QUEUES)
    service = CallService(
        reg, env_of(CFG, reg, lambda: TUESDAY_10), pool, MemoryRecords(), clock.now, clock.monotonic
    )
    call = PublishedMidCall(reg, [*GREET, *MENU, "9", None, "2"])
    await service.new_call(call)
    task = asyncio.ensure_future(service.join(call.call_id))
    while not task.done():
        for leg in call.legs.values():
            leg.ended.set()
        await asyncio.wait({task}, timeout=0.01)
    played = call.prompts()
    assert any(".goodbye.zh." in p for p in played)
    assert not any(p.startswith("jeonju-studio/") for p in played)
    assert reg.current()[1].sound("greeting", "ko").name.startswith("jeonju-studio/")
