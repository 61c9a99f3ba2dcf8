"""config.yaml `cases.calls`: how a 민원's answer goes back to the citizen, and the 해피콜.

Calling hours are `callbacks.hours_*` (and `weekdays_only`), the same as any
call to a citizen; these are the attempts, their spacing and the 해피콜's day.
"""

from __future__ import annotations

from pydantic import Field

from ivr.config.telephony import Section


class CaseCallSettings(Section):
    """Automated answer calls and 해피콜 (docs/cases.md, "Back to the citizen")."""

    # An automated answer call: attempts and the pause between them; then a person.
    answer_attempts: int = Field(default=3, ge=1, le=10)
    answer_retry_minutes: float = Field(default=30.0, gt=0, le=1440)
    # 해피콜: days after a case closes (0: none), and its attempts.
    happy_call_days: int = Field(default=3, ge=0, le=60)
    happy_call_attempts: int = Field(default=2, ge=1, le=10)
    happy_call_retry_minutes: float = Field(default=120.0, gt=0, le=1440)
    ring_seconds: float = Field(default=30.0, ge=5, le=120)
    # How often answered and closed cases are looked for.
    poll_seconds: float = Field(default=30.0, ge=0.5, le=3600)
    # The queue 0 reaches during an answer call (default: the first queue).
    queue: str | None = None
