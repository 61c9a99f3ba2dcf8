"""The load benchmark's pure parts: percentiles, SIPp's statistics, captured packets, per-call timings."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from bench.packets import Datagram, parse_frame, parse_rtp, parse_sip
from bench.report import rows
from bench.sipp_stats import parse_stats
from bench.stats import bucket_quantile_ms, percentile, ratio, summary_ms
from bench.tracker import CallerCall, Tracker

DATA = Path(__file__).resolve().parent / "data" / "bench"
# Captured on lo during a baseline run: Asterisk on SIP 16090, the citizens' SIPp on 17090.
FRAMES = {k: bytes.fromhex(v) for k, v in json.loads((DATA / "frames.json").read_text()).items()}


def test_percentile_is_a_measured_value_by_nearest_rank() -> None:
    values = [0.010, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.001]
    assert percentile(values, 50) == 0.005
    assert percentile(values, 95) == 0.010
    assert percentile(values, 99) == 0.010
    assert percentile([0.3], 50) == 0.3
    assert percentile([], 99) is None


def test_percentile_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="percentile"):
        percentile([1.0], 0)


def test_summary_in_milliseconds_and_ratio() -> None:
    assert summary_ms([0.001, 0.002, 0.0034]) == {"n": 3, "p50": 2.0, "p95": 3.4, "p99": 3.4, "max": 3.4}
    assert summary_ms([])["p99"] is None
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(1, 0) is None
    assert ratio(None, 2) is None


def test_a_histograms_quantile_is_the_bound_of_the_bucket_that_holds_it() -> None:
    from ivr.runtime.timings import Histogram

    h = Histogram(bounds=(0.001, 0.01, 0.1))
    for seconds in [0.0005] * 90 + [0.005] * 9 + [0.05]:
        h.add(seconds)
    metrics = {}
    for line in h.exposition("x_seconds", "x"):
        name, _, number = line.partition(" ")
        if not line.startswith("#"):
            metrics[name] = float(number)
    assert bucket_quantile_ms(metrics, "x_seconds", 0.5) == 1.0
    assert bucket_quantile_ms(metrics, "x_seconds", 0.99) == 10.0
    assert bucket_quantile_ms(metrics, "x_seconds", 1.0) == 100.0
    assert bucket_quantile_ms({}, "x_seconds", 0.99) is None


def test_sipp_statistics_give_the_whole_runs_counts() -> None:
    counts = parse_stats((DATA / "sipp_stats.csv").read_text())
    assert (counts.created, counts.successful, counts.failed) == (2, 2, 0)


def test_sipp_statistics_without_a_data_row_are_an_error() -> None:
    with pytest.raises(ValueError, match="no data row"):
        parse_stats("StartTime;TotalCallCreated;\n")


def test_captured_200_ok_names_the_call_and_asterisks_media_port() -> None:
    d = parse_frame(FRAMES["ok"])
    assert d is not None and d.src == ("127.0.0.1", 16090) and d.dst == ("127.0.0.1", 17090)
    sip = parse_sip(d.payload)
    assert sip is not None
    assert (sip.status, sip.cseq_method, sip.call_id, sip.media_port, sip.from_user) == (
        200,
        "INVITE",
        "1-2120@127.0.0.1",
        43532,
        "01073995311",
    )


def test_captured_prompt_audio_and_digit_end() -> None:
    audio = parse_frame(FRAMES["audio"])
    digit = parse_frame(FRAMES["digit_end"])
    assert audio is not None and digit is not None
    assert audio.src[1] == 43532 and digit.dst[1] == 43532
    a, e = parse_rtp(audio.payload), parse_rtp(digit.payload)
    assert a is not None and a.payload_type == 8 and not a.event_end
    assert e is not None and e.payload_type == 101 and e.event_end and e.event is not None
    assert parse_sip(audio.payload) is None


def test_frames_that_are_not_udp_are_skipped() -> None:
    tcp = bytearray(FRAMES["ok"])
    tcp[14 + 9] = 6
    assert parse_frame(bytes(tcp)) is None
    assert parse_frame(b"\x00" * 20) is None
    assert parse_sip(b"hello world\r\n") is None


def feed(tracker: Tracker, t: float, name: str) -> None:
    d = parse_frame(FRAMES[name])
    assert d is not None
    tracker.feed(t, d)


def test_tracker_times_answer_to_prompt_and_digit_to_prompt() -> None:
    tracker = Tracker(16090, 17090, [])
    feed(tracker, 100.000, "ok")
    feed(tracker, 100.004, "audio")
    feed(tracker, 100.024, "audio")
    feed(tracker, 103.000, "digit_end")
    feed(tracker, 103.001, "digit_end")  # the end packet's repeats are the same digit
    feed(tracker, 103.009, "audio")
    feed(tracker, 105.000, "bye")
    assert tracker.answer_to_prompt() == [pytest.approx(0.004)]
    assert tracker.digit_to_prompt() == [pytest.approx(0.009)]
    assert [c.number for c in tracker.calls.values()] == ["01073995311"]
    assert len(next(iter(tracker.calls.values())).digits) == 1
    assert tracker.digits_during_prompt() == 0


def test_a_digit_pressed_while_a_prompt_plays_is_not_timed() -> None:
    tracker = Tracker(16090, 17090, [])
    feed(tracker, 100.000, "ok")
    feed(tracker, 100.004, "audio")
    feed(tracker, 100.050, "digit_end")
    feed(tracker, 100.060, "audio")
    assert tracker.digit_to_prompt() == []
    assert tracker.digits_during_prompt() == 1


def sip(first_line: str, call_id: str, cseq: str, caller: str = "") -> bytes:
    head = f"{first_line}\r\nCall-ID: {call_id}\r\nCSeq: 1 {cseq}\r\n"
    if caller:
        head += f'From: "Citizen" <sip:{caller}@127.0.0.1>;tag=x\r\n'
    return (head + "Content-Length: 0\r\n\r\n").encode()


AST, PHONES = ("127.0.0.1", 16090), ("127.0.3.2", 6071)


def queue_tracker(*callers: tuple[str, float, str, float | None]) -> Tracker:
    """Callers (number, when their last digit ended, digits, when they hung up)."""
    tracker = Tracker(16090, 17090, [6071])
    for n, (number, at, digits, ended) in enumerate(callers):
        tracker.calls[number] = CallerCall(
            answered=at - 5,
            media_port=40000 + n,
            number=number,
            digit_ends=[at - 2, at],
            digits=digits,
            ended=ended,
        )
    return tracker


def ring(tracker: Tracker, t: float, counselor: str, leg: str, caller: str) -> None:
    invite = sip(f"INVITE sip:{counselor}@127.0.3.2:6071 SIP/2.0", leg, "INVITE", caller)
    tracker.feed(t, Datagram(AST, PHONES, invite))


def answer(tracker: Tracker, t: float, leg: str) -> None:
    tracker.feed(t, Datagram(PHONES, AST, sip("SIP/2.0 200 OK", leg, "INVITE")))


def hang_up(tracker: Tracker, t: float, leg: str) -> None:
    tracker.feed(t, Datagram(PHONES, AST, sip("BYE sip:x SIP/2.0", leg, "BYE")))


def test_free_counselor_to_ringing_counts_only_while_a_caller_waits() -> None:
    """Per counselor: their call's end to their own next ring."""
    tracker = queue_tracker(("101", 10.0, "10", None), ("102", 11.0, "10", None), ("103", 44.0, "10", None))
    ring(tracker, 10.010, "c1", "leg1", "101")
    answer(tracker, 10.300, "leg1")
    hang_up(tracker, 20.000, "leg1")
    ring(tracker, 20.015, "c1", "leg2", "102")
    answer(tracker, 20.300, "leg2")
    hang_up(tracker, 30.000, "leg2")
    # Nobody waits any more: the next ring (a later caller) is not a "free to ringing" sample.
    ring(tracker, 45.000, "c1", "leg3", "103")
    assert tracker.free_to_ring(0.0, "10") == [pytest.approx(0.015)]


