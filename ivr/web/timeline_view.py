"""A call's timeline as QA reads it: what happened, in words, when, and where in the recording."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from ivr.web.timeline_words import Words, say


def timeline(
    events: list[dict[str, Any]], recording_start: datetime | None, tz: tzinfo, words: Words | None = None
) -> list[dict[str, Any]]:
    """Each event with its local time, a sentence (timeline_words.py), and its offset into
    the recording in seconds (None before the recording began)."""
    words = words or Words()
    shown = []
    for event in events:
        at = datetime.fromisoformat(event["at"])
        offset = (at - recording_start).total_seconds() if recording_start is not None else None
        shown.append(
            {
                "time": at.astimezone(tz).strftime("%H:%M:%S"),
                "kind": event["kind"],
                "label": say(event["kind"], _detail(event.get("detail")), words),
                "offset": round(offset, 1) if offset is not None and offset >= 0 else None,
            }
        )
    return shown


def _detail(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        detail = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return detail if isinstance(detail, dict) else {}
