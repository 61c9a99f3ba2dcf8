"""The benchmark's own ports and addresses, moved as a block by an offset.

Nothing here meets the hotline (SIP 5060, ARI 8088, web 8080, RTP 10000-10999)
or the integration tests (15060+offset, 18088+offset, 18080+offset, 15038+offset,
RTP 21000-22999, SIPp 5071+ and 36000+). With offset O (a multiple of 10
from 0 to 230, HOTLINE_BENCH_OFFSET or --offset; Asterisk's 2,000 RTP ports
per offset end at 65535 there):
SIP 16060+O, ARI 19088+O, web 19080+O, AMI 16038+O, citizens' SIPp 17060+O
(media 47000+10*O), every counselor's phone on 127.0.3.2:6071+O (media 47050+10*O),
Asterisk RTP 40000+100*O to 40000+100*O+1999.

With two Asterisk nodes behind Kamailio (`--nodes 2`) the second node and
Kamailio take ports no offset uses: each offset owns the ten ports from its
SIP, ARI and AMI port on (the next offset starts ten higher), of which one
node alone uses the first. Node b: SIP 16061+O, ARI 19089+O, AMI 16039+O;
Kamailio 16062+O. The nodes share the offset's RTP block, half each (node a
the lower, node b the upper), so MAX_OFFSET's rule holds for both.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_OFFSET = 230  # RTP 40000+100*O .. +1999 stays within 65535


@dataclass(frozen=True)
class Ports:
    """Every port the benchmark uses, for one offset and counselor pool size."""

    offset: int = 0
    counselors: int = 11
    nodes: int = 1  # Asterisk nodes; two stand behind Kamailio

    def __post_init__(self) -> None:
        if self.nodes not in (1, 2):
            raise ValueError(f"--nodes must be 1 or 2, not {self.nodes}")
        if self.offset < 0 or self.offset > MAX_OFFSET or self.offset % 10:
            raise ValueError(
                f"--offset must be a multiple of 10 from 0 to {MAX_OFFSET}, not {self.offset}"
                " (above it Asterisk's RTP ports would pass 65535)"
            )
        if not 1 <= self.counselors <= 200:
            raise ValueError(f"--counselors must be 1 to 200, not {self.counselors}")

    @property
    def sip(self) -> int:
        """Node a's SIP port (the only node's, with one)."""
        return self.node(0).sip

    @property
    def ari(self) -> int:
        return self.node(0).ari

    @property
    def web(self) -> int:
        return 19080 + self.offset

    @property
    def ami(self) -> int:
        return self.node(0).ami

    @property
    def front(self) -> int:
        """Kamailio's SIP port (with two nodes)."""
        return 16062 + self.offset

    @property
    def entry(self) -> int:
        """Where citizens call: Kamailio in front of two nodes, else the one node."""
        return self.front if self.nodes > 1 else self.sip

    def node(self, i: int) -> NodePorts:
        """Node i's (0-based) ports: node a's are the one node's of old."""
        if not 0 <= i < self.nodes:
            raise ValueError(f"node {i} of {self.nodes}")
        share = len(self.rtp_block) // self.nodes
        start = self.rtp_block.start + i * share
        return NodePorts(16060 + self.offset + i, 19088 + self.offset + i, 16038 + self.offset + i,
                         range(start, start + share))  # fmt: skip

    @property
    def citizens(self) -> int:
        return 17060 + self.offset

    @property
    def citizens_media(self) -> int:
        return 47000 + 10 * self.offset

    @property
    def rtp(self) -> range:
        """Node a's RTP ports (the whole block with one node)."""
        return self.node(0).rtp

    @property
    def rtp_block(self) -> range:
        """The offset's RTP ports, every node's."""
        start = 40000 + 100 * self.offset
        return range(start, start + 2000)

    @property
    def counselor_phones(self) -> tuple[str, int, int]:
        """The one SIPp process that answers for every counselor: its address,
        SIP port and media port. (One process per phone would not do: an idle
        SIPp 3.6.1 polls at about 1.6 % of a core, so 180 phones took a 2-core
        machine.)"""
        return "127.0.3.2", 6071 + self.offset, 47050 + 10 * self.offset

    def counselor_contact(self, i: int) -> str:
        """Counselor i's (0-based) phone: a user of its own on the shared SIPp."""
        host, port, _media = self.counselor_phones
        return f"sip:{counselor_user(i)}@{host}:{port}"


@dataclass(frozen=True)
class NodePorts:
    """One Asterisk node's ports."""

    sip: int
    ari: int
    ami: int
    rtp: range


def counselor_user(i: int) -> str:
    """The Request-URI user by which the benchmark tells counselor i's rings apart."""
    return f"c{i + 1}"
