"""What one call records: its conversation (the bridge) and a caller's message.

A refusal never drops the call: a conversation goes on unrecorded (the
RecordingRefused says why), a message is simply not kept. Names say what
was recorded (recordings.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from ivr.ari.channels import CallChannels
from ivr.ari.recordings import CONVERSATION_PREFIX, VOICEMAIL_PREFIX
from ivr.ari.rest import AriError
from ivr.errors import PbxUnreachable, RecordingRefused

log = logging.getLogger(__name__)


class Recorder:
    """The recordings one call makes."""

    def __init__(self, channels: CallChannels) -> None:
        self.channels = channels
        self.rest = channels.rest
        self.call_id = channels.call_id
        self._conversations = 0  # recorded so far
        self._recordings: dict[str, asyncio.Future[dict[str, Any] | None]] = {}

    def on_ended(self, kind: str, event: dict[str, Any]) -> None:
        """RecordingFinished or RecordingFailed: a message being recorded is done."""
        recording = event.get("recording") or {}
        future = self._recordings.get(str(recording.get("name", "")))
        if future is not None and not future.done():
            if kind == "RecordingFailed":
                log.error("recording %s failed: %s", recording.get("name"), recording.get("cause"))
            future.set_result(recording if kind == "RecordingFinished" else None)

    async def record_conversation(self) -> str | None:
        # A second conversation in one call (the first counselor's line broke)
        # gets a name of its own: `overwrite` would destroy the first.
        self._conversations += 1
        name = f"{CONVERSATION_PREFIX}{self.call_id}"
        if self._conversations > 1:
            name += f"-{self._conversations}"
        try:
            await self.rest.post(
                f"bridges/{self.channels.bridge_id}/record", name=name, format="wav", ifExists="overwrite"
            )
        except AriError as exc:
            # A full disk or a missing folder must never drop the conversation:
            # the caller of this handles the refusal and the call goes on.
            raise RecordingRefused(name, f"Asterisk refused to record: {exc}") from exc
        return name

    async def record_message(
        self, *, max_seconds: int, silence_seconds: int, beep: bool, prefix: str = VOICEMAIL_PREFIX
    ) -> tuple[str, float] | None:
        name = f"{prefix}{self.call_id}-{uuid.uuid4().hex[:6]}"
        done: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
        self._recordings[name] = done
        try:
            await self.rest.post(
                f"channels/{self.call_id}/record",
                name=name,
                format="wav",
                maxDurationSeconds=max_seconds,
                maxSilenceSeconds=silence_seconds,
                beep=beep,
                terminateOn="#",
                ifExists="fail",
            )
        except (AriError, PbxUnreachable) as exc:
            # A full disk or a missing folder must not drop the call.
            log.warning("recording a message failed: %s", exc)
            self._recordings.pop(name, None)
            return None
        try:
            recording = await asyncio.wait_for(done, max_seconds + 10)
        except TimeoutError:
            recording = None
        finally:
            self._recordings.pop(name, None)
        if recording is None:
            return None
        return name, float(recording.get("duration") or 0)
