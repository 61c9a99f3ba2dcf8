"""`ivr rehearse` plans its calls: every outcome a caller's keys can take, the rest named."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from ivr import config
from ivr.admin.flows import known, rehearsal_plan
from ivr.flows.loader import Known
from ivr.flows.paths import plan_paths
from ivr.flows.registry import load_dir
from ivr.rehearsal.audio import COUNSELOR
from ivr.rehearsal.caller import Heard
from ivr.rehearsal.expect import expect
from ivr.rehearsal.run import NotReady, PathResult, judge, select

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data" / "rehearsal"
MONDAY = datetime(2026, 12, 7, 10, 0)
SMALL = load_dir(DATA, Known(frozenset({"general"}), frozenset({"tax"}), frozenset({"small", "tiny"})))


def with_trunk(cfg: config.LoadedConfig) -> config.LoadedConfig:
    """The shipped config with a trunk to call back on: 예약 상담 offers hours."""
    trunk = cfg.settings.asterisk.trunk.model_copy(update={"dial": "PJSIP/citizens/sip:{number}@127.0.0.1"})
    asterisk = cfg.settings.asterisk.model_copy(update={"trunk": trunk})
    return dataclasses.replace(cfg, settings=cfg.settings.model_copy(update={"asterisk": asterisk}))


def taken(plan) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(t.place.step, t.edge.outcome) for p in plan.paths for t in p.steps}


def test_every_choice_timeout_invalid_schedule_language_and_subflow_is_walked() -> None:
    plan = plan_paths(SMALL, "small", base=MONDAY)
    assert {
        ("hours", "open"),
        ("hours", "closed"),
        ("hours", "holiday"),
        ("menu", "1"),
        ("menu", "2"),
        ("menu", "timeout"),
        ("menu", "invalid"),
        ("info", "enter"),
        ("tiny.say", "done"),
        ("tiny.back", "return"),
        ("english", "done"),
    } <= taken(plan)
    by_name = {p.name: p for p in plan.paths}
    timeout = by_name["hours open › menu timeout"]
    assert timeout.keys == [None, None]  # silent through both attempts
    assert by_name["hours open › menu invalid"].keys == ["3", "3"]  # a key no option uses
    assert by_name["hours open › menu 1"].ivr_path == [
        "hello",
        "hours",
        "menu",
        "info",
        "tiny.say",
        "tiny.back",
        "bye",
    ]


def test_schedule_outcomes_call_at_a_moment_that_gives_them() -> None:
    plan = plan_paths(SMALL, "small", base=MONDAY)
    at = {p.name: p.at for p in plan.paths}
    assert at["hours closed"] == datetime(2026, 12, 7, 18, 15)  # Monday after hours
    assert at["hours holiday"] == datetime(2026, 12, 25, 0, 15)  # Christmas
    assert at["hours open › menu 2"] == datetime(2026, 12, 7, 11, 15)


def test_a_chosen_moment_rehearses_only_what_that_moment_gives() -> None:
    chuseok = datetime(2026, 9, 25, 10, 0)
    plan = plan_paths(SMALL, "small", at=chuseok, base=MONDAY)
    assert [p.name for p in plan.paths] == ["hours holiday"]
    assert plan.paths[0].at == chuseok
    assert plan.not_at_this_moment == ["hours → closed", "hours → open"]


def test_outcomes_keys_cannot_take_are_named_with_their_node_and_why() -> None:
    plan = plan_paths(SMALL, "small", base=MONDAY)
    shown = [str(n) for n in plan.not_rehearsable]
    small = str(DATA / "small.yaml")
    assert (
        f"{small}:30: nodes.who (who) → repeat: needs an earlier call from the same number within 30 minutes"
        in shown
    )
    assert f"{small}:34: nodes.desk (desk) → completed: rings department 'tax', a real phone" in shown
    assert (
        f"{small}:30: nodes.who (who) → default: no end of the call is reachable by keys from here" in shown
    )
    assert ("menu", "0") not in taken(plan)


def test_every_path_of_the_hotline_is_walked_the_same_way_by_the_engine() -> None:
    cfg = config.load(ROOT / "config.yaml")
    flows = load_dir(ROOT / "callflows", known(cfg))
    plan = rehearsal_plan(cfg, flows, at=None, base=MONDAY)
    assert len(plan.paths) >= 20
    for path in plan.paths:
        walked = asyncio.run(expect(cfg, flows, "hotline", path, "01099990001", MONDAY))
        assert walked.problem is None, path.name
        # The entry prompt plays while the counselor rings and is cut by the answer:
        # a rehearsal call, answered at once, does not hear it.
        talked = any(COUNSELOR in burst for burst in walked.bursts)
        assert not (talked and any(".connecting." in p for p in walked.prompts)), path.name
        assert walked.bursts[0][:2] == [p for p in walked.prompts[:2]] and walked.bursts[0][0].startswith(
            "jeonju-flows/hotline.greeting.ko."
        )
    assert ("foreign.choose", "3") in taken(plan)  # the Vietnamese branch of the subflow
    assert ("hours", "holiday") in taken(plan)
    assert ("open_case", "none") in taken(plan)  # the rehearsal number has no 민원: walked
    why = {(n.node, n.outcome): str(n) for n in plan.not_rehearsable}
    assert why[("open_case", "open")].endswith("needs a case open for the calling number")
    assert why[("open_case", "answered")].endswith("needs a case answered for the calling number")
    nodes = {(n.node, n.outcome) for n in plan.not_rehearsable}
    assert nodes == {
        ("open_case", "open"),
        ("open_case", "answered"),
        ("screen", "abuser"),
        ("screen", "repeat"),
        ("voicemail", "error"),
        ("queue_general", "closed"),
        ("queue_general", "overflow"),
        ("queue_general", "left"),
        ("queue_general", "book"),
        # No trunk to call back on in the shipped config.yaml: no hours to book.
        ("booking", "done"),
        ("booking", "invalid"),
        ("foreign.connect", "book"),
        ("foreign.connect", "closed"),
        ("foreign.connect", "overflow"),
    }


def test_the_smoke_set_is_one_self_service_one_counselor_and_one_after_hours_path() -> None:
    cfg = config.load(ROOT / "config.yaml")
    plan = plan_paths(load_dir(ROOT / "callflows", known(cfg)), "hotline", base=MONDAY)
    names = [p.name for p in select(plan, "smoke")]
    assert names == [
        "hours open › main_menu 1 › after_info invalid",
        "hours open › main_menu 0",  # the rehearsal counselor answers, then the survey
        "hours closed › after_hours invalid",
    ]


def test_paths_chosen_by_their_numbers_in_the_list_and_a_number_out_of_range_refused() -> None:
    cfg = config.load(ROOT / "config.yaml")
    plan = plan_paths(load_dir(ROOT / "callflows", known(cfg)), "hotline", base=MONDAY)
    assert select(plan, "6,2,6") == [plan.paths[5], plan.paths[1]]
    with pytest.raises(NotReady, match=rf"--paths 0,{len(plan.paths) + 1}: .* from 1 to {len(plan.paths)}"):
        select(plan, f"0,{len(plan.paths) + 1}")


def test_the_booking_path_expects_what_the_service_offers_with_and_without_a_trunk() -> None:
    """예약 상담 offers hours only where the service can call back (asterisk.trunk.dial):
    the plan must expect the same, or the live call fails its path."""
    cfg = config.load(ROOT / "config.yaml")
    assert cfg.settings.asterisk.trunk.dial is None
    dialing = with_trunk(cfg)
    flows = load_dir(ROOT / "callflows", known(cfg))

    def booking(c: config.LoadedConfig) -> tuple[set[str], list[str]]:
        plan = rehearsal_plan(c, flows, at=None, base=MONDAY)
        path = next(p for p in plan.paths if "after_hours 3" in p.name)
        walked = asyncio.run(expect(c, flows, "hotline", path, "01099990001", MONDAY))
        assert walked.problem is None
        left = {n.outcome for n in plan.not_rehearsable if n.node == "booking"}
        return left, [p.split(".")[1] for p in walked.prompts if ".booking_" in p]

    assert booking(cfg) == ({"done", "invalid"}, ["booking_full"])
    left, heard = booking(dialing)
    assert left == {"done", "full"} and heard[0] == "booking_day" and heard[-1] == "booking_sorry"


def test_a_failing_slot_piece_is_named_with_the_booking_node_that_says_it() -> None:
    """예약 상담's date and hour pieces are shared by every flow (slot.key_1, not
    hotline.something): a failing one names the node it plays at, as flow prompts do."""
    cfg = config.load(ROOT / "config.yaml")
    dialing = with_trunk(cfg)
    flows = load_dir(ROOT / "callflows", known(cfg))
    path = next(
        p for p in rehearsal_plan(dialing, flows, at=None, base=MONDAY).paths if "after_hours 3" in p.name
    )
    walked = asyncio.run(expect(dialing, flows, "hotline", path, "01099990001", MONDAY))
    result = PathResult(path, walked)
    # No prompt's file on the PBX: every prompt the path expects fails, each with its node.
    silent = Heard(bursts=[[] for _ in walked.bursts], sipp_exit=0)
    judge(result, flows, walked, silent, {}, {"ivr_path": " > ".join(walked.ivr_path)})

    assert "prompt slot.key_1 (ko) at node booking: its file is not on the PBX" in result.failures
    slots = [f for f in result.failures if f.startswith("prompt slot.")]
    assert len(slots) > 4 and all(" at node booking: " in f for f in slots)
    assert [f for f in result.failures if " at node ?" in f] == []
    assert any(f.startswith("prompt hotline.booking_day (ko) at node booking:") for f in result.failures)
