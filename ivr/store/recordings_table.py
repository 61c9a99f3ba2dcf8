"""The `recordings` table: one row per recorded conversation or message.

Asterisk records into its own spool; the service copies each file into
`storage.recordings` (by date and call id) and keeps here what QA, reports
and retention need: where the file is, its checksum, length and format, and
what became of it (stored, failed, purged) and why.
"""

from __future__ import annotations

import sqlite_utils

# status: pending (Asterisk is recording or the copy is on its way), stored,
# failed (`error` says why; the call itself went on), purged (the file is
# gone by retention or by hand: purged_at/purged_by/purge_reason say so).
# kind: conversation | voicemail.
# path: relative to `storage.recordings`, e.g. 2026/11/28/<call id>.wav.
# legal_hold: 1 keeps the file from every purge (hold_reason says why).
RECORDING_COLUMNS: dict[str, type] = {
    "id": int,
    "call_id": str,
    "kind": str,
    "name": str,
    "path": str,
    "format": str,
    "sha256": str,
    "bytes": int,
    "seconds": float,
    "status": str,
    "error": str,
    "recorded_at": str,
    "stored_at": str,
    "category": str,
    "legal_hold": int,
    "hold_reason": str,
    "purged_at": str,
    "purged_by": str,
    "purge_reason": str,
}


def create_recordings_schema(db: sqlite_utils.Database) -> None:
    table = db.table("recordings")
    if not table.exists():
        table.create(RECORDING_COLUMNS, pk="id", not_null={"call_id", "kind", "name", "status"})
        table.create_index(["call_id"])
        table.create_index(["status", "recorded_at"])
        table.create_index(["name"], unique=True)
        return
    for column, kind in RECORDING_COLUMNS.items():
        if column not in table.columns_dict:
            table.add_column(column, kind)
