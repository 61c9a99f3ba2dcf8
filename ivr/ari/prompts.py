"""What the caller hears and keys: prompts, hold music, announcements into
the conversation, and the digits they press.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from ivr.ari.channels import CallChannels
from ivr.ari.legs import digit_of
from ivr.ari.rest import REQUEST_ERRORS
from ivr.errors import CallGone

log = logging.getLogger(__name__)
# How long a prompt asked for may take to start (it starts within milliseconds
# even under load; see Prompts._start_playback).
PLAYBACK_START_SECONDS = 5.0


class Prompts:
    """The caller's prompts and digits, for one call."""

    def __init__(self, channels: CallChannels, language: str) -> None:
        self.channels = channels
        self.rest = channels.rest
        self.call_id = channels.call_id
        self.language = language
        self._digits: asyncio.Queue[str] = asyncio.Queue()
        self._playbacks: dict[str, asyncio.Future[None]] = {}
        self._starting: dict[str, asyncio.Future[None]] = {}  # asked for, not yet PlaybackStarted
        self._stops: set[asyncio.Future[None]] = set()  # prompts cut by a key, being stopped

    # -- events ------------------------------------------------------------
    def on_key(self, event: dict[str, Any]) -> None:
        digit = digit_of(event)
        if digit is not None:
            self._digits.put_nowait(digit)

    def on_started(self, event: dict[str, Any]) -> None:
        started = self._starting.get(str((event.get("playback") or {}).get("id", "")))
        if started is not None and not started.done():
            started.set_result(None)

    def on_finished(self, event: dict[str, Any]) -> None:
        playback = event.get("playback") or {}
        if playback.get("state") == "failed" and not (self.channels.hanging_up or self.channels.gone.done()):
            # The caller heard nothing: a prompt file is missing on the PBX.
            # (A prompt cut by the caller's hangup "fails" too: no error then.)
            log.error("prompt could not be played (is it published?): %s", playback.get("media_uri"))
        future = self._playbacks.pop(playback.get("id", ""), None)
        if future is not None and not future.done():
            future.set_result(None)

    # -- to the caller -----------------------------------------------------
    async def play(self, prompts: Sequence[str], *, barge_in: bool = True) -> str | None:
        if barge_in and not self._digits.empty():
            return self._digits.get_nowait()
        # A name with a scheme (recording:<name>, a stored recording) is played as it is.
        media = ",".join(p if ":" in p else f"sound:{p}" for p in prompts)
        log.debug("playing %s", media)
        playback_id, done = await self._start_playback(media)
        try:
            if not barge_in:
                # Shielded: a cancel (hangup, or a counselor's answer cutting
                # the queue's entry prompt) must leave `done` pending, so the
                # finally below stops the playback. Unstopped, it played on,
                # and Asterisk ran the bridge's addChannel only after the
                # whole prompt: the caller met the counselor seconds late.
                await asyncio.shield(done)
                self._still_here()
                return None
            digit_task = asyncio.ensure_future(self._digits.get())
            waiting: set[asyncio.Future[Any]] = {done, digit_task}
            try:
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if not digit_task.done():
                    digit_task.cancel()
            if digit_task.done() and not digit_task.cancelled():
                self._stop_behind(playback_id, done)
                return digit_task.result()
            self._still_here()
            return None
        finally:
            self._playbacks.pop(playback_id, None)
            if not done.done():
                # Cancelled mid-prompt (hangup, or the service is stopping):
                # stop it, or a later command on the channel would wait for
                # the whole prompt to finish first.
                done.cancel()
                with contextlib.suppress(*REQUEST_ERRORS):
                    await self.rest.delete(f"playbacks/{playback_id}")

    async def _start_playback(self, media: str) -> tuple[str, asyncio.Future[None]]:
        """Ask for a prompt and see it start; once more if it does not.

        Under load the goodbye after a counselor hung up (asked for just as
        the caller's channel leaves the conversation bridge we tear down)
        sometimes got neither PlaybackStarted nor PlaybackFinished from
        Asterisk, and the caller waited in silence until they hung up (load
        benchmark, 6 of 70 calls; the bridge departure is our reading of it,
        not confirmed in Asterisk's source). A prompt that has not started in PLAYBACK_START_SECONDS is
        cancelled and asked for again; if that does not start either, it is
        skipped, and the call goes on."""
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            playback_id = f"{self.call_id}-p{uuid.uuid4().hex[:8]}"
            done: asyncio.Future[None] = loop.create_future()
            started: asyncio.Future[None] = loop.create_future()
            self._playbacks[playback_id] = done
            self._starting[playback_id] = started
            try:
                await self.rest.post(
                    f"channels/{self.call_id}/play/{playback_id}", media=media, lang=self.language
                )
                await asyncio.wait(
                    {started, done}, timeout=PLAYBACK_START_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
            except BaseException:
                self._playbacks.pop(playback_id, None)
                # Cancelled as it starts (a counselor answered at once): the
                # PBX may have taken the request; a playback left running would
                # hold the bridge's addChannel back until its end.
                with contextlib.suppress(*REQUEST_ERRORS):
                    await self.rest.delete(f"playbacks/{playback_id}")
                raise
            finally:
                self._starting.pop(playback_id, None)
            if started.done() or done.done():
                return playback_id, done
            self._playbacks.pop(playback_id, None)
            log.warning(
                "prompt %s did not start in %.0f s (try %d): %s",
                playback_id,
                PLAYBACK_START_SECONDS,
                attempt,
                media,
            )
            with contextlib.suppress(*REQUEST_ERRORS):
                await self.rest.delete(f"playbacks/{playback_id}")
            self._still_here()
        log.error("prompt never started; going on without it: %s", media)
        skipped: asyncio.Future[None] = loop.create_future()
        skipped.set_result(None)
        return f"{self.call_id}-skipped", skipped

    def _still_here(self) -> None:
        if self.channels.hanging_up:
            raise CallGone(f"{self.call_id} hung up during a prompt")

    def _stop_behind(self, playback_id: str, done: asyncio.Future[None]) -> None:
        """Stop the prompt the caller cut short with a key, without waiting
        for Asterisk's answer. The next prompt is queued on the channel behind
        this one and starts the moment the stop lands, in whichever order the
        two requests arrive: DELETE /playbacks does not wait in the channel's
        queue (res_stasis_playback.c queues a stop frame). Waiting for the
        stop's answer first put one more round trip between the key and the
        next menu (5-6 ms at 5 calls a second, against app_queue's 0.5)."""
        if done.done():
            return
        done.cancel()
        stop = asyncio.ensure_future(self._stop(playback_id))
        self._stops.add(stop)
        stop.add_done_callback(self._stops.discard)

    async def _stop(self, playback_id: str) -> None:
        try:
            await self.rest.delete(f"playbacks/{playback_id}")
        except CallGone:
            pass  # the caller hung up, or the prompt had just ended
        except REQUEST_ERRORS as exc:
            # The next prompt then starts when this one ends.
            log.warning("could not stop prompt %s: %s", playback_id, exc)

    async def read_digit(self, timeout: float) -> str | None:
        # Not asyncio.wait_for: on Python 3.11 it swallows the call's cancellation
        # (the caller hanging up) when a key lands in the same moment (gh-86296).
        # A key pressed just as the wait runs out stays queued for the next read:
        # Queue.get takes an item only once it resumes, never when cancelled.
        try:
            async with asyncio.timeout(timeout):
                return await self._digits.get()
        except TimeoutError:
            return None

    def discard_digits(self) -> None:
        while not self._digits.empty():
            self._digits.get_nowait()

    async def hold(self, on: bool) -> None:
        if on:
            await self.rest.post(f"channels/{self.call_id}/moh", mohClass="default")
        else:
            with contextlib.suppress(CallGone):
                await self.rest.delete(f"channels/{self.call_id}/moh")

    # -- into the conversation ---------------------------------------------
    async def announce(self, prompts: Sequence[str], language: str) -> None:
        playback_id = f"{self.call_id}-a{uuid.uuid4().hex[:8]}"
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._playbacks[playback_id] = done
        media = ",".join(f"sound:{p}" for p in prompts)
        try:
            # Played to the bridge, not the caller's channel: the counselor
            # hears what the caller is told, and the recording keeps it.
            await self.rest.post(
                f"bridges/{self.channels.bridge_id}/play/{playback_id}", media=media, lang=language
            )
            # A lost PlaybackFinished must not hold the conversation forever.
            async with asyncio.timeout(120):  # not wait_for: it can swallow a cancel (3.11)
                await asyncio.shield(done)
        except TimeoutError:
            log.warning("no end of announcement %s after 120 s", playback_id)
        finally:
            self._playbacks.pop(playback_id, None)
