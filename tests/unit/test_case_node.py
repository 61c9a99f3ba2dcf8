"""The `case` node: a caller with a 민원 under way hears its number and where it stands;
the flow routes on open / answered / none. The store's lookup on a real SQLite file."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ivr.calls.service import CallService
from ivr.cases.case import NewCase
from ivr.cases.states import CaseEvent
from ivr.config import CaseSettings, case_rules
from ivr.flows.loader import FlowError, Known, load_text
from ivr.flows.path_edges import edges
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import CaseGlance, FlowEnv
from ivr.store import case_glance, case_rows
from ivr.store.case_changes import CaseChange, change
from ivr.store.desk_schema import transaction
from tests.unit.fakes import FakeCall, MemoryRecords, dispatcher
from tests.unit.test_flow_commands import ivr
from tests.unit.test_flow_commands import site as site

KST = timezone(timedelta(hours=9))
NOW = datetime(2026, 9, 22, 10, 0, tzinfo=KST)

FLOW = """
flow: cases
languages: [ko]
start: check
prompts:
  intro: {ko: 접수하신 민원}
  busy: {ko: 번은 담당 부서에서 처리 중입니다.}
  ready: {ko: 번에 대한 답변이 등록되었습니다.}
  bye: {ko: 감사합니다.}
  hello: {ko: 안녕하십니까.}
nodes:
  check:
    type: case
    prompt: intro
    open_prompt: busy
    answered_prompt: ready
    on: {open: bye, answered: bye, none: hello}
  hello: {type: hangup, prompt: hello}
  bye: {type: hangup, prompt: bye}
"""


class Cases:
    """The caller's cases as the test sets them."""

    def __init__(self, glance: CaseGlance | None) -> None:
        self.glance = glance
        self.asked: list[str] = []

    async def newest_open(self, caller: str) -> CaseGlance | None:
        self.asked.append(caller)
        return self.glance


async def case_call(glance: CaseGlance | None) -> tuple[FakeCall, MemoryRecords, Cases]:
    flows = FlowRegistry("cases")
    flows.swap({"cases": load_text(FLOW, "cases.yaml", Known())})
    records, cases = MemoryRecords(), Cases(glance)
    env = FlowEnv(now=lambda: NOW, cases=cases)
    svc = CallService(flows, env, dispatcher(["c1"]), records, lambda: NOW, time.monotonic)
    call = FakeCall(digits=[])
    await svc.new_call(call)
    await asyncio.wait_for(svc.join(call.call_id), 5)
    return call, records, cases


def spoken(call: FakeCall) -> list[str]:
    """Prompt ids (and digits) the caller heard, in order."""
    return [p.split("/")[1].split(".")[1] if "/digit." not in p else p.split(".")[1] for p in call.prompts()]


async def test_an_open_case_is_read_out_digit_by_digit_inside_the_sentence() -> None:
    call, records, cases = await case_call(CaseGlance("2026-000123", answered=False))
    assert cases.asked == [call.caller]
    assert spoken(call)[:12] == ["intro", *"2026000123", "busy"]
    [detail] = [d for _, k, d in records.events if k == "case"]
    assert detail == {"outcome": "open", "number": "2026-000123", "reads": "이 공 이 육, 공 공 공 일 이 삼"}
    assert records.calls[call.call_id].ivr_path == ["check", "bye"]


async def test_an_answered_case_says_its_answer_is_there() -> None:
    call, records, _ = await case_call(CaseGlance("2026-000007", answered=True))
    assert spoken(call)[-2] == "ready"
    assert records.calls[call.call_id].ivr_path == ["check", "bye"]


async def test_no_case_goes_on_quietly() -> None:
    call, records, _ = await case_call(None)
    assert spoken(call) == ["hello"]
    assert records.calls[call.call_id].ivr_path == ["check", "hello"]


def test_a_wrong_outcome_is_named_with_its_file_line() -> None:
    bad = FLOW.replace(
        "on: {open: bye, answered: bye, none: hello}", "on: {open: bye, closed: bye, none: hello}"
    )
    with pytest.raises(FlowError) as caught:
        load_text(bad, "cases.yaml", Known())
    assert any(p.startswith("cases.yaml:17:21:") and "'closed'" in p for p in caught.value.problems), (
        caught.value
    )


def test_rehearsal_walks_none_and_says_why_it_cannot_walk_the_others() -> None:
    loaded = load_text(FLOW, "cases.yaml", Known())
    by = {e.outcome: e for e in edges("check", loaded.flow.nodes["check"], {})}
    assert by["none"].not_rehearsable is None
    assert by["open"].not_rehearsable == "needs a case open for the calling number"
    assert by["answered"].not_rehearsable is not None


def test_the_store_finds_the_callers_newest_case_not_closed(records_at: Path | str) -> None:
    rules = case_rules(CaseSettings())
    base = NewCase("01012345678", "가로등이 꺼져 있습니다.", "query", "road", "kim")
    with transaction(records_at) as db:
        assert case_glance.newest_open(db, "01012345678") is None
        first = case_rows.register(db, base, rules, NOW, KST).number
        second = case_rows.register(db, base, rules, NOW + timedelta(minutes=5), KST).number
        assert case_glance.newest_open(db, "01012345678") == CaseGlance(second, answered=False)
        later = NOW + timedelta(hours=1)
        change(db, CaseChange(second, CaseEvent.ANSWER, "road-lee", why="수리했습니다."), later, rules)
        assert case_glance.newest_open(db, "01012345678") == CaseGlance(second, answered=True)
        change(db, CaseChange(second, CaseEvent.CLOSE, "kim"), later, rules)
        assert case_glance.newest_open(db, "01012345678") == CaseGlance(first, answered=False)
        assert case_glance.newest_open(db, "01099999999") is None


def test_simulate_plays_the_case_outcome_asked_for(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "callflows" / "cases.yaml").write_text(FLOW, encoding="utf-8")
    assert ivr(site, "flows", "simulate", "cases", "--case", "open") == 0
    out = capsys.readouterr().out
    assert "case: outcome=open, number=2026-000123, reads=이 공 이 육, 공 공 공 일 이 삼" in out
    assert "path: check > bye" in out
    assert ivr(site, "flows", "simulate", "cases") == 0
    assert "path: check > hello" in capsys.readouterr().out
