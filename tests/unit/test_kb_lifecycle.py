"""An article's status changes only as the one table says: every (status, event) and status pair tried."""

from __future__ import annotations

import itertools

import pytest

from ivr.kb.errors import IllegalArticleTransition
from ivr.kb.lifecycle import NEW, ArticleEvent, ArticleStatus, event_between, step

S, E = ArticleStatus, ArticleEvent

# What an editor expects, written out pair by pair rather than derived from the table.
EXPECTED = {
    (NEW, E.CREATE): S.DRAFT,
    (NEW, E.PUBLISH): S.PUBLISHED,
    (S.DRAFT, E.EDIT): S.DRAFT,
    (S.DRAFT, E.PUBLISH): S.PUBLISHED,
    (S.DRAFT, E.ARCHIVE): S.ARCHIVED,
    (S.PUBLISHED, E.EDIT): S.PUBLISHED,
    (S.PUBLISHED, E.WITHDRAW): S.DRAFT,
    (S.PUBLISHED, E.ARCHIVE): S.ARCHIVED,
    (S.ARCHIVED, E.RESTORE): S.DRAFT,
}
STATUSES = [NEW, *ArticleStatus]


@pytest.mark.parametrize(("status", "event"), list(itertools.product(STATUSES, ArticleEvent)), ids=str)
def test_every_status_and_event(status: ArticleStatus | None, event: ArticleEvent) -> None:
    expected = EXPECTED.get((status, event))
    if expected is None:
        with pytest.raises(IllegalArticleTransition) as err:
            step(status, event)
        assert str(event) in str(err.value)
    else:
        assert step(status, event) is expected


# A save hands the store a whole article: from its current status to the new one.
BETWEEN = {
    (NEW, S.DRAFT): E.CREATE,
    (NEW, S.PUBLISHED): E.PUBLISH,
    (S.DRAFT, S.DRAFT): E.EDIT,
    (S.DRAFT, S.PUBLISHED): E.PUBLISH,
    (S.DRAFT, S.ARCHIVED): E.ARCHIVE,
    (S.PUBLISHED, S.PUBLISHED): E.EDIT,
    (S.PUBLISHED, S.DRAFT): E.WITHDRAW,
    (S.PUBLISHED, S.ARCHIVED): E.ARCHIVE,
    (S.ARCHIVED, S.DRAFT): E.RESTORE,
}


@pytest.mark.parametrize(("old", "new"), list(itertools.product(STATUSES, ArticleStatus)), ids=str)
def test_every_pair_of_statuses(old: ArticleStatus | None, new: ArticleStatus) -> None:
    expected = BETWEEN.get((old, new))
    if expected is None:
        with pytest.raises(IllegalArticleTransition) as err:
            event_between(old, new)
        if old is S.ARCHIVED:
            assert "restore" in str(err.value)
    else:
        assert event_between(old, new) is expected
