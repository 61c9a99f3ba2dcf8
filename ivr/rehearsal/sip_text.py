"""SIPp scenarios of a rehearsal: the synthetic caller and the rehearsal counselor.

SIPp (Debian's sip-tester) does the SIP of both; the caller's audio is not
SIPp's: its m.SDP names a UDP port of `ivr rehearse` itself, which hears the
prompts and presses the keys (rehearsal/caller.py).
"""

from __future__ import annotations

from ivr.rehearsal import sip_messages as m


def caller(number: str, rtp_port: int, wait_seconds: float, at: str | None) -> str:
    """The synthetic citizen's call; `at` asks for another moment (X-Rehearsal-At).
    The hotline hangs up at the path's end; if it has not within `wait_seconds`,
    the caller does."""
    invite = m.INVITE.format(caller=number, sdp=m.SDP.replace("[media_port]", str(rtp_port)))
    if at:
        invite = invite.replace("Content-Type:", f"X-Rehearsal-At: {at}\nContent-Type:", 1)
    wait_ms = int(wait_seconds * 1000)
    hotline_hangs_up = m.ANSWER_BYE.format(timeout=wait_ms).replace(
        f'timeout="{wait_ms}"/>', f'timeout="{wait_ms}" ontimeout="give_up"/>', 1
    )
    body = invite + hotline_hangs_up + '<nop next="end"/>\n<label id="give_up"/>\n'
    return m.scenario("rehearsal caller", body + m.BYE.format(caller=number) + '<label id="end"/>\n')


def counselor(talk_seconds: float) -> str:
    """The rehearsal counselor: answers at once, says nothing for `talk_seconds`, hangs up."""
    body = m.UAS_HEAD_KEEP_DIALOG + m.UAS_ANSWER.format(sdp=m.SDP)
    body += f'<pause milliseconds="{int(talk_seconds * 1000)}"/>\n' + m.UAS_BYE
    return m.scenario("rehearsal counselor", body)
