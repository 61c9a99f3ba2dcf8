"""A caller hanging up just as the conversation's recording snoop enters Stasis
cancels the call: the cancellation must reach the call, never be swallowed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from ivr.ari.recorder import Recorder


@dataclass
class Rest:
    """Asterisk's REST as the recorder uses it: the snoop is created, the record asked for."""

    posted: list[str] = field(default_factory=list)
    snooped: asyncio.Event = field(default_factory=asyncio.Event)

    async def post(self, path: str, **_: Any) -> dict[str, Any]:
        self.posted.append(path)
        if path.endswith("/snoop"):
            self.snooped.set()
        return {}

    async def delete(self, path: str, **_: Any) -> None:
        self.posted.append(f"DELETE {path}")


@dataclass
class Channels:
    rest: Rest
    call_id: str = "c1"
    app: str = "hotline"
    hanging_up: bool = False
    gone: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


async def test_a_hangup_in_the_same_moment_as_the_snoops_start_cancels_the_call() -> None:
    rest = Rest()
    recorder = Recorder(Channels(rest))  # type: ignore[arg-type]
    call = asyncio.ensure_future(recorder.record_conversation())
    await rest.snooped.wait()
    # The snoop's StasisStart and the caller's hangup (the call cancelled) in one moment.
    recorder.on_tap_event({"type": "StasisStart", "channel": {"id": "c1-r1"}})
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert "channels/c1-r1/record" not in rest.posted  # nothing recorded for a call that is gone
