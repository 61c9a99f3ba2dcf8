"""SIPp under load: one process for all citizens, one per counselor phone.

Every citizen sends audio (A-law silence, bench/line_audio.py) from the
moment it is answered to the end of the call, as a real phone does: a silent
caller makes Asterisk hold its own audio back by about half a second, and the
benchmark would time that wait, not the service.
Their menu digits go as RFC 4733 events at fixed times after the answer,
chosen to fall after each prompt has ended.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench import dtmf, line_audio
from bench.ports import Ports
from bench.sip_text import (
    ANSWER_BYE,
    INVITE,
    SDP,
    UAS_ANSWER,
    UAS_BYE,
    UAS_HEAD_KEEP_DIALOG,
    UAS_RINGING,
    scenario,
    wait_udp_bound,
)

SIPP = shutil.which("sipp") or "/usr/bin/sipp"
SPEECH = "/usr/share/sip-tester/g711a.pcap"  # about eight seconds, shipped with sip-tester


@dataclass(frozen=True)
class Citizens:
    """A load of citizens: how many, how fast, how many at once, what they press and when."""

    calls: int
    rate: float
    concurrent: int
    digits: tuple[tuple[int, str], ...]  # (ms after the answer, digit)
    wait_for_bye_ms: int  # how long a citizen waits for the hotline to hang up


def citizens_xml(load: Citizens, caller_prefix: str, workdir: Path) -> str:
    """The citizens' SIPp scenario: dial, speak, press the digits, wait for goodbye."""
    caller = f"{caller_prefix}[call_number]"
    first = load.digits[0][0]
    pcap = dtmf.write(workdir / "digits.pcap", [(t - first, d) for t, d in load.digits])
    line = line_audio.write(workdir / "line.pcap", load.wait_for_bye_ms / 1000 + 10)
    body = INVITE.format(caller=caller, sdp=SDP)
    body += f'<nop><action><exec play_pcap_audio="{line}"/></action></nop>\n'
    body += f'<pause milliseconds="{first}"/>\n'
    body += f'<nop><action><exec play_pcap_audio="{pcap}"/></action></nop>\n'
    body += ANSWER_BYE.format(timeout=load.wait_for_bye_ms)
    return scenario("bench-citizens", body)


def counselor_xml(ring_ms: int, talk_ms: tuple[int, int]) -> str:
    """A counselor's phone: rings, answers, talks for a uniform random time, hangs up."""
    body = UAS_HEAD_KEEP_DIALOG + UAS_RINGING
    body += f'<pause milliseconds="{ring_ms}"/>\n' + UAS_ANSWER.format(sdp=SDP)
    body += f'<nop><action><exec play_pcap_audio="{SPEECH}"/></action></nop>\n'
    body += f'<pause distribution="uniform" min="{talk_ms[0]}" max="{talk_ms[1]}"/>\n'
    body += UAS_BYE
    return scenario("bench-counselor", body)


class Phones:
    """The SIPp processes of one side of a run; close() ends them all."""

    def __init__(self, workdir: Path, ports: Ports) -> None:
        self.workdir = workdir
        self.ports = ports
        self.procs: list[subprocess.Popen[bytes]] = []
        self.stats_file = workdir / "citizens_stats.csv"

    def _sipp(self, name: str, xml: str, args: list[str]) -> subprocess.Popen[bytes]:
        path = self.workdir / f"{name}.xml"
        path.write_text(xml, encoding="latin-1")
        cmd = [
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
        """Every counselor phone, listening before the first citizen dials."""
        xml = counselor_xml(ring_ms, talk_ms)
        for i in range(self.ports.counselors):
            host, port, media = self.ports.counselor(i)
            args = ["-i", host, "-p", str(port), "-mp", str(media), "-m", "1000000", "-timeout", "3600s"]
            wait_udp_bound(port, self._sipp(f"counselor{i + 1}", xml, args))

    def citizens(self, load: Citizens, number: str, caller_prefix: str) -> subprocess.Popen[bytes]:
        """Start the citizens' load; it ends by itself after `load.calls` calls."""
        self.stats_file.unlink(missing_ok=True)
        xml = citizens_xml(load, caller_prefix, self.workdir)
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
            f"127.0.0.1:{self.ports.sip}",
        ]  # fmt: skip
        return self._sipp("citizens", xml, args)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
        self.procs.clear()