def test_two_counselors_freed_for_one_waiting_caller_make_one_sample() -> None:
    # One SIPp process answers for every counselor: they differ by the Request-URI's user.
    tracker = queue_tracker(("101", 1.0, "10", None), ("102", 2.0, "10", None), ("103", 3.0, "10", None))
    for counselor, leg, number, at in (("c1", "a", "101", 1.0), ("c2", "b", "102", 2.0)):
        ring(tracker, at + 0.01, counselor, leg, number)
        answer(tracker, at + 0.2, leg)
    # Caller 3 waits; both counselors hang up at once; only one of them can take caller 3.
    hang_up(tracker, 20.000, "a")
    hang_up(tracker, 20.001, "b")
    ring(tracker, 20.030, "c2", "c", "103")
    # Counselor c1's next ring, much later, is not a sample: nobody waited for them.
    ring(tracker, 40.000, "c1", "d", "104")
    assert tracker.free_to_ring(0.0, "10") == [pytest.approx(0.029)]


def test_callers_who_served_themselves_or_hung_up_are_not_waiting() -> None:
    """In a mixed load a counselor freed while the only callers left had pressed
    the goodbye digit, or had hung up waiting, is not a sample: nobody waited."""
    tracker = queue_tracker(
        ("101", 1.0, "10", None),
        ("102", 2.0, "19", None),  # self-service: never queued
        ("103", 3.0, "10", 15.0),  # hung up while waiting
        ("104", 30.0, "10", None),  # arrives long after the counselor is free
    )
    ring(tracker, 1.01, "c1", "a", "101")
    answer(tracker, 1.2, "a")
    hang_up(tracker, 20.0, "a")
    ring(tracker, 30.01, "c1", "b", "104")
    assert tracker.free_to_ring(0.0, "10") == []


