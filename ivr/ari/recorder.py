"""What one call records: its conversation and a caller's message.

A conversation is recorded from a snoop on the caller's channel (`X-r<n>`,
spy both ways: what the caller hears, the counselor and anything played to
the bridge, and what they say), not with `POST /bridges/{id}/record`. That
one pushes a Recorder channel into the conversation bridge, synchronously,
turning a two-party bridge into a softmix bridge with a mixing thread per
call (res/ari/resource_bridges.c, main/bridge_channel.c); the snoop leaves it
a simple two-party bridge, as app_queue's MixMonitor does, and its recording
blocks only the snoop's own Stasis thread. The recording itself is ARI's
as before: the same names, events (RecordingStarted/Finished/Failed, a full
disk ending it early), refusals and stored files, so the copy, its checks and
retention see no difference.

A refusal never drops the call: a conversation goes on unrecorded (the
RecordingRefused says why), a message is simply not kept. Names say what
was recorded (recordings.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from ivr.ari.channels import RECORDING_TAP, CallChannels, hang_up_quietly
from ivr.ari.recordings import CONVERSATION_PREFIX, VOICEMAIL_PREFIX
from ivr.ari.rest import AriError
from ivr.errors import CallGone, PbxUnreachable, RecordingRefused

log = logging.getLogger(__name__)
TAP_START_SECONDS = 5.0  # at most, for the snoop to enter Stasis (it does in milliseconds)


class Recorder:
    """The recordings one call makes."""

    def __init__(self, channels: CallChannels) -> None:
        self.channels = channels
        self.rest = channels.rest
        self.call_id = channels.call_id
        self._conversations = 0  # recorded so far
        self._recordings: dict[str, asyncio.Future[dict[str, Any] | None]] = {}
        self._taps: dict[str, asyncio.Future[None]] = {}  # snoop -> its StasisStart

    def owns(self, channel_id: str) -> bool:
        """Whether a channel is one of this call's recording snoops."""
        return channel_id in self._taps

    def adopt(self, channel_id: str) -> None:
        """A recording snoop found alive after a restart of the service: its
        conversation goes on, and so does its recording, until the release."""
        started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        started.set_result(None)
        self._taps[channel_id] = started

    def on_tap_event(self, event: dict[str, Any]) -> None:
        """An event of a recording snoop's channel."""
        channel_id = str((event.get("channel") or {}).get("id", ""))
        started = self._taps.get(channel_id)
        if started is None or started.done():
            return
        if event["type"] == "StasisStart":
            started.set_result(None)
        elif event["type"] in ("StasisEnd", "ChannelDestroyed"):
            started.set_exception(CallGone(f"recording snoop {channel_id} ended before it started"))

    async def stop_conversation(self) -> None:
        """End the conversation's recording (the snoop's hangup finishes it)."""
        for channel_id in list(self._taps):
            self._taps.pop(channel_id, None)
            await hang_up_quietly(self.rest, channel_id)

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
        tap = f"{self.call_id}{RECORDING_TAP}{self._conversations}"
        started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._taps[tap] = started
        try:
            await self.rest.post(
                f"channels/{self.call_id}/snoop",
                spy="both",
                whisper="none",
                app=self.channels.app,
                appArgs="recording",
                snoopId=tap,
            )
            # Its control exists once it is in Stasis: a record asked for sooner is "not found".
            # Not asyncio.wait_for: on Python 3.11 it swallows the call's cancellation (the
            # caller hanging up) when the snoop's StasisStart lands in the same moment, and
            # the call then waits forever with its record open (gh-86296); timeout() does not.
            async with asyncio.timeout(TAP_START_SECONDS):
                await asyncio.shield(started)
            await self.rest.post(f"channels/{tap}/record", name=name, format="wav", ifExists="overwrite")
        except (AriError, CallGone, TimeoutError) as exc:
            self._taps.pop(tap, None)
            await hang_up_quietly(self.rest, tap)
            if isinstance(exc, CallGone) and (self.channels.hanging_up or self.channels.gone.done()):
                raise  # the caller hung up meanwhile: nothing to record, nothing failed
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
            # Not wait_for: a caller hanging up ends the recording too, and on 3.11
            # RecordingFinished in the same moment would swallow the call's cancellation.
            async with asyncio.timeout(max_seconds + 10):
                recording = await done
        except TimeoutError:
            recording = None
        finally:
            self._recordings.pop(name, None)
        if recording is None:
            return None
        return name, float(recording.get("duration") or 0)
