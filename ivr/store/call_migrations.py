"""Call records written by earlier versions, brought to today's words at open.

`migrate(db)` runs from `create_schema`, so on every start of the service and
of every command that opens the file. Each step is one statement that finds
only rows still in the old shape: running it again changes nothing, and it
asks first with a read, so a file with nothing to change is not locked for
writing (the running service's writer is never made to wait for it).

Queue abandons (issue 22). Earlier versions recorded a caller who hung up in
a queue's line as `abandoned_ivr`, as if in the menu. The queue log of such a
call has its `abandoned` line (the service writes one exactly when a caller
hangs up in line, waiting or while a counselor's phone rings), so the call
becomes `abandoned_queue`, or `abandoned_ringing` when the line before
`abandoned` is `offered`: a ring that ended without the caller is followed by
`ring_no_answer` (or `connected`), so only a ring still out leaves `offered`
last. Lines are ordered by id (one writer, in the order things happened).
Calls with no `abandoned` line (the menu, a message, a callback request, a
queue timeout) stay `abandoned_ivr`; the fallback queue's calls have their
own dispositions and no lines in this table.
"""

from __future__ import annotations

import logging
from collections import Counter

import sqlite_utils

from ivr.ports import Disposition, QueueEvent

log = logging.getLogger(__name__)

# Literals, not parameters: SQLite takes the partial index of abandons only
# for a query whose WHERE says `event = 'abandoned'` in its text.
_MENU = Disposition.ABANDONED_IVR
_WAITING, _RINGING = Disposition.ABANDONED_QUEUE, Disposition.ABANDONED_RINGING
_ABANDONED, _OFFERED = QueueEvent.ABANDONED.value, QueueEvent.OFFERED.value
_ABANDONED_CALLS = f"SELECT call_id FROM queue_log WHERE event = '{_ABANDONED}'"

_NEEDS_SPLIT = f"""
SELECT EXISTS (SELECT 1 FROM calls WHERE disposition = '{_MENU}' AND id IN ({_ABANDONED_CALLS}))
"""

_SPLIT = f"""
UPDATE calls
   SET disposition = CASE
       (SELECT q.event FROM queue_log q
         WHERE q.call_id = calls.id
           AND q.id < (SELECT MAX(a.id) FROM queue_log a
                        WHERE a.call_id = calls.id AND a.event = '{_ABANDONED}')
         ORDER BY q.id DESC LIMIT 1)
       WHEN '{_OFFERED}' THEN '{_RINGING}' ELSE '{_WAITING}' END
 WHERE disposition = '{_MENU}' AND id IN ({_ABANDONED_CALLS})
RETURNING disposition
"""


def migrate(db: sqlite_utils.Database) -> None:
    """Every step, in order (the tables exist: create_schema made them)."""
    _index_queue_log(db)
    split_queue_abandons(db)


def _index_queue_log(db: sqlite_utils.Database) -> None:
    # A call's lines in order: what the split reads, and what a restart reads
    # for the places in line (waiting_places.py). The abandons alone, small,
    # keep the check on every open from reading the whole queue log.
    db.execute("CREATE INDEX IF NOT EXISTS idx_queue_log_call_id_id ON queue_log (call_id, id)")
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_queue_log_abandoned ON queue_log (call_id) "
        f"WHERE event = '{_ABANDONED}'"
    )


def split_queue_abandons(db: sqlite_utils.Database) -> Counter[str]:
    """`abandoned_ivr` calls whose queue log says they hung up in line get the
    queue's abandon; how many of each, logged."""
    if not db.execute(_NEEDS_SPLIT).fetchone()[0]:
        return Counter()
    with db.atomic():
        changed = Counter(row[0] for row in db.execute(_SPLIT).fetchall())
    log.info(
        "call records: %d queue abandon(s) recorded as %s by an earlier version now say %s",
        sum(changed.values()),
        _MENU,
        ", ".join(f"{kind} ({n})" for kind, n in sorted(changed.items())),
    )
    return changed
