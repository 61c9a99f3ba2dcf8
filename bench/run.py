"""One side of a benchmark run (the service, or the baseline dialplan) and its figures."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import baseline, procstat
from bench.lab import Pbx, ServiceProcess
from bench.memory_watch import MemoryWatch, heaps_of, high_water_growth_per_10_min
from bench.nodes import Nodes
from bench.packets import DTMF_PAYLOAD_TYPE
from bench.phones import Citizens, Mix, Phones
from bench.scenarios import Scenario, digit_times
from bench.sipp_stats import read_stats
from bench.sniffer import Sniffer, capture_filter
from bench.stats import bucket_quantile_ms, summary_ms
from bench.tracker import Tracker

SIDES = ("ours", "baseline")


@dataclass(frozen=True)
class Load:
    """What one run asks of both sides."""

    scenario: Scenario
    calls: int
    rate: float
    concurrent: int
    talk_ms: tuple[int, int]
    max_wait_s: int
    wrap_up_s: float
    # The phones' niceness (--rig-nice): they stand in for phones on other
    # machines, yet share these two cores with what is measured.
    rig_nice: int = 0


def run_side(side: str, nodes: Nodes, load: Load, workdir: Path) -> dict[str, Any]:
    """Run the load against one side (on one node, or two behind Kamailio); return its figures."""
    workdir.mkdir(parents=True, exist_ok=True)
    pbx, ports = nodes.pbx, nodes.ports
    s = load.scenario
    first, second = _digit_times(pbx)
    goodbye_ms = round(pbx.prompt_seconds("goodbye") * 1000)
    wait_ms = second + goodbye_ms + 15000
    if s.counselors:
        wait_ms += load.max_wait_s * 1000 + load.talk_ms[1]
    mix = None
    if s.shares is not None:
        mix = Mix(
            s.shares.hang_up_in_menus,
            s.shares.self_service,
            "9",
            s.shares.hang_up_after_digits,
            # From the first digit to before the hotline could say goodbye
            # (a counselor answering at once and talking the shortest time).
            second - first + load.talk_ms[0],
        )
    citizens = Citizens(
        load.calls, load.rate, load.concurrent, ((first, s.digits[0]), (second, s.digits[1])), wait_ms, mix
    )
    prefix = f"0107{int(time.time()) % 100000:05d}{SIDES.index(side)}"
    number = pbx.cfg.settings.hotline.number if side == "ours" else baseline.NUMBER

    phones = Phones(workdir, ports, nice=load.rig_nice)
    service = ServiceProcess(pbx.cfg, workdir / "service.log") if side == "ours" else None
    node_sips = [ports.node(i).sip for i in range(ports.nodes)]
    tracker = Tracker(ports.entry, ports.citizens, [ports.counselor_phones[1]], node_sips)
    audio_filter = capture_filter(ports.citizens_media, ports.counselor_phones[2], DTMF_PAYLOAD_TYPE)
    sniffer = Sniffer(tracker, frozenset(ports.rtp_block) | {ports.entry, *node_sips}, audio_filter)
    cut_short = False
    try:
        if service:
            service.start()
        if s.counselors:
            phones.counselors(300, load.talk_ms)
        sniffer.start()
        asterisks = nodes.asterisk_pids()
        memory = MemoryWatch(
            {"asterisk": asterisks, **({"service": [service.pid]} if service else {})},
            heaps=(lambda: heaps_of(service.metrics())) if service else None,
        )
        memory.start()
        cpu0 = _cpu(nodes, asterisks, service)
        machine0 = procstat.machine_seconds()
        started = time.monotonic()
        proc = phones.citizens(citizens, number, prefix)
        # A safety net only: each call is bounded by its scenario, and at most
        # `concurrent` run at once.
        bound = load.calls / load.rate + -(-load.calls // load.concurrent) * wait_ms / 1000 + 30
        try:
            proc.wait(bound)
        except subprocess.TimeoutExpired:
            cut_short = True
            proc.kill()
            proc.wait(5)
        wall = time.monotonic() - started
        cpu1 = _cpu(nodes, asterisks, service)
        memory_by_minute = memory.stop()
        machine1 = procstat.machine_seconds()
        time.sleep(0.5)  # the last BYEs' answers still on their way
        sniffer.stop()
        counts = read_stats(phones.stats_file)
        _write_timeline(tracker, workdir / "timeline.json")
        answered = len(tracker.calls)
        expected = max(answered, counts.successful)
        if service:
            records = _our_records(service, prefix, expected)
            peak = procstat.memory_kib(service.pid).get("VmHWM", 0)
            stuck = service.counselors_not_free()
            inside = _service_inside(service.metrics(), ports.nodes)
        else:
            records = _baseline_records(pbx, prefix, expected)
            peak = 0
            stuck = None
            inside = {}
        left = nodes.leftovers()
        asterisk_rss = sum(procstat.memory_kib(pid).get("VmRSS", 0) for pid in asterisks)
    finally:
        phones.close()
        if service:
            service.stop()
    per_call = max(counts.created, 1)
    service_cpu = cpu1[1] - cpu0[1]
    asterisk_cpu = cpu1[0] - cpu0[0]
    kamailio_cpu = cpu1[2] - cpu0[2] if cpu0[2] is not None and cpu1[2] is not None else None
    by_node = Counter(nodes.node_of(call.media_port) for call in tracker.calls.values())
    return {
        "calls_attempted": counts.created,
        "calls_completed": counts.successful,
        "calls_failed": counts.failed,
        "calls_answered": answered,
        "cut_short": cut_short,
        "wall_seconds": round(wall, 1),
        "answer_to_prompt_ms": summary_ms(tracker.answer_to_prompt()),
        "digit_to_prompt_ms": summary_ms(tracker.digit_to_prompt()),
        "first_digit_to_prompt_ms": summary_ms(tracker.digit_to_prompt(0)),
        "second_digit_to_audio_ms": summary_ms(tracker.digit_to_prompt(1)),
        "digits_during_prompt": tracker.digits_during_prompt(),
        "choice_to_ring_ms": (
            summary_ms(tracker.choice_to_ring(s.digits, ports.counselors)) if s.counselors else None
        ),
        "free_to_ring_ms": (
            summary_ms(tracker.free_to_ring(load.wrap_up_s, s.digits)) if s.counselors else None
        ),
        "counselor_rings": len(tracker.legs),
        "service_cpu_seconds": round(service_cpu, 2) if service else None,
        "service_cpu_ms_per_call": round(service_cpu * 1000 / per_call, 1) if service else None,
        "service_cores": round(service_cpu / wall, 3) if service else None,
        "service_peak_rss_mib": round(peak / 1024, 1) if service else None,
        "asterisk_cpu_seconds": round(asterisk_cpu, 2),
        "asterisk_cpu_ms_per_call": round(asterisk_cpu * 1000 / per_call, 1),
        "asterisk_cores": round(asterisk_cpu / wall, 3),
        "asterisk_rss_mib": round(asterisk_rss / 1024, 1),
        # How fast each 10 minutes' peak rises (MiB per 10 min); the series is memory_by_minute.
        **{
            f"{name}_{part}_high_water_growth_mib_per_10min": high_water_growth_per_10_min(
                memory_by_minute, name, part
            )
            for name in ("service", "asterisk")
            for part in ("rss", "anonymous")
        },
        **{
            f"service_{part}_high_water_growth_per_10min": high_water_growth_per_10_min(
                memory_by_minute, "service_heaps", part
            )
            for part in ("malloc_in_use_mib", "malloc_free_held_mib", "python_blocks", "sqlite_mib")
        },
        "memory_by_minute": memory_by_minute,
        "asterisk_nodes": ports.nodes,
        "calls_by_node": dict(sorted(by_node.items())),
        "kamailio_cpu_ms_per_call": round(kamailio_cpu * 1000 / per_call, 1)
        if kamailio_cpu is not None
        else None,
        "kamailio_cores": round(kamailio_cpu / wall, 3) if kamailio_cpu is not None else None,
        "total_cpu_ms_per_call": round(
            (service_cpu + asterisk_cpu + (kamailio_cpu or 0)) * 1000 / per_call, 1
        ),
        **records,
        **left,
        "counselors_not_free": sum(stuck.values()) if stuck is not None else None,
        **{k: round(v / per_call, 1) if k.endswith("_per_call") and v else v for k, v in inside.items()},
        "counselors_not_free_by_state": stuck,
        **{f"machine_{k}_cores": round((machine1[k] - machine0[k]) / wall, 3) for k in machine0},
        "sniffer_packets": sniffer.packets,
        "sniffer_dropped": sniffer.dropped,
        "caller_prefix": prefix,
    }


def _cpu(
    nodes: Nodes, asterisks: list[int], service: ServiceProcess | None
) -> tuple[float, float, float | None]:
    """CPU seconds so far: every node's Asterisk together, the service, Kamailio (None without)."""
    return (
        sum(procstat.cpu_seconds(pid) for pid in asterisks),
        procstat.cpu_seconds(service.pid) if service else 0.0,
        nodes.kamailio_cpu_seconds(),
    )


