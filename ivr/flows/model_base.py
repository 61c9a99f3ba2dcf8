"""What every node of the call-flow language shares, and the flow's prompts.

The node types themselves are in model.py, which also re-exports these.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DIGITS = "0123456789*#"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class KeyProblem(ValueError):
    """A check over a whole node that is about one of its keys; the loader points there.

    `key` is the path below the node (("max_digits",), ("on", "12")); `at_key`
    when the key itself is wrong rather than its value.
    """

    def __init__(self, key: tuple[str, ...], message: str, at_key: bool = False) -> None:
        super().__init__(message)
        self.key = key
        self.at_key = at_key


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Node(Strict):
    """What every node has; `outcomes()` lists what it can end with."""

    type: str
    on: dict[str, str] = Field(default_factory=dict)
    next: str | None = None
    # Outcomes a node may leave unhandled: the call then ends there.
    terminal: ClassVar[bool] = False
    waits_for_caller: ClassVar[bool] = False

    def outcomes(self) -> frozenset[str]:
        return frozenset({"done"})

    def targets(self) -> dict[str, str]:
        """Outcome -> node id, `next` folded in."""
        out = dict(self.on)
        if self.next is not None:
            out.setdefault("done", self.next)
        return out

    def prompt_ids(self) -> list[str]:
        return []


class Prompt(Strict):
    """A prompt: text per language, or a sound file (for every language)."""

    ko: str | None = None
    en: str | None = None
    zh: str | None = None
    vi: str | None = None
    file: str | None = None
    # Spoken in this language whatever the caller chose: the language menu
    # says "For English, press 1" in English to everyone.
    language: Literal["ko", "en", "zh", "vi"] | None = None
    # The text is a published knowledge-base article's (`kb: passport-hours`): the
    # loader fills ko/en/zh/vi from it (flows/kb_prompts.py), so the IVR and the
    # counselors read the same facts.
    kb: str | None = None

    def text(self, language: str) -> str | None:
        value = getattr(self, self.language or language, None)
        return value if isinstance(value, str) else None

    @model_validator(mode="after")
    def _something(self) -> Prompt:
        if not (self.file or self.kb or self.ko or self.en or self.zh or self.vi):
            raise ValueError("a prompt needs text in at least one language, a file, or a kb: article")
        if self.kb and (self.file or self.ko or self.en or self.zh or self.vi):
            raise ValueError("a kb: prompt takes its text from the article: give no text or file beside it")
        return self


LANGUAGES = ("ko", "en", "zh", "vi")
