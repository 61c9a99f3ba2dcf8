"""The call-flow language: typed nodes, as admins write them in callflows/*.yaml.

A flow is a set of named nodes. Each node has a type and named outcomes
(`on:`) that lead to other nodes; the engine follows outcomes and a node never
jumps by itself. `next: X` is short for `on: {done: X}`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from ivr.flows.model_base import DIGITS as DIGITS
from ivr.flows.model_base import ID_PATTERN, KeyProblem, Node, Prompt, Strict
from ivr.flows.model_base import LANGUAGES as LANGUAGES
from ivr.flows.model_booking import BookingNode as BookingNode
from ivr.flows.model_case import CaseNode as CaseNode


class PlayNode(Node):
    type: Literal["play"]
    prompts: list[str] = Field(min_length=1)
    barge_in: bool = False

    def prompt_ids(self) -> list[str]:
        return list(self.prompts)


class MenuNode(Node):
    """A prompt, then one digit: each digit in `on` is an option."""

    type: Literal["menu"]
    prompt: str | list[str]
    timeout: float = Field(default=5.0, gt=0, le=60)
    attempts: int = Field(default=3, ge=1, le=10)
    invalid_prompt: str | None = None
    timeout_prompt: str | None = None
    waits_for_caller: ClassVar[bool] = True

    def outcomes(self) -> frozenset[str]:
        return frozenset({*self.options(), "timeout", "invalid"})

    def options(self) -> list[str]:
        return [k for k in self.on if len(k) == 1 and k in DIGITS]

    @property
    def prompts(self) -> list[str]:
        return [self.prompt] if isinstance(self.prompt, str) else list(self.prompt)

    def prompt_ids(self) -> list[str]:
        return [*self.prompts, *(p for p in (self.invalid_prompt, self.timeout_prompt) if p)]

    @model_validator(mode="after")
    def _has_options(self) -> MenuNode:
        if not self.options():
            example = "for example on: {'1': tax}"
            raise KeyProblem(
                ("on",), f"a menu needs at least one digit option in `on`, {example}", at_key=True
            )
        bad = [k for k in self.on if k not in ("timeout", "invalid") and not (len(k) == 1 and k in DIGITS)]
        if bad:
            message = f"menu outcomes are single digits, 'timeout' and 'invalid'; not {bad}"
            raise KeyProblem(("on", bad[0]), message, at_key=True)
        return self


class CollectNode(Node):
    """Several digits into a call variable: a case number, a phone number."""

    type: Literal["collect"]
    prompt: str
    into: str
    min_digits: int = Field(default=1, ge=1, le=30)
    max_digits: int = Field(default=20, ge=1, le=30)
    terminator: Literal["#", "*", ""] = "#"
    pattern: str | None = None
    timeout: float = Field(default=10.0, gt=0, le=60)
    attempts: int = Field(default=3, ge=1, le=10)
    invalid_prompt: str | None = None
    readback_prompt: str | None = None  # "입력하신 번호는" ... then the digits, then confirm
    confirm_prompt: str | None = None  # "맞으면 1번, 다시 입력하시려면 2번을 눌러 주십시오"
    waits_for_caller: ClassVar[bool] = True

    def outcomes(self) -> frozenset[str]:
        return frozenset({"done", "timeout", "invalid"})

    def prompt_ids(self) -> list[str]:
        ids = [self.prompt, self.invalid_prompt, self.readback_prompt, self.confirm_prompt]
        return [p for p in ids if p]

    @field_validator("into")
    @classmethod
    def _var(cls, v: str) -> str:
        if not ID_PATTERN.match(v):
            raise ValueError("a variable name: lowercase letters, digits and '_'")
        return v

    @field_validator("pattern")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"not a valid pattern: {exc}") from None
        return v

    @model_validator(mode="after")
    def _lengths(self) -> CollectNode:
        if self.max_digits < self.min_digits:
            raise KeyProblem(("max_digits",), "max_digits must be at least min_digits")
        if bool(self.readback_prompt) != bool(self.confirm_prompt):
            given = "readback_prompt" if self.readback_prompt else "confirm_prompt"
            raise KeyProblem((given,), "read-back needs both readback_prompt and confirm_prompt")
        return self


class ScheduleNode(Node):
    """Open, closed (after hours) or holiday, by the time of the call."""

    type: Literal["schedule"]
    hours: dict[str, str]
    holidays: Literal["kr", "none"] = "kr"
    closed_days: list[str] = Field(default_factory=list)
    exceptions: dict[str, str] = Field(default_factory=dict)

    def outcomes(self) -> frozenset[str]:
        return frozenset({"open", "closed", "holiday"})


class CallerNode(Node):
    """Branch on who calls: blocked, priority, repeat caller, abuse strikes."""

    type: Literal["caller"]
    blocked: list[str] = Field(default_factory=list)
    priority: list[str] = Field(default_factory=list)
    repeat_within_minutes: int | None = Field(default=None, ge=1, le=10080)
    strikes_at_least: int | None = Field(default=None, ge=1, le=100)

    def outcomes(self) -> frozenset[str]:
        out = {"default"}
        if self.blocked:
            out.add("blocked")
        if self.priority:
            out.add("priority")
        if self.repeat_within_minutes:
            out.add("repeat")
        if self.strikes_at_least:
            out.add("abuser")
        return frozenset(out)


class LanguageNode(Node):
    type: Literal["language"]
    language: str


class QueueNode(Node):
    """Hand the caller to a queue of counselors (config.yaml `queues`)."""

    type: Literal["queue"]
    queue: str
    prompt: str | None = None  # "상담사를 연결해 드리겠습니다"
    priority: bool = False
    max_wait_seconds: float | None = Field(default=None, gt=0, le=3600)
    # Position (and an honest wait estimate, when there is one) on entry and then
    # every so often; 0 turns the announcements off.
    announce_every_seconds: float = Field(default=60.0, ge=0, le=600)
    # A key that takes the caller out of line (outcome `left`), for a callback
    # or a message; `leave_prompt` tells them so with each announcement.
    leave_key: Literal["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"] | None = None
    leave_prompt: str | None = None
    # 예약 상담: a key that takes the caller out of line to book a callback hour (outcome `book`).
    book_key: Literal["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"] | None = None
    waits_for_caller: ClassVar[bool] = True

    def outcomes(self) -> frozenset[str]:
        # completed: the counselor hung up and the caller is still there (survey);
        # overflow: nobody could take the call in time; closed: nobody logged in.
        keys = (["left"] if self.leave_key else []) + (["book"] if self.book_key else [])
        return frozenset({"completed", "overflow", "closed", *keys})

    def prompt_ids(self) -> list[str]:
        return [p for p in (self.prompt, self.leave_prompt) if p]

    @model_validator(mode="after")
    def _leave(self) -> QueueNode:
        if self.leave_prompt and not (self.leave_key or self.book_key):
            raise ValueError("leave_prompt needs a leave_key or a book_key")
        if self.book_key and self.book_key == self.leave_key:
            raise ValueError(f"book_key and leave_key are both {self.book_key!r}: give each its own key")
        return self


class TransferNode(Node):
    """Connect the caller to a department (config.yaml `departments`)."""

    type: Literal["transfer"]
    department: str
    prompt: str | None = None
    ring_seconds: float = Field(default=30.0, gt=0, le=120)
    waits_for_caller: ClassVar[bool] = True

    def outcomes(self) -> frozenset[str]:
        return frozenset({"completed", "failed"})

    def prompt_ids(self) -> list[str]:
        return [self.prompt] if self.prompt else []


class VoicemailNode(Node):
    """Record a message after the beep; it is kept with the call."""

    type: Literal["voicemail"]
    prompt: str
    max_seconds: int = Field(default=120, ge=5, le=600)
    silence_seconds: int = Field(default=5, ge=1, le=30)
    beep: bool = True
    waits_for_caller: ClassVar[bool] = True

    def outcomes(self) -> frozenset[str]:
        return frozenset({"done", "error"})

    def prompt_ids(self) -> list[str]:
        return [self.prompt]


class CallbackNode(Node):
    """Take a number to call back: the caller's own (press 1) or another."""

    type: Literal["callback"]
    prompt: str  # "지금 거신 번호로 연락드릴까요? 맞으면 1번, 다른 번호는 2번"
    number_prompt: str  # "연락받으실 번호를 누르신 후 우물 정자를 눌러 주십시오"
    confirmed_prompt: str  # "요청이 접수되었습니다"
    queue: str | None = None
    waits_for_caller: ClassVar[bool] = True

    def outcomes(self) -> frozenset[str]:
        return frozenset({"done", "invalid"})

    def prompt_ids(self) -> list[str]:
        return [self.prompt, self.number_prompt, self.confirmed_prompt]


