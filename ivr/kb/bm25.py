"""SQLite FTS5's text rules and its BM25, written out, so another engine ranks as FTS5 does.

On SQLite the knowledge base is searched by FTS5 (ivr/store/kb_index.py); on
PostgreSQL by a table of postings (ivr/store/kb_postings.py) whose scores
come from here. For the two to list the same articles in the same order,
this follows FTS5's own code, not a textbook:

- `words_of`: the unicode61 tokenizer (remove_diacritics 0): a token is a
  run of letters, numbers and private-use characters (Unicode categories
  L*, N*, Co), case-folded; everything else separates. "33,000" is two
  tokens, and a phrase of two tokens matches only where they stand side by
  side (`occurrences`).
- `trigrams_of`: the trigram tokenizer: every three characters in a row,
  spaces and punctuation included, case-folded.
- `score`: fts5_aux.c's fts5Bm25Function: k1 = 1.2, b = 0.75; a phrase's
  frequency in a row is the sum of its column weights over its matches; the
  row's length is its tokens in every indexed column; the IDF of a phrase
  found in most rows is floored at 1e-6, never negative.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence

K1 = 1.2
B = 0.75
IDF_FLOOR = 1e-6


def _fold(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch  # FTS5 folds one character into one


def _token_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in "LN" or category == "Co"


def words_of(text: str) -> list[str]:
    """The tokens unicode61 makes of `text`, in order."""
    out: list[str] = []
    current: list[str] = []
    for ch in text:
        if _token_char(ch):
            current.append(_fold(ch))
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def trigrams_of(text: str) -> list[str]:
    """The tokens the trigram tokenizer makes of `text`, in order."""
    folded = "".join(_fold(ch) for ch in text)
    return [folded[i : i + 3] for i in range(len(folded) - 2)]


def occurrences(positions: Sequence[Iterable[int]]) -> int:
    """How often a phrase stands in one column, given the positions of each of its tokens there."""
    if not positions:
        return 0
    later = [set(p) for p in positions[1:]]
    return sum(1 for start in positions[0] if all(start + k + 1 in at for k, at in enumerate(later)))


def idf(rows: int, hits: int) -> float:
    """A phrase's weight from how many of the index's rows it matches."""
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0.0 else IDF_FLOOR


def score(freqs: Sequence[float], idfs: Sequence[float], length: int, average_length: float) -> float:
    """One row's BM25 (higher is better): `freqs[i]` the weighted matches of phrase i in the row."""
    norm = K1 * (1 - B + B * length / average_length) if average_length > 0 else K1
    return sum(w * (f * (K1 + 1.0)) / (f + norm) for f, w in zip(freqs, idfs, strict=True) if f > 0)
