"""The desk's "접수번호 읽어 주기": the number as prompts, and read into a live conversation."""

from __future__ import annotations

import asyncio

import pytest

from ivr.flows.nodes.case_readout import command
from ivr.ports import OfferResult
from ivr.prompts.case_number import case_number_prompts
from ivr.prompts.catalog import PROMPTS
from tests.unit.test_conversation import until
from tests.unit.test_protection_endings import service
from tests.unit.test_queue_node import caller

NUMBER = ["digit-2", "digit-0", "digit-2", "digit-6", "case-number-dash", *(f"digit-{d}" for d in "000123")]


def test_a_number_is_read_digit_by_digit_twice_with_every_prompt_in_the_catalog() -> None:
    prompts = case_number_prompts("2026-000123")
    assert prompts == ["case-number-intro", *NUMBER, "case-number-again", *NUMBER, "case-number-end"]
    assert all(p in PROMPTS for p in prompts)
    assert PROMPTS["digit-0"]["ko"] == "공"


@pytest.mark.parametrize("bad", ["2026-00012#", "abc", ""])
def test_anything_but_digits_and_hyphens_is_not_read(bad: str) -> None:
    with pytest.raises(ValueError):
        case_number_prompts(bad)


async def test_during_the_conversation_the_number_is_announced_to_both_and_the_call_goes_on() -> None:
    svc, records = service()
    call = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    assert svc.counselor_command("call-1", command("2026-000123"))
    await until(records, "call-1", "case_number_read")
    await asyncio.sleep(0.05)
    sounds = tuple(f"jeonju/{p}" for p in case_number_prompts("2026-000123"))
    assert ("announce", (sounds, "ko")) in call.log
    assert not any(kind == "hangup" for kind, _ in call.log)
    assert svc.counselor_command("call-1", command("2026-ABC"))  # a page's bad number: noted, not read
    await until(records, "call-1", "case_number_refused")
    assert sum(kind == "announce" for kind, _ in call.log) == 1
    call.legs["c1"].ended.set()  # the counselor hangs up: the call ends as ever
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert records.calls["call-1"].disposition == "answered"
