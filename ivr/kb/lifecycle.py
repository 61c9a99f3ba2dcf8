"""An article's status: draft, published or archived, and the one table of legal changes.

A new article starts as a draft (or is published at once, by an import of a
city's existing manual). A draft is edited until it is published; a published
article may be edited (the new text is what the desk shows), withdrawn back to
a draft, or archived. An archived article is kept with its history but shown
to nobody and edited by nobody: it is restored to a draft first.

`step(status, event)` is the only way a status changes. `event_between(old,
new)` names the event a save from one status to another is, so a store that
is handed a whole new version checks it against the same table.
"""

from __future__ import annotations

import enum

from ivr.kb.errors import IllegalArticleTransition


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ArticleEvent(enum.StrEnum):
    CREATE = "create"  # the first version of an article
    EDIT = "edit"  # a new version, status unchanged
    PUBLISH = "publish"
    WITHDRAW = "withdraw"  # published -> draft: the desk no longer offers it
    ARCHIVE = "archive"
    RESTORE = "restore"  # archived -> draft


_S = ArticleStatus
_E = ArticleEvent
NEW = None  # the "status" of an article that does not exist yet

# (status, event) -> the next status. Anything absent is illegal.
LEGAL: dict[tuple[ArticleStatus | None, ArticleEvent], ArticleStatus] = {
    (NEW, _E.CREATE): _S.DRAFT,
    (NEW, _E.PUBLISH): _S.PUBLISHED,  # an import of a manual already in use
    (_S.DRAFT, _E.EDIT): _S.DRAFT,
    (_S.DRAFT, _E.PUBLISH): _S.PUBLISHED,
    (_S.DRAFT, _E.ARCHIVE): _S.ARCHIVED,
    (_S.PUBLISHED, _E.EDIT): _S.PUBLISHED,
    (_S.PUBLISHED, _E.WITHDRAW): _S.DRAFT,
    (_S.PUBLISHED, _E.ARCHIVE): _S.ARCHIVED,
    (_S.ARCHIVED, _E.RESTORE): _S.DRAFT,
}

_WHY = {
    _S.ARCHIVED: "it is archived: restore it to a draft first",
    _S.PUBLISHED: "it is published already",
    _S.DRAFT: "it is a draft",
}


def step(status: ArticleStatus | None, event: ArticleEvent) -> ArticleStatus:
    """The status after `event`; raises IllegalArticleTransition if the table has no entry."""
    nxt = LEGAL.get((status, event))
    if nxt is None:
        raise IllegalArticleTransition([_refusal(status, event)])
    return nxt


def event_between(old: ArticleStatus | None, new: ArticleStatus) -> ArticleEvent:
    """The event that takes an article from `old` to `new`; raises if no legal one does.

    Saving the same status is an edit; a first version is a create (a draft)
    or a publish."""
    for (status, event), target in LEGAL.items():
        if status == old and target == new and (old != new or event is _E.EDIT):
            return event
    raise IllegalArticleTransition([_refusal_between(old, new)])


def _refusal(status: ArticleStatus | None, event: ArticleEvent) -> str:
    if status is NEW:
        return f"cannot {event} an article that does not exist"
    return f"cannot {event} the article: {_WHY[status]}"


def _refusal_between(old: ArticleStatus | None, new: ArticleStatus) -> str:
    if old is NEW:
        return f"a new article cannot start as {new}: save it as a draft or publish it"
    if old is _S.ARCHIVED and new is _S.ARCHIVED:
        return "the article is archived: restore it to a draft before editing it"
    if old is _S.ARCHIVED:
        return f"the article is archived: restore it to a draft before it can be {new} again"
    return f"an article that is {old} cannot become {new} in one step"
