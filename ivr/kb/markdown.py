"""An article as a Markdown file with YAML front matter, read and written.

    ---
    id: passport-hours
    title: 여권 발급 시간과 장소
    status: published
    topics: [documents]
    department: civil-affairs
    keywords: [여권, 발급, 접수 시간]
    valid_from: 2026-01-01
    valid_until: 2026-12-31
    translations:
      en:
        title: Passport office hours
        body: |
          ...
    ---

    여권은 ... (the Korean body, Markdown)

Every problem is reported as `file:line: what is wrong`, all of them at once,
so a city converting its manual fixes a folder in one pass.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Collection
from datetime import date, datetime
from typing import Any, NoReturn

from ruamel.yaml import YAML, CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from ivr.flows.positions import key_pos
from ivr.kb.article import Article, Translation, problems
from ivr.kb.errors import ArticleFileError
from ivr.kb.lifecycle import ArticleStatus

FENCE = "---"
FIELDS = (
    "id",
    "title",
    "status",
    "topics",
    "department",
    "keywords",
    "valid_from",
    "valid_until",
    "translations",
)


class _Reader:
    """One file's problems, each with its line."""

    def __init__(self, filename: str, meta: CommentedMap, first_line: int) -> None:
        self.filename, self.meta, self.offset = filename, meta, first_line - 1
        self.found: list[tuple[int, str]] = []
        self.fields: set[str] = set()  # fields already reported: the article's own rules skip them

    def line_of(self, dotted: str) -> int:
        """The line of a field (`translations.en.title` walks down), or of the nearest parent."""
        node: Any = self.meta
        line = self.offset  # the opening fence, for a field that is not there at all
        for part in dotted.split("."):
            if not isinstance(node, CommentedMap) or part not in node:
                break
            line = self.offset + key_pos(node, part)[0]
            node = node[part]
        return line

    def error(self, dotted: str, message: str) -> None:
        self.fields.add(dotted)
        self.found.append((self.line_of(dotted), message))

    def text(self, key: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        self.error(key, f"{key}: text is expected, not {type(value).__name__} {value!r}")
        return ""

    def words(self, key: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):  # `keywords: 여권, 발급` reads as one string
            return tuple(w.strip() for w in value.split(",") if w.strip())
        if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            return tuple(str(v) for v in value)
        self.error(key, f"{key}: a list of words is expected, like [여권, 발급]")
        return ()

    def day(self, key: str) -> date | None:
        value = self.meta.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.error(key, f"{key}: {value!r} is not a date; write it as 2026-12-31")
            return None


def parse(text: str, filename: str, known_topics: Collection[str] | None = None) -> Article:
    """The article in a Markdown file's text; raises ArticleFileError with every problem at its line.

    `known_topics`: the flows' topic tags an article may name (None: any)."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != FENCE:
        _refuse(filename, [(1, "an article starts with front matter between two '---' lines")])
    close = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if close is None:
        _refuse(filename, [(1, "the front matter opened here is never closed with a '---' line")])
    meta = _load_meta("\n".join(lines[1:close]), filename)
    reader = _Reader(filename, meta, first_line=2)
    body_start = close + 2  # the line after the closing fence, counted from 1
    body_lines = lines[close + 1 :]
    while body_lines and not body_lines[0].strip():
        body_lines.pop(0)
        body_start += 1
    if not body_lines:
        body_start = close + 1  # nothing after the closing fence: point at it
    article = _article(reader, filename, "\n".join(body_lines).rstrip())
    for dotted, message in problems(article, known_topics):
        if dotted == "body":
            reader.found.append((body_start, message))
        elif dotted not in reader.fields:
            reader.error(dotted, message)
    if reader.found:
        _refuse(filename, reader.found)
    return article


def _load_meta(source: str, filename: str) -> CommentedMap:
    try:
        yaml = YAML(typ="rt")
        yaml.Constructor = _DatesAsText
        meta = yaml.load(source)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 2
        message = f"the front matter is not valid YAML: {exc.problem}"
        began = exc.context_mark
        if exc.context and began is not None and began.line + 2 != line:
            # An unclosed [ is noticed lines later: point back at it too.
            message += f" ({exc.context} that starts at line {began.line + 2})"
        _refuse(filename, [(line, message)])
    except (YAMLError, ValueError) as exc:
        _refuse(filename, [(2, f"the front matter is not valid YAML: {exc}")])
    if not isinstance(meta, CommentedMap):
        _refuse(filename, [(2, "the front matter is a list of fields, like 'title: 여권 발급 시간'")])
    return meta


class _DatesAsText(RoundTripConstructor):
    """Dates stay text, read by _Reader.day: ruamel.yaml raises a bare ValueError,
    with no line, for an impossible unquoted date like 2026-13-01."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", lambda self, node: str(node.value))


