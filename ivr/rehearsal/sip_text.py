"""SIPp scenarios of a rehearsal: the synthetic caller and the rehearsal counselor.

SIPp (Debian's sip-tester) does the SIP of both; the caller's audio is not
SIPp's: its SDP names a UDP port of `ivr rehearse` itself, which hears the
prompts and presses the keys (rehearsal/caller.py).
"""

from __future__ import annotations

_CALLER = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="rehearsal caller">
<send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Rehearsal" <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:{caller}@[local_ip]:[local_port]
Max-Forwards: 70
{marker}Content-Type: application/sdp
Content-Length: [len]

v=0
o=rehearsal 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [local_ip]
t=0 0
m=audio {rtp_port} RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=sendrecv
]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="183" optional="true"/>
<recv response="200" rtd="true"/>
<send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Rehearsal" <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: sip:{caller}@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv request="BYE" timeout="{wait_ms}" ontimeout="give_up"/>
<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
<nop next="end"/>
<label id="give_up"/>
<send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Rehearsal" <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: sip:{caller}@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200" timeout="5000"/>
<label id="end"/>
</scenario>
"""

# The rehearsal counselor: answers at once, says nothing for `talk_ms`, hangs up.
_COUNSELOR = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="rehearsal counselor">
<recv request="INVITE" crlf="true">
<action>
<ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>
<ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="remote_contact"/>
</action>
</recv>
<send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=rehearsal 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [local_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=sendrecv
]]></send>
<recv request="ACK" crlf="true"/>
<pause milliseconds="{talk_ms}"/>
<send retrans="500"><![CDATA[
BYE [$remote_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
To: [$remote_from]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200" crlf="true"/>
</scenario>
"""


def caller(number: str, rtp_port: int, wait_seconds: float, at: str | None) -> str:
    """The synthetic citizen's call; `at` asks for another moment (X-Rehearsal-At)."""
    marker = f"X-Rehearsal-At: {at}\n" if at else ""
    return _CALLER.format(caller=number, rtp_port=rtp_port, wait_ms=int(wait_seconds * 1000), marker=marker)


def counselor(talk_seconds: float) -> str:
    return _COUNSELOR.format(talk_ms=int(talk_seconds * 1000))
