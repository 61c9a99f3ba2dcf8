"""The `case` node's schema (민원 안내), beside the others in model.py."""

from __future__ import annotations

from typing import Literal

from ivr.flows.model_base import Node


class CaseNode(Node):
    """A caller with a 민원 under way hears its number and where it stands, and the flow
    routes on it: `open` (a department is on it), `answered` (the answer is there, not yet
    closed), `none` (no case for the calling number).

    What is said: `prompt`, the number read digit by digit (the flow's digit prompts,
    Korean "공" for 0), then `open_prompt` or `answered_prompt`. Write the texts so that
    the sentence joins after a number, e.g. "접수하신 민원" · 2026-000123 · "번은 처리 중입니다."
    ("번은" after any digit, so no particle has to follow the last digit's sound).
    """

    type: Literal["case"]
    prompt: str | None = None  # "접수하신 민원"
    open_prompt: str | None = None  # "번은 현재 담당 부서에서 처리 중입니다."
    answered_prompt: str | None = None  # "번에 대한 답변이 등록되었습니다."
    none_prompt: str | None = None  # usually nothing: the caller just goes on

    def outcomes(self) -> frozenset[str]:
        return frozenset({"open", "answered", "none"})

    def prompt_ids(self) -> list[str]:
        ids = (self.prompt, self.open_prompt, self.answered_prompt, self.none_prompt)
        return [p for p in ids if p]