def test_a_caller_whose_ring_failed_waits_again() -> None:
    tracker = queue_tracker(("101", 1.0, "10", None), ("102", 2.0, "10", None))
    ring(tracker, 1.01, "c1", "a", "101")
    answer(tracker, 1.2, "a")
    ring(tracker, 2.01, "c2", "b", "102")
    tracker.feed(12.0, Datagram(PHONES, AST, sip("SIP/2.0 486 Busy Here", "b", "INVITE")))
    hang_up(tracker, 20.0, "a")
    ring(tracker, 20.004, "c1", "c", "102")
    assert tracker.free_to_ring(0.0, "10") == [pytest.approx(0.004)]


def test_menu_choice_to_ringing_counts_callers_who_found_a_counselor_free() -> None:
    tracker = queue_tracker(
        ("101", 1.0, "10", None),  # c1 free: rung 12 ms after the choice
        ("102", 2.0, "10", None),  # c1 busy with 101, the only phone: waits, not a sample
        ("103", 3.0, "19", None),  # served themselves
    )
    ring(tracker, 1.012, "c1", "a", "101")
    answer(tracker, 1.3, "a")
    hang_up(tracker, 20.0, "a")
    ring(tracker, 20.004, "c1", "b", "102")
    assert tracker.choice_to_ring("10", counselors=1) == [pytest.approx(0.012)]
    # With two phones, 102 chose while one was free: their wait for the ring counts.
    assert sorted(tracker.choice_to_ring("10", counselors=2)) == [pytest.approx(0.012), pytest.approx(18.004)]


def test_report_rows_give_ours_theirs_and_ratio() -> None:
    ours = {"calls_attempted": 50, "answer_to_prompt_ms": {"p50": 3.0}, "service_cores": 0.1}
    theirs = {"calls_attempted": 50, "answer_to_prompt_ms": {"p50": 2.0}, "service_cores": None}
    table = {label: (a, b, r) for label, a, b, r in rows(ours, theirs)}
    assert table["calls attempted"] == (50, 50, 1.0)
    assert table["answer → first prompt p50 (ms)"] == (3.0, 2.0, 1.5)
    assert table["service CPU (cores)"] == (0.1, None, None)


