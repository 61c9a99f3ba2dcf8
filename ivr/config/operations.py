"""config.yaml's sections for running the center: reports, the desk, QA, storage, retention."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ivr.config.telephony import NAME_PATTERN, Section


class ReportSettings(Section):
    """How `ivr report` counts (docs/metrics.md defines every figure)."""

    # A caller who hangs up within this many seconds of entering the line is a
    # short abandon, reported apart (they barely waited; often a wrong choice).
    short_abandon_seconds: float = Field(default=5.0, ge=0, le=120)
    # The service level: answered within T seconds, and the share the center aims for.
    service_level_seconds: float = Field(default=20.0, gt=0, le=3600)
    service_level_target: float = Field(default=0.8, gt=0, lt=1)
    # The same caller again on the same topic within this many days is a repeat call.
    repeat_days: int = Field(default=7, ge=1, le=90)


class PilotSettings(Section):
    """`ivr report --pilot`: what each day of the pilot is measured against (null: not aimed at)."""

    service_level: float | None = Field(default=0.8, gt=0, le=1)  # at least
    abandon_rate: float | None = Field(default=0.05, ge=0, lt=1)  # at most
    average_answer_seconds: float | None = Field(default=20.0, gt=0, le=3600)  # at most
    first_call_resolution: float | None = Field(default=0.8, gt=0, le=1)  # at least
    satisfaction: float | None = Field(default=4.0, ge=1, le=5)  # at least: survey answers 1-5


class WebSettings(Section):
    listen: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # A desk session ends this long after log-in, however busy (besides 8 hours unused).
    session_max_hours: float = Field(default=12, gt=0, le=168)
    # Behind a reverse proxy: the header it puts the browser's address in (for example
    # X-Forwarded-For; its last entry is taken, the one the proxy added). Unset: the
    # peer's address. Set it only when every request reaches the desk through that proxy.
    trusted_proxy_header: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,64}$")


class CriterionSettings(Section):
    """One line of a QA scorecard: what is judged, how much it weighs, its top mark."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=80)
    weight: float = Field(gt=0, le=100)
    max_points: int = Field(default=5, ge=1, le=10)


class ScorecardSettings(Section):
    name: str = Field(min_length=1, max_length=80)
    criteria: tuple[CriterionSettings, ...] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _unique_criteria(self) -> ScorecardSettings:
        ids = [c.id for c in self.criteria]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"criterion id {twice[0]!r} is used twice")
        return self


def _standard_scorecard() -> dict[str, ScorecardSettings]:
    # What Korean public call centers commonly judge a counselor's call on.
    criteria = [
        ("greeting", "첫인사와 소속·이름 안내 · Greeting and introduction", 10),
        ("listening", "경청과 공감 · Listening and empathy", 20),
        ("accuracy", "정확한 안내 · Accurate information", 30),
        ("clarity", "알기 쉬운 설명 · Clear explanation", 15),
        ("courtesy", "친절한 말씨와 태도 · Courtesy", 15),
        ("closing", "추가 문의 확인과 끝인사 · Closing", 10),
    ]
    return {
        "standard": ScorecardSettings(
            name="상담 품질 기본 평가표 · Standard call review",
            criteria=tuple(CriterionSettings(id=i, name=n, weight=w) for i, n, w in criteria),
        )
    }


class QaSettings(Section):
    """Scorecards QA staff fill in for recorded calls (the first is offered first)."""

    scorecards: dict[str, ScorecardSettings] = Field(default_factory=_standard_scorecard, min_length=1)

    @field_validator("scorecards")
    @classmethod
    def _scorecard_ids(cls, value: dict[str, ScorecardSettings]) -> dict[str, ScorecardSettings]:
        for key in value:
            if not key or not key.replace("_", "").isalnum() or not key.isascii():
                raise ValueError(f"scorecard id {key!r}: use letters, digits and _")
        return value


class StorageSettings(Section):
    # A SQLite file (the default, one machine) or postgresql://user@host/dbname (docs/scaling.md).
    database: str = "var/hotline.sqlite3"
    recordings: str = "recordings"
    state_dir: str = "var"

    @field_validator("database")
    @classmethod
    def _database(cls, v: str) -> str:
        scheme = v.split("://", 1)[0].lower() if "://" in v else None
        if scheme is not None and scheme not in ("postgresql", "postgres"):
            raise ValueError(
                f"{v!r}: use a SQLite file path (var/hotline.sqlite3) or postgresql://user@host/dbname"
            )
        return v


class RetentionSettings(Section):
    """How long recordings are kept. Flagged calls (abuse) and recordings under
    legal hold are never purged."""

    default_days: int = Field(default=90, ge=1, le=36500)
    # Days per category: a call's category (its topic tag), or a recording's
    # kind (`conversation`, `voicemail`) when its call has none listed here.
    categories: dict[str, int] = Field(default_factory=dict)
    # When the running service purges, every day (hotline.timezone).
    purge_at: str = "03:30"

    @field_validator("categories")
    @classmethod
    def _days(cls, v: dict[str, int]) -> dict[str, int]:
        for name, days in v.items():
            if not NAME_PATTERN.match(name):
                raise ValueError(f"category {name!r}: use lowercase letters, digits, '-' or '_'")
            if not 1 <= days <= 36500:
                raise ValueError(f"category {name!r}: {days} days; use 1 to 36500")
        return v

    @field_validator("purge_at")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            raise ValueError(f"{v!r} is not a time of day like 03:30")
        return v


class ServiceSettings(Section):
    drain_seconds: float = Field(default=300.0, ge=0, le=3600)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class StandbySettings(Section):
    """Two services on one PostgreSQL (docs/scaling.md, "A standby service"); unused on SQLite."""

    # The active renews its lease every quarter of this and stops driving calls
    # after 60% of it without a renewal; the standby takes over once it lapses.
    # 3 s: new calls are served again some 4 s after the active dies.
    lease_seconds: float = Field(default=3.0, ge=1, le=60)
    # How this service is named in the lease and in logs (default: host name and web port).
    name: str | None = Field(default=None, min_length=1, max_length=80)
    # The desk's address as browsers reach this service: where the standby's desk sends them
    # while this one is active (default: http://web.listen:web.port).
    desk_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
