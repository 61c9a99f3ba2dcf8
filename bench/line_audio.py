"""A caller's line that never goes quiet: RTP for the whole call, as a real phone sends.

Debian's g711a.pcap holds about eight seconds. After that a SIPp caller sends
nothing, and a channel that hears nothing makes Asterisk wait about 500 ms
before it starts some audio of its own (the same wait as Answer()'s). A real
phone sends packets all the time, silence included, so the benchmark's
callers send A-law silence for as long as a call can last.

The digits go in the same stream, in place of the audio while a key is
down, as a phone sends them: SIPp 3.6.1 plays one pcap at a time per call,
and starting a second one (the digits) stops the first (the line), which
left callers silent from their first digit on.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from bench.dtmf import event_packets, rtp_event, tone_end_ms, write_pcap

_PCMA = 8
_PACKET_MS = 20
_SILENCE = b"\xd5" * 160  # A-law's zero, 20 ms at 8 kHz
_SSRC = 0x2221001


def write(path: Path, seconds: float, digits: Sequence[tuple[int, str]] = ()) -> Path:
    """A pcap of `seconds` of A-law silence, one RTP packet every 20 ms, with
    `digits` ([(ms after the start, digit), ...]) as RFC 4733 events in it."""
    keyed = [(at, tone_end_ms(at)) for at, _ in digits]
    # (ms, RTP timestamp, builder of the packet from its sequence number)
    timed: list[tuple[int, int, Callable[[int], bytes]]] = []
    marker = True  # the first audio packet, and the first after each key, is marked
    for n in range(int(seconds * 1000) // _PACKET_MS):
        at = n * _PACKET_MS
        if any(start <= at <= end for start, end in keyed):
            marker = True
            continue
        timed.append((at, 8 * at, partial(_audio, ts=8 * at, marker=marker)))
        marker = False
    for at, ts, mark, event, end, duration in event_packets(digits):
        timed.append((at, ts, partial(rtp_event, ts=ts, marker=mark, event=event, end=end,
                                      duration=duration, ssrc=_SSRC)))  # fmt: skip
    timed.sort(key=lambda item: item[0])
    return write_pcap(path, [(at, build(seq)) for seq, (at, _, build) in enumerate(timed)])


def _audio(seq: int, ts: int, marker: bool) -> bytes:
    header = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | _PCMA, seq & 0xFFFF, ts, _SSRC)
    return header + _SILENCE
