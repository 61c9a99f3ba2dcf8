"""Korean search: particles, spacing, near misses; the ranking; only what a counselor may read; bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlite_utils

from ivr.kb.analyzer import Terms, bigrams, default_analyzer, terms
from ivr.kb.bm25 import words_of
from ivr.kb.errors import QueryRefused
from ivr.kb.lifecycle import ArticleStatus
from ivr.kb.query import MAX_QUERY, checked
from ivr.kb.ranking import Candidate, rank
from ivr.store import engine, kb_articles, kb_files, kb_index, kb_postings, kb_search
from ivr.store.desk_schema import open_file
from tests.pg_cluster import Cluster
from tests.unit.test_kb_article import article

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 7)
T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def words(text: str) -> tuple[str, ...]:
    return terms(default_analyzer(), text).words


@pytest.mark.parametrize(
    ("spoken", "same_as"),
    [
        ("여권을", "여권"),
        ("여권은", "여권"),
        ("여권이요", "여권"),
        ("재산세납부", "재산세 납부"),
        ("재산세를 납부하려고요", "재산세 납부"),
        ("견인됐어요", "견인"),
    ],
)
def test_particles_endings_and_spacing_come_to_the_same_terms(spoken: str, same_as: str) -> None:
    assert words(spoken) == words(same_as)


def test_a_question_keeps_its_meaning_and_drops_its_grammar() -> None:
    assert words("재산세 언제까지 내요") == ("재산세", "언제", "내")
    assert words("저는 그거 어디서 해요") == ("어디",)
    assert words("여권 새로 만들려면") == ("여권", "새로", "만들")


def test_bigrams_join_a_typo_to_the_word_it_missed() -> None:
    assert bigrams(["재산세"]) == ("재산", "산세")
    typo: Terms = terms(default_analyzer(), "재산새")
    assert "재산" in typo.grams
    assert bigrams(["세", "재산세", "재산"]) == ("재산", "산세")  # a one-syllable word has none; once each


def test_ranking_puts_morpheme_matches_first_and_lifts_the_calls_topic_a_little() -> None:
    near = Candidate("property-tax", "재산세", ("local_tax",), words=0.0, grams=6.0)
    exact = Candidate("car-tax", "자동차세", ("local_tax",), words=4.5, grams=1.0)
    other = Candidate("water-bill", "수도요금", ("water",), words=4.0, grams=1.0)
    assert [h.slug for h in rank([near, exact, other])] == ["car-tax", "water-bill", "property-tax"]
    assert [h.slug for h in rank([exact, other], topic="water")] == ["water-bill", "car-tax"]
    assert rank([Candidate("x", "x", (), 0.0, 0.0)]) == []  # nothing matched: not a hit


def _seeded(at: Path | str) -> Iterator[sqlite_utils.Database]:
    db = open_file(at)
    with db.atomic():
        kb_files.import_folder(db, ROOT / "knowledge", who="test", at=T0)
    yield db
    db.close()


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite_utils.Database]:
    yield from _seeded(tmp_path_factory.mktemp("kb") / "hotline.sqlite3")


@pytest.fixture(scope="module")
def seeded_postgresql(pg_cluster: Cluster) -> Iterator[sqlite_utils.Database]:
    yield from _seeded(pg_cluster.fresh())


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded(request: pytest.FixtureRequest) -> sqlite_utils.Database:
    """The shipped articles (knowledge/), on each engine in turn."""
    db: sqlite_utils.Database = request.getfixturevalue(f"seeded_{request.param}")
    return db


def top(db: sqlite_utils.Database, question: str, **kw: object) -> list[str]:
    return [h.slug for h in kb_search.search(db, question, today=TODAY, limit=3, **kw).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("재산세 언제까지 내요", "property-tax"),
        ("여권 새로 만들려면", "passport-new"),
        ("차 견인됐어요", "towed-vehicle"),
        ("여권을 잃어버렸어요", "passport-reissue"),
        ("재산세납부", "property-tax"),
    ],
)
def test_citizens_questions_find_their_article_first(
    seeded: sqlite_utils.Database, question: str, answer: str
) -> None:
    assert top(seeded, question)[0] == answer


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("재산새 납부", "property-tax"),
        ("쥐득세 신고", "acquisition-tax"),
        ("견인보간소 위치", "towed-vehicle"),
    ],
)
def test_a_typo_still_finds_its_article_among_the_first_three(
    seeded: sqlite_utils.Database, question: str, answer: str
) -> None:
    assert answer in top(seeded, question)


def test_the_trigram_baseline_misses_two_syllable_words(seeded: sqlite_utils.Database) -> None:
    assert top(seeded, "차 견인됐어요", method="trigram") == []
    assert top(seeded, "재산세 언제까지 내요", method="trigram")[0] == "property-tax"


def test_the_desk_searches_only_published_articles_valid_today(records_at: Path | str) -> None:
    db = open_file(records_at)
    with db.atomic():
        kb_articles.save(
            db, article(slug="draft-one", title="여권 초안", status=ArticleStatus.DRAFT), who="k", at=T0
        )
        kb_articles.save(
            db, article(slug="expired", title="여권 지난 안내", valid_until=date(2026, 6, 30)), who="k", at=T0
        )
        kb_articles.save(db, article(slug="current", title="여권 안내"), who="k", at=T0)
    assert top(db, "여권") == ["current"]
    assert set(top(db, "여권", offered_only=False)) == {"draft-one", "expired", "current"}
    result = kb_search.search(db, "고래", today=TODAY)
    assert result.found_nothing and result.query == "고래" and result.words == ("고래",)


def test_a_saved_change_is_searchable_at_once_and_an_analyzer_change_rebuilds_the_index(
    records_at: Path | str,
) -> None:
    db = open_file(records_at)
    with db.atomic():
        kb_articles.save(db, article(title="여권 안내"), who="k", at=T0)
        kb_articles.save(db, article(title="고래 안내"), who="k", at=T0)
    assert top(db, "고래") == ["passport-hours"] and top(db, "여권 안내")[0] == "passport-hours"
    db.execute("UPDATE kb_index_meta SET value = 'older-analyzer'")
    with pytest.raises(Exception, match="not built"):
        kb_search.search(db, "고래", today=TODAY)
    assert kb_index.ensure(db) is True and kb_index.ensure(db) is False
    assert top(db, "고래") == ["passport-hours"]


@pytest.mark.parametrize(
    ("text", "words_in_message"),
    [
        ("가" * 10_000, "10,000자"),
        ("재산세\x00", "U+0000"),
        ("재산세\x1b[2J", "U+001B"),
        ("\u200b재산세", "U+200B"),
        ("   ", "입력해 주십시오"),
    ],
)
def test_what_is_no_question_is_refused_before_any_work(text: str, words_in_message: str) -> None:
    with pytest.raises(QueryRefused) as err:
        checked(text)
    assert words_in_message in str(err.value)


def test_a_question_at_the_limit_is_searched_and_fts_syntax_is_only_text(
    seeded: sqlite_utils.Database,
) -> None:
    assert checked("  재산세   언제\t내요 ") == "재산세 언제 내요"
    result = kb_search.search(seeded, "재산세 " * (MAX_QUERY // 4), today=TODAY)
    assert result.hits[0].slug == "property-tax"
    for tricky in ('"재산세', "재산세 OR", "NEAR(재산세", "title:재산세", "재산세*", "AND NOT"):
        kb_search.search(seeded, tricky, today=TODAY)
        kb_search.search(seeded, tricky, today=TODAY, method="trigram")


def test_it_is_the_bigrams_that_find_a_typo(seeded: sqlite_utils.Database) -> None:
    assert "towed-vehicle" not in top(seeded, "견인보간소 위치", method="morphemes")
    assert "towed-vehicle" in top(seeded, "견인보간소 위치")


def test_on_a_large_base_a_common_word_ranks_but_does_not_pick(records_at: Path | str) -> None:
    import random

    from bench.kb_corpus import generated_articles

    db = open_file(records_at)
    with db.atomic():
        kb_files.import_folder(db, ROOT / "knowledge", who="test", at=T0)
        for a in generated_articles(kb_search.COMMON_MIN_ARTICLES, random.Random(15)):
            kb_articles.save(db, a, who="test", at=T0)
    docs = kb_search.document_counts(db, ("여권", "수수료"))
    assert docs["여권"] < 10 and docs["수수료"] > 0.1 * kb_articles.count(db)  # 수수료 is common here
    result = kb_search.search(db, "여권수수료", today=TODAY, limit=3)
    assert result.hits[0].slug == "passport-fees"  # the common word still ranks
    assert all(h.slug.startswith("passport") for h in result.hits)  # and picks none of its thousands
    # The same scores as a plain "여권 OR 수수료" over the articles that have 여권.
    if engine.on_postgres(db):
        weights = {c: kb_index.WEIGHTS[kb_index.INDEX][c] for c in ("title", "keywords", "body")}
        plain = kb_postings.scores(db, kb_index.INDEX, ("여권", "수수료"), weights, words_of)
    else:
        plain = dict(
            db.execute(
                "SELECT slug, -rank FROM kb_index WHERE kb_index MATCH ? ORDER BY rank",
                ['{title keywords body} : ("여권" OR "수수료")'],
            ).fetchall()
        )
    for hit in result.hits:
        assert hit.score == pytest.approx(plain[hit.slug])


QUESTIONS = (
    "재산세 언제까지 내요",
    "여권 새로 만들려면",
    "차 견인됐어요",
    "여권을 잃어버렸어요",
    "재산세납부",
    "재산새 납부",
    "쥐득세 신고",
    "견인보간소 위치",
    "시청 몇 시에 문 열어요",
    "기초연금 신청 자격",
    "장애인 등록은 어디서 해요",
    "출산 지원금 33,000원",
    "가족관계증명서 인터넷 발급",
    "수도요금 4.5% 인상",
    "자동차세 연납 할인",
    "긴급복지 생계비",
    "쓰레기 대형폐기물 스티커",
)


@pytest.mark.parametrize("method", ["kiwi", "morphemes", "trigram"])
def test_both_engines_list_the_same_articles_in_the_same_order_with_the_same_scores(
    seeded_sqlite: sqlite_utils.Database, seeded_postgresql: sqlite_utils.Database, method: str
) -> None:
    answered = 0
    for question in QUESTIONS:
        kw = {"today": TODAY, "limit": 10, "method": method, "offered_only": False}
        on_sqlite = kb_search.search(seeded_sqlite, question, **kw).hits  # type: ignore[arg-type]
        on_postgres = kb_search.search(seeded_postgresql, question, **kw).hits  # type: ignore[arg-type]
        assert [h.slug for h in on_postgres] == [h.slug for h in on_sqlite], question
        assert [h.score for h in on_postgres] == pytest.approx([h.score for h in on_sqlite]), question
        answered += bool(on_sqlite)
    assert answered >= len(QUESTIONS) // 2  # a comparison of empty lists would prove nothing
