"""The knowledge base's search index on PostgreSQL: postings in a plain table, ranked as FTS5 ranks.

SQLite's index is FTS5 (kb_index.py). PostgreSQL's own full-text search
(tsvector, ts_rank) ranks otherwise, and pg_trgm has no BM25, so the same
question would list other articles first. Here the index is what FTS5 keeps
inside its virtual tables, as rows: for each article, column and token, the
token's positions (`kb_postings`, a b-tree on the token), and each
article's length in tokens (`kb_lengths`). A lookup reads the postings of
the question's tokens and scores them with FTS5's BM25 (ivr.kb.bm25), so
both engines give the same articles, the same scores, in the same order.

Two indexes live in the same tables, told apart by `idx`: the analyzed
terms (kb_index.INDEX: title, keywords, body, grams, tokenized as unicode61
does) and the raw text (kb_index.TRIGRAM, tokenized as FTS5's trigram
tokenizer does).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import sqlite_utils

from ivr.kb import bm25

POSTINGS = "kb_postings"
LENGTHS = "kb_lengths"
# One article's one column: its text and the tokenizer its index uses.
Columns = dict[str, str]
Tokenizer = Callable[[str], list[str]]
# phrase -> article -> column -> matches
Found = dict[str, dict[str, dict[str, int]]]


def create(db: sqlite_utils.Database) -> None:
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {POSTINGS} (idx TEXT NOT NULL, term TEXT NOT NULL, "
        "slug TEXT NOT NULL, col TEXT NOT NULL, pos INTEGER[] NOT NULL, PRIMARY KEY (idx, term, slug, col))"
    )
    db.execute(f"CREATE INDEX IF NOT EXISTS {POSTINGS}_slug ON {POSTINGS} (idx, slug)")
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {LENGTHS} (idx TEXT NOT NULL, slug TEXT NOT NULL, "
        "length INTEGER NOT NULL, PRIMARY KEY (idx, slug))"
    )


def drop(db: sqlite_utils.Database) -> None:
    for table in (POSTINGS, LENGTHS):
        db.execute(f"DROP TABLE IF EXISTS {table}")


def remove(db: sqlite_utils.Database, slug: str) -> None:
    for table in (POSTINGS, LENGTHS):
        db.execute(f"DELETE FROM {table} WHERE slug = ?", [slug])


def insert(db: sqlite_utils.Database, idx: str, slug: str, columns: Columns, tokenize: Tokenizer) -> None:
    """One article's row of index `idx`: every token's positions per column, and its length."""
    terms: list[str] = []
    cols: list[str] = []
    positions: list[str] = []
    length = 0
    for col, text in columns.items():
        at: dict[str, list[int]] = defaultdict(list)
        tokens = tokenize(text)
        for n, token in enumerate(tokens):
            at[token].append(n)
        length += len(tokens)
        terms += at
        cols += [col] * len(at)
        positions += (",".join(map(str, p)) for p in at.values())
    # One statement for all of an article's postings: a body has hundreds of distinct trigrams.
    db.execute(
        f"INSERT INTO {POSTINGS} (idx, term, slug, col, pos) "
        "SELECT ?, u.term, ?, u.col, string_to_array(u.pos, ',')::integer[] "
        "FROM unnest(?::text[], ?::text[], ?::text[]) AS u(term, col, pos)",
        [idx, slug, _array(terms), _array(cols), _array(positions)],
    )
    db.execute(f"INSERT INTO {LENGTHS} (idx, slug, length) VALUES (?, ?, ?)", [idx, slug, length])


def document_count(db: sqlite_utils.Database, idx: str, term: str, columns: Iterable[str]) -> int:
    """In how many articles one column holds `term` (the most over `columns`), as fts5vocab's `doc`."""
    row = db.execute(
        f"SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM {POSTINGS} WHERE idx = ? AND term = ? "
        "AND col = ANY(?::text[]) GROUP BY col) c",
        [idx, term, _array(columns)],
    ).fetchone()
    return int(row[0] or 0)


def scores(
    db: sqlite_utils.Database,
    idx: str,
    phrases: tuple[str, ...],
    weights: dict[str, float],
    tokenize: Tokenizer,
    *,
    picking: tuple[str, ...] | None = None,
) -> dict[str, float]:
    """BM25 of every article matching one of `picking` (all `phrases` by default), scored by all of them.

    `weights` names the columns searched and their weights (FTS5's column filter and bm25() arguments)."""
    picking = phrases if picking is None else picking
    found: Found = {p: _matches(db, idx, tokenize(p), weights) for p in picking}
    articles = sorted({slug for by_slug in found.values() for slug in by_slug})
    if not articles:
        return {}
    hits = {p: len(found[p]) for p in picking}
    for p in phrases:
        if p not in found:
            found[p] = _matches(db, idx, tokenize(p), weights, articles)
            hits[p] = _hits(db, idx, tokenize(p), weights)
    rows, total = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(length), 0) FROM {LENGTHS} WHERE idx = ?", [idx]
    ).fetchone()
    lengths = dict(
        db.execute(
            f"SELECT slug, length FROM {LENGTHS} WHERE idx = ? AND slug = ANY(?::text[])",
            [idx, _array(articles)],
        ).fetchall()
    )
    idfs = [bm25.idf(int(rows), hits[p]) for p in phrases]
    average = int(total) / max(int(rows), 1)
    out = {}
    for slug in articles:
        freqs = [sum(weights[c] * n for c, n in found[p].get(slug, {}).items()) for p in phrases]
        out[slug] = bm25.score(freqs, idfs, int(lengths.get(slug, 0)), average)
    return out


def _matches(
    db: sqlite_utils.Database,
    idx: str,
    tokens: list[str],
    weights: dict[str, float],
    among: list[str] | None = None,
) -> dict[str, dict[str, int]]:
    """Where a phrase of `tokens` stands: article -> column -> how often (its tokens side by side)."""
    if not tokens:
        return {}
    sql = (
        f"SELECT term, slug, col, pos FROM {POSTINGS} WHERE idx = ? AND term = ANY(?::text[]) "
        "AND col = ANY(?::text[])"
    )
    args: list[object] = [idx, _array(set(tokens)), _array(weights)]
    if among is not None:
        sql += " AND slug = ANY(?::text[])"
        args.append(_array(among))
    at: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(dict)
    for term, slug, col, pos in db.execute(sql, args).fetchall():
        at[(slug, col)][term] = pos
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for (slug, col), by_term in at.items():
        if all(t in by_term for t in tokens):
            n = bm25.occurrences([by_term[t] for t in tokens])
            if n:
                out[slug][col] = n
    return dict(out)


def _hits(db: sqlite_utils.Database, idx: str, tokens: list[str], weights: dict[str, float]) -> int:
    """In how many articles a phrase stands in the columns searched (an IDF's count)."""
    if len(tokens) != 1:  # a phrase of several tokens (rare: "33,000") is matched whole
        return len(_matches(db, idx, tokens, weights))
    row = db.execute(
        f"SELECT COUNT(DISTINCT slug) FROM {POSTINGS} WHERE idx = ? AND term = ? AND col = ANY(?::text[])",
        [idx, tokens[0], _array(weights)],
    ).fetchone()
    return int(row[0])


def _array(values: Iterable[str]) -> str:
    """A text[] literal: each value quoted, its quotes and backslashes escaped."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"
