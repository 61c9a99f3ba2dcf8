"""Asterisk's stored recordings over ARI (RecordingSource), and their names.

`GET /recordings/stored/{name}/file` works for a remote Asterisk too, so the
service never needs to see the PBX's spool folder.
"""

from __future__ import annotations

from urllib.parse import quote

from ivr.ari.rest import AriRest
from ivr.errors import CallGone

# How the service names what it records (ivr/ari/call.py): the kind is in the name.
CONVERSATION_PREFIX = "call-"
VOICEMAIL_PREFIX = "voicemail-"


def kind_of(name: str) -> str:
    """conversation | voicemail, from a recording's name."""
    return "voicemail" if name.startswith(VOICEMAIL_PREFIX) else "conversation"


class AriRecordingSource:
    """RecordingSource on one Asterisk."""

    def __init__(self, rest: AriRest) -> None:
        self.rest = rest

    async def in_progress(self, name: str) -> bool:
        try:
            await self.rest.get(f"recordings/live/{quote(name)}")
        except CallGone:
            return False
        return True

    async def fetch(self, name: str) -> bytes:
        return await self.rest.read_bytes(f"recordings/stored/{quote(name)}/file")

    async def discard(self, name: str) -> None:
        try:
            await self.rest.delete(f"recordings/stored/{quote(name)}")
        except CallGone:
            pass  # gone already: what we wanted
