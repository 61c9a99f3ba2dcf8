"""A small in-process AMI server that keeps one queue's members as app_queue does.

It answers Login, Ping, QueueAdd, QueueRemove, QueuePause and QueueStatus
with the messages Asterisk 22.10.1 sent here (tried on the embedded PBX), sends
FullyBooted after a log-in, and can be told to stop answering and to drop
the connection, so the client's reconnect and re-send can be tested.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass
class Member:
    name: str
    paused: bool
    reason: str = ""


class QueueModel:
    """app_queue's answers to the member actions, on a dict of members."""

    def __init__(self) -> None:
        self.members: dict[str, Member] = {}

    def apply(self, action: dict[str, str]) -> tuple[bool, str]:
        kind = action.get("Action", "").lower()
        iface = action.get("Interface", "")
        if kind == "queueadd":
            if iface in self.members:
                return False, "Unable to add interface: Already there"
            self.members[iface] = Member(action.get("MemberName", iface), action.get("Paused") == "true")
            return True, "Added interface to queue"
        if kind == "queueremove":
            if self.members.pop(iface, None) is None:
                return False, "Unable to remove interface: Not there"
            return True, "Removed interface from queue"
        if kind == "queuepause":
            member = self.members.get(iface)
            if member is None:
                return False, "Interface not found"
            member.paused = action.get("Paused") == "true"
            member.reason = action.get("Reason", "") if member.paused else ""
            return True, f"Interface {'paused' if member.paused else 'unpaused'} successfully"
        return False, "Invalid/unknown command"

    def view(self) -> dict[str, tuple[bool, str]]:
        """Member name -> (paused, reason)."""
        return {m.name: (m.paused, m.reason) for m in self.members.values()}


class FakeAmi:
    def __init__(self, username: str = "hotline", secret: str = "s3cret") -> None:
        self.username = username
        self.secret = secret
        self.queue = QueueModel()
        self.actions: list[dict[str, str]] = []  # every queue action received, in order
        self.logins = 0
        self.answering = True  # False: read actions, apply nothing, answer nothing
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def drop(self) -> None:
        """Close every connection, as a restart of Asterisk or a network fault would."""
        for w in self._writers:
            w.close()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        writer.write(b"Asterisk Call Manager/9.0.0\r\n")
        try:
            while True:
                block = await reader.readuntil(b"\r\n\r\n")
                action = dict(line.split(": ", 1) for line in block.decode().split("\r\n") if ": " in line)
                self._handle(action, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def _handle(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        kind = action.get("Action", "").lower()
        action_id = action.get("ActionID", "")
        if kind == "login":
            ok = action.get("Username") == self.username and action.get("Secret") == self.secret
            self._send(
                writer,
                "Success" if ok else "Error",
                action_id,
                "Authentication accepted" if ok else "Authentication failed",
            )
            if ok:
                self.logins += 1
                writer.write(b"Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n")
            return
        if kind == "ping":
            self._send(writer, "Success", action_id, "")
            return
        if not self.answering:
            return
        if kind == "queuestatus":
            self._status(writer, action_id)
            return
        self.actions.append(action)
        ok, message = self.queue.apply(action)
        self._send(writer, "Success" if ok else "Error", action_id, message)

    def _status(self, writer: asyncio.StreamWriter, action_id: str) -> None:
        """A list, as app_queue sends it: QueueParams, one QueueMember each, the end."""
        writer.write(
            f"Response: Success\r\nActionID: {action_id}\r\nEventList: start\r\n"
            "Message: Queue status will follow\r\n\r\n".encode()
        )
        writer.write(
            f"Event: QueueParams\r\nActionID: {action_id}\r\nQueue: hotline-fallback\r\n\r\n".encode()
        )
        for iface, m in self.queue.members.items():
            writer.write(
                f"Event: QueueMember\r\nActionID: {action_id}\r\nQueue: hotline-fallback\r\n"
                f"Name: {m.name}\r\nLocation: {iface}\r\nStateInterface: {iface}\r\n"
                f"Membership: dynamic\r\nPaused: {int(m.paused)}\r\n\r\n".encode()
            )
        writer.write(
            f"Event: QueueStatusComplete\r\nActionID: {action_id}\r\nEventList: Complete\r\n"
            f"ListItems: {len(self.queue.members) + 1}\r\n\r\n".encode()
        )

    @staticmethod
    def _send(writer: asyncio.StreamWriter, response: str, action_id: str, message: str) -> None:
        writer.write(f"Response: {response}\r\nActionID: {action_id}\r\nMessage: {message}\r\n\r\n".encode())
