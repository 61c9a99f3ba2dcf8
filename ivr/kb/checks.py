"""The editor's Check: what keeps an article from being published, and what an editor should know.

Problems block a publish: every rule of article.problems (an empty title
first among them), a valid_until already past, a [[link]] to an article the
base does not have. Warnings do not: a language the flows offer that the
article has no translation for (the desk then reads Korean to that caller).
Messages are Korean first, then English, as the desk's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from ivr.kb.article import Article, problems

_FIELDS_KO = {
    "id": "문서 ID",
    "title": "제목",
    "body": "본문",
    "topics": "분야",
    "department": "담당 부서",
    "keywords": "검색어",
    "valid_until": "유효 종료일",
    "translations": "번역",
}


@dataclass(frozen=True)
class Findings:
    """What Check found: `problems` block a publish, `warnings` are shown beside them."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def publishable(self) -> bool:
        return not self.problems


def check(
    article: Article,
    *,
    today: date,
    flow_languages: Collection[str],
    existing: Collection[str],
    known_topics: Collection[str] | None = None,
) -> Findings:
    """Check `article` as the editor's Check button does.

    flow_languages: the languages the flows offer (ko is the article's own);
    existing: the slugs the base has (the article's own counts)."""
    found = Findings()
    for name, message in problems(article, known_topics):
        label = _FIELDS_KO.get(name.split(".")[0], name)
        if name == "title" and not article.title.strip():
            found.problems.append("제목이 비어 있습니다. · The title is empty.")
        else:
            found.problems.append(f"{label}: {message}")
    if article.valid_until is not None and article.valid_until < today:
        found.problems.append(
            f"유효 기간이 {article.valid_until}에 끝났습니다. 날짜를 고치거나 보관하십시오. · "
            f"It expired on {article.valid_until}."
        )
    for slug in article.links():
        if slug not in existing and slug != article.slug:
            found.problems.append(
                f"없는 문서로 연결합니다: [[{slug}]] · Links to a missing article [[{slug}]]."
            )
    for lang in sorted(set(flow_languages) - {"ko"}):
        if lang not in article.translations:
            found.warnings.append(
                f"ARS가 제공하는 언어({lang})의 번역이 없습니다. · "
                f"No {lang} translation, a language the flows offer."
            )
    return found