class SurveyQuestion(Strict):
    id: str
    prompt: str


class SurveyNode(Node):
    """Satisfaction questions answered 1 to 5, stored with the call."""

    type: Literal["survey"]
    questions: list[SurveyQuestion] = Field(min_length=1)
    thanks_prompt: str | None = None
    timeout: float = Field(default=8.0, gt=0, le=60)
    waits_for_caller: ClassVar[bool] = True

    def prompt_ids(self) -> list[str]:
        ids = [q.prompt for q in self.questions]
        return ids + ([self.thanks_prompt] if self.thanks_prompt else [])


class SetNode(Node):
    """Tag the call for reports."""

    type: Literal["set"]
    topic: str | None = None
    category: str | None = None


class GotoNode(Node):
    type: Literal["goto"]


class SubflowNode(Node):
    """Run a shared flow (callflows/<flow>.yaml) until its `return` node."""

    type: Literal["subflow"]
    flow: str


class ReturnNode(Node):
    type: Literal["return"]
    terminal: ClassVar[bool] = True

    def outcomes(self) -> frozenset[str]:
        return frozenset()


class HangupNode(Node):
    type: Literal["hangup"]
    prompt: str | None = None
    terminal: ClassVar[bool] = True

    def outcomes(self) -> frozenset[str]:
        return frozenset()

    def prompt_ids(self) -> list[str]:
        return [self.prompt] if self.prompt else []


