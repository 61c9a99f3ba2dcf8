"""The editor's Check: what to fix before publishing, beyond the rules a save enforces.

`problems` (article.py) refuses an article that cannot be kept at all (no
title, an unknown topic). `check` adds what an editor should see before
publishing: the article has expired or is not valid yet, a language the flows
offer has no translation, a [[link]] leads to no article. Each is a
(field, message) pair, like `problems`, so a page can show it at its field.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from ivr.kb.article import Article, problems


def check(
    article: Article,
    *,
    today: date,
    languages: Collection[str] = (),
    slugs: Collection[str] = (),
    known_topics: Collection[str] | None = None,
) -> list[tuple[str, str]]:
    """Every rule broken and everything to fix before publishing, as (field, message).

    `languages`: the flows' languages besides Korean (e.g. en, zh, vi);
    `slugs`: the articles that exist (links to others are reported)."""
    found = problems(article, known_topics)
    if article.valid_until is not None and article.valid_until < today:
        found.append(("valid_until", f"expired on {article.valid_until}: the desk does not offer it"))
    if article.valid_from is not None and today < article.valid_from:
        found.append(("valid_from", f"valid only from {article.valid_from}: the desk offers it from then"))
    for lang in sorted(set(languages) - {"ko"}):
        if lang not in article.translations:
            found.append(("translations", f"no {lang} translation, a language the flows offer"))
    for link in article.links():
        if link != article.slug and link not in slugs:
            found.append(("body", f"[[{link}]] links to no article"))
    return found
