"""A flow prompt that reads a knowledge-base article: filled from it, or refused with file:line."""

from __future__ import annotations

import pytest

from ivr.flows.kb_prompts import references
from ivr.flows.loader import FlowError, Known, load_text
from ivr.flows.promptbook import PromptBook
from ivr.kb.article import Article
from ivr.kb.speech import plain, spoken

FLOW = """\
flow: t
languages: [ko]
start: hours
prompts:
  hours:
    kb: passport-hours
  bye: {ko: 감사합니다.}
nodes:
  hours: {type: play, prompts: [hours], next: bye}
  bye: {type: hangup, prompt: bye}
"""
HOURS = {
    "passport-hours": {"ko": "여권은 평일 오전 9시부터 접수합니다.", "en": "Passports: weekdays from 9."}
}


def test_given_a_published_article_when_loaded_then_the_prompt_says_its_text() -> None:
    loaded = load_text(FLOW, "t.yaml", Known(articles=HOURS))
    assert loaded.flow.prompts["hours"].text("ko") == "여권은 평일 오전 9시부터 접수합니다."
    assert references(loaded.flow) == {"hours": "passport-hours"}


def test_given_a_new_version_of_the_article_then_the_prompt_is_a_new_sound() -> None:
    before = PromptBook.of(load_text(FLOW, "t.yaml", Known(articles=HOURS)).flow).sound("hours", "ko")
    changed = {"passport-hours": {"ko": "여권은 평일 오전 9시부터 오후 8시까지 접수합니다."}}
    after = PromptBook.of(load_text(FLOW, "t.yaml", Known(articles=changed)).flow).sound("hours", "ko")
    assert before.name != after.name and after.text == changed["passport-hours"]["ko"]


def test_given_an_unknown_article_when_loaded_then_refused_at_the_kb_line() -> None:
    with pytest.raises(FlowError) as refused:
        load_text(FLOW.replace("passport-hours", "passport-hourz"), "t.yaml", Known(articles=HOURS))
    assert refused.value.problems == [
        "t.yaml:6:9: prompts.hours.kb: the article 'passport-hourz' does not exist in the knowledge base "
        "(did you mean 'passport-hours'?)"
    ]


def test_given_a_draft_article_when_loaded_then_refused_as_unpublished() -> None:
    with pytest.raises(FlowError) as refused:
        load_text(FLOW, "t.yaml", Known(unpublished=frozenset({"passport-hours"})))
    assert refused.value.problems == [
        "t.yaml:6:9: prompts.hours.kb: the article 'passport-hours' is not published: "
        "publish it on /kb before a flow reads it"
    ]


def test_given_a_language_the_article_lacks_when_loaded_then_the_missing_text_is_named() -> None:
    flow = FLOW.replace("languages: [ko]", "languages: [ko, vi]").replace(
        "{ko: 감사합니다.}", "{ko: 네., vi: Cảm ơn.}"
    )
    with pytest.raises(FlowError) as refused:
        load_text(flow, "t.yaml", Known(articles=HOURS))
    assert refused.value.problems == ["t.yaml:5:3: prompts.hours: no text in vi, a language this flow offers"]


def test_given_text_beside_kb_when_loaded_then_refused() -> None:
    with pytest.raises(FlowError) as refused:
        load_text(
            FLOW.replace("    kb: passport-hours", "    kb: passport-hours\n    ko: 따로"), "t.yaml", Known()
        )
    assert "takes its text from the article" in refused.value.problems[0]


def test_given_markdown_when_spoken_then_marks_and_links_are_gone() -> None:
    body = "# 여권\n- 평일 **오전 9시**부터\n- 수수료는 [[passport-fees]]를 보십시오."
    assert plain(body) == "여권 평일 오전 9시부터 수수료는 를 보십시오."
    article = Article("a", "제목", "본문입니다.", ("documents",), "civil")
    assert spoken(article) == {"ko": "본문입니다."}
