"""The benchmark's own ports and addresses, moved as a block by an offset.

Nothing here meets the hotline (SIP 5060, ARI 8088, web 8080, RTP 10000-10999)
or the integration tests (15060+offset, 18088+offset, 18080+offset, 15038+offset,
RTP 21000-22999, SIPp 5071+ and 36000+). With offset O (a multiple of 10
from 0 to 230, HOTLINE_BENCH_OFFSET or --offset; Asterisk's 2,000 RTP ports
per offset end at 65535 there):
SIP 16060+O, ARI 19088+O, web 19080+O, AMI 16038+O, citizens' SIPp 17060+O
(media 47000+10*O), every counselor's phone on 127.0.3.2:6071+O (media 47050+10*O),
Asterisk RTP 40000+100*O to 40000+100*O+1999.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_OFFSET = 230  # RTP 40000+100*O .. +1999 stays within 65535


@dataclass(frozen=True)
class Ports:
    """Every port the benchmark uses, for one offset and counselor pool size."""

    offset: int = 0
    counselors: int = 11

    def __post_init__(self) -> None:
        if self.offset < 0 or self.offset > MAX_OFFSET or self.offset % 10:
            raise ValueError(
                f"--offset must be a multiple of 10 from 0 to {MAX_OFFSET}, not {self.offset}"
                " (above it Asterisk's RTP ports would pass 65535)"
            )
        if not 1 <= self.counselors <= 200:
            raise ValueError(f"--counselors must be 1 to 200, not {self.counselors}")

    @property
    def sip(self) -> int:
        return 16060 + self.offset

    @property
    def ari(self) -> int:
        return 19088 + self.offset

    @property
    def web(self) -> int:
        return 19080 + self.offset

    @property
    def ami(self) -> int:
        return 16038 + self.offset

    @property
    def citizens(self) -> int:
        return 17060 + self.offset

    @property
    def citizens_media(self) -> int:
        return 47000 + 10 * self.offset

    @property
    def rtp(self) -> range:
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


def counselor_user(i: int) -> str:
    """The Request-URI user by which the benchmark tells counselor i's rings apart."""
    return f"c{i + 1}"
