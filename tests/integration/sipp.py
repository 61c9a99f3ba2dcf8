"""Real SIP phones for the tests: SIPp (Debian's sip-tester) as citizens and counselors.

Each phone is one SIPp process running a scenario written for that call.
SIPp 3.6.1 substitutes no injected values inside play_pcap_audio or pause,
so scenario files are generated per call instead.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import dtmf, line_audio
from bench.sip_text import ANSWER_BYE as _ANSWER_BYE
from bench.sip_text import BYE as _BYE
from bench.sip_text import INVITE as _INVITE
from bench.sip_text import SDP as _SDP
from bench.sip_text import UAS_ANSWER as _UAS_ANSWER
from bench.sip_text import UAS_BYE as _UAS_BYE
from bench.sip_text import UAS_RINGING as _UAS_RINGING
from bench.sip_text import routed as _routed
from bench.sip_text import scenario as _scenario
from bench.sip_text import wait_udp_bound as _wait_udp_bound

SIPP = shutil.which("sipp") or "/usr/bin/sipp"
SPEECH = "/usr/share/sip-tester/g711a.pcap"  # shipped with Debian's sip-tester

# A phone's INVITE keeps its CSeq (for a 487) and, for a phone that hangs up
# itself, the caller's From and Contact (for its BYE).
_UAS_HEAD = """<recv request="INVITE" crlf="true">
<action>
<ereg regexp=".*" search_in="hdr" header="CSeq:" assign_to="invcseq"/>
{dialog}</action>
</recv>
"""
_KEEP_DIALOG = """<ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>
<ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="remote_contact"/>
"""

_UAS_TRYING = """<send><![CDATA[
SIP/2.0 100 Trying
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
"""

# 200 OK to the request just received (a CANCEL; a qualify's OPTIONS).
_UAS_OK = """<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
"""

# The replies to a CANCEL: 200 OK for it, 487 for the INVITE it ends.
_UAS_CANCELLED = (
    _UAS_OK
    + """<send><![CDATA[
SIP/2.0 487 Request Terminated
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
CSeq:[$invcseq]
Content-Length: 0

]]></send>
<recv request="ACK"{next}/>
"""
)

# A ring Asterisk gave up on before any phone answered it (no phone on the
# port, or one killed) is resent to the port for 32 s (Timer B), and the CANCEL
# waits for a provisional reply (pjsip's pending_cancel): the next phone here
# would take it as its own call and fail on the CANCEL that follows its
# 100 Trying at once. Such a ring is let go, and the phone waits for its call.
STALE_WINDOW_MS = 200
_UAS_LET_GO_STALE = (
    f'<recv request="CANCEL" timeout="{STALE_WINDOW_MS}" ontimeout="fresh"/>\n'
    + _UAS_CANCELLED.format(next=' next="end"')
    + '<label id="fresh"/>\n'
)

# Without -m (a let-go ring would count), a call counts once it is the
# phone's own; at its last, SIPp takes no new call and exits when that call
# ends, however it ends, as -m would have it.
_UAS_COUNT_CALL = """<nop><action>
<add assign_to="served" value="1"/>
<test assign_to="all_served" variable="served" compare="greater_than_equal" value="{calls}"/>
</action></nop>
<nop condexec="all_served"><action><exec int_cmd="stop_gracefully"/></action></nop>
"""

_UAS_REFUSE = """<send><![CDATA[
SIP/2.0 {status}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
<recv request="ACK"/>
"""
_UAS_BUSY = _UAS_REFUSE.format(status="486 Busy Here")
_UAS_DECLINE = _UAS_REFUSE.format(status="603 Decline")

_UAS_NO_ANSWER = '<recv request="CANCEL" timeout="{timeout}"/>\n' + _UAS_CANCELLED.format(next="")

# A phone that registered is qualified by Asterisk (OPTIONS, each its own call
# to SIPp): it answers them before, during and after its one call.
# A phone behind a proxy answers with the route the proxy recorded (RFC 3261 12.1.1), so
# the node's BYE comes back through the proxy (it had gone straight to the phone, whose
# 200 OK went to the proxy, and the node sent the BYE again until a stray one was answered).
_ANSWERED_ON_ROUTE = _UAS_ANSWER.replace("[last_CSeq:]\n", "[last_CSeq:]\n[last_Record-Route:]\n", 1)
_UAS_QUALIFIED = '<recv request="OPTIONS" optional="true" next="options"/>\n'
_UAS_OPTIONS_OK = '<label id="options"/>\n' + _UAS_OK

# REGISTER, the server's digest challenge, and REGISTER again with SIPp's answer to it.
_REGISTER = """<send retrans="500"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:{user}@[remote_ip]>
Call-ID: [call_id]
CSeq: {cseq} REGISTER
Contact: <sip:{user}@{contact}>
Expires: {expires}
Max-Forwards: 70
{auth}Content-Length: 0

]]></send>
"""
_REFUSED = (
    '<recv response="403" optional="true" next="refused"/>\n<recv response="401"/>\n<label id="refused"/>\n'
)


# A desk phone's own call through a proxy that asks for its password (407): the
# INVITE, the ACK to the challenge, the INVITE again with SIPp's answer to it.
_PHONE_INVITE = """<send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: {cseq} INVITE
Contact: <sip:{user}@[local_ip]:[local_port]>
Max-Forwards: 70
{auth}Content-Type: application/sdp
Content-Length: [len]

{sdp}
]]></send>
"""
_CHALLENGE_ACK = """<recv response="100" optional="true"/>
<recv response="407" auth="true"/>
<send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
"""
_ANSWERED_VIA_PROXY = """<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="183" optional="true"/>
<recv response="200" rtd="true" rrs="true"/>
<send><![CDATA[
ACK [next_url] SIP/2.0
[routes]
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
"""


@dataclass
class Phone:
    """One running SIPp process."""

    name: str
    proc: subprocess.Popen[bytes]
    workdir: Path
    port: int
    log_lines: list[str] = field(default_factory=list)

    def wait(self, timeout: float) -> int:
        """SIPp's exit code: 0 means every message of the scenario happened."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"{self.name}: SIPp still running after {timeout} s\n{self.errors()}"
            ) from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def errors(self) -> str:
        out = []
        for f in sorted(self.workdir.glob(f"{self.name}*errors.log")):
            out.append(f.read_text(errors="replace")[-3000:])
        return "\n".join(out) or "(no SIPp error log)"


class SippLab:
    """Starts SIPp phones against one Asterisk, each with its own files."""

    def __init__(
        self,
        workdir: Path,
        asterisk_sip: tuple[str, int],
        port_offset: int = 0,
        hosts: dict[int, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.port_offset = port_offset
        self.hosts = hosts or {}  # desk phone port -> its own address
        self.target = f"{asterisk_sip[0]}:{asterisk_sip[1]}"
        self.phones: list[Phone] = []
        self._next_port = 0

    def _ports(self) -> tuple[int, int]:
        # Every caller gets its own signalling and media ports.
        self._next_port += 1
        n = self._next_port
        return 5200 + self.port_offset + n * 2, 36000 + self.port_offset * 2 + n * 4

    def citizen(
        self,
        *,
        digits: Sequence[tuple[int, str]] = (),
        hangup_after_ms: int | None = None,
        expect_bye_within_ms: int = 60000,
        caller: str = "01012345678",
        number: str = "2221000",
        host: str = "127.0.0.1",
        speaks_at_ms: int | None = None,
        via_proxy: bool = False,
    ) -> Phone:
        """A citizen who dials, presses digits at given times after answer, then
        hangs up after `hangup_after_ms`, or else waits for the hotline's BYE.

        `via_proxy`: the call goes through a SIP proxy (Kamailio) that records
        its route; the ACK and BYE follow that route to the answering Asterisk."""
        name = f"citizen{self._next_port + 1}"
        body = _INVITE.format(caller=caller, sdp=_SDP)
        if digits:
            first = digits[0][0]
            pcap = dtmf.write(self.workdir / f"{name}.pcap", [(t - first, d) for t, d in digits])
            body += f'<pause milliseconds="{first}"/>\n'
            body += f'<nop><action><exec play_pcap_audio="{pcap}"/></action></nop>\n'
            elapsed = first
        else:
            elapsed = 0
        if speaks_at_ms is not None:
            # About eight seconds of speech (Debian's sample), beside any keys.
            body += f'<pause milliseconds="{max(1, speaks_at_ms - elapsed)}"/>\n'
            body += f'<nop><action><exec play_pcap_audio="{SPEECH}"/></action></nop>\n'
            elapsed = max(elapsed, speaks_at_ms)
        if hangup_after_ms is not None:
            body += f'<pause milliseconds="{max(1, hangup_after_ms - elapsed)}"/>\n'
            body += _BYE.format(caller=caller)
        else:
            body += _ANSWER_BYE.format(timeout=expect_bye_within_ms)
        if via_proxy:
            body = _routed(body)
        return self._run(name, _scenario(name, body), ["-s", number, self.target], host=host)

    def desk_call(self, port: int, code: str, within_ms: int = 30000) -> Phone:
        """The person at desk phone `port` dials a code; the hotline hangs up within `within_ms`."""
        return self.citizen(
            number=code, caller=f"desk{port}", host=self.hosts[port], expect_bye_within_ms=within_ms
        )

    def citizen_heard_on(
        self,
        media_port: int,
        hangup_after_ms: int | None,
        expect_bye_within_ms: int = 60000,
        caller: str = "01012345678",
    ) -> Phone:
        """A citizen calling from `caller` whose SDP names `media_port` (a socket the test reads
        the hotline's audio from) and who hangs up after `hangup_after_ms` (None: waits for the
        hotline's BYE)."""
        name = f"citizen{self._next_port + 1}"
        sdp = _SDP.replace("[media_port]", str(media_port))
        body = _INVITE.format(caller=caller, sdp=sdp)
        if hangup_after_ms is None:
            body += _ANSWER_BYE.format(timeout=expect_bye_within_ms)
        else:
            body += f'<pause milliseconds="{hangup_after_ms}"/>\n' + _BYE.format(caller=caller)
        return self._run(name, _scenario(name, body), ["-s", "2221000", self.target])

    def desk_call_sending(self, port: int, code: str, line: Path, within_ms: int = 60000) -> Phone:
        """The desk phone at `port` dials `code` and, once answered, sends the pcap `line`
        (speech and keys in one stream); the hotline hangs up within `within_ms`."""
        name = f"desk{self._next_port + 1}"
        body = _INVITE.format(caller=f"desk{port}", sdp=_SDP)
        body += f'<nop><action><exec play_pcap_audio="{line}"/></action></nop>\n'
        body += _ANSWER_BYE.format(timeout=within_ms)
        return self._run(name, _scenario(name, body), ["-s", code, self.target], host=self.hosts[port])

    def counselor(
        self,
        port: int,
        behaviour: str = "answer",
        *,
        ring_ms: int = 300,
        timeout_ms: int = 120000,
        calls: int = 1,
        keys: Sequence[tuple[int, str]] = (),
        hangup_after_ms: int | None = None,
    ) -> Phone:
        """A counselor's desk phone on 127.0.0.1:`port`: answer, busy (486), decline (603) or no_answer.

        `keys`: (ms after answering, key) the counselor presses during the call;
        `hangup_after_ms`: the counselor hangs up that long after answering
        (else they wait for the hotline's BYE)."""
        name = f"counselor{port}"
        return self._callee(name, port, behaviour, ring_ms, timeout_ms, calls, keys, hangup_after_ms)

    def back_on_line(self, port: int, within_ms: int = 15000) -> Phone:
        """The phone at `port` back after vanishing mid-call: it answers the BYE
        Asterisk keeps resending for the call it ended (for 32 s, RFC 3261's
        Timer F), so no later phone on that port gets it."""
        name = f"back{port}"
        xml = _scenario(name, _ANSWER_BYE.format(timeout=within_ms))
        return self._run(name, xml, ["-p", str(port)], listen=True, host=self.hosts.get(port))

    def absorb_cancel(self, port: int, within_ms: int) -> Phone:
        """The port of a phone killed while it rang: answer the CANCEL Asterisk
        keeps resending for that ring (at most 4 s apart, for 32 s), which the
        next phone on the port would take for a call of its own and fail on."""
        name = f"absorb{port}"
        answer = _ANSWER_BYE.format(timeout=within_ms).replace('request="BYE"', 'request="CANCEL"')
        xml = _scenario(name, answer)
        # A listening SIPp with no call to time out runs to its global -timeout.
        until = ["-timeout", f"{within_ms / 1000:g}s"]
        return self._run(name, xml, ["-p", str(port), *until], listen=True, host=self.hosts.get(port))

    def callee(self, port: int, *, ring_ms: int = 500, hangup_after_ms: int | None = None) -> Phone:
        """A citizen's own phone on 127.0.0.1:`port`, which the hotline calls back."""
        return self._callee(f"callee{port}", port, "answer", ring_ms, 120000, 1, (), hangup_after_ms)

    def _callee(
        self,
        name: str,
        port: int,
        behaviour: str,
        ring_ms: int,
        timeout_ms: int,
        calls: int,
        keys: Sequence[tuple[int, str]],
        hangup_after_ms: int | None,
    ) -> Phone:
        ring = f'<pause milliseconds="{max(1, ring_ms - STALE_WINDOW_MS)}"/>\n'
        if behaviour == "answer":
            body = _UAS_RINGING + ring + _UAS_ANSWER.format(sdp=_SDP)
            # A desk phone sends audio all call long, its keys in the same
            # stream (SIPp plays one pcap at a time): Asterisk ends the call of
            # a phone silent for its line timeout, as when one loses power.
            line = self._line(hangup_after_ms or timeout_ms, keys)
            body += f'<nop><action><exec play_pcap_audio="{line}"/></action></nop>\n'
            if hangup_after_ms is not None:
                body += f'<pause milliseconds="{max(1, hangup_after_ms)}"/>\n' + _UAS_BYE
            else:
                body += _ANSWER_BYE.format(timeout=timeout_ms)
        elif behaviour == "busy":
            body = _UAS_BUSY
        elif behaviour == "decline":  # the counselor pressed "reject" on a ringing phone
            body = _UAS_RINGING + ring + _UAS_DECLINE
        elif behaviour == "no_answer":
            body = _UAS_RINGING + _UAS_NO_ANSWER.format(timeout=timeout_ms)
        else:
            raise ValueError(behaviour)
        keep_dialog = behaviour == "answer" and hangup_after_ms is not None
        body = (
            '<Global variables="served"/>\n'
            + _UAS_HEAD.format(dialog=_KEEP_DIALOG if keep_dialog else "")
            + _UAS_TRYING
            + _UAS_LET_GO_STALE
            + _UAS_COUNT_CALL.format(calls=calls)
            + body
            + '<label id="end"/>\n'
        )
        return self._run(
            name,
            _scenario(name, body),
            ["-p", str(port)],
            listen=True,
            calls=calls,
            host=self.hosts.get(port),
            stops_itself=True,
        )

    def register(
        self,
        server: tuple[str, int],
        user: str,
        password: str,
        contact: tuple[str, int],
        *,
        accepted: bool,
        expires: int = 300,
    ) -> Phone:
        """A phone REGISTERs `contact` with `server` as `user`, answering its digest challenge
        with `password` (SIPp's [authentication]); exit 0 when the registration was
        `accepted` (200 OK), or else refused (401 or 403 to the answer)."""
        name = f"register{self._next_port + 1}"
        where = f"{contact[0]}:{contact[1]}"
        first = _REGISTER.format(user=user, contact=where, cseq=1, expires=expires, auth="")
        answer = f"[authentication username={user} password={password}]\n"
        second = _REGISTER.format(user=user, contact=where, cseq=2, expires=expires, auth=answer)
        outcome = '<recv response="200"/>\n' if accepted else _REFUSED
        body = first + '<recv response="401" auth="true"/>\n' + second + outcome
        return self._run(name, _scenario(name, body), [f"{server[0]}:{server[1]}"], host=contact[0])

    def phone_dials_via_proxy(
        self, host: str, user: str, password: str, code: str, within_ms: int = 30000
    ) -> Phone:
        """The desk phone at `host`, registered with a proxy as `user`, dials `code` through
        it, answering its password challenge (407); the hotline hangs up within `within_ms`."""
        name = f"dials{self._next_port + 1}"
        answer = f"[authentication username={user} password={password}]\n"
        body = (
            _PHONE_INVITE.format(user=user, cseq=1, auth="", sdp=_SDP)
            + _CHALLENGE_ACK.format(user=user)
            + _PHONE_INVITE.format(user=user, cseq=2, auth=answer, sdp=_SDP)
            + _ANSWERED_VIA_PROXY.format(user=user)
            + _ANSWER_BYE.format(timeout=within_ms)
        )
        return self._run(name, _scenario(name, body), ["-s", code, self.target], host=host)

    def registered_phone(self, host: str, port: int, *, timeout_ms: int = 120000, calls: int = 1) -> Phone:
        """The desk phone at `host`:`port` that a REGISTER (see register) announced: it
        answers Asterisk's qualify OPTIONS all along, and `calls` calls one after
        another, each sending audio until the hotline hangs up; SIPp exits once
        the last is over."""
        name = f"registered-{host}-{port}"  # phones on one port, each its own address: their own files
        line = self._line(timeout_ms, ())
        body = (
            '<Global variables="served"/>\n'
            + _UAS_QUALIFIED
            + '<recv request="INVITE" crlf="true"/>\n'
            + _UAS_TRYING
            + _UAS_RINGING
            + '<pause milliseconds="300"/>\n'
            + _ANSWERED_ON_ROUTE.format(sdp=_SDP)
            + f'<nop><action><exec play_pcap_audio="{line}"/></action></nop>\n'
            + _ANSWER_BYE.format(timeout=timeout_ms)
            # Counted once over (not at the INVITE): OPTIONS are answered until the last call ends.
            + _UAS_COUNT_CALL.format(calls=calls)
            + '<nop next="end"/>\n'
            + _UAS_OPTIONS_OK
            + '<label id="end"/>\n'
        )
        return self._run(
            name,
            _scenario(name, body),
            ["-p", str(port)],
            listen=True,
            calls=calls + 1,
            host=host,
            stops_itself=True,
        )

    def _line(self, call_ms: int, keys: Sequence[tuple[int, str]]) -> Path:
        """A phone line's pcap for a call this long, shared by phones that key nothing."""
        seconds = call_ms // 1000 + 10
        name = f"line-{seconds}s-{'-'.join(f'{t}{k}' for t, k in keys)}.pcap"
        path = self.workdir / name.replace("*", "star").replace("#", "hash")
        if not path.exists():
            line_audio.write(path, seconds, keys)
        return path

    def _run(
        self,
        name: str,
        xml: str,
        extra: list[str],
        listen: bool = False,
        calls: int = 1,
        host: str | None = None,
        stops_itself: bool = False,
    ) -> Phone:
        # -l: SIPp keeps a finished call in its count for a while, so a phone
        # that takes several calls in a row must be allowed that many (and one
        # more for a stale ring let go); -m counts every call SIPp is sent.
        limit = ["-l", str(calls + 1)] if stops_itself else ["-m", str(calls), "-l", str(calls)]
        scenario = self.workdir / f"{name}.xml"
        scenario.write_text(xml, encoding="latin-1")
        sig_port, media_port = self._ports()
        cmd = [
            SIPP,
            "-sf",
            str(scenario),
            "-i",
            host or "127.0.0.1",
            *limit,
            "-mp",
            str(media_port),
            "-nostdin",
            "-trace_err",
            "-error_file",
            str(self.workdir / f"{name}_errors.log"),
            "-timeout",
            "180s",
            "-timeout_error",
            *extra,
        ]
        if not listen:
            cmd += ["-p", str(sig_port)]
        proc = subprocess.Popen(
            cmd,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        phone = Phone(name, proc, self.workdir, sig_port)
        self.phones.append(phone)
        if listen:
            _wait_udp_bound(int(extra[1]), proc)
        return phone

    def close(self) -> None:
        for phone in self.phones:
            phone.kill()
