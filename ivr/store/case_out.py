"""The way back to the citizen as rows: sorting answered cases, 해피콜 plans, attempts.

`sort` runs in one transaction: each answered case gets its `answer` task
(an automated call due, a 문자 queued in the outbox, or a callback request for
the call center's counselors) and each closed case its `happy` task, every
one a line of the case's history. `attempted` logs an outbound call in the
history (and links the call to the case), moves the task by the one table of
calls/case_call_plan.py, stores a 해피콜's answers, and opens a supervisor's
follow-up for an answer nobody could be reached for or an unhappy 해피콜.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

import sqlite_utils

from ivr.calls.callback_plan import CallbackRules
from ivr.calls.case_call_plan import (
    RESULT_NAMES,
    CallResult,
    TaskEvent,
    TaskKind,
    TaskStatus,
    after_call,
    go,
    happy_call_at,
    needs_follow_up,
    route,
)
from ivr.calls.case_calls import CaseCallTask
from ivr.calls.followup_states import FollowupEvent, Kind, follow
from ivr.cases.states import CaseStatus
from ivr.errors import HotlineError
from ivr.reports.happy_calls import HappyRow
from ivr.store import case_outbox
from ivr.store.calls import add_callback_row
from ivr.store.case_out_tables import FOLLOWUPS, TASKS, create_case_out_schema
from ivr.store.case_rows import add_event, link_call
from ivr.store.case_tables import CASES, create_case_schema
from ivr.store.db import Database
from ivr.store.sql import query
from ivr.store.stamps import parse_stamp, stamp

SYSTEM = "system"  # who, in the history, for what the service did by itself


@dataclass(frozen=True)
class OutRules:
    answer: CallbackRules
    happy: CallbackRules
    happy_days: int  # 0: no 해피콜
    zone: tzinfo  # the city's: calling hours are its local times
    queue: str | None = None  # the callback's queue (None: the runner's default)


def sort(db: sqlite_utils.Database, now: datetime, can_dial: bool, rules: OutRules) -> int:
    """Give answered and closed cases their tasks; how many answers went to counselors' callbacks."""
    callbacks = 0
    for case in _without(db, TaskKind.ANSWER, CaseStatus.ANSWERED):
        status = route(case["answer_channel"], can_dial)
        detail = ""
        if status is TaskStatus.CALLBACK:
            callback, _ = add_callback_row(db, f"case-{case['number']}", case["caller"], rules.queue, now)
            detail, callbacks = f"callback {callback}", callbacks + 1
            why = "상담사 전화로 답변 안내 예정(콜백)"
        elif status is TaskStatus.SMS_QUEUED:
            text = f"[천년전주 콜센터] 민원 {case['number']} 답변: {case['answer']}"
            detail = f"outbox {case_outbox.queue(db, case['number'], case['caller'], text, now)}"
            why = "문자 대기: 게이트웨이가 없어 발송되지 않았습니다"
        else:
            why = "자동 안내 전화 예정"
        _insert(db, case, TaskKind.ANSWER, status, now, now if status is TaskStatus.DUE else None)
        add_event(
            db,
            case["number"],
            now,
            SYSTEM,
            f"answer_{status.value}",
            case["status"],
            case["status"],
            why,
            detail,
        )
    if rules.happy_days > 0:
        for case in _without(db, TaskKind.HAPPY, CaseStatus.CLOSED):
            closed = parse_stamp(case["closed_at"] or stamp(now)).astimezone(rules.zone)
            due = happy_call_at(closed, rules.happy_days, rules.happy)
            _insert(db, case, TaskKind.HAPPY, TaskStatus.DUE, now, due)
            add_event(
                db,
                case["number"],
                now,
                SYSTEM,
                "happy_call_planned",
                case["status"],
                case["status"],
                f"해피콜 예정 {stamp(due)}",
            )
    return callbacks


