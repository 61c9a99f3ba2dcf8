"""The knowledge base's tables, made at open where missing.

`kb_articles` holds each article's current version (one row per slug, the
columns the desk filters on, and the whole article as JSON); `kb_article_versions`
holds every version ever saved, whole, with who, when, the event and the note.
The full-text index (`kb_index`, kb_index.py) is built from them when first
needed, not here: it needs the Korean analyzer, which takes seconds to load,
and every command opens this file.
"""

from __future__ import annotations

import sqlite_utils

ARTICLES = "kb_articles"
VERSIONS = "kb_article_versions"

_ARTICLE_COLUMNS = {
    "slug": str,
    "title": str,
    "status": str,
    "department": str,
    "topics": str,  # JSON list: filtered with json_each
    "valid_from": str,  # ISO date or NULL
    "valid_until": str,
    "version": int,  # the current version's number
    "updated_at": str,
    "updated_by": str,
    "article": str,  # the whole article as JSON (ivr.kb.codec.to_data)
}
_VERSION_COLUMNS = {
    "id": int,
    "slug": str,
    "version": int,
    "at": str,
    "who": str,
    "event": str,
    "note": str,
    "article": str,
}


def create_kb_schema(db: sqlite_utils.Database) -> None:
    """Create the article tables and their indexes where missing; add columns later versions introduced."""
    articles = db.table(ARTICLES)
    if not articles.exists():
        articles.create(
            _ARTICLE_COLUMNS,
            pk="slug",
            not_null={"title", "status", "department", "topics", "version", "updated_at", "article"},
        )
        articles.create_index(["status"])
        articles.create_index(["department"])
    else:
        for name, kind in _ARTICLE_COLUMNS.items():
            if name not in articles.columns_dict:
                articles.add_column(name, kind)
    versions = db.table(VERSIONS)
    if not versions.exists():
        versions.create(
            _VERSION_COLUMNS, pk="id", not_null={"slug", "version", "at", "who", "event", "article"}
        )
        versions.create_index(["slug", "version"], unique=True)
