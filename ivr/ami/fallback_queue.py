"""Asterisk's fallback queue, kept in step with the counselors over AMI.

When the service is down the dialplan puts callers into app_queue's
`hotline-fallback` queue, so its members must already be right: every
change of a counselor's state that changes their membership (members.py)
becomes AMI actions at once, and after every (re)connect the whole table is
sent again. The actions are idempotent, so the order panoramisk re-sends
unanswered ones in after a reconnect does no harm: the full table follows
them on the same connection, and AMI runs one session's actions in order.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from panoramisk import Manager

from ivr.acd.dispatcher import Dispatcher
from ivr.ami.members import (
    ALREADY_SO,
    FALLBACK_QUEUE,
    Membership,
    actions_for,
    changed,
    membership,
    remove,
    strangers,
)

log = logging.getLogger(__name__)
# panoramisk says "Not able to reconnect" every few seconds while Asterisk is
# down; our own log says what matters.
_wire_log = logging.getLogger("ivr.ami.wire")
_wire_log.setLevel(logging.ERROR)


class _Manager(Manager):
    """panoramisk's Manager that stops reconnecting once closed."""

    closing = False

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        if self.closing:
            return None
        return super().connect(*args, **kwargs)


class FallbackQueue:
    """Keeps app_queue's members equal to the logged-in counselors."""

    def __init__(
        self,
        acd: Dispatcher,
        *,
        host: str,
        port: int,
        username: str,
        secret: str,
        reconnect_seconds: int = 2,
    ) -> None:
        self.acd = acd
        self._config = {
            "host": host,
            "port": port,
            "username": username,
            "secret": secret,
            "reconnect_timeout": reconnect_seconds,
            "ping_delay": 10,
            "ping_interval": 10,
            "events": "system",  # FullyBooted, Shutdown: nothing else is needed
            "log": _wire_log,
        }
        self._manager: _Manager | None = None
        self._unsubscribe: Any = None
        self._sent: dict[str, Membership] = {}
        self.connected = False  # logged in, and the whole table was sent since
        self.full_pushes = 0
        self.failures = 0

    def start(self) -> None:
        self._manager = _Manager(
            loop=asyncio.get_running_loop(), on_disconnect=self._disconnected, **self._config
        )
        # Registered after panoramisk's own FullyBooted handler (which re-sends
        # unanswered actions), so the whole table goes after those.
        self._manager.register_event("FullyBooted", self._booted)
        self._unsubscribe = self.acd.subscribe(self._changed)
        self._manager.connect()

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._manager is not None:
            self._manager.closing = True
            self._manager.close()
        self.connected = False

    def wanted(self) -> dict[str, Membership]:
        return {cid: membership(c.state, c.pause_reason) for cid, c in self.acd.counselors.items()}

    async def _booted(self, manager: Manager, event: Any) -> None:
        """Logged in to an Asterisk that is fully booted: send the whole table."""
        self._send(list(self.acd.counselors))
        await self._remove_strangers(manager)
        self.connected = True
        self.full_pushes += 1
        members = sum(1 for m in self._sent.values() if m.member)
        log.info("fallback queue in step over AMI: %d member(s) of %d counselors", members, len(self._sent))

    async def _remove_strangers(self, manager: Manager) -> None:
        """Take out members that are no counselor's phone. The queue keeps its
        members across restarts (`persistentmembers`), so a counselor removed
        from config.yaml would otherwise stay in it for good."""
        try:
            # QueueStatus answers with a list: QueueParams, a QueueMember per
            # member (its interface in `Location`), then QueueStatusComplete.
            # wait_for may stay (no call waits here): a stop landing with the reply
            # (gh-86296) only lets these removals go out first.
            reply = await asyncio.wait_for(
                manager.send_action({"Action": "QueueStatus", "Queue": FALLBACK_QUEUE}), 10
            )
        except (TimeoutError, OSError) as exc:
            log.warning("AMI QueueStatus got no answer; members that are no counselor stay: %s", exc)
            return
        listed = reply if isinstance(reply, list) else [reply]
        members = [str(m.get("Location", "")) for m in listed if m.get("Event") == "QueueMember"]
        for iface in strangers(members, self.acd.endpoints.values()):
            log.info("fallback queue: removing %s, which is no counselor's phone", iface)
            action = remove(iface)
            future = manager.send_action(action, as_list=False)
            future.add_done_callback(functools.partial(self._answered, action))

    def _disconnected(self, manager: Manager, exc: Any) -> None:
        if self.connected:
            log.warning("AMI connection lost; the fallback queue is brought in step on reconnect")
        self.connected = False

    def _changed(self) -> None:
        if self.connected:
            self._send(changed(self._sent, self.wanted()))

    def _send(self, counselor_ids: list[str]) -> None:
        assert self._manager is not None
        wanted = self.wanted()
        for cid in counselor_ids:
            for action in actions_for(cid, self.acd.endpoints[cid], wanted[cid]):
                # as_list=False: panoramisk takes QueueAdd's "Added interface to
                # queue" for the start of a list and would wait forever.
                future = self._manager.send_action(action, as_list=False)
                future.add_done_callback(functools.partial(self._answered, action))
            self._sent[cid] = wanted[cid]

    def _answered(self, action: dict[str, str], future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        response = None if exc else future.result()
        if response is not None and (response.success or str(response.message).endswith(ALREADY_SO)):
            return
        self.failures += 1
        why = exc or (response.message if response is not None else "no answer")
        log.warning("AMI %s %s refused: %s", action["Action"], action["Interface"], why)
