"""Search the knowledge base as the desk does: a citizen's question in, the best articles out.

The question is checked first (ivr.kb.query: length, control characters),
analyzed by the same analyzer as the index, and looked up twice in the
index (FTS5 on SQLite; on PostgreSQL postings ranked as FTS5 ranks them,
kb_postings.py): its morphemes in title, keywords and body, its bigrams in
the near-miss column; ivr.kb.ranking orders the union. By default only published articles
valid today are searched (what a counselor may read to a citizen); editors
pass offered_only=False. `method="trigram"` runs FTS5's trigram tokenizer
alone on the raw text, the baseline the analyzer is measured against;
`method="morphemes"` leaves the bigrams out, to show what they add.
"""

from __future__ import annotations

import json
import time
from datetime import date

import sqlite_utils

from ivr.kb.analyzer import MAX_TERMS, Analyzer, bigrams, default_analyzer, terms
from ivr.kb.bm25 import trigrams_of, words_of
from ivr.kb.errors import KbError
from ivr.kb.query import checked
from ivr.kb.ranking import Candidate, SearchResult, rank
from ivr.store import engine, kb_postings
from ivr.store.kb_index import INDEX, TRIGRAM, VOCAB, WEIGHTS, built_with, signature
from ivr.store.kb_tables import ARTICLES

METHODS = ("kiwi", "morphemes", "trigram")
_WORD_COLUMNS = ("title", "keywords", "body")
CANDIDATES = 50  # per lookup: plenty for a top ten, and bounded on a large base
# Taken from the index before drafts and expired articles are filtered out: a
# few hundred leave room for many of those among the best matches.
SHORTLIST = 300
COMMON_SHARE = 0.1  # a word in more than this share of the articles ...
COMMON_MIN_ARTICLES = 200  # ... of a base at least this large is too common to pick the shortlist


def search(
    db: sqlite_utils.Database,
    question: str,
    *,
    today: date,
    topic: str | None = None,
    limit: int = 10,
    offered_only: bool = True,
    method: str = "kiwi",
    analyzer: Analyzer | None = None,
) -> SearchResult:
    """The articles that answer `question`, best first; QueryRefused for a string that is no question."""
    if method not in METHODS:
        raise KbError([f"unknown search method {method!r}: {', '.join(METHODS)}"])
    started = time.perf_counter()
    query = checked(question)
    grams: tuple[str, ...] = ()
    if method == "trigram":
        words: tuple[str, ...] = tuple(_trigrams(query))
        found = _lookup(db, TRIGRAM, words, today, offered_only)
        cands = {slug: Candidate(slug, title, topics, words=s) for slug, title, topics, s in found}
    else:
        analyzer = analyzer or default_analyzer()
        if built_with(db) != signature(analyzer):
            raise KbError(
                ["the search index is not built yet: the service builds it at start (kb_index.ensure)"]
            )
        words = terms(analyzer, query, MAX_TERMS).words
        cands, grams = _by_morphemes(db, words, today, offered_only, near_misses=method == "kiwi")
    hits = rank(cands.values(), topic=topic, limit=limit)
    elapsed = (time.perf_counter() - started) * 1000
    return SearchResult(query, method, words, grams, hits, elapsed, offered_only)


def _by_morphemes(
    db: sqlite_utils.Database, words: tuple[str, ...], today: date, offered_only: bool, *, near_misses: bool
) -> tuple[dict[str, Candidate], tuple[str, ...]]:
    """Candidates for the question's words, and the bigrams looked up for its near misses.

    A word in more than a tenth of a large base (신청, 요금, 기간) matches
    thousands of articles, and ranking them all is what made searches slow. So
    only articles with one of the rarer words are candidates, ranked by all
    the words, common ones included (a question of common words alone is
    looked up over the whole base). Only a word no article has (a typo, a
    compound spaced otherwise) is looked up by its bigrams: those of known
    words would match half the base."""
    docs = document_counts(db, words)
    articles = int(db.execute(f"SELECT COUNT(*) FROM {ARTICLES}").fetchone()[0])
    rare = tuple(w for w in words if docs[w] <= COMMON_SHARE * articles)
    common = tuple(w for w in words if w not in rare)
    picking = rare if articles >= COMMON_MIN_ARTICLES and rare and common else None
    found = _lookup(db, INDEX, words, today, offered_only, picking=picking)
    cands = {slug: Candidate(slug, title, topics, words=s) for slug, title, topics, s in found}
    grams = bigrams([w for w in words if docs[w] == 0])[:MAX_TERMS] if near_misses else ()
    for slug, title, topics, s in _lookup(db, INDEX, grams, today, offered_only, columns=("grams",)):
        old = cands.get(slug)
        cands[slug] = Candidate(slug, title, topics, words=old.words if old else 0.0, grams=s)
    return cands, grams


def document_counts(db: sqlite_utils.Database, words: tuple[str, ...]) -> dict[str, int]:
    """How many articles have each word in their title, keywords or body (the most of the three)."""
    counts = {}
    for word in words:
        if engine.on_postgres(db):
            counts[word] = kb_postings.document_count(db, INDEX, word, _WORD_COLUMNS)
            continue
        row = db.execute(f"SELECT MAX(doc) FROM {VOCAB} WHERE term = ? AND col != 'grams'", [word]).fetchone()
        counts[word] = int(row[0] or 0)
    return counts


