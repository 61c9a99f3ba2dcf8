"""Import a folder of Markdown articles (all or nothing) and export the base to one.

An import reads and checks every file first: a file that does not parse, an
article that breaks a rule, two files with one id, or a status change the
lifecycle forbids (an archived article published again) are all reported,
each as file:line: what is wrong, and nothing is written. Only then are the
articles saved, in the caller's one transaction, each as a new version where
it changed; unchanged articles are left as they are, so importing the same
folder twice writes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlite_utils

from ivr.kb.article import Article
from ivr.kb.errors import ArticleFileError, KbError
from ivr.kb.lifecycle import event_between
from ivr.kb.markdown import parse, render
from ivr.store import audit, kb_articles

MAX_FILE_BYTES = 200_000


class ImportRefused(KbError):
    """A folder with problems: nothing of it was imported; `problems` has file:line: what, each."""


@dataclass
class ImportReport:
    """What an import did, by slug."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_folder(folder: Path, known_topics: Collection[str] | None = None) -> dict[str, tuple[Path, Article]]:
    """Every *.md file under `folder` read and checked, by slug; ImportRefused lists every problem."""
    if not folder.is_dir():
        raise ImportRefused([f"{folder}: no such folder"])
    # A README.md beside the articles describes the folder; it is no article.
    files = sorted(p for p in folder.rglob("*.md") if p.name.lower() != "readme.md")
    if not files:
        raise ImportRefused([f"{folder}: no .md files in this folder"])
    found: list[str] = []
    articles: dict[str, tuple[Path, Article]] = {}
    for path in files:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ArticleFileError([f"{path}:1: the file is larger than {MAX_FILE_BYTES:,} bytes"])
            text = path.read_bytes().decode("utf-8")
            article = parse(text, str(path), known_topics)
        except UnicodeDecodeError as exc:
            found.append(f"{path}:1: not UTF-8 text ({exc.reason})")
            continue
        except OSError as exc:
            found.append(f"{path}:1: cannot read: {exc.strerror}")
            continue
        except ArticleFileError as exc:
            found += exc.problems
            continue
        if article.slug in articles:
            found.append(f"{path}:1: id {article.slug!r} is also the id of {articles[article.slug][0]}")
            continue
        articles[article.slug] = (path, article)
    if found:
        raise ImportRefused(found)
    return articles


def import_folder(
    db: sqlite_utils.Database,
    folder: Path,
    *,
    who: str,
    at: datetime,
    note: str = "",
    known_topics: Collection[str] | None = None,
    read_by: Mapping[str, Collection[str]] | None = None,
) -> ImportReport:
    """Import every article under `folder`, or none of them (ImportRefused lists why).

    `read_by` names, per slug, the flow prompts that read the article (`kb:`):
    such an article must stay published, or the flows would no longer load
    and the hotline could not start."""
    articles = read_folder(folder, known_topics)
    problems = []
    for path, article in articles.values():
        current = kb_articles.get(db, article.slug)
        if current is not None and current.article == article:
            continue
        readers = (read_by or {}).get(article.slug)
        if readers and article.status != "published":
            problems.append(
                f"{path}:{_status_line(path)}: {article.slug}: flow prompts read this article "
                f"({', '.join(sorted(readers))}); it must stay published (remove their kb: first)"
            )
        try:
            event_between(current.article.status if current else None, article.status)
        except KbError as exc:
            line = _status_line(path)
            problems += [f"{path}:{line}: {article.slug}: {p}" for p in exc.problems]
    if problems:
        raise ImportRefused(problems)
    report = ImportReport()
    why = note or f"imported from {folder}"
    for slug, (_, article) in sorted(articles.items()):
        before = kb_articles.get(db, slug)
        after = kb_articles.save(db, article, who=who, note=why, at=at, known_topics=known_topics)
        if before is None:
            report.added.append(slug)
        elif before.version == after.version:
            report.unchanged.append(slug)
        else:
            report.changed.append(slug)
    audit.record(
        db, at, who, "kb.import", str(folder),
        f"{len(report.added)} added, {len(report.changed)} changed, {len(report.unchanged)} unchanged",
    )  # fmt: skip
    return report


def _status_line(path: Path) -> int:
    """The line of the front matter's `status:` (1 when there is none: the status is the default)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.startswith("status:"):
            return number
    return 1


def export_folder(db: sqlite_utils.Database, folder: Path, *, who: str, at: datetime) -> list[Path]:
    """Write each article's current version to `folder`/<slug>.md; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for current in kb_articles.list_articles(db):
        path = folder / f"{current.slug}.md"
        path.write_text(render(current.article), encoding="utf-8")
        written.append(path)
    audit.record(db, at, who, "kb.export", str(folder), f"{len(written)} articles")
    return written
