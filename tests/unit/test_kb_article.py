"""Articles: their rules, and their Markdown files read back as written, with every problem at its line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ivr.kb.article import Article, Translation, problems, require_valid
from ivr.kb.codec import from_data, to_data
from ivr.kb.errors import ArticleFileError, InvalidArticle
from ivr.kb.lifecycle import ArticleStatus
from ivr.kb.markdown import parse, render

TOPICS = {"documents", "transport", "local_tax", "welfare", "water", "general"}


def article(**change: object) -> Article:
    fields: dict[str, object] = {
        "slug": "passport-hours",
        "title": "여권 발급 시간과 장소",
        "body": "여권은 평일 오전 9시부터 오후 6시까지 접수합니다.\n\n수수료는 [[passport-fees]]를 보십시오.",
        "topics": ("documents",),
        "department": "civil-affairs",
        "keywords": ("여권", "발급"),
        "status": ArticleStatus.PUBLISHED,
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2026, 12, 31),
        "translations": {"en": Translation("Passport office hours", "Weekdays 9:00 to 18:00.")},
    }
    fields.update(change)
    return Article(**fields)  # type: ignore[arg-type]


def test_a_good_article_has_no_problems_and_knows_its_links_and_days() -> None:
    a = article()
    assert problems(a, TOPICS) == []
    assert a.links() == ["passport-fees"]
    assert a.offered_on(date(2026, 6, 1))
    assert not a.offered_on(date(2027, 1, 1))  # the deadline passed
    assert not article(status="draft").offered_on(date(2026, 6, 1))


def test_an_article_without_a_title_is_refused_naming_it() -> None:
    with pytest.raises(InvalidArticle) as err:
        require_valid(article(title="  "))
    assert err.value.problems == ["passport-hours: title: the title is empty"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"slug": "Passport Hours"}, "id", "lower-case"),
        ({"topics": ()}, "topics", "at least one topic"),
        ({"topics": ("tax",)}, "topics", "unknown topic 'tax'"),
        ({"department": ""}, "department", "missing"),
        ({"valid_until": date(2025, 1, 1)}, "valid_until", "before valid_from"),
        ({"translations": {"fr": Translation("x", "y")}}, "translations", "unknown language 'fr'"),
        ({"translations": {"en": Translation("x", "")}}, "translations.en.body", "empty"),
        ({"body": "a\x00b"}, "body", "control characters"),
        ({"keywords": ("x" * 41,)}, "keywords", "at most 40"),
    ],
)
def test_each_rule_names_its_field(change: dict[str, object], field: str, words: str) -> None:
    found = problems(article(**change), TOPICS)
    assert any(f == field and words in m for f, m in found), found


def test_markdown_reads_back_what_it_wrote_and_so_does_json() -> None:
    a = article(
        translations={"en": Translation("Hours", "Line one.\nLine two."), "vi": Translation("Giờ", "X")}
    )
    assert parse(render(a), "knowledge/passport-hours.md") == a
    assert from_data(to_data(a)) == a


def test_a_file_names_its_id_by_its_name_when_it_has_none() -> None:
    text = "---\ntitle: 주차\ntopics: [transport]\ndepartment: transport\n---\n\n본문입니다.\n"
    a = parse(text, "k/parking-fines.md", TOPICS)
    assert (a.slug, a.status, a.body) == ("parking-fines", ArticleStatus.DRAFT, "본문입니다.")


def test_every_problem_of_a_file_is_reported_at_its_line() -> None:
    text = (
        "---\n"  # 1
        "id: other-name\n"  # 2
        "titel: 여권\n"  # 3
        "topics: [tax]\n"  # 4
        "department: civil-affairs\n"  # 5
        "valid_from: 2026-13-01\n"  # 6
        "status: live\n"  # 7
        "---\n"  # 8
        "\n"
    )
    with pytest.raises(ArticleFileError) as err:
        parse(text, "k/passport.md", TOPICS)
    assert err.value.problems == [
        "k/passport.md:1: the title is empty",
        "k/passport.md:2: id 'other-name' differs from the file's name passport.md: "
        "name the file other-name.md",
        "k/passport.md:3: unknown field 'titel' (did you mean 'title'?)",
        "k/passport.md:4: unknown topic 'tax': the flows' topics are documents, general, local_tax, "
        "transport, water, welfare",
        "k/passport.md:6: valid_from: '2026-13-01' is not a date; write it as 2026-12-31",
        "k/passport.md:7: status 'live': one of draft, published, archived",
        "k/passport.md:8: the body is empty",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no front matter\n", "k/a.md:1: an article starts with front matter"),
        ("---\ntitle: x\n", "k/a.md:1: the front matter opened here is never closed"),
        ("---\ntitle: x\ntopics: [a\n---\nbody\n", "k/a.md:3: the front matter is not valid YAML"),
        ("---\n- a\n- b\n---\nbody\n", "k/a.md:2: the front matter is a list of fields"),
        (
            "---\ntitle: [1, 2]\ntopics: documents\ndepartment: x\n---\nbody\n",
            "k/a.md:2: title: text is expected",
        ),
    ],
)
def test_broken_front_matter_says_where(text: str, expected: str) -> None:
    with pytest.raises(ArticleFileError) as err:
        parse(text, "k/a.md")
    assert err.value.problems[0].startswith(expected), err.value.problems


def test_the_seed_folder_reads_without_a_problem_and_its_links_lead_somewhere() -> None:
    folder = Path(__file__).resolve().parents[2] / "knowledge"
    articles = [parse(p.read_text(encoding="utf-8"), str(p), TOPICS) for p in sorted(folder.glob("*.md"))]
    assert len(articles) >= 30
    slugs = {a.slug for a in articles}
    assert {link for a in articles for link in a.links()} <= slugs
    assert {t for a in articles for t in a.topics} == TOPICS  # every topic a call carries has articles
    assert sum(1 for a in articles if a.translations) >= 5


def test_the_editors_check_names_what_to_fix_before_publishing() -> None:
    from ivr.kb.checks import check

    a = article(title="", valid_until=date(2026, 6, 30), translations={})
    found = check(a, today=date(2026, 12, 7), languages=("ko", "en", "zh"), slugs={"passport-hours"})
    assert found == [
        ("title", "the title is empty"),
        ("valid_until", "expired on 2026-06-30: the desk does not offer it"),
        ("translations", "no en translation, a language the flows offer"),
        ("translations", "no zh translation, a language the flows offer"),
        ("body", "[[passport-fees]] links to no article"),
    ]
    assert check(article(), today=date(2026, 12, 7), languages=("en",), slugs={"passport-fees"}) == []
