"""The ARI events Asterisk is asked to send cover every event the ARI edge acts on."""

from __future__ import annotations

import re
from pathlib import Path

from ivr.ari.events import HANDLED_EVENTS

ARI_EDGE = Path(__file__).resolve().parents[2] / "ivr" / "ari"
# Asterisk's event type names (rest-api/api-docs/events.json) that the code could compare against.
_KINDS = "Stasis|Channel|Bridge|Playback|Recording|Endpoint|Dial|Application"
_EVENT_NAME = re.compile(rf'"((?:{_KINDS})[A-Z]\w*)"')


def test_every_event_the_ari_edge_names_is_asked_for() -> None:
    sources = [path.read_text(encoding="utf-8") for path in ARI_EDGE.glob("*.py")]
    named = {name for text in sources for name in _EVENT_NAME.findall(text)}
    assert named, "the ARI edge names no events: the pattern is wrong"
    assert named - HANDLED_EVENTS == set(), "handled but filtered out by Asterisk"
    assert {"StasisStart", "ChannelDtmfReceived", "PlaybackFinished"} <= named
