"""What a caller in line hears: the queue's entry prompt, then hold music or
the position announcements, and never a moment of silence.

The caller is in line (and offered to a free counselor) from the moment they
chose to talk to a person: the entry prompt plays while a counselor's phone
already rings. The counselor's answer cuts the prompt short; a prompt that
ends before anyone answered gives way to hold music at once. Before this, the
prompt played to its end first and a free counselor's phone rang ~6 s after
the caller's menu choice (issue 16).
"""

from __future__ import annotations

import asyncio
import contextlib

from ivr.flows.run import FlowRun


class LineSound:
    """The entry prompt (playing on its own task) and the hold music of one caller in line."""

    def __init__(self, run: FlowRun) -> None:
        self.run = run
        self.held = False
        self._opening: asyncio.Future[str | None] | None = None
        self._music: asyncio.Future[None] | None = None

    def open(self, prompt: str | None) -> None:
        """Start the entry prompt; the caller is in line meanwhile."""
        if prompt:
            self._opening = asyncio.ensure_future(self.run.say([prompt]))

    @property
    def opening(self) -> bool:
        """The entry prompt is still playing."""
        return self._opening is not None and not self._opening.done()

    async def hold(self) -> None:
        if not self.held:
            self.held = True  # before the request: a cancel during it still turns the music off
            await self.run.call.hold(True)

    async def unhold(self) -> None:
        if self.held:
            self.held = False
            await self.run.call.hold(False)

    async def opening_ended(self) -> None:
        """Return when the entry prompt has ended (a hangup during it raises here)."""
        if self._opening is not None:
            await asyncio.wait({self._opening})
            self._opening.result()

    def music_when_opening_ends(self) -> None:
        """While a phone rings: hold music the moment the entry prompt ends
        (at once if it has ended already)."""
        if self._music is None and not self.held:
            self._music = asyncio.ensure_future(self._then_music())

    async def _then_music(self) -> None:
        await self.opening_ended()
        await self.hold()

    async def ring_over(self) -> None:
        """The ring ended unanswered: the entry prompt (if still on) plays on;
        the music waits for the next ring or the line's own wait."""
        await self._cancel_music()

    async def stop_opening(self) -> bool:
        """A counselor answered: cut the entry prompt short. True when it was still playing."""
        await self._cancel_music()
        if not self.opening:
            return False
        assert self._opening is not None
        self._opening.cancel()  # Prompts.play stops the playback on the PBX before it returns
        with contextlib.suppress(asyncio.CancelledError):
            await self._opening
        return True

    async def close(self) -> None:
        """The caller leaves the line (or hung up): no task outlives it."""
        await self._cancel_music()
        if self._opening is not None and not self._opening.done():
            self._opening.cancel()
        if self._opening is not None:
            # Retrieved here so a hangup during the prompt is no stray task error.
            await asyncio.gather(self._opening, return_exceptions=True)

    async def _cancel_music(self) -> None:
        music, self._music = self._music, None
        if music is None:
            return
        music.cancel()
        # A hangup during the prompt or the music's start: the call's own
        # cancellation tells the line; nothing to report from here.
        await asyncio.gather(music, return_exceptions=True)
