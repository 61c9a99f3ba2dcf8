"""config.yaml: every problem named with its line and key, before anything starts."""

from __future__ import annotations

import pytest

from ivr import config
from ivr.errors import ConfigError


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        config.parse(text, "config.yaml")
    return err.value.problems


def test_given_the_shipped_config_when_loaded_then_eleven_counselors() -> None:
    loaded = config.load("config.yaml")
    assert len(loaded.settings.counselors) == 11
    assert loaded.settings.hotline.number == "2221000"


def test_given_an_empty_file_then_defaults_apply() -> None:
    settings = config.parse("")
    assert settings.web.port == 8080
    assert settings.asterisk.ari_url == "http://127.0.0.1:8088"


def test_given_an_unknown_key_then_its_line_and_name_are_reported() -> None:
    text = "hotline:\n  number: '2221000'\n  nmae: x\n"
    assert problems(text) == ["config.yaml:3: hotline.nmae: unknown key (check its spelling and indentation)"]


def test_given_a_wrong_type_then_the_line_of_the_key_is_reported() -> None:
    [line] = problems("web:\n  listen: 127.0.0.1\n  port: eighty\n")
    assert line.startswith("config.yaml:3: web.port: ")
    assert "integer" in line


def test_given_a_counselor_without_endpoint_then_one_line_names_it() -> None:
    text = "counselors:\n  - {id: c1, name: 김민지, endpoint: p1}\n  - id: c2\n    name: 이서준\n"
    assert problems(text) == ["config.yaml:3: counselors[1].endpoint: required key is missing"]


def test_given_several_problems_then_each_gets_its_own_line() -> None:
    text = "web:\n  port: 0\nhotline:\n  number: '22-1000'\n  timezone: Mars/Base\n"
    lines = problems(text)
    assert len(lines) == 3
    assert lines[0].startswith("config.yaml:4: hotline.number: must be 3 to 15 digits")
    assert lines[1].startswith("config.yaml:5: hotline.timezone: unknown time zone 'Mars/Base'")
    assert lines[2].startswith("config.yaml:2: web.port:")


def test_given_broken_yaml_then_the_line_is_reported() -> None:
    [line] = problems("web:\n  port: [8080\n")
    assert line.startswith("config.yaml:")
    assert "not valid YAML" in line


def test_given_two_counselors_on_one_phone_then_refused() -> None:
    text = "counselors:\n  - {id: c1, name: a, endpoint: p1}\n  - {id: c2, name: b, endpoint: p1}\n"
    [line] = problems(text)
    assert "endpoint 'p1' is used twice" in line


def test_given_own_asterisk_without_password_then_refused() -> None:
    [line] = problems("asterisk:\n  embedded: false\n")
    assert line.startswith("config.yaml:1: asterisk:")
    assert "ari_password" in line


def test_given_a_missing_file_then_it_says_so(tmp_path) -> None:
    with pytest.raises(ConfigError) as err:
        config.load(tmp_path / "nope.yaml")
    assert "file not found" in err.value.problems[0]


def test_given_no_reports_section_then_the_usual_targets_apply() -> None:
    r = config.parse("").reports
    assert (r.short_abandon_seconds, r.service_level_seconds, r.service_level_target, r.repeat_days) == (
        5,
        20,
        0.8,
        7,
    )


def test_given_bad_report_settings_then_each_key_is_named() -> None:
    text = "reports:\n  service_level_target: 80\n  short_abandon_seconds: -1\n  repeat_dayz: 7\n"
    assert sorted(problems(text)) == [
        "config.yaml:2: reports.service_level_target: Input should be less than 1",
        "config.yaml:3: reports.short_abandon_seconds: Input should be greater than or equal to 0",
        "config.yaml:4: reports.repeat_dayz: unknown key (check its spelling and indentation)",
    ]


def test_given_a_queue_whose_notice_comes_after_its_end_then_its_line_is_reported() -> None:
    text = "queues:\n  general:\n    name: 일반\n    warn_after_minutes: 20\n    end_after_minutes: 15\n"
    [line] = problems(text)
    assert line.startswith("config.yaml:2: queues.general:")
    assert "warn_after_minutes (20) must be less than end_after_minutes (15)" in line


def test_given_a_call_length_limit_and_protection_then_they_are_read() -> None:
    settings = config.parse(
        "queues:\n  general: {name: 일반, warn_after_minutes: 15, end_after_minutes: 20}\n"
        "protection: {exempt_topics: [welfare], strike_expiry_days: 90}\n"
    )
    general = settings.queues["general"]
    assert (general.warn_after_minutes, general.end_after_minutes, general.extend_minutes) == (15, 20, 10)
    assert settings.protection.exempt_topics == ("welfare",)
    assert settings.protection.strike_expiry_days == 90


def test_given_a_bad_exempt_topic_then_the_key_is_named() -> None:
    [line] = problems("protection:\n  exempt_topics: [Welfare Crisis]\n")
    assert line.startswith("config.yaml:2: protection.exempt_topics")
