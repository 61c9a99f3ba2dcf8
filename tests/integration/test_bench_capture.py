"""The benchmark's capture filter, run by the kernel on real loopback datagrams.

The filter decides which packets the benchmark ever sees: one wrong jump and
digits or prompts go unmeasured, so it is checked on the wire, not by reading
its bytes. (An AF_PACKET socket needs root, as the benchmark itself does.)
"""

from __future__ import annotations

import socket
import struct
import time

from bench.packets import DTMF_PAYLOAD_TYPE, Datagram
from bench.sniffer import Sniffer, capture_filter
from bench.tracker import Tracker

CITIZENS_MEDIA, COUNSELOR_MEDIA, ASTERISK_MEDIA, SIP = 47771, 47772, 47773, 47774


def rtp(payload_type: int, marker: int) -> bytes:
    return struct.pack("!BBHII", 0x80, payload_type, marker, marker, 1) + b"\x00" * 160


class Recorder(Tracker):
    def __init__(self) -> None:
        super().__init__(SIP, 0, [])
        self.seen: list[tuple[int, int, bytes]] = []

    def feed(self, t: float, d: Datagram) -> None:
        self.seen.append((d.src[1], d.dst[1], d.payload))


def test_the_capture_keeps_prompts_digits_and_sip_and_drops_the_audio_nobody_times() -> None:
    recorder = Recorder()
    ports = frozenset({CITIZENS_MEDIA, COUNSELOR_MEDIA, ASTERISK_MEDIA, SIP})
    sniffer = Sniffer(recorder, ports, capture_filter(CITIZENS_MEDIA, COUNSELOR_MEDIA, DTMF_PAYLOAD_TYPE))
    sockets = {}
    for port in (CITIZENS_MEDIA, COUNSELOR_MEDIA, ASTERISK_MEDIA, SIP):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", port))
        sockets[port] = s
    sent = [
        (CITIZENS_MEDIA, ASTERISK_MEDIA, rtp(8, 1)),  # the citizen's line: dropped
        (CITIZENS_MEDIA, ASTERISK_MEDIA, rtp(DTMF_PAYLOAD_TYPE, 2)),  # a digit: kept
        (CITIZENS_MEDIA, ASTERISK_MEDIA, rtp(DTMF_PAYLOAD_TYPE | 0x80, 3)),  # with the marker bit: kept
        (ASTERISK_MEDIA, CITIZENS_MEDIA, rtp(8, 4)),  # a prompt: kept
        (COUNSELOR_MEDIA, ASTERISK_MEDIA, rtp(8, 5)),  # a conversation: dropped both ways
        (ASTERISK_MEDIA, COUNSELOR_MEDIA, rtp(8, 6)),
        (ASTERISK_MEDIA, SIP, b"SIP/2.0 200 OK\r\n\r\n"),  # signalling: kept
    ]
    sniffer.start()
    try:
        for src, dst, payload in sent:
            sockets[src].sendto(payload, ("127.0.0.1", dst))
        # lo delivers in the order sent: once the last datagram is in, all are.
        deadline = time.monotonic() + 5
        while not any(p.startswith(b"SIP/2.0") for *_, p in recorder.seen) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        sniffer.stop()
        for s in sockets.values():
            s.close()
    seen = [(src, dst, payload) for src, dst, payload in recorder.seen if src in ports and dst in ports]
    assert seen == [sent[1], sent[2], sent[3], sent[6]]
    assert sniffer.dropped == 0
