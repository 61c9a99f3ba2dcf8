"""The knowledge base's full-text index (filled in by the search step)."""

from __future__ import annotations

import sqlite_utils

from ivr.kb.article import Article


def refresh(db: sqlite_utils.Database, article: Article) -> None:
    """Bring the index entry of `article` up to date, if the index has been built."""
    del db, article
