"""Cases as rows: registering one, reading one, listing them with the desks' filters.

Every read of a case with its personal data (the caller's number, name,
description) by a person goes through `open_case`, which audits it; lists
are audited by their callers (the export, the desks) as one read each.
Only db.execute(sql, ?-params) and db.table(...).insert/rows_where/update are
used, the subset the PostgreSQL port of the store implements.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

import sqlite_utils

from ivr.cases.case import Case, CaseNotFound, NewCase, check_new
from ivr.cases.deadlines import deadline
from ivr.cases.rules import CaseRules
from ivr.cases.states import OPEN, CaseEvent, CaseStatus, advance
from ivr.store import audit, kb_usage
from ivr.store.caller_history import call_row
from ivr.store.case_numbers import next_number
from ivr.store.case_tables import CALLS, CASES, EVENTS
from ivr.store.sql import query
from ivr.store.stamps import parse_stamp, stamp


def register(
    db: sqlite_utils.Database,
    new: NewCase,
    rules: CaseRules,
    at: datetime,
    zone: tzinfo,
    ip: str | None = None,
) -> Case:
    """Check, number and store a new case, received and at once assigned to its department,
    both changes in its history and the registration audited. Nothing is written if a check fails."""
    check_new(new, rules)
    local = at.astimezone(zone)
    number = next_number(db, local.year)
    due = deadline(local, rules.type_of(new.type).days)
    row = {
        "number": number,
        "year": local.year,
        "status": CaseStatus.RECEIVED.value,
        "version": 1,
        "received_at": stamp(at),
        "received_by": new.by,
        "caller": new.caller.strip(),
        "name": new.name.strip(),
        "answer_channel": new.answer_channel,
        "topic": new.topic,
        "description": new.description.strip(),
        "type": new.type,
        "department": new.department,
        "deadline": stamp(due),
        "ivr_path": new.ivr_path,
        "articles": json.dumps(list(new.articles), ensure_ascii=False),
        "answer": None,
        "answered_at": None,
        "answered_by": None,
        "closed_at": None,
        "updated_at": stamp(at),
    }
    db.table(CASES).insert(row)
    add_event(db, number, at, new.by, "receive", None, CaseStatus.RECEIVED, "", new.call_id or "")
    assigned = advance(number, CaseStatus.RECEIVED, CaseEvent.ASSIGN)
    db.execute(
        f"UPDATE {CASES} SET status = ?, version = version + 1 WHERE number = ?", [assigned.value, number]
    )
    add_event(db, number, at, new.by, CaseEvent.ASSIGN, CaseStatus.RECEIVED, assigned, "", new.department)
    if new.call_id:
        link_call(db, number, new.call_id, at)
    audit.record(db, at, new.by, "case_register", number, f"{new.type} → {new.department}", ip)
    return get(db, number)


def add_event(
    db: sqlite_utils.Database,
    number: str,
    at: datetime,
    who: str,
    event: str,
    from_status: str | None,
    to_status: str | None,
    why: str = "",
    detail: str = "",
) -> None:
    """One line of a case's history. Events that change no status (an attempt to call the
    citizen back, a message queued) are written here too, with from = to."""
    db.table(EVENTS).insert(
        {
            "number": number,
            "at": stamp(at),
            "who": who,
            "event": str(event),
            "from_status": None if from_status is None else str(from_status),
            "to_status": None if to_status is None else str(to_status),
            "why": why,
            "detail": detail,
        }
    )


def link_call(db: sqlite_utils.Database, number: str, call_id: str, at: datetime) -> None:
    """Note that a call was about this case (once per call)."""
    if not list(db.table(CALLS).rows_where("number = ? AND call_id = ?", [number, call_id])):
        db.table(CALLS).insert({"number": number, "call_id": call_id, "at": stamp(at)})


def _case(row: dict[str, Any], calls: list[str]) -> Case:
    def when(key: str) -> datetime | None:
        return parse_stamp(row[key]) if row.get(key) else None

    return Case(
        number=row["number"],
        status=row["status"],
        version=int(row["version"]),
        received_at=parse_stamp(row["received_at"]),
        received_by=row["received_by"],
        caller=row["caller"],
        description=row["description"],
        type=row["type"],
        department=row["department"],
        deadline=parse_stamp(row["deadline"]),
        answer_channel=row["answer_channel"],
        name=row["name"] or "",
        topic=row["topic"] or "",
        ivr_path=row["ivr_path"] or "",
        articles=tuple(json.loads(row["articles"] or "[]")),
        calls=tuple(calls),
        answer=row["answer"] or "",
        answered_at=when("answered_at"),
        answered_by=row["answered_by"] or "",
        closed_at=when("closed_at"),
    )


def get(db: sqlite_utils.Database, number: str, department: str | None = None) -> Case:
    """The case; CaseNotFound if there is none or (given `department`) it is another department's."""
    rows = list(db.table(CASES).rows_where("number = ?", [number]))
    if not rows or (department is not None and rows[0]["department"] != department):
        raise CaseNotFound(number)
    calls = [r["call_id"] for r in db.table(CALLS).rows_where("number = ?", [number], order_by="id")]
    return _case(rows[0], calls)


