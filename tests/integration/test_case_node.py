"""The shipped callflows/hotline.yaml on the real Asterisk: a citizen whose number has a 민원
under way calls 222-1000 and hears its number and where it stands (`open_case` → `open`),
and one whose 민원 was answered is put through to a counselor about it (→ `answered`).
Two SIPp citizens call at once; the cases are registered beside the running service as
the desk registers them."""

from __future__ import annotations

import time
import wave
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr import config as config_mod
from ivr.admin.flows import known, sounds_dir
from ivr.cases.case import NewCase
from ivr.flows.promptbook import PromptBook
from ivr.flows.registry import load_dir
from ivr.prompts import korean
from ivr.store import case_rows
from tests.browser.test_prompt_studio import Ear
from tests.integration.conftest import Service, serving
from tests.integration.sipp import SippLab
from tests.integration.test_case_answers import KST, RULES, answered_case, write
from tests.integration.test_cases import sounding_seconds

SHIPPED = Path(__file__).resolve().parents[2] / "callflows"
# callflows/foreign.yaml (the hotline's 9) puts callers in this queue.
FOREIGN = "  foreign: {name: 외국어 상담, counselors: [c10, c11]}\n"
OPEN_CALLER, ANSWERED_CALLER = "01024681357", "01097531357"
# Everything before the case node: the greeting, then the recording notice (a subflow).
BEFORE = [("hotline", "greeting"), ("notice", "recording_notice")]


@pytest.fixture
def shipped(pbx: config_mod.LoadedConfig, tmp_path: Path) -> Iterator[Service]:
    service = serving(
        pbx, tmp_path, tmp_path / "hotline.sqlite3", flows_from=SHIPPED, flow="hotline", more_queues=FOREIGN
    )
    yield service
    service.stop()


def open_case(db_path: Path, caller: str) -> str:
    """A counselor registered it; the department has it (assigned)."""
    new = NewCase(
        caller, "덕진공원 앞 가로등이 사흘째 꺼져 있습니다.", "inconvenience", "road", "kim", "phone"
    )
    return write(db_path, lambda db: case_rows.register(db, new, RULES, datetime.now(UTC), KST).number)


def seconds_of(svc: Service, prompts: list[tuple[str, str]]) -> float:
    """How long the flows' rendered (flow, prompt id) files last, as the service plays them."""
    cfg = config_mod.load(svc.config_path)
    flows = load_dir(svc.flows_dir, known(cfg))
    sounds = sounds_dir(cfg)
    assert sounds is not None
    total = 0.0
    for flow, prompt in prompts:
        [name] = PromptBook.of(flows[flow].flow).names([prompt], "ko")
        with wave.open(str(sounds / f"{name}.wav")) as w:
            total += w.getnframes() / w.getframerate()
    return total


def test_the_hotline_reads_an_open_case_and_puts_an_answered_one_through_to_a_counselor(
    shipped: Service, lab: SippLab
) -> None:
    started = time.monotonic()
    number = open_case(shipped.database, OPEN_CALLER)
    answered = answered_case(shipped.database, ANSWERED_CALLER, channel="sms")  # nothing dials out
    sentence = [
        ("hotline", "case_intro"),
        *[("hotline", f"digit_{d}") for d in number if d.isdigit()],
        ("hotline", "case_open"),
    ]
    expected = seconds_of(shipped, [*BEFORE, *sentence, ("hotline", "case_open_menu")])
    # The open case's caller listens through the sentence and the menu after it, and hangs
    # up in the menu's 4 s of silence; the answered one once the queue has them.
    ear = Ear()
    listener = lab.citizen_heard_on(ear.port, int((expected + 2.5) * 1000), caller=OPEN_CALLER)
    ready = seconds_of(shipped, [*BEFORE, ("hotline", "case_intro"), ("hotline", "case_ready")])
    other = lab.citizen(caller=ANSWERED_CALLER, hangup_after_ms=int((ready + 8) * 1000))
    assert listener.wait(60) == 0, listener.errors()
    assert other.wait(60) == 0, other.errors()
    spoke = sounding_seconds(ear.heard())

    calls = {c["caller"]: c for c in shipped.closed_calls(2)}
    heard = calls[OPEN_CALLER]
    assert heard["ivr_path"].endswith("screen > open_case > case_open_menu"), heard["ivr_path"]
    [told] = [d for kind, d in shipped.timeline(heard["id"]) if kind == "case"]
    assert told == {"outcome": "open", "number": number, "reads": korean.digits(number)}
    # The greeting, the notice, "접수하신 민원 이 공 이 육 … 번은 담당 부서에서 처리 중입니다."
    # and the menu after it, each whole: the rendered files carry a little silence at their ends.
    assert expected - 2.5 <= spoke <= expected + 1.0, (spoke, expected)

    put_through = calls[ANSWERED_CALLER]
    assert put_through["ivr_path"].endswith("screen > open_case > topic_case > queue_general")
    assert put_through["topic"] == "case"
    [told] = [d for kind, d in shipped.timeline(put_through["id"]) if kind == "case"]
    assert (told["outcome"], told["number"]) == ("answered", answered)
    took = time.monotonic() - started
    print(
        f"\ntest_case_node: open sentence and menu {expected:.1f} s, heard {spoke:.1f} s, test {took:.1f} s"
    )
