"""The side-by-side table: every figure as ours, app_queue's (the baseline) and their ratio;
or, with `--nodes 1,2`, ours on one node and on two behind Kamailio, and their ratio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.stats import ratio

# (label, key, sub-key for latency summaries)
ROWS: tuple[tuple[str, str, str | None], ...] = (
    ("calls attempted", "calls_attempted", None),
    ("calls completed", "calls_completed", None),
    ("calls failed", "calls_failed", None),
    ("answer → first prompt p50 (ms)", "answer_to_prompt_ms", "p50"),
    ("answer → first prompt p95 (ms)", "answer_to_prompt_ms", "p95"),
    ("answer → first prompt p99 (ms)", "answer_to_prompt_ms", "p99"),
    ("1st digit end → next menu p50 (ms)", "first_digit_to_prompt_ms", "p50"),
    ("1st digit end → next menu p95 (ms)", "first_digit_to_prompt_ms", "p95"),
    ("1st digit end → next menu p99 (ms)", "first_digit_to_prompt_ms", "p99"),
    ("2nd digit end → goodbye / hold music p50 (ms)", "second_digit_to_audio_ms", "p50"),
    ("2nd digit end → goodbye / hold music p95 (ms)", "second_digit_to_audio_ms", "p95"),
    ("2nd digit end → goodbye / hold music p99 (ms)", "second_digit_to_audio_ms", "p99"),
    ("digits pressed during a prompt", "digits_during_prompt", None),
    ("menu choice → ringing, counselors free p50 (ms)", "choice_to_ring_ms", "p50"),
    ("menu choice → ringing, counselors free p95 (ms)", "choice_to_ring_ms", "p95"),
    ("menu choice → ringing, counselors free p99 (ms)", "choice_to_ring_ms", "p99"),
    ("menu choice → ringing samples", "choice_to_ring_ms", "n"),
    ("counselor free → ringing p50 (ms)", "free_to_ring_ms", "p50"),
    ("counselor free → ringing p95 (ms)", "free_to_ring_ms", "p95"),
    ("counselor free → ringing p99 (ms)", "free_to_ring_ms", "p99"),
    ("counselor free → ringing samples", "free_to_ring_ms", "n"),
    ("service CPU per call (ms)", "service_cpu_ms_per_call", None),
    ("service CPU (cores)", "service_cores", None),
    ("service peak RSS (MiB)", "service_peak_rss_mib", None),
    ("ARI events per call", "ari_events_per_call", None),
    ("ARI request, mean (ms)", "ari_request_ms_mean", None),
    ("ARI request, longest (ms)", "ari_request_ms_max", None),
    ("ARI answer + first prompt over the events socket, mean (ms)", "ari_socket_ms_mean", None),
    ("ARI answer + first prompt over the events socket, longest (ms)", "ari_socket_ms_max", None),
    ("ARI requests in flight, most", "ari_requests_in_flight_max", None),
    ("ARI waiting for a connection, mean (ms)", "ari_pool_wait_ms_mean", None),
    ("ARI waiting for a connection, p99 at most (ms)", "ari_pool_wait_ms_p99", None),
    ("ARI waiting for a connection, longest (ms)", "ari_pool_wait_ms_max", None),
    ("ARI sending, mean (ms)", "ari_send_ms_mean", None),
    ("ARI sending, p99 at most (ms)", "ari_send_ms_p99", None),
    ("ARI sending, longest (ms)", "ari_send_ms_max", None),
    ("ARI Asterisk's answer, mean (ms)", "ari_answer_ms_mean", None),
    ("ARI Asterisk's answer, p99 at most (ms)", "ari_answer_ms_p99", None),
    ("ARI Asterisk's answer, longest (ms)", "ari_answer_ms_max", None),
    ("service event loop lag, mean (ms)", "loop_lag_ms_mean", None),
    ("service event loop lag, longest (ms)", "loop_lag_ms_max", None),
    ("service event loop stalls over 1 s (the log says where)", "loop_stalls", None),
    ("service RSS high-water growth (MiB per 10 min)", "service_rss_high_water_growth_mib_per_10min", None),
    (
        "service anonymous memory high-water growth (MiB per 10 min)",
        "service_anonymous_high_water_growth_mib_per_10min",
        None,
    ),
    (
        "service C heap in use high-water growth (MiB / 10 min)",
        "service_malloc_in_use_mib_high_water_growth_per_10min",
        None,
    ),
    (
        "service Python blocks high-water growth (per 10 min)",
        "service_python_blocks_high_water_growth_per_10min",
        None,
    ),
    ("Asterisk RSS high-water growth (MiB per 10 min)", "asterisk_rss_high_water_growth_mib_per_10min", None),
    (
        "Asterisk anonymous memory high-water growth (MiB per 10 min)",
        "asterisk_anonymous_high_water_growth_mib_per_10min",
        None,
    ),
    ("Asterisk CPU per call (ms)", "asterisk_cpu_ms_per_call", None),
    ("Asterisk CPU (cores)", "asterisk_cores", None),
    ("Asterisk RSS after (MiB)", "asterisk_rss_mib", None),
    ("Asterisk nodes", "asterisk_nodes", None),
    ("Kamailio CPU per call (ms)", "kamailio_cpu_ms_per_call", None),
    ("Kamailio CPU (cores)", "kamailio_cores", None),
    ("all CPU per call (ms)", "total_cpu_ms_per_call", None),
    ("machine busy, all processes (cores)", "machine_busy_cores", None),
    ("machine waiting for the disk (cores)", "machine_iowait_cores", None),
    ("machine taken by the hypervisor, steal (cores)", "machine_steal_cores", None),
    ("records", "records", None),
    ("records lost", "records_lost", None),
    ("records duplicated", "records_duplicated", None),
    ("records left open", "records_open", None),
    ("channels left after the load", "channels_left", None),
    ("bridges left after the load", "bridges_left", None),
    ("counselors not free after the load", "counselors_not_free", None),
    ("sniffer packets dropped", "sniffer_dropped", None),
    ("wall time (s)", "wall_seconds", None),
)


def value(figures: dict[str, Any] | None, key: str, sub: str | None) -> Any:
    """One figure of one side (None when the side did not run or has no such figure)."""
    if figures is None:
        return None
    found = figures.get(key)
    if sub is not None:
        return found.get(sub) if isinstance(found, dict) else None
    return found


def rows(ours: dict[str, Any] | None, theirs: dict[str, Any] | None) -> list[tuple[str, Any, Any, Any]]:
    """(label, ours, app_queue's, ratio) for every figure either side has."""
    out = []
    for label, key, sub in ROWS:
        a, b = value(ours, key, sub), value(theirs, key, sub)
        if a is None and b is None:
            continue
        both_numbers = isinstance(a, int | float) and isinstance(b, int | float)
        out.append((label, a, b, ratio(a, b) if both_numbers and not isinstance(a, bool) else None))
    return out


def table(
    title: str,
    ours: dict[str, Any] | None,
    theirs: dict[str, Any] | None,
    columns: tuple[str, str] = ("ours", "app_queue"),
) -> str:
    """A plain-text table (also valid Markdown) of the run: `ours` over `theirs`, in `columns`."""

    def cell(v: Any) -> str:
        return "–" if v is None else str(v)

    lines = [f"### {title}", "", f"| figure | {columns[0]} | {columns[1]} | ratio |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | {cell(a)} | {cell(b)} | {cell(r)} |" for label, a, b, r in rows(ours, theirs)]
    if any(f and f.get("asterisk_nodes", 1) > 1 for f in (ours, theirs)):
        lines.append(f"| calls answered by node | {' | '.join(_spread(f) for f in (ours, theirs))} | – |")
    return "\n".join(lines) + "\n"


def _spread(figures: dict[str, Any] | None) -> str:
    by_node = (figures or {}).get("calls_by_node") or {}
    return " / ".join(f"{node} {count}" for node, count in sorted(by_node.items())) or "–"


def save_figures(result: dict[str, Any], out: Path | None, name: str, stamp: str) -> Path:
    """Write a run's figures as JSON (default var/bench/<stamp>-<name>.json), say where, return the path."""
    path = out or Path(__file__).resolve().parents[1] / "var" / "bench" / f"{stamp}-{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"figures: {path}")
    return path
