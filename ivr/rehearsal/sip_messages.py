"""SIP message texts for SIPp phones: `ivr rehearse`'s callers and counselor, the benchmark's
and the integration tests' phones (bench/sip_text.py re-exports them).

SIPp 3.6.1 substitutes no injected values inside play_pcap_audio or pause,
so scenario files are written per phone (or per load run) from these pieces.
"""

from __future__ import annotations

SDP = """v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 0 101
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=sendrecv
"""


INVITE = """<send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Citizen" <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:{caller}@[local_ip]:[local_port]
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

{sdp}
]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="183" optional="true"/>
<recv response="200" rtd="true"/>
<send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Citizen" <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: sip:{caller}@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

]]></send>
"""


BYE = """<send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Citizen" <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: sip:{caller}@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200" crlf="true"/>
"""


ANSWER_BYE = """<recv request="BYE" timeout="{timeout}"/>
<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
"""


# A phone that hangs up itself (UAS side) needs the caller's From (for its To)
# and Contact (the BYE's target) from the INVITE.
UAS_HEAD_KEEP_DIALOG = """<recv request="INVITE" crlf="true">
<action>
<ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>
<ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="remote_contact"/>
</action>
</recv>
"""


UAS_BYE = """<send retrans="500"><![CDATA[
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
"""


UAS_RINGING = """<send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
"""


UAS_ANSWER = """<send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

{sdp}
]]></send>
<recv request="ACK" optional="false" rtd="true" crlf="true"/>
"""


def scenario(name: str, body: str) -> str:
    """A whole SIPp scenario file around `body`."""
    return f'<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="{name}">\n{body}</scenario>\n'
