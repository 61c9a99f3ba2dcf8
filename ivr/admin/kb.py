"""The knowledge base's use cases shared by `ivr kb`, the service's start and the desk.

The store does the work; this module finds what config.yaml says (the
database, the flows' topic tags an article may name, the time zone) and
opens one transaction per use.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.admin.flows import load_flows
from ivr.config import LoadedConfig
from ivr.flows.kb_prompts import references
from ivr.flows.loader import Loaded
from ivr.flows.model import SetNode
from ivr.kb.analyzer import default_analyzer
from ivr.kb.codec import ArticleVersion
from ivr.kb.lifecycle import ArticleStatus
from ivr.kb.query import checked
from ivr.kb.ranking import SearchResult
from ivr.store import kb_articles, kb_files, kb_index, kb_search
from ivr.store.desk_schema import transaction


def flow_topics(cfg: LoadedConfig) -> frozenset[str]:
    """The topic tags the flows set on a call (`type: set, topic: local_tax`): what articles may name."""
    topics = set()
    for item in load_flows(cfg).values():
        for node in item.flow.nodes.values():
            if isinstance(node, SetNode) and node.topic:
                topics.add(node.topic)
    return frozenset(topics)


def database(cfg: LoadedConfig) -> Path:
    return cfg.resolve(cfg.settings.storage.database)


def now(cfg: LoadedConfig) -> datetime:
    return datetime.now(ZoneInfo(cfg.settings.hotline.timezone))


def import_folder(
    cfg: LoadedConfig, folder: Path, *, who: str, note: str = "", if_empty: bool = False
) -> kb_files.ImportReport | None:
    """Import a folder of articles, all or nothing; with if_empty, only into a base with no article
    (None when it had some: the service's first start seeds the base, later starts leave it alone)."""
    with transaction(database(cfg)) as db:
        if if_empty and kb_articles.count(db) > 0:
            return None
        return kb_files.import_folder(
            db,
            folder,
            who=who,
            at=now(cfg),
            note=note,
            known_topics=flow_topics(cfg),
            read_by=flow_readers(load_flows(cfg)),
        )


def flow_readers(loaded: Mapping[str, Loaded]) -> dict[str, list[str]]:
    """slug -> "flow.prompt" of every flow prompt that reads the article (`kb:`)."""
    readers: dict[str, list[str]] = {}
    for name, item in sorted(loaded.items()):
        for pid, slug in references(item.flow).items():
            readers.setdefault(slug, []).append(f"{name}.{pid}")
    return readers


def export_folder(cfg: LoadedConfig, folder: Path, *, who: str) -> list[Path]:
    with transaction(database(cfg)) as db:
        return kb_files.export_folder(db, folder, who=who, at=now(cfg))


def listing(
    cfg: LoadedConfig, *, topic: str | None = None, department: str | None = None, status: str | None = None
) -> list[ArticleVersion]:
    with transaction(database(cfg)) as db:
        return kb_articles.list_articles(
            db, topic=topic, department=department, status=ArticleStatus(status) if status else None
        )


def show(cfg: LoadedConfig, slug: str) -> tuple[ArticleVersion, list[ArticleVersion]]:
    """An article's current version and its history; NoSuchArticle if the base has none."""
    with transaction(database(cfg)) as db:
        current = kb_articles.get(db, slug)
        if current is None:
            raise kb_articles.NoSuchArticle([f"{slug}: no such article (ivr kb list shows them)"])
        return current, kb_articles.history(db, slug)


def search(
    cfg: LoadedConfig,
    question: str,
    *,
    topic: str | None = None,
    offered_only: bool = True,
    method: str = "kiwi",
    limit: int = 5,
) -> SearchResult:
    """Search as the desk does (the index built first if missing); QueryRefused for what is no question."""
    checked(question)  # refused before the analyzer's model is loaded for nothing
    default_analyzer().load()  # seconds, once: not counted in the search's own time
    with transaction(database(cfg)) as db:
        kb_index.ensure(db)
        return kb_search.search(
            db,
            question,
            today=now(cfg).date(),
            topic=topic,
            limit=limit,
            offered_only=offered_only,
            method=method,
        )
