"""Nodes the hotline flow does not walk yet: collect with read-back, transfer."""

from __future__ import annotations

import asyncio

from ivr.calls.service import CallService
from ivr.flows.loader import Known, load_text
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import Department, FlowEnv
from ivr.ports import OfferResult
from tests.unit.fakes import FakeCall, MemoryRecords, StepClock, dispatcher

FLOW = """
flow: nodes
languages: [ko]
start: case
prompts:
  ask: {ko: 민원 접수 번호를 누르신 후 우물 정자를 눌러 주십시오.}
  readback: {ko: 입력하신 번호는}
  confirm: {ko: "맞으면 1번, 다시 입력하시려면 2번을 눌러 주십시오."}
  wrong: {ko: 번호가 올바르지 않습니다.}
  dept: {ko: 담당 부서로 연결해 드리겠습니다.}
  bye: {ko: 감사합니다.}
nodes:
  case:
    type: collect
    prompt: ask
    into: case_number
    min_digits: 6
    max_digits: 8
    pattern: "20[0-9]{4,6}"
    readback_prompt: readback
    confirm_prompt: confirm
    invalid_prompt: wrong
    attempts: 2
    on: {done: to_tax, timeout: bye, invalid: bye}
  to_tax:
    type: transfer
    department: tax
    prompt: dept
    on: {completed: bye, failed: bye}
  bye: {type: hangup, prompt: bye}
"""


async def run(
    digits: list[str | None], dept: OfferResult = OfferResult.ANSWERED
) -> tuple[FakeCall, MemoryRecords]:
    loaded = load_text(FLOW, "nodes.yaml", Known(departments=frozenset({"tax"})))
    flows = FlowRegistry("nodes")
    flows.swap({"nodes": loaded})
    clock = StepClock()
    env = FlowEnv(now=clock.now, departments={"tax": Department("세정과", "dept-tax")})
    records = MemoryRecords()
    service = CallService(flows, env, dispatcher([]), records, clock.now, clock.monotonic)
    call = FakeCall(digits=digits, counselors={"dept:세정과": dept})
    await service.new_call(call)
    ended = asyncio.ensure_future(service.join(call.call_id))
    while not ended.done():
        for leg in call.legs.values():
            leg.ended.set()  # the department hangs up after talking
        await asyncio.wait({ended}, timeout=0.01)
    return call, records


def collected(records: MemoryRecords) -> list[str]:
    return [d["digits"] for _, k, d in records.events if k == "collected"]


async def test_given_a_case_number_confirmed_then_it_is_kept_and_the_caller_transferred() -> None:
    call, records = await run([None, *"202612", "#", None, "1"])
    assert collected(records) == ["202612"]
    readback = [p for k, ps in call.log if k == "play" for p in ps if ".digit" in p or "digit." in p]
    assert [p.split(".")[1] for p in readback] == list("202612")  # read back digit by digit
    assert ("connect", "dept:세정과") in call.log
    assert records.calls["call-1"].ivr_path == ["case", "to_tax", "bye"]


async def test_given_a_too_short_number_then_asked_again_then_accepted() -> None:
    call, records = await run([None, *"123", "#", None, *"20261234", None, "1"])
    assert [d["digits"] for _, k, d in records.events if k == "collect_rejected"] == ["123"]
    assert collected(records) == ["20261234"]  # 8 digits: max reached, no # needed
    assert any(".wrong." in p for p in call.prompts())


async def test_given_the_caller_says_the_readback_is_wrong_then_they_enter_it_again() -> None:
    _, records = await run([None, *"202699", "#", None, "2", None, *"202612", "#", None, "1"])
    assert collected(records) == ["202612"]
    assert not [e for e in records.events if e[1] == "collect_rejected"]


async def test_given_nothing_typed_twice_then_goodbye() -> None:
    _, records = await run([None, None, None, None])
    assert records.calls["call-1"].ivr_path == ["case", "bye"]


async def test_given_the_department_does_not_answer_then_the_failed_outcome() -> None:
    call, records = await run([None, *"202612", "#", None, "1"], dept=OfferResult.NO_ANSWER)
    transfer = [d for _, k, d in records.events if k == "transfer"]
    assert transfer == [{"department": "세정과", "result": "no_answer"}]
    assert not [e for e in call.log if e[0] == "connect"]
