"""A case's changes of status: the one transition table, the version check, the history and the audit.

`change` is the only writer of a case's status after registration. It reads
the row, asks the table (ivr/cases/states.py) for the next status, and writes
with `WHERE version = ?`: of two people answering one case at once, the
second finds the version moved and is told who came first (CaseConflict),
nothing of theirs written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.cases.case import MAX_DESCRIPTION, Case, CaseConflict, CaseInputError
from ivr.cases.rules import CaseRules, UnknownCaseChoice
from ivr.cases.states import NEEDS_REASON, STATUS_NAMES, CaseEvent, CaseStatus, advance
from ivr.store import audit
from ivr.store.case_rows import add_event, get
from ivr.store.case_tables import CASES, EVENTS
from ivr.store.stamps import stamp


@dataclass(frozen=True)
class CaseChange:
    """One change a person asks for."""

    number: str
    event: CaseEvent
    by: str
    why: str = ""  # the answer's text, the question for the citizen, the reason for a return
    version: int | None = None  # the version the person saw; None: whatever is current
    department: str | None = None  # a department user's own: another's case is CaseNotFound
    to_department: str | None = None  # ASSIGN / REASSIGN: where it goes


def change(
    db: sqlite_utils.Database, c: CaseChange, at: datetime, rules: CaseRules, ip: str | None = None
) -> Case:
    """Apply the change, or raise (CaseNotFound, CaseConflict, IllegalCaseTransition,
    CaseInputError) having written nothing."""
    case = get(db, c.number, c.department)
    if c.version is not None and c.version != case.version:
        raise CaseConflict(c.number, STATUS_NAMES[CaseStatus(case.status)], _last_who(db, c.number))
    nxt = advance(c.number, case.status, c.event)
    why = c.why.strip()
    if c.event in NEEDS_REASON and not why:
        raise CaseInputError("why", _EMPTY[c.event])
    if len(why) > MAX_DESCRIPTION:
        raise CaseInputError("why", f"{MAX_DESCRIPTION}자까지 적을 수 있습니다.")
    sets: dict[str, Any] = {"status": nxt.value, "updated_at": stamp(at)}
    if c.event in (CaseEvent.ASSIGN, CaseEvent.REASSIGN):
        sets["department"] = _department(rules, c.to_department)
    elif c.event is CaseEvent.ANSWER:
        sets.update(answer=why, answered_at=stamp(at), answered_by=c.by)
    elif c.event is CaseEvent.CLOSE:
        sets["closed_at"] = stamp(at)
    columns = ", ".join(f"{k} = ?" for k in sets)
    written = db.execute(
        f"UPDATE {CASES} SET {columns}, version = version + 1 WHERE number = ? AND version = ?",
        [*sets.values(), c.number, case.version],
    ).rowcount
    if not written:  # another writer between our read and this write (another process)
        raise CaseConflict(c.number, STATUS_NAMES[CaseStatus(case.status)], "")
    detail = sets.get("department", "")
    add_event(db, c.number, at, c.by, c.event, case.status, nxt, why, detail)
    audit.record(db, at, c.by, f"case_{c.event}", c.number, f"{case.status} → {nxt}", ip)
    return get(db, c.number)


_EMPTY = {
    CaseEvent.ANSWER: "답변 내용을 적어 주십시오. · the answer is empty",
    CaseEvent.RETURN: "반송 사유를 적어 주십시오. · a return needs its reason",
    CaseEvent.ASK_CITIZEN: "민원인에게 확인할 내용을 적어 주십시오. · the question is empty",
}


def _department(rules: CaseRules, department: str | None) -> str:
    try:
        rules.department_name(department or "")
    except UnknownCaseChoice as exc:
        raise CaseInputError("department", str(exc)) from None
    return str(department)


def _last_who(db: sqlite_utils.Database, number: str) -> str:
    rows = list(db.table(EVENTS).rows_where("number = ?", [number], order_by="id desc", limit=1))
    return str(rows[0]["who"]) if rows else ""
