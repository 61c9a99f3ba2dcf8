"""config.yaml's `cluster:` section: Kamailio in front of several Asterisk nodes (docs/scaling.md).

Without it the hotline is one box, as always. With it, Kamailio is the SIP
front door: the carrier's trunk and the desk phones talk to it, it spreads
citizens' calls over the nodes listed here, and the nodes reach the phones
through it.
"""

from __future__ import annotations

import ipaddress
import re

from pydantic import Field, field_validator, model_validator

from ivr.config.telephony import NAME_PATTERN, Section

_HOST_PORT = re.compile(r"^(?P<host>[^\s:/]+):(?P<port>\d{1,5})$")
_ARI_URL = re.compile(r"^https?://[^/\s]+:\d{1,5}/?$")


def _concrete_address(v: str) -> str:
    try:
        address = ipaddress.ip_address(v)
    except ValueError:
        raise ValueError(f"{v!r} is not an IP address, for example 10.0.0.10") from None
    if address.is_unspecified:
        raise ValueError(f"{v!r} means every address; give the one the nodes and phones reach Kamailio at")
    return v


class NodeSettings(Section):
    """One Asterisk node: where Kamailio sends its calls, and where its ARI answers."""

    name: str
    sip: str  # host:port of the node's PJSIP UDP transport, e.g. 10.0.0.11:5060
    ari_url: str  # e.g. http://10.0.0.11:8088

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME_PATTERN.match(v):
            raise ValueError("use lowercase letters, digits, '-' or '_' (at most 32)")
        return v

    @field_validator("sip")
    @classmethod
    def _sip(cls, v: str) -> str:
        m = _HOST_PORT.match(v)
        if not m or not 1 <= int(m["port"]) <= 65535:
            raise ValueError(f"{v!r} must be the node's SIP host:port, for example 10.0.0.11:5060")
        _concrete_address(m["host"])
        return v

    @field_validator("ari_url")
    @classmethod
    def _ari(cls, v: str) -> str:
        if not _ARI_URL.match(v):
            raise ValueError(f"{v!r} must look like http://10.0.0.11:8088")
        return v.rstrip("/")

    @property
    def sip_host(self) -> str:
        return self.sip.rsplit(":", 1)[0]

    @property
    def sip_port(self) -> int:
        return int(self.sip.rsplit(":", 1)[1])


class ClusterSettings(Section):
    """Kamailio, the SIP front door, and the Asterisk nodes behind it."""

    # The address and UDP port Kamailio listens on: the carrier sends
    # citizens' calls here and desk phones register here. A concrete address:
    # the nodes reach phones through it and recognise its calls by it.
    sip_address: str = "127.0.0.1"
    sip_port: int = Field(default=5060, ge=1, le=65535)
    nodes: tuple[NodeSettings, ...]
    # How often Kamailio asks each node with OPTIONS whether it answers, and
    # how many unanswered in a row take it out of the spread (answered ones
    # bring it back).
    probe_seconds: int = Field(default=5, ge=1, le=300)
    probe_misses: int = Field(default=2, ge=1, le=20)
    # Where Kamailio's rendered configuration, pid, log and control socket
    # live (beside config.yaml unless absolute).
    run_dir: str = "var/kamailio"
    # The Kamailio program (Debian's `kamailio` package).
    kamailio: str = "/usr/sbin/kamailio"

    @field_validator("sip_address")
    @classmethod
    def _address(cls, v: str) -> str:
        return _concrete_address(v)

    @field_validator("nodes")
    @classmethod
    def _distinct(cls, nodes: tuple[NodeSettings, ...]) -> tuple[NodeSettings, ...]:
        if not nodes:
            raise ValueError("list at least one Asterisk node (name, sip, ari_url)")
        for attr in ("name", "sip", "ari_url"):
            seen: dict[str, int] = {}
            for i, node in enumerate(nodes):
                value = getattr(node, attr)
                if value in seen:
                    raise ValueError(f"[{i}].{attr} {value!r} is [{seen[value]}].{attr} too: one each")
                seen[value] = i
        return nodes

    def system_name(self, ari_url: str, instance: str) -> str:
        """The node's name (the one whose ARI is `ari_url`; else the instance's): Asterisk
        starts its channel ids with it, so no two nodes give a call the same id."""
        return next((n.name for n in self.nodes if n.ari_url == ari_url.rstrip("/")), instance)

    @model_validator(mode="after")
    def _front_is_not_a_node(self) -> ClusterSettings:
        front = f"{self.sip_address}:{self.sip_port}"
        for i, node in enumerate(self.nodes):
            if node.sip == front:
                raise ValueError(f"nodes[{i}].sip {front} is Kamailio's own sip_address:sip_port")
        return self
