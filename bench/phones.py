"""SIPp under load: one process for all citizens, one per counselor phone.

Every citizen sends audio (A-law silence, bench/line_audio.py) from the
moment it is answered to the end of the call, as a real phone does: a silent
caller makes Asterisk hold its own audio back by about half a second, and the
benchmark would time that wait, not the service.
Their menu digits go as RFC 4733 events in that stream, at fixed times after
the answer, chosen to fall after each prompt has ended.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench import line_audio
from bench.ports import Ports
from bench.sip_text import (
    ANSWER_BYE,
    BYE,
    INVITE,
    SDP,
    UAS_ANSWER,
    UAS_BYE,
    UAS_HEAD_KEEP_DIALOG,
    UAS_RINGING,
    routed,
    scenario,
    wait_udp_bound,
)

SIPP = shutil.which("sipp") or "/usr/bin/sipp"


@dataclass(frozen=True)
class Mix:
    """Citizens who do not all do the same (the soak): some hang up early, some
    serve themselves. Each share is a probability, drawn per call by SIPp."""

    hang_up_in_menus: float  # hang up before their first digit, at a uniform random time
    self_service: float  # of those who press: the second digit is `self_service_digit` (goodbye)
    self_service_digit: str
    hang_up_after_digits: float  # of those who go on to a counselor: hang up early
    # ... at a uniform random time from the first digit up to this: before the
    # hotline could have said goodbye (the shortest talk), so no BYE crosses theirs.
    hang_up_within_ms: int


@dataclass(frozen=True)
class Citizens:
    """A load of citizens: how many, how fast, how many at once, what they press and when."""

    calls: int
    rate: float
    concurrent: int
    digits: tuple[tuple[int, str], ...]  # (ms after the answer, digit)
    wait_for_bye_ms: int  # how long a citizen waits for the hotline to hang up
    mix: Mix | None = None


def citizens_xml(load: Citizens, caller_prefix: str, workdir: Path) -> str:
    """The citizens' SIPp scenario: dial, speak, press the digits, wait for goodbye
    (with a mix: hang up early, or take the self-service path, by chance).
    Each path plays one pcap from the answer on: the line and its digits."""
    caller = f"{caller_prefix}[call_number]"
    seconds = load.wait_for_bye_ms / 1000 + 10
    line = line_audio.write(workdir / "line.pcap", seconds, load.digits)
    body = INVITE.format(caller=caller, sdp=SDP)
    mix = load.mix
    if mix is None:
        body += f'<nop><action><exec play_pcap_audio="{line}"/></action></nop>\n'
        body += ANSWER_BYE.format(timeout=load.wait_for_bye_ms)
        return scenario("bench-citizens", body)
    first = load.digits[0][0]
    own = [*load.digits[:-1], (load.digits[-1][0], mix.self_service_digit)]
    self_line = line_audio.write(workdir / "line_self_service.pcap", seconds, own)
    quiet_line = line_audio.write(workdir / "line_no_digits.pcap", first / 1000 + 1)
    bye = BYE.format(caller=caller)
    # SIPp's `chance` takes the `next` jump with that probability.
    body += f'<nop next="menus" chance="{mix.hang_up_in_menus:g}"/>\n'
    body += f'<nop next="self" chance="{mix.self_service:g}"/>\n'
    body += f'<nop><action><exec play_pcap_audio="{line}"/></action></nop>\n'
    body += f'<nop next="waiting" chance="{mix.hang_up_after_digits:g}"/>\n'
    body += ANSWER_BYE.format(timeout=load.wait_for_bye_ms) + '<nop next="end"/>\n'
    body += '<label id="self"/>\n'
    body += f'<nop><action><exec play_pcap_audio="{self_line}"/></action></nop>\n'
    body += ANSWER_BYE.format(timeout=load.wait_for_bye_ms) + '<nop next="end"/>\n'
    body += '<label id="menus"/>\n'
    body += f'<nop><action><exec play_pcap_audio="{quiet_line}"/></action></nop>\n'
    body += f'<pause distribution="uniform" min="0" max="{first}"/>\n' + bye + '<nop next="end"/>\n'
    body += '<label id="waiting"/>\n'
    body += f'<pause distribution="uniform" min="{first}" max="{first + mix.hang_up_within_ms}"/>\n' + bye
    body += '<label id="end"/>\n'
    return scenario("bench-citizens", body)


def counselor_xml(ring_ms: int, talk_ms: tuple[int, int], line: Path) -> str:
    """A counselor's phone: rings, answers, talks for a uniform random time, hangs up.
    It sends audio (`line`) all call long: a phone silent for its line timeout
    (30 s by default) is taken for one that lost power, and its call ended."""
    body = UAS_HEAD_KEEP_DIALOG + UAS_RINGING
    body += f'<pause milliseconds="{ring_ms}"/>\n' + UAS_ANSWER.format(sdp=SDP)
    body += f'<nop><action><exec play_pcap_audio="{line}"/></action></nop>\n'
    body += f'<pause distribution="uniform" min="{talk_ms[0]}" max="{talk_ms[1]}"/>\n'
    body += UAS_BYE
    return scenario("bench-counselor", body)


class Phones:
    """The SIPp processes of one side of a run; close() ends them all."""

    def __init__(self, workdir: Path, ports: Ports, *, nice: int = 0) -> None:
        self.workdir = workdir
        self.ports = ports
        self.nice = nice
        self.procs: list[subprocess.Popen[bytes]] = []
        self.stats_file = workdir / "citizens_stats.csv"

    def _sipp(self, name: str, xml: str, args: list[str]) -> subprocess.Popen[bytes]:
        path = self.workdir / f"{name}.xml"
        path.write_text(xml, encoding="latin-1")
        # Through nice(1), not preexec_fn: the sniffer's thread is already running.
        cmd = ["nice", "-n", str(self.nice)] if self.nice else []
        cmd += [
            SIPP,
            "-sf",
            str(path),
            "-nostdin",
            "-trace_err",
            "-error_file",
            str(self.workdir / f"{name}_errors.log"),
        ]
        proc = subprocess.Popen(
            cmd + args,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(proc)
        return proc

    def counselors(self, ring_ms: int, talk_ms: tuple[int, int]) -> None:
        """Every counselor's phone (one SIPp process answering for all of them,
        told apart by the Request-URI), listening before the first citizen dials."""
        line = line_audio.write(self.workdir / "counselor_line.pcap", talk_ms[1] / 1000 + 10)
        xml = counselor_xml(ring_ms, talk_ms, line)
        host, port, media = self.ports.counselor_phones
        calls = str(self.ports.counselors * 2)  # at most one call a counselor, and a few ending
        args = [
            "-i",
            host,
            "-p",
            str(port),
            "-mp",
            str(media),
            "-m",
            "1000000",
            "-l",
            calls,
            "-timeout",
            "3600s",
        ]
        wait_udp_bound(port, self._sipp("counselors", xml, args))

    def citizens(self, load: Citizens, number: str, caller_prefix: str) -> subprocess.Popen[bytes]:
        """Start the citizens' load; it ends by itself after `load.calls` calls."""
        self.stats_file.unlink(missing_ok=True)
        xml = citizens_xml(load, caller_prefix, self.workdir)
        if self.ports.nodes > 1:
            # Through Kamailio: the ACK and BYE follow the route it recorded to
            # the node (sent to Kamailio without it, the ACK is dropped and the
            # node holds its BYE until its 200 OK times out, 32 s later).
            xml = routed(xml)
        args = [
            "-i", "127.0.0.1",
            "-p", str(self.ports.citizens),
            "-mp", str(self.ports.citizens_media),
            "-s", number,
            "-m", str(load.calls),
            "-r", f"{load.rate:g}",
            "-rp", "1000",
            "-l", str(load.concurrent),
            "-trace_stat", "-stf", str(self.stats_file), "-fd", "1",
            f"127.0.0.1:{self.ports.entry}",  # Kamailio in front of two nodes
        ]  # fmt: skip
        return self._sipp("citizens", xml, args)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
        self.procs.clear()
