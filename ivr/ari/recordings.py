"""Asterisk's recordings once started: their names, what becomes of them (told
to the RecordingLog), and their stored files (RecordingSource).

`GET /recordings/stored/{name}/file` works for a remote Asterisk too, so the
service never needs to see the PBX's spool folder.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ivr.ari.channels import owner_of
from ivr.ari.rest import REQUEST_ERRORS, AriRest
from ivr.errors import CallGone
from ivr.ports import RecordingLog, RecordingSource

if TYPE_CHECKING:
    from ivr.ari.call import AriCall

log = logging.getLogger(__name__)

# How the service names what it records (ivr/ari/recorder.py): the kind is in the name.
CONVERSATION_PREFIX = "call-"
VOICEMAIL_PREFIX = "voicemail-"
PROMPT_PREFIX = "prompt-"  # a prompt recorded on a desk phone: the studio's, not the copier's


def kind_of(name: str) -> str:
    """conversation | voicemail, from a recording's name."""
    return "voicemail" if name.startswith(VOICEMAIL_PREFIX) else "conversation"


class RecordingEvents:
    """Tells the RecordingLog of every recording's start, end or failure, as
    Asterisk's events (or a talk bridge's end) say."""

    def __init__(self, calls: Mapping[str, AriCall], recording_log: RecordingLog | None) -> None:
        self.calls = calls
        self.recording_log = recording_log
        self._bridges: dict[str, str] = {}  # talk bridge -> its unfinished recording

    def on_event(self, kind: str, call_id: str, recording: dict[str, Any]) -> None:
        """A Recording* event of the call `call_id` (over or not)."""
        name = str(recording.get("name") or "")
        if self.recording_log is None or not name or name.startswith(PROMPT_PREFIX):
            return
        what = kind_of(name)
        seconds = recording.get("duration")
        seconds = (
            float(seconds) if isinstance(seconds, int | float) and not isinstance(seconds, bool) else None
        )
        log.info("%s %s (%s, %s s)", kind, name, recording.get("state"), seconds)
        target = str(recording.get("target_uri", ""))
        bridge = target.removeprefix("bridge:") if target.startswith("bridge:") else None
        if bridge is not None and kind == "RecordingStarted":
            self._bridges[bridge] = name
            if len(self._bridges) > 512:  # ends missed while disconnected: the sweep has them
                self._bridges.pop(next(iter(self._bridges)))
        elif bridge is not None:
            self._bridges.pop(bridge, None)
        if kind == "RecordingStarted":
            self.recording_log.started(call_id, what, name)
        elif kind == "RecordingFinished":
            # Asterisk ends a recording whose disk filled up as if all went
            # well (RecordingFinished, the file just stops): one that ends
            # while the conversation goes on was cut short.
            call = self.calls.get(call_id)
            cut_short = what == "conversation" and call is not None and call.in_conversation()
            self.recording_log.finished(call_id, what, name, cut_short)
        elif kind == "RecordingFailed":
            cause = recording.get("cause") or "Asterisk gave no cause"
            self.recording_log.failed(call_id, what, name, f"Asterisk could not record: {cause}")

    def bridge_gone(self, bridge_id: str) -> None:
        """A talk bridge's recording ends with the bridge. Asterisk 22 does not
        always say so: its Recorder channel's events reach us through a forward
        to the bridge's topic (res/ari/resource_bridges.c), and when both sides
        leave at once the bridge and that forward can go before
        RecordingFinished is published: it is never sent. Without this the copy waited for the minute's
        sweep; the copier asks Asterisk whether it is still live first, so a
        RecordingFinished that does come later changes nothing."""
        name = self._bridges.pop(bridge_id, None)
        if name is None or self.recording_log is None:
            return
        log.info("talk bridge %s gone: recording %s ended with it", bridge_id, name)
        self.recording_log.finished(owner_of(bridge_id.removesuffix("-talk")), kind_of(name), name)


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


class NodesRecordingSource:
    """RecordingSource over several nodes (nodes.py): a recording is on the node
    where its call was, asked of each in turn; only a file that no node has is
    missing, and an unreachable node's error is raised (asked again later)."""

    def __init__(self, sources: Sequence[RecordingSource]) -> None:
        self.sources = sources
        self._holder: dict[str, RecordingSource] = {}

    async def in_progress(self, name: str) -> bool:
        for source in self.sources:
            with contextlib.suppress(*REQUEST_ERRORS):
                if await source.in_progress(name):
                    return True
        return False

    async def fetch(self, name: str) -> bytes:
        error: Exception | None = None
        for source in self.sources:
            try:
                data = await source.fetch(name)
            except CallGone as exc:
                error = error or exc
                continue
            except REQUEST_ERRORS as exc:
                error = exc  # that node may hold it: not "missing"
                continue
            self._holder[name] = source
            return data
        assert error is not None
        raise error

    async def discard(self, name: str) -> None:
        holder = self._holder.pop(name, None)
        if holder is not None:
            await holder.discard(name)