def _article(r: _Reader, filename: str, body: str) -> Article:
    for key in r.meta:
        if key not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; the fields are {', '.join(FIELDS)}"
            r.error(str(key), f"unknown field {key!r}{hint}")
    stem = filename.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".md")
    slug = r.text("id", r.meta.get("id")) or stem
    if slug != stem:
        r.error("id", f"id {slug!r} differs from the file's name {stem}.md: name the file {slug}.md")
    status_text = r.text("status", r.meta.get("status")) or ArticleStatus.DRAFT.value
    if status_text not in set(ArticleStatus):
        r.error("status", f"status {status_text!r}: one of {', '.join(ArticleStatus)}")
        status_text = ArticleStatus.DRAFT.value
    return Article(
        slug=slug,
        title=r.text("title", r.meta.get("title")).strip(),
        body=body,
        topics=r.words("topics"),
        department=r.text("department", r.meta.get("department")).strip(),
        keywords=r.words("keywords"),
        status=ArticleStatus(status_text),
        valid_from=r.day("valid_from"),
        valid_until=r.day("valid_until"),
        translations=_translations(r),
    )


def _translations(r: _Reader) -> dict[str, Translation]:
    value = r.meta.get("translations")
    if value is None:
        return {}
    if not isinstance(value, dict):
        r.error("translations", "translations: a mapping of languages, like 'en: {title: ..., body: ...}'")
        return {}
    out = {}
    for lang, tr in value.items():
        where = f"translations.{lang}"
        if not isinstance(tr, dict):
            r.error(where, f"{where}: a title and a body are expected")
            continue
        for key in tr:
            if key not in ("title", "body"):
                r.error(f"{where}.{key}", f"{where}: unknown field {key!r}; a translation has title and body")
        title = r.text(f"{where}.title", tr.get("title")).strip()
        out[str(lang)] = Translation(title, r.text(f"{where}.body", tr.get("body")).strip())
    return out


def _refuse(filename: str, found: list[tuple[int, str]]) -> NoReturn:
    raise ArticleFileError([f"{filename}:{line}: {message}" for line, message in sorted(found)])


def render(article: Article) -> str:
    """The article as Markdown with front matter; parse(render(a), f"{a.slug}.md") == a."""
    meta = CommentedMap()
    meta["id"] = article.slug
    meta["title"] = article.title
    meta["status"] = article.status.value
    meta["topics"] = _flow_list(article.topics)
    meta["department"] = article.department
    if article.keywords:
        meta["keywords"] = _flow_list(article.keywords)
    if article.valid_from:
        meta["valid_from"] = article.valid_from
    if article.valid_until:
        meta["valid_until"] = article.valid_until
    if article.translations:
        meta["translations"] = {
            lang: {"title": tr.title, "body": LiteralScalarString(tr.body + "\n")}
            for lang, tr in sorted(article.translations.items())
        }
    out = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.width = 4096  # a long title stays on its line
    yaml.allow_unicode = True
    yaml.dump(meta, out)
    return f"{FENCE}\n{out.getvalue()}{FENCE}\n\n{article.body}\n"


def _flow_list(words: tuple[str, ...]) -> CommentedSeq:
    seq = CommentedSeq(words)
    seq.fa.set_flow_style()
    return seq
