"""The load benchmark's command, end to end with a handful of IVR calls on each side.

It starts its own Asterisk instance (bench<offset>) beside the session's, so
it needs no fixture; it asserts what a reader of the table relies on, never speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.ports import MAX_OFFSET
from tests.integration.conftest import OFFSET

ROOT = Path(__file__).resolve().parents[2]
# The bench's offsets stop at 230 (its RTP block); a test run moved further (an
# engineer's HOTLINE_ITEST_OFFSET of 500, say) takes the bench offset it maps to.
BENCH_OFFSET = OFFSET % (MAX_OFFSET + 10)


def run_bench(tmp_path: Path, args: list[str], timeout: float) -> tuple[str, dict]:
    """`python -m bench ARGS` at the bench offset; what it printed and the figures it wrote."""
    out = tmp_path / "figures.json"
    args = [*args, "--offset", str(BENCH_OFFSET), "--json", str(out)]
    run = subprocess.run(
        [sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout, json.loads(out.read_text())


def test_bench_ivr_prints_both_sides_and_loses_no_record(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    args = [
        "ivr",
        "--calls",
        "4",
        "--rate",
        "2",
        "--concurrent",
        "4",
        "--offset",
        str(BENCH_OFFSET),
        "--json",
        str(out),
    ]
    run = subprocess.run(
        [sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "| figure | ours | app_queue | ratio |" in run.stdout
    figures = json.loads(out.read_text())["runs"]["ivr"]
    for side in ("ours", "baseline"):
        f = figures[side]
        assert (f["calls_attempted"], f["calls_completed"], f["calls_failed"]) == (4, 4, 0), (side, f)
        assert (f["records"], f["records_lost"], f["records_duplicated"], f["records_open"]) == (
            4,
            0,
            0,
            0,
        ), (side, f)
        # Every caller heard the greeting, and each digit was followed by a prompt.
        assert f["answer_to_prompt_ms"]["n"] == 4, (side, f)
        assert f["digit_to_prompt_ms"]["n"] + f["digits_during_prompt"] == 8, (side, f)
        assert (f["channels_left"], f["bridges_left"]) == (0, 0), (side, f)
    assert figures["ours"]["service_cpu_seconds"] > 0
    assert figures["baseline"]["service_cpu_seconds"] is None


def test_bench_soak_hangs_up_at_random_and_leaves_nothing_behind(tmp_path: Path) -> None:
    # The soak's mix in small: callers hang up in the menus, while waiting,
    # ringing or talking, or serve themselves; counselors talk 2-3 s.
    args = ["soak", "--calls", "16", "--rate", "4", "--concurrent", "16", "--counselors", "3"]
    args += ["--talk", "2-3", "--max-wait", "60", "--mix", "0.5,0.5,0.5"]
    _printed, result = run_bench(tmp_path, args, 600)
    figures = result["runs"]["soak"]
    for side in ("ours", "baseline"):
        f = figures[side]
        assert (f["calls_attempted"], f["calls_completed"], f["calls_failed"]) == (16, 16, 0), (side, f)
        assert (f["records"], f["records_lost"], f["records_duplicated"], f["records_open"]) == (
            16,
            0,
            0,
            0,
        ), (side, f)
        assert (f["channels_left"], f["bridges_left"]) == (0, 0), (side, f)
    assert figures["ours"]["counselors_not_free"] == 0, figures["ours"]
    # Some hung up before pressing a key, some pressed: the mix happened
    # (with these shares, 16 calls all alike would happen once in 60,000 runs).
    timeline = Path(result["workdir"]) / "soak" / "ours" / "timeline.json"
    pressed = [len(c["digit_ends"]) for c in json.loads(timeline.read_text())["calls"].values()]
    assert min(pressed) == 0 and max(pressed) >= 1, pressed


def test_bench_queue_on_two_nodes_behind_kamailio_spreads_calls_and_stops_everything(tmp_path: Path) -> None:
    # Citizens call Kamailio, which spreads them over the two nodes; one
    # service drives both; counselors are rung by the caller's node directly.
    args = ["queue", "--nodes", "2", "--calls", "2", "--rate", "4", "--concurrent", "2"]
    args += ["--counselors", "2", "--talk", "1-1", "--max-wait", "60"]
    printed, result = run_bench(tmp_path, args, 300)
    assert "| figure | 2 nodes | – | ratio |" in printed
    f = result["runs"]["queue"]["ours_2_nodes"]
    assert (f["calls_attempted"], f["calls_completed"], f["calls_failed"]) == (2, 2, 0), f
    assert (f["records"], f["records_lost"], f["records_duplicated"], f["records_open"]) == (2, 0, 0, 0), f
    assert f["calls_by_node"] == {"a": 1, "b": 1}, f
    # Every caller heard the greeting (timed where the caller sees it) and talked with a counselor.
    assert f["answer_to_prompt_ms"]["n"] == 2 and f["counselor_rings"] >= 2, f
    assert (f["channels_left"], f["bridges_left"], f["counselors_not_free"]) == (0, 0, 0), f
    assert f["asterisk_nodes"] == 2 and f["kamailio_cores"] is not None, f
    # Both nodes and Kamailio are stopped at the end.
    left = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert result["workdir"] not in left and f"bench{BENCH_OFFSET or ''}b/" not in left, left