AnyNode = Annotated[
    PlayNode
    | MenuNode
    | CollectNode
    | ScheduleNode
    | CallerNode
    | LanguageNode
    | QueueNode
    | TransferNode
    | VoicemailNode
    | CallbackNode
    | BookingNode
    | CaseNode
    | SurveyNode
    | SetNode
    | GotoNode
    | SubflowNode
    | ReturnNode
    | HangupNode,
    Field(discriminator="type"),
]

NODE_TYPES = (
    "play menu collect schedule caller language queue transfer voicemail callback booking "
    "case survey set goto subflow return hangup"
).split()


class Flow(Strict):
    """One callflows/*.yaml file."""

    flow: str
    description: str = ""
    languages: list[Literal["ko", "en", "zh", "vi"]] = Field(default_factory=lambda: ["ko"])  # type: ignore[arg-type]
    start: str
    prompts: dict[str, Prompt] = Field(default_factory=dict)
    nodes: dict[str, AnyNode]

    @field_validator("flow")
    @classmethod
    def _name(cls, v: str) -> str:
        if not ID_PATTERN.match(v):
            raise ValueError("a flow name: lowercase letters, digits and '_'")
        return v

    @field_validator("nodes", mode="before")
    @classmethod
    def _node_ids(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for key in v:
                if not isinstance(key, str) or not ID_PATTERN.match(key):
                    message = f"node id {key!r}: use lowercase letters, digits and '_'"
                    raise KeyProblem((str(key),), message, at_key=True)
        return v


NODE_CLASSES: dict[str, type[Node]] = {
    "play": PlayNode,
    "menu": MenuNode,
    "collect": CollectNode,
    "schedule": ScheduleNode,
    "caller": CallerNode,
    "language": LanguageNode,
    "queue": QueueNode,
    "transfer": TransferNode,
    "voicemail": VoicemailNode,
    "callback": CallbackNode,
    "booking": BookingNode,
    "case": CaseNode,
    "survey": SurveyNode,
    "set": SetNode,
    "goto": GotoNode,
    "subflow": SubflowNode,
    "return": ReturnNode,
    "hangup": HangupNode,
}
