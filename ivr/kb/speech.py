"""An article as the IVR says it: its body per language as plain sentences, without Markdown.

A flow prompt may read an article (`kb: passport-hours`); text-to-speech
should not read out list markers, emphasis or the [[links]] meant for the
desk. Pure text in, text out.
"""

from __future__ import annotations

import re

from ivr.kb.article import LINK, Article

_MARKERS = re.compile(r"^\s*(?:[-*+]\s+|#+\s*|>\s*|\d+\.\s+)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")


def plain(body: str) -> str:
    """The body's lines without Markdown marks, joined as one spoken paragraph."""
    lines = []
    for line in body.splitlines():
        text = _EMPHASIS.sub("", _MARKERS.sub("", LINK.sub("", line))).strip()
        if text:
            lines.append(text)
    return " ".join(lines)


def spoken(article: Article) -> dict[str, str]:
    """language -> what a prompt reading this article says: Korean, then each translation."""
    texts = {"ko": plain(article.body)}
    for lang, tr in article.translations.items():
        texts[lang] = plain(tr.body)
    return {lang: text for lang, text in texts.items() if text}
