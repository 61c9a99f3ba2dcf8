"""Per-call timings from captured loopback traffic, seen as the phones see it.

Fed one datagram at a time (with its capture time), the tracker follows:
- callers: the 200 OK that answers each caller's INVITE (its SDP names the
  Asterisk media port of that call: every call gets its own, whereas one SIPp
  process gives all its calls the same media port), then the RTP Asterisk
  sends from that port (prompt audio) and the RFC 4733 digits the caller sends
  to it;
- counselors: each INVITE Asterisk sends to a counselor phone, its answer and
  its end (BYE, CANCEL or a failure response), and whose call it rings for:
  the INVITE's From carries the citizen's number (both the service and
  app_queue pass the caller's number on to the counselor's phone).

Asterisk sends no RTP while nothing plays (the service waiting for a digit,
or Read() waiting), so the first audio packet after a digit is the next prompt.

With Kamailio in front of the nodes (`--nodes 2`) every SIP message of a
citizen's call crosses lo twice, caller <-> Kamailio and Kamailio <-> node,
with one Call-ID: a caller's answer and end are taken only from the messages
to or from the citizens' port, as the caller saw them. Audio goes straight
between caller and node; nodes ring counselors' phones directly.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.packets import DTMF_PAYLOAD_TYPE, Datagram, parse_rtp, parse_sip

# A digit pressed within this long of the last prompt packet fell into a
# prompt (the service was late): its "digit to prompt" time means nothing.
_PROMPT_GAP = 0.1
_KEYS = "0123456789*#"  # RFC 4733 telephone-event codes 0-11


@dataclass
class CallerCall:
    """One caller's call as the caller's side saw it (times in seconds)."""

    answered: float
    media_port: int  # Asterisk's end of this call's audio
    first_audio: float | None = None
    last_audio: float | None = None
    ended: float | None = None
    number: str | None = None  # the citizen's number (the From of their call)
    digit_ends: list[float] = field(default_factory=list)
    digits: str = ""  # what was pressed: one key per entry of digit_ends
    digit_gaps: list[tuple[int, float]] = field(
        default_factory=list
    )  # (digit's index, its end -> next prompt)
    digits_during_prompt: int = 0
    _event_ts: int | None = None
    _event_started: float = 0.0
    _pending: float | None = None


@dataclass
class CounselorLeg:
    """One ring of a counselor's phone."""

    phone: str  # which counselor: the INVITE's Request-URI user
    invited: float
    caller: str | None = None  # the citizen's number this ring is for
    answered: float | None = None
    ended: float | None = None


_NEVER = float("inf")


def _waits(entered: float, left: float, legs: list[CounselorLeg]) -> list[tuple[float, float]]:
    """When one caller waited: from `entered` to `left`, except while a
    counselor's phone rang for them or after one answered."""
    spans = []
    at = entered
    for leg in sorted(legs, key=lambda leg: leg.invited):
        if leg.invited > at:
            spans.append((at, min(leg.invited, left)))
        if leg.answered is not None or leg.ended is None:
            break  # answered, or still ringing: no more waiting
        at = max(at, leg.ended)
    else:
        spans.append((at, left))
    return [(a, b) for a, b in spans if a < b]


