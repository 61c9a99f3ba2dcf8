"""The citizens' 민원 as the IVR reads them: the `case` node's lookup (flows/run.CaseLookup).

Only the number and whether the answer is there cross to the flow: the IVR
reads a case to the number that registered it and to no one else, so no
personal data is shown and nothing is audited here (the desk's reads are).
"""

from __future__ import annotations

import sqlite_utils

from ivr.cases.states import CaseStatus
from ivr.flows.run import CaseGlance
from ivr.store.case_rows import open_for_caller
from ivr.store.db import Database


def newest_open(db: sqlite_utils.Database, caller: str) -> CaseGlance | None:
    """The caller's newest case not yet closed, if any."""
    cases = open_for_caller(db, caller)
    if not cases:
        return None
    return CaseGlance(cases[0].number, answered=cases[0].status == CaseStatus.ANSWERED)


class StoredCaseLookup:
    """`CaseLookup` over the service's database (its one writer thread reads too)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def newest_open(self, caller: str) -> CaseGlance | None:
        if not caller:
            return None
        return await self.db.run(lambda d: newest_open(d, caller))
