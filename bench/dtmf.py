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


def _rtp(seq: int, ts: int, marker: bool, event: int, end: bool, duration: int) -> bytes:
    header = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | _PT, seq & 0xFFFF, ts, 0x2221000)
    flags = 0x80 if end else 0
    return header + struct.pack("!BBH", event, flags | 10, duration)


def write(path: Path, digits: Sequence[tuple[int, str]]) -> Path:
    """`digits` is [(milliseconds after the start, digit), ...] in time order."""
    packets: list[tuple[int, bytes]] = []
    seq = 1000
    for at_ms, digit in digits:
        event = _EVENTS[digit]
        ts = 8 * at_ms  # 8 kHz clock
        steps = _TONE_MS // _PACKET_MS
        for i in range(steps):
            packets.append((at_ms + i * _PACKET_MS, _rtp(seq, ts, i == 0, event, False, 8 * _PACKET_MS * i)))
            seq += 1
        # The end packet goes three times, as RFC 4733 asks, with one seq each.
        for k in range(3):
            t = at_ms + steps * _PACKET_MS + k
            packets.append((t, _rtp(seq, ts, False, event, True, 8 * _TONE_MS)))
            seq += 1
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
