"""The dispatcher built from config.yaml's counselors, queues and acd settings.

For `ivr serve` and `ivr flows simulate`.

The queue itself (acd/) never reads config: it is given plain counselors, queue rules and timings here.
"""

from __future__ import annotations

from collections.abc import Callable

from ivr.acd.counselor_states import Counselor, CounselorRules
from ivr.acd.dispatcher import Dispatcher, RecordSink
from ivr.acd.routing import QueueConfig, Strategy
from ivr.config import CounselorSettings, Settings


def dispatcher(
    settings: Settings, monotonic: Callable[[], float], on_record: RecordSink | None = None
) -> Dispatcher:
    s = settings
    skills: dict[str, dict[str, int]] = {c.id: {} for c in s.counselors}
    for name in s.queues:
        for cid in s.queue_members(name):
            skills[cid][name] = 1
    counselors = [Counselor(c.id, skills=skills[c.id]) for c in s.counselors]
    queues = [
        QueueConfig(
            name,
            strategy=Strategy(q.strategy),
            weight=q.weight,
            max_wait_seconds=q.max_wait_seconds,
            max_waiting=q.max_waiting,
        )
        for name, q in s.queues.items()
    ]
    rules = CounselorRules(
        wrap_up_seconds=s.acd.wrap_up_seconds,
        max_missed_offers=s.acd.max_missed_offers,
        cooldown_seconds=s.acd.cooldown_seconds,
        # Our own ring ends first (ivr.ring_timeout_seconds, plus a margin for a
        # lost event); this deadline only catches an offer nobody reported back.
        ring_timeout_seconds=s.ivr.ring_timeout_seconds + 10,
    )
    acd = Dispatcher(
        counselors, queues, rules, monotonic, on_record, endpoints={c.id: c.endpoint for c in s.counselors}
    )
    return acd


REHEARSAL_COUNSELOR = "rehearsal"


def rehearsal_dispatcher(settings: Settings, monotonic: Callable[[], float]) -> Dispatcher:
    """The rehearsal calls' own line: the rehearsal counselor alone, in every
    queue, always logged in, no wrap-up. No real counselor is in it, and it is
    in no real queue, so neither side is ever offered the other's calls."""
    s = settings
    counselor = CounselorSettings(
        id=REHEARSAL_COUNSELOR,
        name="리허설 상담사",
        endpoint=s.rehearsal.counselor_endpoint,
        contact=s.rehearsal.counselor_contact,
    )
    only = s.model_copy(
        update={
            "counselors": (counselor,),
            "queues": {
                n: q.model_copy(update={"counselors": (REHEARSAL_COUNSELOR,)}) for n, q in s.queues.items()
            },
            "acd": s.acd.model_copy(update={"wrap_up_seconds": 0.0, "max_missed_offers": 20}),
        }
    )
    acd = dispatcher(only, monotonic)
    acd.login_all()
    return acd
