"""What Asterisk says of its SIP endpoints: whether a desk phone is registered."""

from __future__ import annotations

from ivr.ari.rest import AriRest


async def endpoint_states(rest: AriRest) -> dict[str, str]:
    """Every PJSIP endpoint's state, by name: `online` (registered, or a fixed address that
    answers), `offline` (not registered, or unreachable) or `unknown` (GET /endpoints/PJSIP)."""
    found = await rest.get("endpoints/PJSIP")
    return {
        str(e["resource"]): str(e.get("state") or "unknown")
        for e in found or []
        if isinstance(e, dict) and e.get("resource")
    }
