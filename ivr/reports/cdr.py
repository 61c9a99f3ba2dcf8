"""Call detail records as CSV: the project's own columns, or Asterisk's cdr-csv.

`ASTERISK_COLUMNS` follow `build_csv_record()` in Asterisk's cdr/cdr_csv.c:
the 16 columns it always writes, then `uniqueid` (cdr.conf `loguniqueid`) and
`userfield` (`loguserfield`), in that order. Written the way cdr_csv writes
them, so tools that read Master.csv read this too: no header line, every text
field in double quotes (a quote doubled), numbers bare, times as
"%Y-%m-%d %H:%M:%S" in local time, an empty time as an empty field.

How our records fill Asterisk's columns:

| column | from |
|---|---|
| src, clid | the caller's number (clid as `"number" <number>`) |
| dst | the number dialled (`2221000`; `callback` for callback attempts) |
| dcontext | `from-citizens` (the context that hands calls to the service) |
| channel, uniqueid | the call id (the caller's Asterisk channel id) |
| dstchannel | the counselor's channel id, when one answered |
| lastapp, lastdata | `Stasis`, the service, or `Queue`, `hotline-fallback` for fallback calls |
| duration, billsec | whole seconds, cut down as Asterisk does (main/cdr.c) |
| disposition | `ANSWERED` once answered (the menu answers every call), else `NO ANSWER`; |
| | `NO ANSWER` too for a caller who hung up in a queue's line (`abandoned_queue`, |
| | `abandoned_ringing`, `fallback_abandoned`): nobody took their call; `FAILED` for `failed` |
| amaflags | `DOCUMENTATION` (Asterisk's default) |
| userfield | the call's topic |
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from ivr.ports import Disposition

ASTERISK_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
)
# Hung up in line: the menu answered, but nobody took the call they waited for.
_GAVE_UP_WAITING = frozenset(
    {Disposition.ABANDONED_QUEUE, Disposition.ABANDONED_RINGING, Disposition.FALLBACK_ABANDONED}
)
_NUMBERS = ("duration", "billsec")
_DATES = ("start", "answer", "end")

OWN_COLUMNS = (
    "id",
    "caller",
    "dialed",
    "started_at",
    "answered_at",
    "connected_at",
    "ended_at",
    "duration_seconds",
    "billable_seconds",
    "talk_seconds",
    "disposition",
    "hangup_cause",
    "hangup_by",
    "counselor_id",
    "topic",
    "category",
    "ivr_path",
    "recording",
    "flagged",
)


def own_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The `calls` table as it is stored, with a header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OWN_COLUMNS)
    for r in rows:
        writer.writerow(["" if r.get(c) is None else r[c] for c in OWN_COLUMNS])
    return out.getvalue()


def asterisk_record(row: dict[str, Any], tz: tzinfo, app: str) -> dict[str, Any]:
    """One call as the fields of Asterisk's CDR."""
    start, answer, end = (_dt(row.get(k)) for k in ("started_at", "answered_at", "ended_at"))
    fallback = str(row.get("disposition") or "").startswith("fallback")
    caller = row.get("caller") or ""
    if row.get("disposition") == Disposition.FAILED:
        disposition = "FAILED"
    elif row.get("disposition") in _GAVE_UP_WAITING:
        disposition = "NO ANSWER"
    else:
        disposition = "ANSWERED" if answer else "NO ANSWER"
    return {
        "accountcode": "",
        "src": caller,
        "dst": row.get("dialed") or "",
        "dcontext": "from-citizens",
        "clid": f'"{caller}" <{caller}>',
        "channel": row["id"],
        "dstchannel": row.get("counselor_leg") or "",
        "lastapp": "Queue" if fallback else "Stasis",
        "lastdata": "hotline-fallback" if fallback else app,
        "start": _local(start, tz),
        "answer": _local(answer, tz),
        "end": _local(end, tz),
        # main/cdr.c cdr_object_get_duration(): milliseconds / 1000, cut down.
        "duration": int((end - start).total_seconds()) if start and end else 0,
        "billsec": int((end - answer).total_seconds()) if answer and end else 0,
        "disposition": disposition,
        "amaflags": "DOCUMENTATION",
        "uniqueid": row["id"],
        "userfield": row.get("topic") or "",
    }


def asterisk_csv(rows: Iterable[dict[str, Any]], tz: tzinfo, app: str) -> str:
    """Lines as cdr_csv writes them (append_string / append_int / append_date)."""
    lines = []
    for row in rows:
        record = asterisk_record(row, tz, app)
        fields = []
        for name in ASTERISK_COLUMNS:
            value = record[name]
            if name in _NUMBERS:
                fields.append(str(value))
            elif name in _DATES and not value:
                fields.append("")  # append_date() writes a bare comma for a zero time
            else:
                fields.append('"' + str(value).replace('"', '""') + '"')
        lines.append(",".join(fields) + "\n")
    return "".join(lines)


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _local(at: datetime | None, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if at else ""