class Tracker:
    """Turns captured datagrams into per-call timings."""

    def __init__(
        self,
        asterisk_sip_port: int,
        caller_sip_port: int,
        counselor_ports: Iterable[int],
        node_sip_ports: Iterable[int] = (),
    ) -> None:
        """`asterisk_sip_port`: where citizens call (Asterisk, or Kamailio in front of
        the nodes, whose own ports are `node_sip_ports`)."""
        self.asterisk_sip_port = asterisk_sip_port
        self._ours = frozenset({asterisk_sip_port, *node_sip_ports})
        self.caller_sip_port = caller_sip_port
        self.counselor_ports = frozenset(counselor_ports)
        self.calls: dict[str, CallerCall] = {}
        self.legs: dict[str, CounselorLeg] = {}
        self._by_media: dict[int, CallerCall] = {}

    def feed(self, t: float, d: Datagram) -> None:
        """Take one captured datagram, seen at time `t`."""
        if d.src[1] in self._ours or d.dst[1] in self._ours:
            self._sip(t, d)
        elif d.src[1] in self._by_media:
            self._prompt_audio(t, self._by_media[d.src[1]], d.payload)
        elif d.dst[1] in self._by_media:
            self._caller_digit(t, self._by_media[d.dst[1]], d.payload)

    def _sip(self, t: float, d: Datagram) -> None:
        sip = parse_sip(d.payload)
        if sip is None:
            return
        cid = sip.call_id
        from_asterisk = d.src[1] in self._ours
        caller_side = self.caller_sip_port in (d.src[1], d.dst[1])
        if sip.status == 200 and sip.cseq_method == "INVITE" and from_asterisk:
            if d.dst[1] == self.caller_sip_port and cid not in self.calls and sip.media_port:
                call = CallerCall(t, sip.media_port, number=sip.from_user)
                self.calls[cid] = call
                self._by_media[sip.media_port] = call
        elif sip.method == "INVITE" and from_asterisk and d.dst[1] in self.counselor_ports:
            self.legs.setdefault(cid, CounselorLeg(sip.user or str(d.dst[1]), t, sip.from_user))
        elif cid in self.legs and not from_asterisk and sip.cseq_method == "INVITE" and sip.status:
            leg = self.legs[cid]
            if sip.status == 200 and leg.answered is None:
                leg.answered = t
            elif sip.status >= 300 and leg.ended is None:
                leg.ended = t
        elif sip.method in ("BYE", "CANCEL"):
            if cid in self.calls and self.calls[cid].ended is None and caller_side:
                call = self.calls[cid]
                call.ended = t
                self._by_media.pop(call.media_port, None)
            if cid in self.legs and self.legs[cid].ended is None:
                self.legs[cid].ended = t

    def _prompt_audio(self, t: float, call: CallerCall, payload: bytes) -> None:
        rtp = parse_rtp(payload)
        if rtp is None or rtp.payload_type == DTMF_PAYLOAD_TYPE:
            return
        if call.first_audio is None:
            call.first_audio = t
        if call._pending is not None:
            call.digit_gaps.append((len(call.digit_ends) - 1, t - call._pending))
            call._pending = None
        call.last_audio = t

    def _caller_digit(self, t: float, call: CallerCall, payload: bytes) -> None:
        rtp = parse_rtp(payload)
        if rtp is None or rtp.payload_type != DTMF_PAYLOAD_TYPE:
            return
        if rtp.timestamp != call._event_ts:
            # A new digit (each digit has its own RTP timestamp; the end packet repeats).
            call._event_ts = rtp.timestamp
            call._event_started = t
            if not rtp.event_end:
                return
        elif not rtp.event_end or (call.digit_ends and call.digit_ends[-1] >= call._event_started):
            return
        call.digit_ends.append(t)
        call.digits += _KEYS[rtp.event] if rtp.event is not None and rtp.event < len(_KEYS) else "?"
        if call.last_audio is not None and call._event_started - call.last_audio < _PROMPT_GAP:
            call.digits_during_prompt += 1
            call._pending = None
        else:
            call._pending = t

    def answer_to_prompt(self) -> list[float]:
        """Per answered call: 200 OK to the first prompt packet the caller got."""
        return [c.first_audio - c.answered for c in self.calls.values() if c.first_audio is not None]

    def digit_to_prompt(self, index: int | None = None) -> list[float]:
        """Per digit pressed in silence (only the `index`-th of each call, if given):
        the digit's end to the first packet of what the caller hears next."""
        return [g for c in self.calls.values() for i, g in c.digit_gaps if index is None or i == index]

    def digits_during_prompt(self) -> int:
        return sum(c.digits_during_prompt for c in self.calls.values())

    def choice_to_ring(self, queue_digits: str, counselors: int) -> list[float]:
        """Per caller who chose a counselor while one was free: the end of the
        digit that put them in line to the first INVITE reaching a counselor's
        phone for them. A phone counts as busy from its INVITE to its end; a
        caller who arrived with every phone busy waited for someone, and is
        not counted here (that is `free_to_ring`)."""
        legs_for: dict[str | None, list[CounselorLeg]] = {}
        for leg in self.legs.values():
            legs_for.setdefault(leg.caller, []).append(leg)
        legs = list(self.legs.values())
        gaps = []
        for c in self.calls.values():
            if not c.digits.startswith(queue_digits):
                continue
            chose = c.digit_ends[len(queue_digits) - 1]
            busy = {
                leg.phone for leg in legs if leg.invited <= chose and (leg.ended is None or leg.ended > chose)
            }
            if len(busy) >= counselors:
                continue
            rings = [leg.invited for leg in legs_for.get(c.number, []) if leg.invited >= chose]
            if rings:
                gaps.append(min(rings) - chose)
        return gaps

    def free_to_ring(self, wrap_up: float, queue_digits: str) -> list[float]:
        """Per counselor freed while a caller waited: the end of their previous
        call plus wrap-up, to the next INVITE reaching that counselor's phone.

        A caller waits from the end of `queue_digits` (callers who pressed
        otherwise served themselves) until a counselor's phone rings for them
        or they hang up; if that ring fails, they wait again. Counselors freed
        beyond the number of callers waiting are not waited for: after each
        ring, the most recently freed are let go until there are no more of
        them than waiting callers."""
        legs_for: dict[str | None, list[CounselorLeg]] = {}
        for leg in self.legs.values():
            legs_for.setdefault(leg.caller, []).append(leg)
        starts: list[float] = []
        ends: list[float] = []
        for c in self.calls.values():
            if c.digits.startswith(queue_digits):
                entered = c.digit_ends[len(queue_digits) - 1]
                left = c.ended if c.ended is not None else _NEVER
                for a, b in _waits(entered, left, legs_for.get(c.number, [])):
                    starts.append(a)
                    ends.append(b)
        starts.sort()
        ends.sort()

        def waiting(t: float) -> int:
            return bisect_right(starts, t) - bisect_right(ends, t)

        legs = list(self.legs.values())
        events = [
            (leg.ended + wrap_up, 0, leg.phone) for leg in legs if leg.ended is not None and leg.answered
        ]
        events += [(leg.invited, 1, leg.phone) for leg in legs]
        freed: dict[str, float] = {}  # counselor -> when they became free while callers waited
        gaps = []
        for t, ring, phone in sorted(events):
            if not ring:
                if waiting(t) > 0:
                    freed[phone] = t
                continue
            if phone in freed:
                gaps.append(t - freed.pop(phone))
            still = waiting(t)
            for extra in sorted(freed, key=freed.__getitem__, reverse=True)[: max(0, len(freed) - still)]:
                del freed[extra]
        return gaps
