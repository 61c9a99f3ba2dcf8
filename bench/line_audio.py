"""A caller's line that never goes quiet: RTP for the whole call, as a real phone sends.

Debian's g711a.pcap holds about eight seconds. After that a SIPp caller sends
nothing, and a channel that hears nothing makes Asterisk wait about 500 ms
before it starts some audio of its own (the same wait as Answer()'s). A real
phone sends packets all the time, silence included, so the benchmark's
callers send A-law silence for as long as a call can last.
"""

from __future__ import annotations

import struct
from pathlib import Path

from bench.dtmf import write_pcap

_PCMA = 8
_PACKET_MS = 20
_SILENCE = b"\xd5" * 160  # A-law's zero, 20 ms at 8 kHz


def write(path: Path, seconds: float) -> Path:
    """A pcap of `seconds` of A-law silence, one RTP packet every 20 ms."""
    packets = []
    for n in range(int(seconds * 1000) // _PACKET_MS):
        header = struct.pack("!BBHII", 0x80, (0x80 if n == 0 else 0) | _PCMA, n & 0xFFFF, 160 * n, 0x2221001)
        packets.append((n * _PACKET_MS, header + _SILENCE))
    return write_pcap(path, packets)