def _without(db: sqlite_utils.Database, kind: TaskKind, status: CaseStatus) -> list[dict[str, Any]]:
    return query(
        db,
        f"SELECT * FROM {CASES} c WHERE c.status = ? AND NOT EXISTS "
        f"(SELECT 1 FROM {TASKS} t WHERE t.number = c.number AND t.kind = ?) ORDER BY c.number",
        [status.value, kind.value],
    )


def _insert(
    db: sqlite_utils.Database,
    case: dict[str, Any],
    kind: TaskKind,
    status: TaskStatus,
    now: datetime,
    next_at: datetime | None,
) -> None:
    db.table(TASKS).insert(
        {
            "number": case["number"],
            "kind": kind.value,
            "status": status.value,
            "attempts": 0,
            "next_at": stamp(next_at) if next_at else None,
            "created_at": stamp(now),
            "updated_at": stamp(now),
            "last_call": None,
            "solved": None,
            "score": None,
            "department": case["department"],
            "topic": case["topic"] or "",
        }
    )


def due(db: sqlite_utils.Database, now: datetime) -> list[CaseCallTask]:
    """Tasks with an attempt due by `now`, oldest first."""
    rows = query(
        db,
        f"SELECT t.kind, t.number, t.attempts, c.caller, c.answer FROM {TASKS} t "
        f"JOIN {CASES} c ON c.number = t.number WHERE t.status = ? AND t.next_at <= ? "
        "ORDER BY t.next_at, t.id",
        [TaskStatus.DUE.value, stamp(now)],
    )
    return [
        CaseCallTask(TaskKind(r["kind"]), r["number"], r["caller"], int(r["attempts"]), r["answer"] or "")
        for r in rows
    ]


def attempted(
    db: sqlite_utils.Database,
    task: CaseCallTask,
    at: datetime,
    *,
    call_id: str,
    result: CallResult,
    retry_at: datetime | None,
    rules: OutRules,
) -> TaskStatus:
    """Log one outbound attempt and move its task; the task's status after."""
    [row] = query(db, f"SELECT * FROM {TASKS} WHERE number = ? AND kind = ?", [task.number, task.kind.value])
    attempts = int(row["attempts"]) + 1
    event = after_call(
        result, attempts, at, rules.answer if task.kind is TaskKind.ANSWER else rules.happy
    ).event
    status = go(row["status"], event)
    sets: dict[str, Any] = {
        "attempts": attempts,
        "status": status.value,
        "last_call": call_id,
        "updated_at": stamp(at),
    }
    sets["next_at"] = stamp(retry_at) if event is TaskEvent.RETRY and retry_at else None
    if task.kind is TaskKind.HAPPY and status is TaskStatus.DONE:
        answers = {
            r["question"]: int(r["answer"])
            for r in query(db, "SELECT question, answer FROM survey_answers WHERE call_id = ?", [call_id])
        }
        sets.update(solved=answers.get("case_solved"), score=answers.get("case_satisfaction"))
    db.execute(
        f"UPDATE {TASKS} SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?", [*sets.values(), row["id"]]
    )
    case_status = _case_status(db, task.number)
    what = "자동 안내 전화" if task.kind is TaskKind.ANSWER else "해피콜"
    why = f"{what} {attempts}회차: {RESULT_NAMES[result]}"
    add_event(
        db,
        task.number,
        at,
        SYSTEM,
        f"{task.kind.value}_call_attempt",
        case_status,
        case_status,
        why,
        f"{result.value} {call_id}",
    )
    link_call(db, task.number, call_id, at)
    if status is TaskStatus.DONE and task.kind is TaskKind.ANSWER:
        add_event(
            db,
            task.number,
            at,
            SYSTEM,
            "answer_delivered",
            case_status,
            case_status,
            "자동 안내 전화로 답변을 전달했습니다",
            call_id,
        )
    if status is TaskStatus.LEFT_FOR_PERSON:
        follow_up(db, task.number, f"{what} {attempts}회 모두 연결되지 않음: 직접 연락해 주십시오", at)
    if status is TaskStatus.DONE and task.kind is TaskKind.HAPPY:
        reason = needs_follow_up(sets.get("solved"), sets.get("score"))
        if reason:
            follow_up(db, task.number, f"해피콜: {reason}", at)
    return status


