"""An article as plain JSON-able data and back: what the store keeps per version and the desk sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ivr.kb.article import Article, Translation
from ivr.kb.lifecycle import ArticleEvent, ArticleStatus


@dataclass(frozen=True)
class ArticleVersion:
    """One saved version of an article: the whole article, and who saved it, when, why."""

    slug: str
    version: int  # 1, 2, ... per article
    at: datetime
    who: str
    note: str
    event: ArticleEvent  # what the save did: create, edit, publish, withdraw, archive, restore
    article: Article


def to_data(article: Article) -> dict[str, Any]:
    """The article as a dict of text, lists and ISO dates."""
    return {
        "slug": article.slug,
        "title": article.title,
        "body": article.body,
        "topics": list(article.topics),
        "department": article.department,
        "keywords": list(article.keywords),
        "status": article.status.value,
        "valid_from": article.valid_from.isoformat() if article.valid_from else None,
        "valid_until": article.valid_until.isoformat() if article.valid_until else None,
        "translations": {
            lang: {"title": t.title, "body": t.body} for lang, t in sorted(article.translations.items())
        },
    }


def from_data(data: dict[str, Any]) -> Article:
    """The article to_data wrote (fields missing from older versions take their defaults)."""
    return Article(
        slug=data["slug"],
        title=data.get("title", ""),
        body=data.get("body", ""),
        topics=tuple(data.get("topics") or ()),
        department=data.get("department", ""),
        keywords=tuple(data.get("keywords") or ()),
        status=ArticleStatus(data.get("status", "draft")),
        valid_from=_day(data.get("valid_from")),
        valid_until=_day(data.get("valid_until")),
        translations={
            lang: Translation(t.get("title", ""), t.get("body", ""))
            for lang, t in (data.get("translations") or {}).items()
        },
    )


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
