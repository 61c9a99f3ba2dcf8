"""Retention decisions: what goes, what stays and why; the daily time; its config."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ivr import config
from ivr.admin.purge import next_run
from ivr.calls.retention import Kept, RetentionPolicy, decide
from ivr.errors import ConfigError

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=SEOUL)
POLICY = RetentionPolicy(default_days=90, categories={"voicemail": 30, "tax": 365})


def recording(days_old: float, **kw: object) -> Kept:
    base: dict[str, object] = {
        "name": "call-1",
        "call_id": "1",
        "kind": "conversation",
        "recorded_at": NOW - timedelta(days=days_old),
    }
    return Kept(**{**base, **kw})  # type: ignore[arg-type]


def test_an_ordinary_recording_older_than_the_default_goes() -> None:
    decision = decide(recording(91), POLICY, NOW)
    assert decision.purge and decision.reason == "older than 90 days (default)"


def test_a_younger_one_stays_and_says_until_when() -> None:
    decision = decide(recording(89), POLICY, NOW)
    assert not decision.purge and decision.keep == "young"
    assert "kept until 2027-03-02" in decision.reason


def test_exactly_at_its_age_it_goes() -> None:
    assert decide(recording(90), POLICY, NOW).purge


def test_a_message_follows_its_kind_s_days() -> None:
    assert (
        decide(recording(31, kind="voicemail"), POLICY, NOW).reason
        == "older than 30 days (category voicemail)"
    )
    assert not decide(recording(29, kind="voicemail"), POLICY, NOW).purge


def test_a_call_s_category_wins_over_its_kind() -> None:
    assert not decide(recording(200, category="tax"), POLICY, NOW).purge
    assert decide(recording(366, category="tax"), POLICY, NOW).reason == "older than 365 days (category tax)"


def test_an_unlisted_category_gets_the_default() -> None:
    assert decide(recording(91, category="welfare"), POLICY, NOW).reason == "older than 90 days (default)"


def test_a_flagged_call_is_never_purged() -> None:
    decision = decide(recording(5000, flagged="abuse"), POLICY, NOW)
    assert (decision.purge, decision.keep, decision.reason) == (False, "flagged", "flagged call (abuse)")


def test_a_legal_hold_is_never_purged_and_says_why() -> None:
    decision = decide(recording(5000, legal_hold=True, hold_reason="소송 2026-17"), POLICY, NOW)
    assert (decision.purge, decision.keep) == (False, "held")
    assert decision.reason == "legal hold: 소송 2026-17"


def test_the_daily_purge_runs_today_if_its_time_is_ahead_else_tomorrow() -> None:
    assert next_run(datetime(2027, 3, 1, 2, 0, tzinfo=SEOUL), "03:30") == datetime(
        2027, 3, 1, 3, 30, tzinfo=SEOUL
    )
    assert next_run(datetime(2027, 3, 1, 3, 30, tzinfo=SEOUL), "03:30") == datetime(
        2027, 3, 2, 3, 30, tzinfo=SEOUL
    )


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        config.parse(text, "config.yaml")
    return err.value.problems


def test_retention_defaults() -> None:
    r = config.parse("").retention
    assert (r.default_days, dict(r.categories), r.purge_at) == (90, {}, "03:30")


def test_retention_as_in_the_readme_is_accepted() -> None:
    r = config.parse(
        'retention: {default_days: 90, categories: {voicemail: 30}, purge_at: "03:30"}'
    ).retention
    assert dict(r.categories) == {"voicemail": 30}


def test_a_bad_purge_time_names_its_key_and_line() -> None:
    [line] = problems('hotline: {number: "2221000"}\nretention:\n  purge_at: "25:00"\n')
    assert line == "config.yaml:3: retention.purge_at: '25:00' is not a time of day like 03:30"


def test_zero_days_names_the_key() -> None:
    [line] = problems("retention:\n  default_days: 0\n")
    assert line.startswith("config.yaml:2: retention.default_days: ")


def test_a_category_without_sensible_days_names_the_category() -> None:
    [line] = problems("retention:\n  categories:\n    voicemail: 0\n")
    assert line.startswith("config.yaml:2: retention.categories: ")
    assert "category 'voicemail': 0 days" in line


def test_a_misspelt_retention_key_is_reported() -> None:
    [line] = problems("retention:\n  default_dayz: 30\n")
    assert line == "config.yaml:2: retention.default_dayz: unknown key (check its spelling and indentation)"
