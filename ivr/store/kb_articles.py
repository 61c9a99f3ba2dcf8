"""Articles and their versions: save, read, list, history, roll back; every change audited.

Each function takes the open database and runs inside the caller's
transaction (the service's writer thread, or `desk_schema.transaction` for a
command), so a save, its version row, its index entry and its audit row are
written together or not at all. A save whose article equals the current one
writes nothing and returns the current version.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime

import sqlite_utils

from ivr.kb.article import Article, require_valid
from ivr.kb.codec import ArticleVersion, from_data, to_data
from ivr.kb.errors import KbError
from ivr.kb.lifecycle import ArticleEvent, ArticleStatus, event_between
from ivr.store import audit, kb_index
from ivr.store.kb_tables import ARTICLES, VERSIONS
from ivr.store.sql import query
from ivr.store.stamps import parse_stamp, stamp


class NoSuchArticle(KbError):
    """An article, or a version of one, that the base does not have."""


def save(
    db: sqlite_utils.Database,
    article: Article,
    *,
    who: str,
    note: str = "",
    at: datetime,
    known_topics: Collection[str] | None = None,
    ip: str | None = None,
) -> ArticleVersion:
    """Keep `article` as its slug's next version (checked, its status change by the lifecycle table).

    Raises InvalidArticle or IllegalArticleTransition and writes nothing; an
    article equal to the current version is not saved again."""
    require_valid(article, known_topics)
    current = get(db, article.slug)
    if current is not None and current.article == article:
        return current
    event = event_between(current.article.status if current else None, article.status)
    return _write(db, article, event, who=who, note=note, at=at, ip=ip, number=_next(current))


def _next(current: ArticleVersion | None) -> int:
    return current.version + 1 if current else 1


def _write(
    db: sqlite_utils.Database,
    article: Article,
    event: ArticleEvent,
    *,
    who: str,
    note: str,
    at: datetime,
    ip: str | None,
    number: int,
    action: str | None = None,
) -> ArticleVersion:
    data = json.dumps(to_data(article), ensure_ascii=False)
    db.table(VERSIONS).insert(
        {
            "slug": article.slug,
            "version": number,
            "at": stamp(at),
            "who": who,
            "event": event.value,
            "note": note,
            "article": data,
        }
    )
    db.table(ARTICLES).upsert(
        {
            "slug": article.slug,
            "title": article.title,
            "status": article.status.value,
            "department": article.department,
            "topics": json.dumps(list(article.topics), ensure_ascii=False),
            "valid_from": article.valid_from.isoformat() if article.valid_from else None,
            "valid_until": article.valid_until.isoformat() if article.valid_until else None,
            "version": number,
            "updated_at": stamp(at),
            "updated_by": who,
            "article": data,
        },
        pk="slug",
    )
    kb_index.refresh(db, article)
    detail = f"version {number}" + (f": {note}" if note else "")
    audit.record(db, at, who, action or f"kb.{event.value}", article.slug, detail, ip)
    return ArticleVersion(article.slug, number, at, who, note, event, article)


def get(db: sqlite_utils.Database, slug: str) -> ArticleVersion | None:
    """The current version of an article, or None."""
    rows = query(
        db, f"SELECT v.* FROM {VERSIONS} v JOIN {ARTICLES} a USING (slug, version) WHERE a.slug = ?", [slug]
    )
    return _version(rows[0]) if rows else None


def list_articles(
    db: sqlite_utils.Database,
    *,
    topic: str | None = None,
    department: str | None = None,
    status: ArticleStatus | None = None,
) -> list[ArticleVersion]:
    """Current versions, by title, of the articles with that topic, department and status (each optional)."""
    where, args = ["1 = 1"], []
    if topic is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(a.topics) WHERE json_each.value = ?)")
        args.append(topic)
    if department is not None:
        where.append("a.department = ?")
        args.append(department)
    if status is not None:
        where.append("a.status = ?")
        args.append(ArticleStatus(status).value)
    sql = (
        f"SELECT v.* FROM {ARTICLES} a JOIN {VERSIONS} v USING (slug, version) "
        f"WHERE {' AND '.join(where)} ORDER BY a.title, a.slug"
    )
    return [_version(r) for r in query(db, sql, args)]


def history(db: sqlite_utils.Database, slug: str) -> list[ArticleVersion]:
    """Every version of an article, oldest first (empty if there is no such article)."""
    rows = query(db, f"SELECT * FROM {VERSIONS} WHERE slug = ? ORDER BY version", [slug])
    return [_version(r) for r in rows]


def version(db: sqlite_utils.Database, slug: str, number: int) -> ArticleVersion | None:
    """Version `number` of an article, or None."""
    rows = query(db, f"SELECT * FROM {VERSIONS} WHERE slug = ? AND version = ?", [slug, number])
    return _version(rows[0]) if rows else None


def rollback(
    db: sqlite_utils.Database,
    slug: str,
    number: int,
    *,
    who: str,
    note: str = "",
    at: datetime,
    ip: str | None = None,
) -> ArticleVersion:
    """Make version `number`'s article the current one again, as a new version (history is kept).

    Its status change goes through the lifecycle table like any save: rolling
    an archived article back is refused until it is restored."""
    current = get(db, slug)
    old = version(db, slug, number)
    if current is None or old is None:
        raise NoSuchArticle([f"{slug}: there is no version {number} of this article"])
    event = event_between(current.article.status, old.article.status)
    why = note or f"rolled back to version {number}"
    return _write(
        db,
        old.article,
        event,
        who=who,
        note=why,
        at=at,
        ip=ip,
        number=current.version + 1,
        action="kb.rollback",
    )


def count(db: sqlite_utils.Database) -> int:
    """How many articles the base has (any status)."""
    return int(db.execute(f"SELECT COUNT(*) FROM {ARTICLES}").fetchone()[0])


def _version(row: dict[str, object]) -> ArticleVersion:
    return ArticleVersion(
        slug=str(row["slug"]),
        version=int(str(row["version"])),
        at=parse_stamp(str(row["at"])),
        who=str(row["who"]),
        note=str(row["note"] or ""),
        event=ArticleEvent(str(row["event"])),
        article=from_data(json.loads(str(row["article"]))),
    )