def _case_status(db: sqlite_utils.Database, number: str) -> str:
    rows = query(db, f"SELECT status FROM {CASES} WHERE number = ?", [number])
    return str(rows[0]["status"]) if rows else ""


def follow_up(db: sqlite_utils.Database, number: str, reason: str, at: datetime) -> int:
    """A follow-up on the supervisors' list, in the case's history too."""
    table = db.table(FOLLOWUPS)
    table.insert({"number": number, "reason": reason, "status": "new", "at": stamp(at), "by": None})
    status = _case_status(db, number)
    add_event(db, number, at, SYSTEM, "follow_up", status, status, reason)
    return int(table.last_rowid or 0)


def follow_ups(db: sqlite_utils.Database, status: str | None = "new") -> list[dict[str, Any]]:
    """The supervisors' list of case follow-ups, oldest first."""
    where, args = ("WHERE status = ?", [status]) if status else ("", [])
    return query(db, f"SELECT * FROM {FOLLOWUPS} {where} ORDER BY at, id", args)


def take_follow_up(
    db: sqlite_utils.Database, follow_id: int, event: FollowupEvent, who: str, at: datetime
) -> dict[str, Any]:
    """A supervisor assigns a follow-up (to `who`) or marks it done (by `who`), in the case's
    history too; HotlineError naming it if there is none, IllegalFollowupTransition if done."""
    rows = query(db, f"SELECT * FROM {FOLLOWUPS} WHERE id = ?", [follow_id])
    if not rows:
        raise HotlineError(
            f"민원 후속 조치 {follow_id}이(가) 없습니다. · there is no case follow-up {follow_id}"
        )
    status = follow(Kind.CASE, rows[0]["status"], event)
    db.execute(f"UPDATE {FOLLOWUPS} SET status = ?, by = ? WHERE id = ?", [status.value, who, follow_id])
    number = rows[0]["number"]
    case_status = _case_status(db, number)
    add_event(db, number, at, who, f"follow_up_{status.value}", case_status, case_status, rows[0]["reason"])
    return {**rows[0], "status": status.value, "by": who}


def happy_rows(db: sqlite_utils.Database, start: datetime, end: datetime) -> list[HappyRow]:
    """The 해피콜 tasks made in [start, end), for the report."""
    rows = query(
        db,
        f"SELECT department, topic, status, solved, score FROM {TASKS} "
        "WHERE kind = ? AND created_at >= ? AND created_at < ? ORDER BY id",
        [TaskKind.HAPPY.value, stamp(start), stamp(end)],
    )
    return [
        HappyRow(r["department"] or "", r["topic"] or "", r["status"], r["solved"], r["score"]) for r in rows
    ]


def tasks(db: sqlite_utils.Database, number: str) -> list[dict[str, Any]]:
    """A case's outbound tasks."""
    return query(db, f"SELECT * FROM {TASKS} WHERE number = ? ORDER BY id", [number])


def _create(db: sqlite_utils.Database) -> None:
    create_case_schema(db)
    create_case_out_schema(db)


class StoredCaseCalls:
    """`CaseCallStore` over the service's database."""

    def __init__(self, db: Database, rules: OutRules) -> None:
        self.db, self.rules = db, rules
        self._ready = False

    async def _schema(self) -> None:
        if not self._ready:
            await self.db.run(_create)
            self._ready = True

    async def sort(self, now: datetime, can_dial: bool) -> int:
        await self._schema()
        return await self.db.run(lambda d: sort(d, now, can_dial, self.rules))

    async def due(self, now: datetime) -> list[CaseCallTask]:
        await self._schema()
        return await self.db.run(lambda d: due(d, now))

    async def attempted(
        self, task: CaseCallTask, at: datetime, *, call_id: str, result: CallResult, retry_at: datetime | None
    ) -> None:
        await self.db.run(
            lambda d: attempted(
                d, task, at, call_id=call_id, result=result, retry_at=retry_at, rules=self.rules
            )
        )
