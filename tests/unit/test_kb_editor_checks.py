"""The editor's Check as the desk says it: what blocks a publish, and what is only a warning."""

from __future__ import annotations

from datetime import date

from ivr.admin.kb_edit import FlowFacts, editor_findings
from ivr.kb.article import Article, Translation

TODAY = date(2026, 3, 2)
FLOWS = FlowFacts(frozenset({"ko", "en", "vi"}), frozenset({"local_tax"}), {})
KOREAN_ONLY = FlowFacts(frozenset({"ko"}), None, {})


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
    found = editor_findings(_article(), today=TODAY, facts=FLOWS, existing={"property-tax"})
    assert found.problems == []
    assert [w.split("no ")[1][:2] for w in found.warnings] == ["en", "vi"]
    translated = _article(
        translations={"en": Translation("Tax", "July."), "vi": Translation("Thuế", "Tháng 7.")}
    )
    assert editor_findings(translated, today=TODAY, facts=FLOWS, existing=()).warnings == []


def test_an_empty_title_an_expiry_and_a_missing_link_each_block_a_publish() -> None:
    article = _article(
        title=" ", valid_until=date(2026, 3, 1), body="방법은 [[tax-payment]]와 [[property-tax]]."
    )
    found = editor_findings(article, today=TODAY, facts=KOREAN_ONLY, existing={"property-tax"})
    assert found.problems[0] == "제목이 비어 있습니다. · The title is empty."
    assert any(p.startswith("유효 기간이 2026-03-01에 끝났습니다") for p in found.problems)
    assert any(p.startswith("없는 문서로 연결합니다: [[tax-payment]]") for p in found.problems)
    assert len(found.problems) == 3
    # The last valid day is still valid; a start date ahead only waits.
    assert (
        editor_findings(_article(valid_until=TODAY), today=TODAY, facts=KOREAN_ONLY, existing=()).problems
        == []
    )
    ahead = editor_findings(
        _article(valid_from=date(2026, 4, 1)), today=TODAY, facts=KOREAN_ONLY, existing=()
    )
    assert ahead.problems == [] and len(ahead.warnings) == 1


def test_an_unknown_topic_is_named_with_the_flows_topics() -> None:
    found = editor_findings(_article(topics=("taxes",)), today=TODAY, facts=FLOWS, existing=())
    assert found.problems == ["분야: unknown topic 'taxes': the flows' topics are local_tax"]