def _service_inside(metrics: dict[str, float], nodes: int = 1) -> dict[str, float | None]:
    """Where the service's time went, by its own /metrics over the run (it
    starts afresh for each): ARI requests (a connection's wait included) and
    how late its event loop ran. With several nodes /metrics shows the first
    node's ARI connection only: those figures are left out, not shown as all."""

    def mean_ms(name: str) -> float | None:
        count = metrics.get(f"{name}_count")
        return round(metrics[f"{name}_sum"] * 1000 / count, 2) if count else None

    def max_ms(name: str) -> float | None:
        found = metrics.get(f"{name}_max")
        return round(found * 1000, 1) if found is not None else None

    lag = {
        "loop_lag_ms_mean": mean_ms("hotline_event_loop_lag_seconds"),
        "loop_lag_ms_max": max_ms("hotline_event_loop_lag_seconds"),
        "loop_stalls": metrics.get("hotline_event_loop_stalls_total"),
    }
    if nodes > 1:
        return lag
    return {
        # Every ARI event is JSON built by Asterisk's one delivery thread for
        # the app and parsed by the service: the cost app_queue never pays.
        "ari_events_per_call": metrics.get("hotline_ari_event_seconds_count"),
        "ari_request_ms_mean": mean_ms("hotline_ari_request_seconds"),
        "ari_request_ms_max": max_ms("hotline_ari_request_seconds"),
        "ari_socket_ms_mean": mean_ms("hotline_ari_socket_request_seconds"),
        "ari_socket_ms_max": max_ms("hotline_ari_socket_request_seconds"),
        "ari_requests_in_flight_max": metrics.get("hotline_ari_requests_in_flight_max"),
        # The request's parts apart (ivr/ari/request_phases.py): the p99s are
        # histogram bucket bounds ("at most").
        **{
            f"ari_{part}_ms_{what}": figure
            for part in ("pool_wait", "send", "answer")
            for what, figure in (
                ("mean", mean_ms(f"hotline_ari_{part}_seconds")),
                ("p99", bucket_quantile_ms(metrics, f"hotline_ari_{part}_seconds", 0.99)),
                ("max", max_ms(f"hotline_ari_{part}_seconds")),
            )
        },
        **lag,
    }


