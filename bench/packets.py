"""Parse what the loopback sniffer captures: UDP datagrams, SIP messages, RTP headers.

Frames on `lo` carry a 14-byte Ethernet header of zeros; only IPv4/UDP
matters here (the whole benchmark runs on 127.0.0.0/8).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

_ETHER = 14
_IPV4 = 0x0800
_UDP = 17
DTMF_PAYLOAD_TYPE = 101  # telephone-event, as every phone here offers it


@dataclass(frozen=True)
class Datagram:
    """One UDP datagram: where from, where to, what it carries."""

    src: tuple[str, int]
    dst: tuple[str, int]
    payload: bytes


def parse_frame(frame: bytes) -> Datagram | None:
    """The UDP datagram in an Ethernet frame, or None for anything else."""
    if len(frame) < _ETHER + 28 or struct.unpack_from("!H", frame, 12)[0] != _IPV4:
        return None
    first = frame[_ETHER]
    if first >> 4 != 4 or frame[_ETHER + 9] != _UDP:
        return None
    ihl = (first & 0x0F) * 4
    start = _ETHER + ihl
    src_port, dst_port, length = struct.unpack_from("!HHH", frame, start)
    src = ".".join(map(str, frame[_ETHER + 12 : _ETHER + 16]))
    dst = ".".join(map(str, frame[_ETHER + 16 : _ETHER + 20]))
    return Datagram((src, src_port), (dst, dst_port), frame[start + 8 : start + length])


@dataclass(frozen=True)
class Sip:
    """The parts of a SIP message the benchmark needs."""

    method: str | None  # a request's method, None for a response
    status: int | None  # a response's status, None for a request
    call_id: str
    cseq_method: str
    media_port: int | None  # the SDP's audio port, if the message has one
    user: str | None = None  # a request's Request-URI user (sip:<user>@host): which phone
    from_user: str | None = None  # the From header's user: the calling number


_HEADER = re.compile(rb"^(Call-ID|i|CSeq|From|f)\s*:\s*(.+?)\r?$", re.M | re.I)
_URI_USER = re.compile(rb"sips?:([^@;>\s]+)@")
_MEDIA = re.compile(rb"^m=audio (\d+) ", re.M)


def parse_sip(payload: bytes) -> Sip | None:
    """A SIP request or response, or None when `payload` is not SIP."""
    line_end = payload.find(b"\r\n")
    if line_end < 0:
        return None
    first = payload[:line_end].split(b" ", 2)
    if len(first) < 3:
        return None
    if first[0] == b"SIP/2.0":
        if not first[1].isdigit():
            return None
        method, status = None, int(first[1])
    elif first[2].startswith(b"SIP/2.0"):
        method, status = first[0].decode("ascii", "replace"), None
        uri = first[1].decode("ascii", "replace")
        user = uri.removeprefix("sip:").partition("@")[0] if "@" in uri else None
    else:
        return None
    if status is not None:
        user = None
    call_id = cseq = from_user = None
    for name, value in _HEADER.findall(payload):
        name = name.lower()
        if name in (b"call-id", b"i"):
            call_id = value.strip().decode("ascii", "replace")
        elif name in (b"from", b"f"):
            found = _URI_USER.search(value)
            from_user = found.group(1).decode("ascii", "replace") if found else None
        else:
            cseq = value.split()[-1].decode("ascii", "replace")
    if call_id is None or cseq is None:
        return None
    media = _MEDIA.search(payload)
    return Sip(method, status, call_id, cseq, int(media.group(1)) if media else None, user, from_user)


@dataclass(frozen=True)
class Rtp:
    """An RTP header, and for a telephone-event packet its event and end bit."""

    payload_type: int
    sequence: int
    timestamp: int
    event_end: bool = False
    event: int | None = None  # telephone-event: 0-9 the digits, 10 '*', 11 '#'


def parse_rtp(payload: bytes) -> Rtp | None:
    """An RTP version-2 packet's header, or None."""
    if len(payload) < 12 or payload[0] >> 6 != 2:
        return None
    pt = payload[1] & 0x7F
    seq, ts = struct.unpack_from("!HI", payload, 2)
    if pt != DTMF_PAYLOAD_TYPE:
        return Rtp(pt, seq, ts)
    header = 12 + 4 * (payload[0] & 0x0F)  # CSRCs, if any
    if len(payload) < header + 4:
        return None
    return Rtp(pt, seq, ts, bool(payload[header + 1] & 0x80), payload[header])