def _lookup(
    db: sqlite_utils.Database,
    table: str,
    phrases: tuple[str, ...],
    today: date,
    offered_only: bool,
    *,
    columns: tuple[str, ...] = _WORD_COLUMNS,
    picking: tuple[str, ...] | None = None,
) -> list[tuple[str, str, tuple[str, ...], float]]:
    """The best candidates for `phrases` in `columns`, with their BM25 scores (higher is better).

    Only articles with one of `picking` (default: any phrase) are candidates,
    scored by all the phrases. Equal scores go by slug: FTS5 alone would keep its
    own row order, which PostgreSQL's index does not have. The index hands over its best few hundred; only
    those are joined with the articles and filtered, so a common word costs little."""
    if not phrases:
        return []
    if engine.on_postgres(db):
        return _best_offered(db, _postings(db, table, phrases, columns, picking), today, offered_only)
    if picking is None:
        query, halve = _any(phrases), 1
    else:
        # "R OR (R AND (C OR C))" matches only articles with a rare word, and
        # names every word twice, so BM25 (a sum over the query's phrases) is
        # twice what "R OR C" gives them: halved below, the same scores. FTS5
        # walks a common word's long list only where a rare word matched.
        common = tuple(p for p in phrases if p not in picking)
        query, halve = f"({_any(picking)} OR ({_any(picking)} AND ({_any(common)} OR {_any(common)})))", 2
    args: list[object] = [f"{{{' '.join(columns)}}} : {query}"]
    where, more = _offered(offered_only, today)
    sql = (
        f"SELECT i.slug, a.title, a.topics, -i.rank FROM "
        f"(SELECT slug, rank FROM {table} WHERE {table} MATCH ? ORDER BY rank, slug LIMIT {SHORTLIST}) i "
        f"JOIN {ARTICLES} a ON a.slug = i.slug WHERE 1 = 1 {where} ORDER BY i.rank, i.slug LIMIT {CANDIDATES}"
    )
    rows = db.execute(sql, args + more).fetchall()
    return [(slug, title, tuple(json.loads(topics)), float(s) / halve) for slug, title, topics, s in rows]


def _postings(
    db: sqlite_utils.Database,
    table: str,
    phrases: tuple[str, ...],
    columns: tuple[str, ...],
    picking: tuple[str, ...] | None,
) -> list[tuple[str, float]]:
    """PostgreSQL: the index's best few hundred (kb_postings.py), best first; equal scores by slug,
    as on SQLite, so a base of many alike articles is cut at the same place on both engines."""
    weights = {c: WEIGHTS[table][c] for c in columns}
    tokenize = words_of if table == INDEX else trigrams_of
    scored = kb_postings.scores(db, table, phrases, weights, tokenize, picking=picking)
    return sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:SHORTLIST]


def _best_offered(
    db: sqlite_utils.Database, shortlist: list[tuple[str, float]], today: date, offered_only: bool
) -> list[tuple[str, str, tuple[str, ...], float]]:
    """The shortlist's articles a search may list, best first, the first CANDIDATES of them."""
    if not shortlist:
        return []
    where, more = _offered(offered_only, today)
    slugs = [slug for slug, _ in shortlist]
    marks = ", ".join("?" * len(slugs))
    rows = db.execute(
        f"SELECT a.slug, a.title, a.topics FROM {ARTICLES} a WHERE a.slug IN ({marks}) {where}", slugs + more
    ).fetchall()
    found = {slug: (title, tuple(json.loads(topics))) for slug, title, topics in rows}
    best = [(slug, *found[slug], s) for slug, s in shortlist if slug in found]
    return best[:CANDIDATES]


def _offered(offered_only: bool, today: date) -> tuple[str, list[object]]:
    """The filter to what a counselor may read to a citizen: published, valid today."""
    if not offered_only:
        return "", []
    where = (
        "AND a.status = 'published' AND (a.valid_from IS NULL OR a.valid_from <= ?) "
        "AND (a.valid_until IS NULL OR a.valid_until >= ?)"
    )
    return where, [today.isoformat(), today.isoformat()]


def _any(words: tuple[str, ...]) -> str:
    return "(" + " OR ".join(_quoted(w) for w in words) + ")"


def _quoted(term: str) -> str:
    # An FTS5 string: every character literal, a double quote doubled.
    return '"' + term.replace('"', '""') + '"'


def _trigrams(query: str) -> list[str]:
    """Every three-character piece of the raw question's words, as FTS5's trigram tokenizer matches them
    (재산세를 -> 재산세, 산세를: the particle does not stop a match).

    A shorter word (most Korean nouns: 여권, 수도) cannot be matched by a trigram index at all."""
    words = ["".join(c for c in w if c.isalnum()) for w in query.split()]
    pieces = (w[i : i + 3] for w in words for i in range(len(w) - 2))
    return list(dict.fromkeys(pieces))[:MAX_TERMS]
