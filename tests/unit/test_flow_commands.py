"""`ivr flows check | simulate | publish | history | rollback`, as an admin uses them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ivr import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the shipped flows, with a config whose Asterisk is someone else's."""
    shutil.copytree(ROOT / "callflows", tmp_path / "callflows")
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("  embedded: true ", "  embedded: false\n  ari_password: x\n ")
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def ivr(site: Path, *args: str) -> int:
    return cli.main(["-c", str(site / "config.yaml"), *args])


def test_given_the_shipped_flows_then_check_passes(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ivr(site, "flows", "check") == 0
    out = capsys.readouterr().out
    assert "hotline.yaml: OK" in out and "prompts rendered" in out
    # The synthesized voice is slow: ways to a counselor over the 20 s budget are warned of, not refused.
    warned = [line for line in out.splitlines() if "over ivr.counselor_budget_seconds 20 s" in line]
    assert warned and all(": warning: the way to a counselor " in line for line in warned)
    assert any("main_menu[0]" in line and "main_menu " in line.split("longest:")[1] for line in warned)


def test_given_a_bigger_budget_then_check_warns_of_no_way_to_a_counselor(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = site / "config.yaml"
    config.write_text(
        config.read_text().replace("counselor_budget_seconds: 20", "counselor_budget_seconds: 600"), "utf-8"
    )
    assert ivr(site, "flows", "check") == 0
    assert "counselor_budget_seconds" not in capsys.readouterr().out


def test_given_a_broken_flow_then_check_fails_with_file_line_column(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = site / "callflows" / "hotline.yaml"
    path.write_text(path.read_text().replace('"6": info_menu', '"6": info_menuu'))
    assert ivr(site, "flows", "check") == 1
    out = capsys.readouterr().out
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if "info_menuu" in t)
    assert f"hotline.yaml:{line}:" in out and "did you mean 'info_menu'" in out


def test_simulate_prints_what_the_caller_hears_and_the_path(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ivr(site, "flows", "simulate", "--at", "2026-09-25 10:00", "--digits", "2,1") == 0
    out = capsys.readouterr().out
    assert "schedule: node=hours, outcome=holiday, reason=추석" in out
    assert "오늘은 공휴일이라 상담을 쉽니다" in out
    assert out.strip().splitlines()[-2] == (
        "path: welcome > notice > notice.notice > notice.back > screen > open_case > hours > holiday"
        " > after_hours > callback > goodbye"
    )
    # Every way through the flow with the seconds of prompts before its goal, quickest counselor first.
    table = out[out.index("seconds to the goal") :].splitlines()[1:]
    first = table[0].split()
    # Quickest: a caller whose 민원 is answered is queued after the case node's sentence.
    assert first[2] == "counselor" and "open_case[answered]" in table[0]
    menu = next(row.split() for row in table if "main_menu[0]" in row)
    assert menu[2] == "counselor" and float(menu[0]) > float(first[0]) > 10


def test_simulate_refuses_keys_that_are_not_keys(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ivr(site, "flows", "simulate", "--digits", "1,x") == 1
    assert "--digits: 'x': keys are 0-9, * and #, or 'timeout'" in capsys.readouterr().err


def test_publish_keeps_versions_and_rollback_restores_the_previous(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ivr(site, "flows", "publish", "--by", "kim") == 0
    assert "published hotline version 1 (by kim)" in capsys.readouterr().out
    path = site / "callflows" / "hotline.yaml"
    original = path.read_text()
    path.write_text(original.replace("timeout: 6", "timeout: 8"))
    assert ivr(site, "flows", "publish", "--by", "lee", "--note", "longer wait") == 0
    out = capsys.readouterr().out
    assert "published hotline version 2 (by lee)" in out and "notice" not in out.split("version 2")[1]
    assert ivr(site, "flows", "history", "hotline") == 0
    hist = capsys.readouterr().out.splitlines()
    assert hist[0].startswith("v1 ") and "kim" in hist[0]
    assert hist[1].startswith("v2 ") and "lee" in hist[1] and "longer wait" in hist[1]
    assert ivr(site, "flows", "history", "hotline", "--diff", "2") == 0
    diff = capsys.readouterr().out
    assert "-    timeout: 6" in diff and "+    timeout: 8" in diff
    assert ivr(site, "flows", "rollback", "hotline", "--by", "park") == 0
    assert "restored version 1" in capsys.readouterr().out
    assert path.read_text() == original
    assert ivr(site, "flows", "history", "hotline") == 0
    assert "rollback to v1" in capsys.readouterr().out.splitlines()[2]


def test_a_refused_publish_changes_nothing(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ivr(site, "flows", "publish") == 0
    capsys.readouterr()
    path = site / "callflows" / "hotline.yaml"
    path.write_text(path.read_text().replace("type: survey", "type: survay"))
    assert ivr(site, "flows", "publish") == 2
    err = capsys.readouterr().err
    assert "unknown node type 'survay' (did you mean 'survey'?)" in err
    assert ivr(site, "flows", "history", "hotline") == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_graph_draws_every_node_and_outcome(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ivr(site, "flows", "graph", "hotline", "-o", str(site / "hotline.dot")) == 0
    dot = (site / "hotline.dot").read_text()
    assert '"main_menu" -> "topic_tax" [label="3"];' in dot
    assert '"hours" -> "holiday" [label="holiday"];' in dot
    assert ivr(site, "flows", "graph", "hotline", "-o", str(site / "hotline.svg")) == 0
    svg = (site / "hotline.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "queue_general" in svg and "천년전주" in svg


def test_a_city_recording_replaces_the_synthetic_voice(tmp_path: Path) -> None:
    import wave

    from ivr.flows.loader import Known, load_file
    from ivr.flows.promptbook import PromptBook
    from ivr.pbx.render import write_flow_prompts

    loaded = load_file(ROOT / "callflows" / "notice.yaml", Known())
    book = PromptBook.of(loaded.flow)
    recorded = tmp_path / "recorded" / "ko"
    recorded.mkdir(parents=True)
    with wave.open(str(recorded / "recording_notice.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x01\x00" * 8000)
    sounds = tmp_path / "sounds"
    assert write_flow_prompts(book, sounds, tmp_path / "recorded") == len(book.sounds)
    ko = book.sound("recording_notice", "ko")
    assert (sounds / f"{ko.name}.wav").read_bytes() == (recorded / "recording_notice.wav").read_bytes()
    en = book.sound("recording_notice", "en")
    with wave.open(str(sounds / f"{en.name}.wav")) as w:
        assert w.getframerate() == 8000 and w.getnframes() > 8000  # espeak-ng's English voice


def test_broken_files_at_start_fall_back_to_the_last_published_flows(site: Path) -> None:
    from ivr import config
    from ivr.admin.flows import flows_to_serve
    from ivr.flows.loader import FlowError

    cfg = config.load(site / "config.yaml")
    path = site / "callflows" / "hotline.yaml"
    good = path.read_text()
    path.write_text(good.replace("type: survey", "type: survay"))
    with pytest.raises(FlowError):  # never published: nothing to fall back to
        flows_to_serve(cfg)
    path.write_text(good)
    assert ivr(site, "flows", "publish") == 0
    path.write_text(good.replace("type: survey", "type: survay"))
    loaded = flows_to_serve(cfg)
    assert loaded["hotline"].source == good
    assert set(loaded) == {"hotline", "notice", "foreign"}


def test_seconds_to_the_goal_count_a_recording_published_in_the_studio(site: Path) -> None:
    import sqlite_utils

    from ivr.admin import goal_times
    from ivr.admin.flows import database, load_flows
    from ivr.config import load
    from ivr.store import prompt_versions

    cfg = load(site / "config.yaml")
    flows = load_flows(cfg)

    def to_counselor() -> float:
        paths, _ = goal_times.goal_paths(cfg, flows, "hotline")
        return next(p.seconds for p in paths if p.goal == "counselor" and "main_menu[0]" in p.steps)

    synthesized = to_counselor()
    path = database(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    prompt_versions.create_schema(db)
    db.table("prompt_versions").insert(
        {"prompt": "flow/hotline/main_menu/ko", "version": 1, "kind": "recorded", "stem": "x", "seconds": 9.5}
    )
    db.conn.close()
    # A person reads the menu in 9.5 s where espeak-ng took far longer: the way is that much shorter.
    heard = next(p for p in goal_times.goal_paths(cfg, flows, "hotline")[0] if "main_menu[0]" in p.steps)
    assert ("main_menu", 9.5) in heard.heard and to_counselor() < synthesized