def open_case(
    db: sqlite_utils.Database,
    number: str,
    actor: str,
    at: datetime,
    ip: str | None = None,
    department: str | None = None,
) -> Case | None:
    """A person opens the case with its personal data: read and audited together; None, with
    the refused read audited, if there is no such case or it is another department's (it
    returns rather than raises so that the audit row is not rolled back with the refusal)."""
    try:
        case = get(db, number, department)
    except CaseNotFound:
        audit.record(db, at, actor, "case_open_refused", number[:20], department or "", ip)
        return None
    audit.record(db, at, actor, "case_open", number, case.department, ip)
    return case


def history(db: sqlite_utils.Database, number: str) -> list[dict[str, Any]]:
    """The case's changes and attempts, oldest first."""
    return query(
        db,
        f"SELECT at, who, event, from_status, to_status, why, detail FROM {EVENTS} "
        "WHERE number = ? ORDER BY id",
        [number],
    )


@dataclass(frozen=True)
class CaseFilter:
    """The filters the desks and `ivr cases list|export` share."""

    status: str | None = None  # a status, or "open"
    department: str | None = None
    overdue: bool = False
    received_from: datetime | None = None
    received_to: datetime | None = None  # exclusive
    caller: str | None = None


def find(db: sqlite_utils.Database, f: CaseFilter, now: datetime, order: str = "deadline") -> list[Case]:
    """Cases matching the filter, by deadline (earliest first) or by number."""
    where, args = ["1 = 1"], []
    if f.status == "open":
        where.append(f"status IN ({', '.join('?' for _ in OPEN)})")
        args.extend(sorted(s.value for s in OPEN))
    elif f.status:
        where.append("status = ?")
        args.append(CaseStatus(f.status).value)
    if f.department:
        where.append("department = ?")
        args.append(f.department)
    if f.overdue:
        where.append(f"deadline < ? AND status IN ({', '.join('?' for _ in OPEN)})")
        args.extend([stamp(now), *sorted(s.value for s in OPEN)])
    if f.received_from:
        where.append("received_at >= ?")
        args.append(stamp(f.received_from))
    if f.received_to:
        where.append("received_at < ?")
        args.append(stamp(f.received_to))
    if f.caller:
        where.append("caller = ?")
        args.append(f.caller)
    by = "deadline, number" if order == "deadline" else "number"
    rows = query(db, f"SELECT * FROM {CASES} WHERE {' AND '.join(where)} ORDER BY {by}", args)
    return [_case(r, []) for r in rows]


def asked_back(db: sqlite_utils.Database) -> set[str]:
    """Cases whose last word is a department's question for the citizen: the call center's to ask."""
    rows = query(
        db,
        f"SELECT number FROM {EVENTS} WHERE id IN (SELECT MAX(id) FROM {EVENTS} GROUP BY number) "
        "AND event = ?",
        [CaseEvent.ASK_CITIZEN.value],
    )
    return {r["number"] for r in rows}


def open_for_caller(db: sqlite_utils.Database, caller: str) -> list[Case]:
    """The caller's cases not yet closed, newest first (the desk shows them first on a call)."""
    rows = query(
        db,
        f"SELECT * FROM {CASES} WHERE caller = ? AND status <> ? ORDER BY received_at DESC, number DESC",
        [caller, CaseStatus.CLOSED.value],
    )
    return [_case(r, []) for r in rows]


def for_figures(db: sqlite_utils.Database, answered_from: datetime, answered_to: datetime) -> list[Case]:
    """What the supervisors' figures need: every open case, and the cases answered in the period."""
    if not db.table(CASES).exists():  # a file no case was ever written to
        return []
    marks = ", ".join("?" for _ in OPEN)
    rows = query(
        db,
        f"SELECT * FROM {CASES} WHERE status IN ({marks}) OR (answered_at >= ? AND answered_at < ?) "
        "ORDER BY number",
        [*sorted(s.value for s in OPEN), stamp(answered_from), stamp(answered_to)],
    )
    return [_case(r, []) for r in rows]


def counselors_call(
    db: sqlite_utils.Database, call_id: str, counselor_id: str | None
) -> dict[str, Any] | None:
    """The call a counselor may register a case from (theirs), with the articles marked
    "answered with this" on it; None for someone else's call or none."""
    call = call_row(db, call_id) if db.table("calls").exists() else None
    if call is None or not counselor_id or call["counselor_id"] != counselor_id:
        return None
    used = [u["slug"] for u in kb_usage.uses_of(db, call_id) if u["kind"] == "used"]
    return {**call, "articles": list(dict.fromkeys(used))}


def of_caller_on(db: sqlite_utils.Database, number: str, call_id: str) -> bool:
    """Whether the case is the citizen's on this call: it came from it, or from the same number."""
    call = call_row(db, call_id)
    try:
        case = get(db, number)
    except CaseNotFound:
        return False
    return call is not None and (call_id in case.calls or case.caller == call["caller"])
