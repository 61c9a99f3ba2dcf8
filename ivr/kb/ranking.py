"""The order of search hits: morpheme matches first, bigram (near-miss) matches as support.

The store hands each candidate's two BM25 scores (from SQLite FTS5; higher is
better here, the sign already turned): `words` from the content morphemes in
title, keywords and body; `grams` from the character bigrams. A typo or an
odd compound matches no morpheme but several bigrams, so it still ranks;
when both match, the morphemes decide. An article of the call's own topic
(the caller chose 지방세) is lifted a little, never above a much better match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

GRAM_WEIGHT = 0.35
TOPIC_BOOST = 1.25


@dataclass(frozen=True)
class Candidate:
    slug: str
    title: str
    topics: tuple[str, ...]
    words: float = 0.0
    grams: float = 0.0


@dataclass(frozen=True)
class Hit:
    """One article found: what the desk lists."""

    slug: str
    title: str
    topics: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class SearchResult:
    """What a search found, and enough to log it: the question as run, its terms, the method, the time."""

    query: str
    method: str  # "kiwi" (morphemes and bigrams) or "trigram"
    words: tuple[str, ...]
    grams: tuple[str, ...]
    hits: list[Hit] = field(default_factory=list)
    elapsed_ms: float = 0.0
    offered_only: bool = True  # only published articles valid today were searched

    @property
    def found_nothing(self) -> bool:
        return not self.hits


def score(c: Candidate, topic: str | None) -> float:
    base = c.words + GRAM_WEIGHT * c.grams
    return base * TOPIC_BOOST if topic is not None and topic in c.topics else base


def rank(candidates: Iterable[Candidate], *, topic: str | None = None, limit: int = 10) -> list[Hit]:
    """The best `limit` hits, best first; ties by title, so the order is stable."""
    scored = [Hit(c.slug, c.title, c.topics, score(c, topic)) for c in candidates]
    scored.sort(key=lambda h: (-h.score, h.title, h.slug))
    return [h for h in scored if h.score > 0][:limit]
