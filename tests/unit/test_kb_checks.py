"""The editor's Check: what blocks a publish, and what is only a warning."""

from __future__ import annotations

from datetime import date

from ivr.kb.article import Article, Translation
from ivr.kb.checks import check

TODAY = date(2026, 3, 2)


def _article(**changes: object) -> Article:
    base: dict[str, object] = {
        "slug": "property-tax",
        "title": "재산세",
        "body": "재산세는 7월과 9월에 냅니다.",
        "topics": ("local_tax",),
        "department": "tax",
    }
    return Article(**(base | changes))  # type: ignore[arg-type]


def test_a_good_article_passes_with_a_warning_for_each_missing_flow_language() -> None:
    found = check(_article(), today=TODAY, flow_languages={"ko", "en", "vi"}, existing={"property-tax"})
    assert found.publishable and found.problems == []
    assert [w.split("(")[1][:2] for w in found.warnings] == ["en", "vi"]
    translated = _article(translations={"en": Translation("Tax", "Pay in July.")})
    assert len(check(translated, today=TODAY, flow_languages={"ko", "en"}, existing=()).warnings) == 0


def test_an_empty_title_an_expiry_and_a_missing_link_each_block_a_publish() -> None:
    article = _article(
        title=" ", valid_until=date(2026, 3, 1), body="방법은 [[tax-payment]]와 [[property-tax]]."
    )
    found = check(article, today=TODAY, flow_languages={"ko"}, existing={"property-tax"})
    assert found.problems == [
        "제목이 비어 있습니다. · The title is empty.",
        "유효 기간이 2026-03-01에 끝났습니다. 날짜를 고치거나 보관하십시오. · It expired on 2026-03-01.",
        "없는 문서로 연결합니다: [[tax-payment]] · Links to a missing article [[tax-payment]].",
    ]
    assert not found.publishable
    # The last valid day is still valid.
    assert check(_article(valid_until=TODAY), today=TODAY, flow_languages={"ko"}, existing=()).publishable


def test_an_unknown_topic_is_named_with_the_flows_topics() -> None:
    found = check(
        _article(topics=("taxes",)),
        today=TODAY,
        flow_languages={"ko"},
        existing=(),
        known_topics={"local_tax"},
    )
    assert found.problems == ["분야: unknown topic 'taxes': the flows' topics are local_tax"]
