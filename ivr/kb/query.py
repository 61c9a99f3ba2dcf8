"""A search string checked before anything runs: a pasted page or a stray control key is refused plainly.

The desk searches as the counselor types; a question is a sentence or two.
A string longer than MAX_QUERY characters or one with control characters is
refused with a message saying which and how much, before any analysis: a
10,000-character paste costs nothing and crashes nothing.
"""

from __future__ import annotations

import unicodedata

from ivr.kb.errors import QueryRefused

MAX_QUERY = 200


def checked(text: str) -> str:
    """The question with its spaces tidied; raises QueryRefused for what is not a question."""
    if len(text) > MAX_QUERY:
        raise QueryRefused(
            [
                f"검색어가 너무 깁니다: {len(text):,}자입니다. {MAX_QUERY}자까지 입력해 주십시오. · "
                f"the search is {len(text):,} characters long; at most {MAX_QUERY}"
            ]
        )
    bad = sorted({c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in "\t\n\r"})
    if bad:
        codes = ", ".join(f"U+{ord(c):04X}" for c in bad[:5])
        raise QueryRefused(
            [
                f"검색어에 입력할 수 없는 제어 문자({codes})가 있습니다. · "
                f"the search has control characters ({codes})"
            ]
        )
    tidy = " ".join(text.split())
    if not tidy:
        raise QueryRefused(["검색어를 입력해 주십시오. · the search is empty"])
    return tidy
