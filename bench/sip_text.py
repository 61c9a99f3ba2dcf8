"""SIP message texts for SIPp phones, shared by the benchmark and the integration tests.

The texts live in ivr/rehearsal/sip_messages.py, where `ivr rehearse` (a
product feature) finds them; waiting for a phone to listen is the tests'.
"""

from __future__ import annotations

import subprocess
import time

from ivr.rehearsal import sip_messages

# The texts, under the names the benchmark's and the tests' phones use.
SDP, INVITE, BYE, ANSWER_BYE = (
    sip_messages.SDP,
    sip_messages.INVITE,
    sip_messages.BYE,
    sip_messages.ANSWER_BYE,
)
UAS_HEAD_KEEP_DIALOG, UAS_BYE = sip_messages.UAS_HEAD_KEEP_DIALOG, sip_messages.UAS_BYE
UAS_RINGING, UAS_ANSWER, scenario = sip_messages.UAS_RINGING, sip_messages.UAS_ANSWER, sip_messages.scenario

__all__ = [
    "ANSWER_BYE",
    "BYE",
    "INVITE",
    "SDP",
    "UAS_ANSWER",
    "UAS_BYE",
    "UAS_HEAD_KEEP_DIALOG",
    "UAS_RINGING",
    "routed",
    "scenario",
    "wait_udp_bound",
]


def routed(body: str) -> str:
    """A caller's scenario whose requests within the call follow the route a proxy
    recorded (RFC 3261 12.2.1.1): to the answerer's Contact, through the proxy."""
    body = body.replace('<recv response="200" rtd="true"/>', '<recv response="200" rtd="true" rrs="true"/>')
    for method in ("ACK", "BYE"):
        body = body.replace(
            f"{method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n",
            f"{method} [next_url] SIP/2.0\n[routes]\n",
        )
    return body


def wait_udp_bound(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Wait until SIPp listens, so Asterisk never rings a phone not yet there."""
    hexport = f":{port:04X} "
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"SIPp on port {port} exited with {proc.returncode}")
        with open("/proc/net/udp") as f:
            if any(hexport in line.split("\n")[0] for line in f):
                return
        time.sleep(0.02)
    raise AssertionError(f"SIPp did not bind UDP port {port} within {timeout} s")
