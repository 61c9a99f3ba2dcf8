"""문자 (text messages) to citizens: an outbox a gateway adapter drains.

No SMS gateway can be reached from here, so nothing is sent: a message is
stored `queued` with the note "no gateway configured" and the case's history
says so. A real adapter (docs/cases.md, "문자 outbox") takes the oldest queued
messages with `take`, sends them, and marks each `sent` (with the gateway's
reference) or `failed` (with its error); a failed one stays for a person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import sqlite_utils

from ivr.store.case_out_tables import OUTBOX
from ivr.store.sql import query
from ivr.store.stamps import stamp

NO_GATEWAY = "게이트웨이 없음: 발송되지 않았습니다 · queued, no gateway configured"
MAX_TEXT = 2000  # an LMS is up to 2,000 bytes; the gateway splits or refuses, not us


class SmsGateway(Protocol):
    """What a real gateway adapter implements: send one message, its reference or an error."""

    def send(self, to_number: str, text: str) -> str:
        """The gateway's reference for the message; raise with the gateway's error if refused."""
        ...


def queue(db: sqlite_utils.Database, number: str, to_number: str, text: str, at: datetime) -> int:
    """Store a message for the case's citizen; its id. Call inside the case's transaction."""
    table = db.table(OUTBOX)
    table.insert(
        {
            "number": number,
            "to_number": to_number,
            "text": text[:MAX_TEXT],
            "status": "queued",
            "note": NO_GATEWAY,
            "queued_at": stamp(at),
            "sent_at": None,
            "gateway_ref": None,
        }
    )
    return int(table.last_rowid or 0)


def take(db: sqlite_utils.Database, limit: int = 50) -> list[dict[str, Any]]:
    """The oldest queued messages, for an adapter to send."""
    return query(db, f"SELECT * FROM {OUTBOX} WHERE status = 'queued' ORDER BY id LIMIT ?", [limit])


def mark_sent(db: sqlite_utils.Database, message_id: int, gateway_ref: str, at: datetime) -> None:
    db.execute(
        f"UPDATE {OUTBOX} SET status = 'sent', sent_at = ?, gateway_ref = ?, note = '' WHERE id = ?",
        [stamp(at), gateway_ref, message_id],
    )


def mark_failed(db: sqlite_utils.Database, message_id: int, error: str) -> None:
    db.execute(f"UPDATE {OUTBOX} SET status = 'failed', note = ? WHERE id = ?", [error[:500], message_id])


def drain(db: sqlite_utils.Database, gateway: SmsGateway, at: datetime, limit: int = 50) -> tuple[int, int]:
    """Send what is queued through `gateway`: (sent, failed). Each message is marked as it goes."""
    sent = failed = 0
    for row in take(db, limit):
        try:
            ref = gateway.send(row["to_number"], row["text"])
        except Exception as exc:  # the adapter's own error, kept on the row for a person
            mark_failed(db, int(row["id"]), f"{type(exc).__name__}: {exc}")
            failed += 1
        else:
            mark_sent(db, int(row["id"]), ref, at)
            sent += 1
    return sent, failed


def messages(db: sqlite_utils.Database, number: str) -> list[dict[str, Any]]:
    """A case's messages, oldest first."""
    return query(db, f"SELECT * FROM {OUTBOX} WHERE number = ? ORDER BY id", [number])
