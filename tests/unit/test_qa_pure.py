"""Range requests and masked numbers: what the QA player and lists rely on."""

from __future__ import annotations

import pytest

from ivr.web.byte_ranges import ByteRange, RangeNotSatisfiable, parse_range
from ivr.web.masking import mask_number

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("items=0-5", None),  # another unit: the whole file
        ("bytes=0-", ByteRange(0, 999)),
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=500-", ByteRange(500, 999)),
        ("bytes=990-5000", ByteRange(990, 999)),  # clipped to the file
        ("bytes=-100", ByteRange(900, 999)),
        ("bytes=-5000", ByteRange(0, 999)),
        ("BYTES = 10-19", ByteRange(10, 19)),
    ],
)
def test_given_one_range_when_parsed_then_it_is_clipped_to_the_file(
    header: str | None, expected: ByteRange | None
) -> None:
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    [
        "bytes=0-1,0-1",  # overlapping ranges
        "bytes=0-1,5-6",  # many ranges
        "bytes=" + ",".join(f"{i}-{i}" for i in range(500)),
        "bytes=1000-",  # past the end
        "bytes=50-10",  # backwards
        "bytes=-0",
        "bytes=abc-",
        "bytes=1-x",
        "bytes=5",
        "bytes=-",
        "bytes= 1 - 2",
    ],
)
def test_given_many_or_bad_ranges_when_parsed_then_416(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, SIZE)


def test_given_a_range_then_content_range_and_length_say_it() -> None:
    r = ByteRange(10, 19)
    assert r.length == 10
    assert r.content_range(SIZE) == "bytes 10-19/1000"


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("01012345678", "010-****-5678"),
        ("010-1234-5678", "010-****-5678"),
        ("0632221000", "063-***-1000"),
        ("0212345678", "02-****-5678"),
        ("+821012345678", "+821-*****-5678"),
        ("1234567", "*****67"),
        ("12", "**"),
        ("anonymous", "anonymous"),
        ("", ""),
        (None, ""),
    ],
)
def test_given_a_number_when_masked_then_only_its_ends_show(number: str | None, masked: str) -> None:
    assert mask_number(number) == masked


def test_given_a_scorecard_when_marked_then_the_total_is_weighted() -> None:
    from ivr.config import CriterionSettings, ScorecardSettings
    from ivr.web.qa_scoring import score

    card = ScorecardSettings(
        name="t",
        criteria=(
            CriterionSettings(id="greeting", name="인사", weight=10),
            CriterionSettings(id="accuracy", name="정확", weight=30, max_points=10),
        ),
    )
    # greeting 4/5 of 10 = 8; accuracy 5/10 of 30 = 15; 23 of 40 = 57.5 %
    points, total, problems = score(card, {"greeting": 4, "accuracy": "5"})
    assert (points, total, problems) == ({"greeting": 4, "accuracy": 5}, 57.5, [])
    _, _, problems = score(card, {"greeting": 6, "accuracy": True, "extra": 1})
    assert len(problems) == 3
    assert "0–5" in problems[0] and "0–10" in problems[1] and "extra" in problems[2]


def test_given_a_scorecard_with_a_criterion_twice_then_config_names_it() -> None:
    import pydantic

    from ivr.config import QaSettings

    with pytest.raises(pydantic.ValidationError, match="'tone' is used twice"):
        QaSettings.model_validate(
            {
                "scorecards": {
                    "x": {
                        "name": "x",
                        "criteria": [
                            {"id": "tone", "name": "a", "weight": 1},
                            {"id": "tone", "name": "b", "weight": 1},
                        ],
                    }
                }
            }
        )
    assert list(QaSettings().scorecards) == ["standard"]
    assert sum(c.weight for c in QaSettings().scorecards["standard"].criteria) == 100


def test_given_a_wav_when_drawn_then_loud_and_quiet_parts_show(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import struct
    import wave

    from ivr.web.waveform import peaks

    path = tmp_path / "call.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        quiet = struct.pack("<8000h", *([100, -100] * 4000))
        loud = struct.pack("<8000h", *([16384, -16384] * 4000))
        wav.writeframes(quiet + loud)
    seconds, levels = peaks(path, buckets=4)
    assert seconds == 2.0
    assert levels == [0.003, 0.003, 0.5, 0.5]
