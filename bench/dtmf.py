"""Write a pcap of RFC 4733 DTMF events for SIPp's play_pcap_audio.

Debian's sip-tester ships one pcap per digit, but the same pcap played twice
in one call is discarded by the receiver (its RTP sequence numbers repeat).
So each call gets one pcap holding its whole digit timeline, with sequence
numbers and timestamps that keep rising.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

_EVENTS = {d: i for i, d in enumerate("0123456789*#")}
_PT = 101
_PACKET_MS = 20
_TONE_MS = 160  # Asterisk saw 180-280 ms from SIPp's own pcaps; long enough to count


def ip_udp(payload: bytes, src_port: int = 49176, dst_port: int = 10000) -> bytes:
    udp_len = 8 + len(payload)
    udp = struct.pack("!HHHH", src_port, dst_port, udp_len, 0) + payload
    total = 20 + udp_len
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        total,
        0,
        0,
        64,
        17,
        0,
        bytes([127, 0, 0, 1]),
        bytes([127, 0, 0, 1]),
    )
    ether = b"\x00" * 12 + b"\x08\x00"
    return ether + ip + udp


def rtp_event(seq: int, ts: int, marker: bool, event: int, end: bool, duration: int, ssrc: int) -> bytes:
    """One RFC 4733 packet."""
    header = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | _PT, seq & 0xFFFF, ts, ssrc)
    flags = 0x80 if end else 0
    return header + struct.pack("!BBH", event, flags | 10, duration)


# (ms after the start, RTP timestamp, marker, event, end, duration) of one packet
EventPacket = tuple[int, int, bool, int, bool, int]


def event_packets(digits: Sequence[tuple[int, str]]) -> list[EventPacket]:
    """Every RFC 4733 packet of `digits` ([(ms after the start, digit), ...] in time order)."""
    packets: list[EventPacket] = []
    for at_ms, digit in digits:
        event = _EVENTS[digit]
        ts = 8 * at_ms  # 8 kHz clock
        steps = _TONE_MS // _PACKET_MS
        for i in range(steps):
            packets.append((at_ms + i * _PACKET_MS, ts, i == 0, event, False, 8 * _PACKET_MS * i))
        # The end packet goes three times, as RFC 4733 asks, with one seq each.
        for k in range(3):
            packets.append((at_ms + steps * _PACKET_MS + k, ts, False, event, True, 8 * _TONE_MS))
    return packets


def tone_end_ms(at_ms: int) -> int:
    """When a digit pressed at `at_ms` has sent its last packet."""
    return at_ms + (_TONE_MS // _PACKET_MS) * _PACKET_MS + 3


def write(path: Path, digits: Sequence[tuple[int, str]]) -> Path:
    """`digits` is [(milliseconds after the start, digit), ...] in time order."""
    packets = [
        (at, rtp_event(1000 + n, ts, marker, event, end, duration, 0x2221000))
        for n, (at, ts, marker, event, end, duration) in enumerate(event_packets(digits))
    ]
    return write_pcap(path, packets)


def write_pcap(path: Path, packets: Sequence[tuple[int, bytes]]) -> Path:
    """A pcap SIPp's play_pcap_audio can send: (ms after the start, RTP packet) each."""
    with path.open("wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for at_ms, payload in packets:
            frame = ip_udp(payload)
            f.write(struct.pack("<IIII", at_ms // 1000, (at_ms % 1000) * 1000, len(frame), len(frame)))
            f.write(frame)
    return path
