"""The benchmark with two Asterisk nodes behind Kamailio (`--nodes 2`): ports, timing, table."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from bench.__main__ import node_counts, parse_args, print_table
from bench.packets import Datagram
from bench.ports import MAX_OFFSET, Ports
from bench.report import table
from bench.tracker import Tracker

OFFSETS = range(0, MAX_OFFSET + 1, 10)


def scalar_ports(ports: Ports) -> set[int]:
    """Every single port one run takes (not the RTP block)."""
    nodes = [ports.node(i) for i in range(ports.nodes)]
    found = {p for n in nodes for p in (n.sip, n.ari, n.ami)}
    found |= {ports.web, ports.citizens, ports.counselor_phones[1]}
    return found | ({ports.front} if ports.nodes > 1 else set())


def test_the_second_node_and_kamailio_take_no_port_of_another_offset() -> None:
    taken: dict[int, int] = {}
    for offset in OFFSETS:
        mine = scalar_ports(Ports(offset, nodes=2))
        assert len(mine) == 10, offset  # three for each node, Kamailio, web, citizens, counselors
        for port in mine:
            assert taken.setdefault(port, offset) == offset, (port, offset, taken[port])
        # One node alone keeps the ports it always had.
        one = Ports(offset)
        assert (one.sip, one.ari, one.ami, one.entry) == (
            16060 + offset,
            19088 + offset,
            16038 + offset,
            one.sip,
        )
        assert one.rtp == one.rtp_block


def test_two_nodes_share_the_offsets_rtp_block_half_each_below_65536() -> None:
    for offset in OFFSETS:
        ports = Ports(offset, nodes=2)
        a, b = ports.node(0).rtp, ports.node(1).rtp
        assert (a.start, a.stop, b.start, b.stop) == (
            ports.rtp_block.start,
            ports.rtp_block.start + 1000,
            ports.rtp_block.start + 1000,
            ports.rtp_block.stop,
        )
        assert b.stop - 1 <= 65535
        assert ports.entry == ports.front == 16062 + offset


def test_three_nodes_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="--nodes must be 1 or 2, not 3"):
        Ports(0, nodes=3)
    assert node_counts("1,2") == [1, 2] and node_counts("2") == [2]
    for bad in ("3", "2,1", "1,1", "", "one"):
        with pytest.raises(ValueError, match="--nodes must be 1, 2 or 1,2"):
            node_counts(bad)


def test_two_nodes_run_our_side_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_args(["queue", "--nodes", "1,2"]).side == "ours"
    assert parse_args(["queue"]).side == "both"
    with pytest.raises(SystemExit):
        parse_args(["queue", "--nodes", "2", "--side", "both"])
    assert "--nodes 2 runs our side only" in capsys.readouterr().err


CALLER, FRONT, NODE_A, NODE_B = (
    ("127.0.0.1", 17060),
    ("127.0.0.1", 16062),
    ("127.0.0.1", 16060),
    ("127.0.0.1", 16061),
)
PHONES = ("127.0.3.2", 6071)
CALLER_MEDIA = ("127.0.0.1", 47000)


def sip(first_line: str, cseq: str, media_port: int | None = None, call_id: str = "c1") -> bytes:
    head = f"{first_line}\r\nCall-ID: {call_id}\r\nCSeq: 1 {cseq}\r\n"
    head += 'From: "Citizen" <sip:01070000001@127.0.0.1>;tag=x\r\n'
    body = f"v=0\r\nm=audio {media_port} RTP/AVP 8\r\n" if media_port else ""
    return (head + f"Content-Length: {len(body)}\r\n\r\n" + body).encode()


def rtp(payload_type: int = 8) -> bytes:
    return struct.pack("!BBHII", 0x80, payload_type, 1, 160, 1234) + bytes(160)


def test_through_kamailio_a_call_is_timed_where_the_caller_sees_it() -> None:
    """Each SIP message crosses lo twice (node <-> Kamailio <-> caller, one Call-ID);
    only the caller's side counts, audio comes straight from the node, and the node
    rings the counselor's phone directly."""
    tracker = Tracker(FRONT[1], CALLER[1], [PHONES[1]], [NODE_A[1], NODE_B[1]])
    media = ("127.0.0.1", 41002)
    tracker.feed(10.000, Datagram(NODE_B, FRONT, sip("SIP/2.0 200 OK", "INVITE", media[1])))
    assert tracker.calls == {}  # the node's answer to Kamailio: not yet the caller's
    tracker.feed(10.001, Datagram(FRONT, CALLER, sip("SIP/2.0 200 OK", "INVITE", media[1])))
    tracker.feed(10.021, Datagram(media, CALLER_MEDIA, rtp()))
    assert tracker.answer_to_prompt() == [pytest.approx(0.020)]
    tracker.feed(
        12.0, Datagram(NODE_B, PHONES, sip("INVITE sip:c3@127.0.3.2:6071 SIP/2.0", "INVITE", 5, "leg"))
    )
    assert [(leg.phone, leg.caller) for leg in tracker.legs.values()] == [("c3", "01070000001")]
    tracker.feed(20.000, Datagram(NODE_B, FRONT, sip("BYE sip:x SIP/2.0", "BYE")))
    assert tracker.calls["c1"].ended is None
    tracker.feed(20.002, Datagram(FRONT, CALLER, sip("BYE sip:x SIP/2.0", "BYE")))
    assert tracker.calls["c1"].ended == 20.002


