"""One language per label: Korean by default, "한국어 · English" only for a user who chose English.

A label's English half is either in `<span class="en">` (hidden by desk.css unless the page says
`data-english="yes"`) or, where a span cannot go (titles, attributes, options), written by the
template's `en()` only for an English-speaking user.
"""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import Desk, csrf_of

# Every page with labels, and a role that may open it.
PAGES = [
    ("/", "counselor"),
    ("/login", None),
    ("/admin/users", "admin"),
    ("/reports", "supervisor"),
    ("/reports/pilot", "supervisor"),
    ("/reports/cases", "supervisor"),
    ("/protection", "supervisor"),
    ("/protection/report", "supervisor"),
    ("/bookings", "supervisor"),
    ("/cases", "supervisor"),
    ("/case-followups", "supervisor"),
    ("/qa", "qa"),
    ("/wallboard", "supervisor"),
    ("/counselor", "supervisor"),
    ("/kb", "editor"),
    ("/kb/new", "editor"),
]
_EN_SPAN = re.compile(r'<span class="en">.*?</span>', re.S)
_CODE = re.compile(r"<(script|style|template|pre|code)\b.*?</\1>", re.S)
# Korean, the middle dot, then English: a label said twice.
_DOUBLED = re.compile(r"[\uac00-\ud7a3][^<>\"·]{0,60} · [A-Za-z]")


def _korean_only(page: str) -> list[str]:
    """What a Korean-speaking user would still read in two languages."""
    seen = _CODE.sub("", _EN_SPAN.sub("", page))
    return [m.group(0) for m in _DOUBLED.finditer(seen)]


@pytest.mark.parametrize(("path", "role"), PAGES, ids=[p for p, _ in PAGES])
async def test_given_a_korean_user_when_any_page_then_no_label_is_doubled(
    desk: Desk, path: str, role: str | None
) -> None:
    client = await (desk.logged_in(role) if role else desk.client())
    response = await client.get(path)
    assert response.status == 200, path
    page = await response.text()
    assert 'data-english="no"' in page
    assert _korean_only(page) == [], path


async def test_given_an_english_user_then_titles_and_attributes_carry_the_english_too(desk: Desk) -> None:
    user = await desk.logged_in("supervisor")
    korean = await (await user.get("/wallboard")).text()
    assert "<title>상황판 " in korean.replace("\n", " ") or "<title>상황판<" in korean
    assert 'aria-label="지금"' in korean
    token = await csrf_of(user)
    await user.post("/account/language", data={"language": "en", "next": "/", "csrf_token": token})
    english = await (await user.get("/wallboard")).text()
    assert 'data-english="yes"' in english
    assert 'aria-label="지금 · Now"' in english and "상황판 · Wallboard" in english
