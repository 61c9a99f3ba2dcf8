"""The Article value: what the city tells citizens about one question, and its rules.

An article is Korean first (title and body), with optional translations in the
languages the flows offer (en, zh, vi). Its topics are the flows' topic tags
(`documents`, `transport`, `local_tax`, `welfare`, `water`, `general` in
callflows/hotline.yaml), so a call that chose 지방세 brings up the
`local_tax` articles. It belongs to one department, which keeps it current.
A fact that expires (a tax deadline) has valid_from/valid_until; outside them
the desk does not offer it.

`problems(article)` lists every rule it breaks as (field, message) pairs, so a
Markdown file can point each at its line; `require_valid` raises them all.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from ivr.kb.errors import InvalidArticle
from ivr.kb.lifecycle import ArticleStatus

LANGUAGES = ("en", "zh", "vi")  # the translations an article may carry: the flows' other languages
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 64
MAX_TITLE = 120
MAX_BODY = 20_000
MAX_KEYWORD = 40
MAX_KEYWORDS = 30
# A link from one article to another in a body: [[passport-fees]]
LINK = re.compile(r"\[\[([^\[\]\n]+)\]\]")


@dataclass(frozen=True)
class Translation:
    """An article's title and body in one other language."""

    title: str
    body: str


@dataclass(frozen=True)
class Article:
    """One article of the knowledge base, as a counselor reads it and an editor writes it.

    `slug` is its id, lower-case words joined by hyphens (`passport-hours`):
    the Markdown file's name, the flow's `kb:` reference, the desk's link."""

    slug: str
    title: str
    body: str
    topics: tuple[str, ...]
    department: str
    keywords: tuple[str, ...] = ()
    status: ArticleStatus = ArticleStatus.DRAFT
    valid_from: date | None = None
    valid_until: date | None = None
    translations: Mapping[str, Translation] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        # Lists from a form or a file become tuples: the value stays hashable and frozen.
        object.__setattr__(self, "topics", tuple(self.topics))
        object.__setattr__(self, "keywords", tuple(self.keywords))
        object.__setattr__(self, "status", ArticleStatus(self.status))
        object.__setattr__(self, "translations", MappingProxyType(dict(self.translations)))

    def __hash__(self) -> int:
        return hash((self.slug, self.title, self.body))

    def valid_on(self, day: date) -> bool:
        """Inside its valid_from/valid_until on `day` (either may be open)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def offered_on(self, day: date) -> bool:
        """What the desk shows by default: published and valid on `day`."""
        return self.status is ArticleStatus.PUBLISHED and self.valid_on(day)

    def links(self) -> list[str]:
        """The slugs this article's bodies link to with [[slug]], in order, once each."""
        bodies = [self.body, *(t.body for t in self.translations.values())]
        seen: dict[str, None] = {}
        for body in bodies:
            for m in LINK.finditer(body):
                seen.setdefault(m.group(1).strip(), None)
        return list(seen)


def problems(article: Article, known_topics: Collection[str] | None = None) -> list[tuple[str, str]]:
    """Every rule the article breaks, as (field, message); empty when it is fine.

    `known_topics` are the flows' topic tags; None skips that check (a unit
    test, or a base kept without flows)."""
    found: list[tuple[str, str]] = []
    found += _slug_problems(article.slug)
    found += _text_problems("title", article.title, MAX_TITLE)
    found += _text_problems("body", article.body, MAX_BODY)
    if not article.topics:
        found.append(("topics", "at least one topic is needed (the flows' topic tags, e.g. local_tax)"))
    for topic in article.topics:
        if known_topics is not None and topic not in known_topics:
            known = ", ".join(sorted(known_topics))
            found.append(("topics", f"unknown topic {topic!r}: the flows' topics are {known}"))
    if len(set(article.topics)) != len(article.topics):
        found.append(("topics", "a topic is listed twice"))
    if not article.department.strip():
        found.append(("department", "the owning department is missing (e.g. civil-affairs)"))
    elif not SLUG.match(article.department):
        found.append(
            ("department", f"department {article.department!r}: lower-case letters, digits and hyphens only")
        )
    found += _keyword_problems(article.keywords)
    if article.valid_from and article.valid_until and article.valid_until < article.valid_from:
        found.append(("valid_until", f"{article.valid_until} is before valid_from {article.valid_from}"))
    for lang, tr in article.translations.items():
        if lang not in LANGUAGES:
            found.append(("translations", f"unknown language {lang!r}: use {', '.join(LANGUAGES)}"))
            continue
        found += [(f"translations.{lang}.{f}", m) for f, m in _text_problems("title", tr.title, MAX_TITLE)]
        found += [(f"translations.{lang}.{f}", m) for f, m in _text_problems("body", tr.body, MAX_BODY)]
    return found


def require_valid(article: Article, known_topics: Collection[str] | None = None) -> None:
    """Raise InvalidArticle naming the article and every problem, or return."""
    found = problems(article, known_topics)
    if found:
        raise InvalidArticle([f"{article.slug or '(no id)'}: {f}: {m}" for f, m in found])


def _slug_problems(slug: str) -> list[tuple[str, str]]:
    if not slug:
        return [("id", "the article needs an id, e.g. passport-hours")]
    if len(slug) > MAX_SLUG:
        return [("id", f"the id is {len(slug)} characters long; at most {MAX_SLUG}")]
    if not SLUG.match(slug):
        return [("id", f"{slug!r}: lower-case letters, digits and single hyphens only, e.g. passport-hours")]
    return []


def _text_problems(name: str, text: str, limit: int) -> list[tuple[str, str]]:
    if not text.strip():
        return [(name, f"the {name} is empty")]
    if len(text) > limit:
        return [(name, f"the {name} is {len(text):,} characters long; at most {limit:,}")]
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        return [(name, f"the {name} has control characters")]
    return []


def _keyword_problems(keywords: tuple[str, ...]) -> list[tuple[str, str]]:
    found = []
    if len(keywords) > MAX_KEYWORDS:
        found.append(("keywords", f"{len(keywords)} keywords; at most {MAX_KEYWORDS}"))
    for word in keywords:
        if not word.strip():
            found.append(("keywords", "an empty keyword"))
        elif len(word) > MAX_KEYWORD:
            found.append(("keywords", f"{word[:20]!r}…: a keyword is at most {MAX_KEYWORD} characters"))
    return found
