"""The desk phones config.yaml names, and the SIP account a phone that registers is set up with.

Counselors', supervisors' and departments' phones each have a PJSIP endpoint
(dialplan/pjsip.conf.j2). One with a fixed `contact` is called at that address
and never registers; any other REGISTERs as its endpoint name with a generated
password (secrets.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ivr.ari.phone_targets import browser_endpoint
from ivr.config import Settings

Kind = Literal["counselor", "supervisor", "department"]
TRANSPORT = "UDP"  # the one transport pjsip.conf.j2 binds
# Bound to these, Asterisk listens on every address: no single one to give a phone.
EVERY_ADDRESS = ("0.0.0.0", "::", "[::]")


@dataclass(frozen=True)
class Phone:
    """One desk phone: who it belongs to (id and name as config.yaml has them) and its endpoint."""

    id: str
    name: str
    kind: Kind
    endpoint: str
    contact: str | None

    @property
    def registers(self) -> bool:
        """A phone without a fixed address REGISTERs, with a password."""
        return self.contact is None


def desk_phones(settings: Settings) -> list[Phone]:
    """Every phone in config.yaml: counselors', then supervisors', then departments'."""
    phones = [Phone(c.id, c.name, "counselor", c.endpoint, c.contact) for c in settings.counselors]
    phones += [Phone(v.id, v.name, "supervisor", v.endpoint, v.contact) for v in settings.supervisors]
    phones += [
        Phone(key, d.name, "department", d.endpoint, d.contact) for key, d in settings.departments.items()
    ]
    return phones


def browser_phones(settings: Settings) -> list[Phone]:
    """The browser softphones config.yaml asks for (`phones: [browser]`), each its own endpoint."""
    counselor: Kind = "counselor"
    supervisor: Kind = "supervisor"
    kinds = [counselor] * len(settings.counselors) + [supervisor] * len(settings.supervisors)
    people = zip((*settings.counselors, *settings.supervisors), kinds, strict=True)
    return [
        Phone(p.id, p.name, kind, browser_endpoint(p.endpoint), None)
        for p, kind in people
        if "browser" in p.phones
    ]


@dataclass(frozen=True)
class Account:
    """What a softphone or desk phone is configured with to register as `phone`."""

    phone: Phone
    host: str  # the SIP server as a phone on the network reaches it
    port: int
    password: str
    # Set when `host` is only a guess (Asterisk listens on every address).
    host_note: str | None = None

    @property
    def user(self) -> str:
        """The user name, which is also the authentication user (pjsip.conf.j2's auth)."""
        return self.phone.endpoint

    @property
    def transport(self) -> str:
        return TRANSPORT

    @property
    def baresip(self) -> str:
        """One line of baresip's `accounts` file (its docs/examples/accounts syntax)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        uri = f"sip:{self.user}@{host}:{self.port};transport={self.transport.lower()}"
        return f"<{uri}>;auth_pass={self.password}"


def account(settings: Settings, phone: Phone, password: str, hostname: str) -> Account:
    """The account of a phone that registers; `hostname`: this machine's, for an Asterisk on every address."""
    a = settings.asterisk
    if settings.cluster is not None:
        # Behind Kamailio the phone registers with it, not with a node (docs/scaling.md).
        return Account(phone, settings.cluster.sip_address, settings.cluster.sip_port, password)
    if a.sip_address in EVERY_ADDRESS:
        note = (
            f"Asterisk가 모든 주소({a.sip_address})에서 받으므로 이 컴퓨터의 이름을 적었습니다. 전화기가 "
            "이 이름을 찾지 못하면 전화기 쪽 네트워크에서 쓰는 이 컴퓨터의 주소를 넣어 주십시오. · "
            f"Asterisk listens on every address ({a.sip_address}): this machine's name is shown; "
            "if the phone cannot resolve it, use this machine's address on the phones' network."
        )
        return Account(phone, hostname, a.sip_port, password, note)
    return Account(phone, a.sip_address, a.sip_port, password)