def _write_timeline(tracker: Tracker, path: Path) -> None:
    """Every call's and ring's times, to look into a figure afterwards."""
    calls = {cid: dataclasses.asdict(c) for cid, c in tracker.calls.items()}
    legs = {cid: dataclasses.asdict(leg) for cid, leg in tracker.legs.items()}
    path.write_text(json.dumps({"calls": calls, "counselor_rings": legs}, indent=1))


def _digit_times(pbx: Pbx) -> tuple[int, int]:
    return digit_times(
        pbx.prompt_seconds("greeting"), pbx.prompt_seconds("menu"), pbx.prompt_seconds("topic")
    )


def _our_records(
    service: ServiceProcess, prefix: str, expected: int, timeout: float = 20.0
) -> dict[str, int]:
    """The service's call records of this run, once every expected one is closed (or time is up)."""
    deadline = time.monotonic() + timeout
    rows = service.calls(prefix)
    while time.monotonic() < deadline:
        rows = service.calls(prefix)
        if len({r["caller"] for r in rows}) >= expected and not any(r["open"] for r in rows):
            break
        time.sleep(0.2)
    return _record_counts([r["caller"] for r in rows], expected, sum(1 for r in rows if r["open"]))


def _baseline_records(pbx: Pbx, prefix: str, expected: int) -> dict[str, int]:
    """The baseline's records: its BENCHEND lines in queue_log (time|id|queue|agent|event|caller|cause)."""
    ends = [f[5] for f in pbx.queue_log() if len(f) > 5 and f[4] == "BENCHEND" and f[5].startswith(prefix)]
    starts = {
        f[1] for f in pbx.queue_log() if len(f) > 5 and f[4] == "BENCHSTART" and f[5].startswith(prefix)
    }
    return _record_counts(ends, expected, max(0, len(starts) - len(set(ends))))


def _record_counts(callers: list[str], expected: int, still_open: int) -> dict[str, int]:
    distinct = len(set(callers))
    return {
        "records": len(callers),
        "records_lost": max(0, expected - distinct),
        "records_duplicated": len(callers) - distinct,
        "records_open": still_open,
    }
