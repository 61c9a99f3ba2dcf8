"""Articles on both engines: versions, lists, history, rollback, import (all or nothing), export."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.kb.errors import IllegalArticleTransition, InvalidArticle
from ivr.kb.lifecycle import ArticleEvent, ArticleStatus
from ivr.store import kb_articles, kb_files
from ivr.store.desk_schema import transaction
from ivr.store.sql import query
from tests.unit.test_kb_article import TOPICS, article

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
S = ArticleStatus


def audit_rows(path: Path | str) -> list[tuple[str, str, str]]:
    with transaction(path) as db:
        return [(r["actor"], r["action"], r["target"]) for r in query(db, "SELECT * FROM audit ORDER BY id")]


def test_each_save_is_a_version_with_who_when_and_why_and_the_lists_find_it(records_at: Path | str) -> None:
    path = records_at
    with transaction(path) as db:
        first = kb_articles.save(db, article(status=S.DRAFT), who="kim", note="처음 작성", at=T0)
        second = kb_articles.save(
            db, article(title="여권 접수 시간"), who="lee", note="게시", at=T0 + timedelta(hours=1)
        )
        same = kb_articles.save(db, article(title="여권 접수 시간"), who="lee", at=T0 + timedelta(hours=2))
        kb_articles.save(
            db, article(slug="car-tax", topics=("local_tax",), department="tax"), who="kim", at=T0
        )
    assert (first.version, first.event, second.version, second.event) == (1, "create", 2, "publish")
    assert same == second  # nothing changed: no third version
    with transaction(path) as db:
        current = kb_articles.get(db, "passport-hours")
        assert current is not None
        assert (current.version, current.who, current.note, current.article.title) == (
            2,
            "lee",
            "게시",
            "여권 접수 시간",
        )
        assert [v.version for v in kb_articles.history(db, "passport-hours")] == [1, 2]
        old = kb_articles.version(db, "passport-hours", 1)
        assert old is not None and old.article.title == "여권 발급 시간과 장소" and old.at == T0
        assert [v.slug for v in kb_articles.list_articles(db, topic="local_tax")] == ["car-tax"]
        assert [v.slug for v in kb_articles.list_articles(db, department="civil-affairs")] == [
            "passport-hours"
        ]
        assert len(kb_articles.list_articles(db, status=S.PUBLISHED)) == 2
        assert kb_articles.list_articles(db, status=S.DRAFT) == []
        assert kb_articles.get(db, "nothing") is None and kb_articles.history(db, "nothing") == []
    assert audit_rows(path) == [
        ("kim", "kb.create", "passport-hours"),
        ("lee", "kb.publish", "passport-hours"),
        ("kim", "kb.publish", "car-tax"),
    ]


def test_a_refused_save_writes_nothing(records_at: Path | str) -> None:
    path = records_at
    with transaction(path) as db:
        kb_articles.save(db, article(), who="kim", at=T0)
        kb_articles.save(db, article(status=S.ARCHIVED), who="kim", at=T0)
        with pytest.raises(IllegalArticleTransition, match="restore it to a draft"):
            kb_articles.save(db, article(status=S.PUBLISHED, title="다시"), who="kim", at=T0)
        with pytest.raises(InvalidArticle, match="title is empty"):
            kb_articles.save(db, article(slug="new-one", title=""), who="kim", at=T0)
        assert [v.version for v in kb_articles.history(db, "passport-hours")] == [1, 2]
        assert kb_articles.get(db, "new-one") is None


def test_a_rollback_is_a_new_version_with_the_old_text(records_at: Path | str) -> None:
    path = records_at
    with transaction(path) as db:
        kb_articles.save(db, article(), who="kim", at=T0)
        kb_articles.save(db, article(body="잘못 고친 본문"), who="lee", at=T0 + timedelta(minutes=5))
        back = kb_articles.rollback(db, "passport-hours", 1, who="park", at=T0 + timedelta(minutes=9))
        assert (back.version, back.event, back.note) == (3, ArticleEvent.EDIT, "rolled back to version 1")
        assert kb_articles.get(db, "passport-hours") == back
        assert back.article == article()
        with pytest.raises(kb_articles.NoSuchArticle, match="no version 7"):
            kb_articles.rollback(db, "passport-hours", 7, who="park", at=T0)
    assert audit_rows(path)[-1] == ("park", "kb.rollback", "passport-hours")


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


GOOD = "---\ntitle: {title}\nstatus: published\ntopics: [local_tax]\ndepartment: tax\n---\n\n{body}\n"


def test_an_import_with_one_broken_file_writes_nothing_and_names_file_and_line(
    records_at: Path | str, tmp_path: Path
) -> None:
    folder = tmp_path / "manual"
    write(folder, "car-tax.md", GOOD.format(title="자동차세", body="6월과 12월에 냅니다."))
    write(folder, "property-tax.md", GOOD.format(title="재산세", body="7월과 9월에 냅니다."))
    write(folder, "broken.md", "---\ntitle: 고장\ntopics: [local_tax\ndepartment: tax\n---\n본문\n")
    write(folder, "no-title.md", "---\ntopics: [local_tax]\ndepartment: tax\n---\n본문\n")
    path = records_at
    with pytest.raises(kb_files.ImportRefused) as err, transaction(path) as db:
        kb_files.import_folder(db, folder, who="kim", at=T0, known_topics=TOPICS)
    assert err.value.problems == [
        f"{folder}/broken.md:4: the front matter is not valid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence that starts at line 3)",
        f"{folder}/no-title.md:1: the title is empty",
    ]
    with transaction(path) as db:
        assert kb_articles.count(db) == 0
    assert audit_rows(path) == []


def test_an_import_adds_changes_and_skips_then_export_writes_it_back(
    records_at: Path | str, tmp_path: Path
) -> None:
    folder = tmp_path / "manual"
    write(folder, "car-tax.md", GOOD.format(title="자동차세", body="6월과 12월에 냅니다."))
    write(folder, "property-tax.md", GOOD.format(title="재산세", body="7월과 9월에 냅니다."))
    write(folder, "README.md", "# 세정과 상담 자료\n\n이 폴더의 문서는 ...\n")  # describes the folder
    path = records_at
    with transaction(path) as db:
        first = kb_files.import_folder(db, folder, who="kim", at=T0, known_topics=TOPICS)
    write(folder, "car-tax.md", GOOD.format(title="자동차세 납부", body="6월과 12월에 냅니다."))
    with transaction(path) as db:
        second = kb_files.import_folder(db, folder, who="kim", at=T0, known_topics=TOPICS)
        out = kb_files.export_folder(db, tmp_path / "out", who="kim", at=T0)
    assert dataclasses.astuple(first) == (["car-tax", "property-tax"], [], [])
    assert dataclasses.astuple(second) == ([], ["car-tax"], ["property-tax"])
    assert [p.name for p in out] == ["car-tax.md", "property-tax.md"]
    # The exported folder imports again as it is: nothing changes.
    with transaction(path) as db:
        third = kb_files.import_folder(db, tmp_path / "out", who="kim", at=T0, known_topics=TOPICS)
    assert dataclasses.astuple(third) == ([], [], ["car-tax", "property-tax"])
    actions = [a for _, a, _ in audit_rows(path)]
    assert actions.count("kb.import") == 3 and actions.count("kb.export") == 1


def test_an_import_that_would_republish_an_archived_article_is_refused_at_its_status_line(
    records_at: Path | str,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "manual"
    path = records_at
    with transaction(path) as db:
        kb_articles.save(db, article(slug="car-tax", topics=("local_tax",), department="tax"), who="k", at=T0)
        kb_articles.save(
            db,
            article(slug="car-tax", topics=("local_tax",), department="tax", status=S.ARCHIVED),
            who="k",
            at=T0,
        )
    write(folder, "car-tax.md", GOOD.format(title="자동차세", body="본문"))
    with pytest.raises(kb_files.ImportRefused) as err, transaction(path) as db:
        kb_files.import_folder(db, folder, who="kim", at=T0)
    assert err.value.problems == [
        f"{folder}/car-tax.md:3: car-tax: the article is archived: restore it to a draft before it can be "
        "published again"
    ]


def test_an_import_that_would_withdraw_an_article_a_flow_prompt_reads_is_refused(
    records_at: Path | str, tmp_path: Path
) -> None:
    # The flows would no longer load, and the hotline could not start.
    folder = tmp_path / "manual"
    path = records_at
    write(folder, "car-tax.md", GOOD.format(title="자동차세", body="6월과 12월에 냅니다."))
    readers = {"car-tax": ["hotline.car_tax_info"]}
    with transaction(path) as db:
        kb_files.import_folder(db, folder, who="kim", at=T0, read_by=readers)
    write(folder, "car-tax.md", GOOD.format(title="자동차세", body="본문").replace("published", "draft"))
    with pytest.raises(kb_files.ImportRefused) as err, transaction(path) as db:
        kb_files.import_folder(db, folder, who="kim", at=T0, read_by=readers)
    assert err.value.problems == [
        f"{folder}/car-tax.md:3: car-tax: flow prompts read this article (hotline.car_tax_info); "
        "it must stay published (remove their kb: first)"
    ]
    with transaction(path) as db:
        current = kb_articles.get(db, "car-tax")
        assert current is not None and current.article.status == "published"


def test_two_files_with_one_id_and_an_empty_folder_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "manual"
    write(folder, "a/car-tax.md", GOOD.format(title="자동차세", body="본문"))
    write(folder, "b/car-tax.md", GOOD.format(title="자동차세", body="본문"))
    with pytest.raises(kb_files.ImportRefused, match="is also the id of"):
        kb_files.read_folder(folder)
    (tmp_path / "empty").mkdir()
    with pytest.raises(kb_files.ImportRefused, match=r"no \.md files"):
        kb_files.read_folder(tmp_path / "empty")
