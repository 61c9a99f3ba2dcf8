"""The knowledge base's full-text indexes beside the articles (SQLite FTS5; PostgreSQL: kb_postings.py).

`kb_index` holds each article's analyzed terms: content morphemes of the
title, keywords and body (one column each, so a title match weighs more),
and their character bigrams (`grams`, for near misses). Its tokenizer is
unicode61, which only splits on the spaces the analyzer put between terms.
`kb_trigram` holds the raw text under FTS5's own trigram tokenizer: the
method the analyzer was measured against (bench/kb.py), kept so the
comparison can be run again on the city's own base.

Built when first needed (`ensure`), rebuilt whole when the analyzer changes
(its name is kept in `kb_index_meta`), and kept current by every save
(`refresh`, in the save's transaction). On PostgreSQL the same terms and
text go into postings that are ranked as FTS5 ranks (kb_postings.py).
"""

from __future__ import annotations

import json

import sqlite_utils

from ivr.kb.analyzer import Analyzer, bigrams, default_analyzer
from ivr.kb.article import Article
from ivr.kb.bm25 import trigrams_of, words_of
from ivr.kb.codec import from_data
from ivr.store import engine, kb_postings
from ivr.store.kb_tables import ARTICLES

INDEX = "kb_index"
TRIGRAM = "kb_trigram"
META = "kb_index_meta"
VOCAB = "kb_index_vocab"  # which terms the index has, by column: a word no article has is a near miss
# BM25 column weights, kept in each table's FTS5 config as its `rank`: a match
# in the title counts most, then the keywords, then the body. The slug column
# is not indexed; grams are matched on their own (a query names one column).
WEIGHTS = {
    INDEX: {"title": 6.0, "keywords": 4.0, "body": 1.0, "grams": 1.0},
    TRIGRAM: {"title": 6.0, "keywords": 4.0, "body": 1.0},
}
_RANK = {table: f"bm25(0.0, {', '.join(map(str, w.values()))})" for table, w in WEIGHTS.items()}


def _create(db: sqlite_utils.Database) -> None:
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX} USING fts5("
        "slug UNINDEXED, title, keywords, body, grams, tokenize = 'unicode61 remove_diacritics 0')"
    )
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TRIGRAM} USING fts5("
        "slug UNINDEXED, title, keywords, body, tokenize = 'trigram')"
    )
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB} USING fts5vocab({INDEX}, 'col')")
    db.execute(f"CREATE TABLE IF NOT EXISTS {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for table, rank in _RANK.items():
        db.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('rank', ?)", [rank])


LAYOUT = 2  # this module's tables and weights: a change rebuilds the index like a new analyzer


def signature(analyzer: Analyzer) -> str:
    """What an index is built with: the analyzer and this module's layout."""
    return f"{analyzer.name}+index{LAYOUT}"


def built_with(db: sqlite_utils.Database) -> str | None:
    """The analyzer the index was built with, or None when there is no index yet."""
    if not db.table(META).exists():
        return None
    row = db.execute(f"SELECT value FROM {META} WHERE key = 'analyzer'").fetchone()
    return str(row[0]) if row else None


def ensure(db: sqlite_utils.Database, analyzer: Analyzer | None = None) -> bool:
    """Build the index if it is missing or was built by another analyzer or layout; True if it was."""
    analyzer = analyzer or default_analyzer()
    if built_with(db) == signature(analyzer):
        return False
    if engine.on_postgres(db):
        kb_postings.drop(db)
        kb_postings.create(db)
        db.execute(f"CREATE TABLE IF NOT EXISTS {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    else:
        for table in (VOCAB, INDEX, TRIGRAM):  # made anew: a new layout may have other columns
            db.execute(f"DROP TABLE IF EXISTS {table}")
        _create(db)
    for (data,) in db.execute(f"SELECT article FROM {ARTICLES}").fetchall():
        _insert(db, from_data(json.loads(data)), analyzer)
    db.execute(f"INSERT OR REPLACE INTO {META} (key, value) VALUES ('analyzer', ?)", [signature(analyzer)])
    return True


def refresh(db: sqlite_utils.Database, article: Article, analyzer: Analyzer | None = None) -> None:
    """Bring the entry of `article` up to date (building the whole index if there is none)."""
    analyzer = analyzer or default_analyzer()
    if ensure(db, analyzer):
        return  # built from the articles table, this article included
    if engine.on_postgres(db):
        kb_postings.remove(db, article.slug)
    else:
        db.execute(f"DELETE FROM {INDEX} WHERE slug = ?", [article.slug])
        db.execute(f"DELETE FROM {TRIGRAM} WHERE slug = ?", [article.slug])
    _insert(db, article, analyzer)


def _insert(db: sqlite_utils.Database, article: Article, analyzer: Analyzer) -> None:
    title = analyzer.words(article.title)
    # One analysis for all keywords (the analyzer's cost is mostly per call); the
    # commas keep one keyword's last word from running into the next one's first.
    keywords = analyzer.words(", ".join(article.keywords)) if article.keywords else []
    body = analyzer.words(article.body)
    analyzed = {
        "title": " ".join(title),
        "keywords": " ".join(keywords),
        "body": " ".join(body),
        "grams": " ".join(bigrams(list(dict.fromkeys([*title, *keywords, *body])))),
    }
    raw = {"title": article.title, "keywords": " ".join(article.keywords), "body": article.body}
    if engine.on_postgres(db):
        kb_postings.insert(db, INDEX, article.slug, analyzed, words_of)
        kb_postings.insert(db, TRIGRAM, article.slug, raw, trigrams_of)
        return
    db.execute(
        f"INSERT INTO {INDEX} (slug, title, keywords, body, grams) VALUES (?, ?, ?, ?, ?)",
        [article.slug, *analyzed.values()],
    )
    db.execute(
        f"INSERT INTO {TRIGRAM} (slug, title, keywords, body) VALUES (?, ?, ?, ?)",
        [article.slug, *raw.values()],
    )