def test_the_table_sets_two_nodes_over_one_and_shows_the_spread(capsys: pytest.CaptureFixture[str]) -> None:
    one = {"calls_completed": 10, "service_cores": 0.2, "asterisk_nodes": 1, "calls_by_node": {"a": 10}}
    two = {"calls_completed": 10, "service_cores": 0.3, "kamailio_cores": 0.01, "asterisk_nodes": 2}
    two["calls_by_node"] = {"a": 5, "b": 5}
    print_table("queue", {"ours": one, "ours_2_nodes": two}, [1, 2])
    shown = capsys.readouterr().out
    assert "| figure | 2 nodes | 1 node | ratio |" in shown
    assert "| calls completed | 10 | 10 | 1.0 |" in shown
    assert "| service CPU (cores) | 0.3 | 0.2 | 1.5 |" in shown  # two nodes over one, as ours over app_queue
    assert "| Kamailio CPU (cores) | 0.01 | – | – |" in shown
    assert "| calls answered by node | a 5 / b 5 | a 10 | – |" in shown
    assert "calls answered by node" not in table("ivr", {"calls_completed": 1}, {"calls_completed": 1})


def test_kamailio_missing_is_said_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench import nodes

    monkeypatch.setattr(nodes.shutil, "which", lambda program: None)
    two = nodes.Nodes(Ports(180, 3, nodes=2), tmp_path / "run", tmp_path / "state")
    assert two.missing() == (
        "Kamailio is missing (/usr/sbin/kamailio): --nodes 2 puts it in front of the two Asterisk"
        " nodes; `./hotline bench` installs Debian's kamailio package"
    )
    assert nodes.Nodes(Ports(180, 3), tmp_path / "one", tmp_path / "state").missing() is None
    # Node b's config is its own Asterisk's, with the one cluster: section both share.
    a, b = (pbx.cfg.settings for pbx in two.pbxes)
    assert (a.asterisk.instance, b.asterisk.instance) == ("bench180", "bench180b")
    assert (a.asterisk.sip_port, b.asterisk.sip_port, a.asterisk.app) == (16240, 16241, b.asterisk.app)
    assert a.cluster is not None and a.cluster == b.cluster and a.cluster.sip_port == 16242


def test_with_two_nodes_the_first_nodes_ari_figures_are_not_shown_as_all() -> None:
    from bench.run import _service_inside

    metrics = {
        "hotline_ari_event_seconds_count": 38.0,
        "hotline_event_loop_lag_seconds_sum": 0.5,
        "hotline_event_loop_lag_seconds_count": 100.0,
        "hotline_event_loop_stalls_total": 2.0,
    }
    one, two = _service_inside(metrics), _service_inside(metrics, nodes=2)
    assert one["ari_events_per_call"] == 38.0 and one["loop_lag_ms_mean"] == 5.0
    assert two == {"loop_lag_ms_mean": 5.0, "loop_lag_ms_max": None, "loop_stalls": 2.0}
