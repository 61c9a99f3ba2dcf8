"""Editing the knowledge base from the desk: who may edit which article, what the flows need of it.

An editor is bound to one department (users.department) and edits only that
department's articles; an admin edits any. What the flows say bears on an
article: the languages they offer (Check warns of a missing translation) and
the prompts that read it (`kb:`), which a publish re-renders.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from ivr.admin.flows import load_flows, notify_service, publish_prompts
from ivr.admin.kb import flow_readers, flow_topics
from ivr.config import LoadedConfig
from ivr.errors import HotlineError
from ivr.kb.article import Article
from ivr.kb.checks import check
from ivr.kb.codec import ArticleVersion
from ivr.store.users import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FlowFacts:
    """What the flows say that bears on articles."""

    languages: frozenset[str]
    topics: frozenset[str] | None  # None: the flows could not be read, topics are not checked
    readers: dict[str, list[str]]  # slug -> "flow.prompt" of every prompt that reads it


_FIELDS_KO = {
    "id": "문서 ID",
    "title": "제목",
    "body": "본문",
    "topics": "분야",
    "department": "담당 부서",
    "keywords": "검색어",
    "valid_from": "유효 시작일",
    "valid_until": "유효 종료일",
    "translations": "번역",
}


@dataclass(frozen=True)
class Findings:
    """What the editor's Check found, Korean first: `problems` block a publish, `warnings` do not."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def editor_findings(
    article: Article, *, today: date, facts: FlowFacts, existing: Collection[str]
) -> Findings:
    """ivr.kb.checks.check, said for the editor. A missing translation for a language the flows
    offer, or a start date still ahead, is a warning (the desk reads Korean; the article waits);
    everything else keeps the article from being published."""
    found = Findings()
    for name, message in check(
        article, today=today, languages=facts.languages, slugs=existing, known_topics=facts.topics
    ):
        warning = (name.split(".")[0] == "translations" and message.startswith("no ")) or name == "valid_from"
        if name == "title" and not article.title.strip():
            said = "제목이 비어 있습니다. · The title is empty."
        elif name == "valid_until" and message.startswith("expired"):
            said = (
                f"유효 기간이 {article.valid_until}에 끝났습니다. 날짜를 고치거나 보관하십시오. · {message}"
            )
        elif name == "body" and message.endswith("links to no article"):
            said = f"없는 문서로 연결합니다: {message.split(' links')[0]} · {message}"
        elif name == "translations" and warning:
            said = f"ARS가 제공하는 언어의 번역이 없습니다 · {message}"
        else:
            said = f"{_FIELDS_KO.get(name.split('.')[0], name)}: {message}"
        (found.warnings if warning else found.problems).append(said)
    return found


def may_edit(user: User, *articles: Article | None) -> bool:
    """Admins edit any article; an editor only articles of their own department (every version given)."""
    if user.role == "admin":
        return True
    if user.role != "editor" or not user.department:
        return False
    return all(a is None or a.department == user.department for a in articles)


def flow_facts(cfg: LoadedConfig | None) -> FlowFacts:
    """The flows' languages, topics and kb: readers (Korean only without flows, or if they are broken)."""
    if cfg is None:
        return FlowFacts(frozenset({"ko"}), None, {})
    try:
        loaded = load_flows(cfg)
    except HotlineError as exc:
        log.warning("the flows could not be read for the knowledge base's checks: %s", exc)
        return FlowFacts(frozenset({"ko"}), None, {})
    languages = frozenset(lang for item in loaded.values() for lang in item.flow.languages)
    return FlowFacts(languages, flow_topics(cfg), flow_readers(loaded))


def prompts_reading(cfg: LoadedConfig, slugs: list[str]) -> list[str]:
    """ "flow.prompt" of every prompt that reads one of `slugs` (none if the flows cannot be read)."""
    if not slugs:
        return []
    readers = flow_facts(cfg).readers
    return [r for slug in slugs for r in readers.get(slug, [])]


def retake_prompts(cfg: LoadedConfig) -> int | None:
    """Render the flows' prompts with the articles as they are now and tell the running service
    (SIGHUP, as `ivr flows publish`): its pid, or None when none runs."""
    publish_prompts(cfg, load_flows(cfg))
    return notify_service(cfg)


def unread_by_flows(facts: FlowFacts, current: ArticleVersion | None, new: Article) -> list[str]:
    """Refusals for a change that would leave a flow prompt without its article (withdrawn or archived)."""
    readers = facts.readers.get(new.slug, [])
    if current is None or not readers or new.status == "published":
        return []
    return [
        f"ARS 안내({', '.join(readers)})가 이 문서를 읽습니다. 흐름에서 kb: 를 먼저 지우십시오. · "
        f"Flow prompts read this article ({', '.join(readers)}): remove their kb: first."
    ]
