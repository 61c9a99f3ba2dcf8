"""Which SIP endpoints ring for a counselor: the desk phone, the browser's softphone, or both.

A counselor's browser softphone registers as its own PJSIP endpoint, the desk
phone's name with `-web` after it (a WebRTC endpoint: pjsip.conf.j2). With
both, one originate cannot ring two endpoints (ARI's POST /channels takes one
endpoint), so the leg is a Local channel into a dialplan context whose Dial()
rings both and keeps the first to answer (extensions.conf.j2, BOTH_CONTEXT).
`/n` keeps the Local channel in the bridge: optimised away, its leg would
leave Stasis and look like a hang-up (core_local.c, local_call / optimization).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

BROWSER_SUFFIX = "-web"
BOTH_CONTEXT = "counselor-both-phones"
# Set (inherited: `__`) on a Local leg, so the phone Dial() bridges to it names
# its call in ARI's channelvars (ari.conf.j2): its hold is the counselor's.
CALL_VARIABLE = "HOTLINE_CALL"


def browser_endpoint(endpoint: str) -> str:
    """The PJSIP endpoint a phone's browser softphone registers as."""
    return f"{endpoint}{BROWSER_SUFFIX}"


def endpoints(endpoint: str, phones: Iterable[str]) -> tuple[str, ...]:
    """The PJSIP endpoints that ring for a phone configured with `phones` (desk, browser)."""
    wanted = set(phones)
    found = [endpoint] if "desk" in wanted else []
    return (*found, browser_endpoint(endpoint)) if "browser" in wanted else tuple(found)


def supervisor_rings(endpoint: str, phones: Iterable[str]) -> str:
    """The endpoint a supervisor's wallboard buttons ring: their browser softphone when they have
    one (the page they pressed the button on), else their desk phone."""
    return endpoints(endpoint, phones)[-1] if phones else endpoint


class Person(Protocol):
    """A counselor's or supervisor's entry in config.yaml, as far as their phones go."""

    @property
    def id(self) -> str: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def phones(self) -> Iterable[str]: ...


def owners(people: Iterable[Person]) -> dict[str, str]:
    """Each endpoint that rings for someone (desk and browser) -> their id: a feature code keyed
    on either phone names them."""
    return {ep: p.id for p in people for ep in endpoints(p.endpoint, p.phones)}


def ring(supervisor: Person) -> str:
    """The endpoint that supervisor's wallboard buttons ring (supervisor_rings)."""
    return supervisor_rings(supervisor.endpoint, supervisor.phones)


def through_local(target: str) -> bool:
    """Whether a dial target rings through a Local channel (desk and browser together)."""
    return target.startswith("Local/")


def dial_target(endpoint: str, rings: Mapping[str, tuple[str, ...]]) -> str:
    """What ARI originates to ring `endpoint`'s counselor (`rings`: endpoint -> endpoints rung)."""
    ringing = rings.get(endpoint, (endpoint,))
    if len(ringing) == 1:
        return f"PJSIP/{ringing[0]}"
    return f"Local/{endpoint}@{BOTH_CONTEXT}/n"