def test_a_mixed_load_branches_by_chance_to_labels_that_exist(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    from bench.phones import Citizens, Mix, citizens_xml

    mix = Mix(0.1, 0.4, "9", 0.3, hang_up_within_ms=14000)
    load = Citizens(10, 1, 10, ((6000, "1"), (11000, "0")), 60000, mix)
    root = ET.fromstring(citizens_xml(load, "0107", tmp_path).encode("latin-1"))
    labels = {e.get("id") for e in root.iter("label")}
    jumps = [(e.get("next"), e.get("chance")) for e in root if e.get("next")]
    assert {n for n, _ in jumps} <= labels == {"menus", "self", "waiting", "end"}
    assert ("menus", "0.1") in jumps and ("self", "0.4") in jumps and ("waiting", "0.3") in jumps
    # The early hangups come at random times within their windows: in the menus
    # before the first digit, later before the hotline could say goodbye.
    windows = [(p.get("min"), p.get("max")) for p in root.iter("pause") if p.get("distribution")]
    assert windows == [("0", "6000"), ("6000", "20000")]
    # One pcap per path from the answer on (a second pcap would stop the
    # first): the line with 1 0, with 1 9 (self-service), with no digits.
    plays = [Path(a.get("play_pcap_audio") or "").name for a in root.iter("exec")]
    assert plays == ["line.pcap", "line_self_service.pcap", "line_no_digits.pcap"]


def test_a_plain_load_has_no_branches(tmp_path: Path) -> None:
    from bench.phones import Citizens, citizens_xml

    xml = citizens_xml(Citizens(10, 1, 10, ((6000, "1"), (11000, "9")), 60000), "0107", tmp_path)
    assert "chance" not in xml and "<label" not in xml
    assert xml.count("play_pcap_audio") == 1


def test_the_line_carries_the_digits_in_place_of_audio_in_one_stream(tmp_path: Path) -> None:
    import struct

    from bench import line_audio
    from bench.packets import parse_rtp

    data = line_audio.write(tmp_path / "line.pcap", 2, [(1000, "1")]).read_bytes()[24:]
    packets = []
    while data:
        sec, usec, size, _ = struct.unpack("<IIII", data[:16])
        rtp = parse_rtp(data[16 + 42 : 16 + size])
        assert rtp is not None
        packets.append((sec * 1000 + usec // 1000, rtp.payload_type, rtp.event_end))
        data = data[16 + size :]
    kinds = [pt for _, pt, _ in packets]
    # Silence up to the key, the key's events (three end packets), silence again.
    assert kinds[:50] == [8] * 50 and kinds[50:61] == [101] * 11 and set(kinds[61:]) == {8}
    assert [end for _, pt, end in packets if pt == 101][-3:] == [True] * 3
    assert [at for at, _, _ in packets] == sorted(at for at, _, _ in packets)


def test_a_request_names_its_phone_by_the_request_uris_user() -> None:
    invite = parse_sip(sip("INVITE sip:c17@127.0.3.2:6071 SIP/2.0", "x", "INVITE"))
    ok = parse_sip(sip("SIP/2.0 200 OK", "x", "INVITE"))
    bare = parse_sip(sip("INVITE sip:127.0.3.2:6071 SIP/2.0", "y", "INVITE"))
    assert invite is not None and invite.user == "c17"
    assert ok is not None and ok.user is None
    assert bare is not None and bare.user is None


def test_every_counselor_has_a_contact_of_their_own_on_one_phone_process() -> None:
    from bench.ports import Ports

    ports = Ports(30, 180)
    contacts = {ports.counselor_contact(i) for i in range(180)}
    assert len(contacts) == 180
    assert ports.counselor_contact(0) == "sip:c1@127.0.3.2:6101"


def test_an_offset_whose_rtp_ports_would_pass_65535_is_refused_by_name() -> None:
    from bench.ports import MAX_OFFSET, Ports

    assert Ports(MAX_OFFSET).rtp.stop - 1 <= 65535
    with pytest.raises(ValueError, match=r"from 0 to 230, not 500 .*65535"):
        Ports(500)


def test_the_phones_run_at_the_rigs_niceness(tmp_path: Path) -> None:
    """--rig-nice: a real SIPp phone, listening on loopback, runs at that niceness."""
    from bench.phones import Phones
    from bench.ports import Ports
    from bench.sip_text import scenario, wait_udp_bound

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    phones = Phones(tmp_path, Ports(0), nice=7)
    try:
        xml = scenario("listen", '<recv request="INVITE"/>\n')
        proc = phones._sipp("listen", xml, ["-i", "127.0.0.1", "-p", str(port), "-m", "1"])
        wait_udp_bound(port, proc)
        stat = Path(f"/proc/{proc.pid}/stat").read_text()
        # Field 19 is the niceness; the command name (field 2) has no spaces here.
        assert int(stat.split()[18]) == min(19, os.nice(0) + 7)  # nice(1) adds to its own
    finally:
        phones.close()
