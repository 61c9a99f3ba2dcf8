"""The way back to the citizen, built from config.yaml: the runner's rules and its prompt voice.

The answer calls and 해피콜 (calls/case_calls.py) keep the callbacks' calling
hours; `cases.calls` sets their attempts, spacing and the 해피콜's day. Their
prompts are rendered with the prompt voice (espeak-ng, pbx/render.py) into
the PBX's sounds, one file per text, before the citizen's phone rings.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from zoneinfo import ZoneInfo

from ivr.admin.flows import callback_rules, recorded_dir, sounds_dir
from ivr.calls.case_calls import CaseCallRules
from ivr.config import LoadedConfig
from ivr.flows.promptbook import PromptBook
from ivr.store.case_out import OutRules


def rules(cfg: LoadedConfig) -> tuple[CaseCallRules, OutRules]:
    """The runner's rules and the store's, from `cases.calls` and `callbacks`."""
    s = cfg.settings
    c = s.cases.calls
    hours = callback_rules(s)
    answer = dataclasses.replace(
        hours, max_attempts=c.answer_attempts, retry_after=timedelta(minutes=c.answer_retry_minutes)
    )
    happy = dataclasses.replace(
        hours, max_attempts=c.happy_call_attempts, retry_after=timedelta(minutes=c.happy_call_retry_minutes)
    )
    queue = c.queue or next(iter(s.queues))
    runner = CaseCallRules(
        answer, happy, ring_seconds=c.ring_seconds, poll_seconds=c.poll_seconds, queue=queue
    )
    store = OutRules(answer, happy, c.happy_call_days, ZoneInfo(s.hotline.timezone), queue)
    return runner, store


class RenderedVoice:
    """`PromptVoice`: the book's prompts rendered where the PBX plays them (cached by text)."""

    def __init__(self, cfg: LoadedConfig) -> None:
        self.sounds = sounds_dir(cfg)
        self.recorded = recorded_dir(cfg)

    async def render(self, book: PromptBook) -> None:
        from ivr.pbx.render import write_flow_prompts

        if self.sounds is not None:
            await asyncio.to_thread(write_flow_prompts, book, self.sounds, self.recorded)
