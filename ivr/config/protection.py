"""config.yaml's `protection` section: what protects counselors beyond each
queue's call-length limit (queues.<id>.warn_after_minutes / end_after_minutes).
See docs/protection.md."""

from __future__ import annotations

from pydantic import Field, field_validator

from ivr.config.telephony import NAME_PATTERN, Section


class ProtectionSettings(Section):
    """Counselor protection: topics never cut, and how long a strike counts."""

    # Topics (a flow's `set: {topic: ...}`) whose calls the call-length limit
    # never ends, for example a welfare crisis.
    exempt_topics: tuple[str, ...] = ()
    # A strike against a caller's number counts this many days, then expires
    # (a citizen is not marked forever); 0 = strikes never expire.
    strike_expiry_days: int = Field(default=365, ge=0, le=3650)

    @field_validator("exempt_topics")
    @classmethod
    def _topic_names(cls, topics: tuple[str, ...]) -> tuple[str, ...]:
        bad = [t for t in topics if not NAME_PATTERN.match(t)]
        if bad:
            raise ValueError(f"{bad} are not topic names (lowercase letters, digits, _ and -)")
        return topics
