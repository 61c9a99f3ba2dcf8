"""The case (민원) as a value: its number, what a counselor registers, and the checks on it.

A number is the year of receipt and a sequence of that year, `2026-000123`;
the store hands out the sequence and never gives a number twice
(store/case_numbers.py), even after a case is deleted by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ivr.cases.rules import CaseRules, UnknownCaseChoice
from ivr.errors import HotlineError

NUMBER = re.compile(r"^(\d{4})-(\d{6})$")

# How the citizen wants the answer.
ANSWER_CHANNELS: dict[str, str] = {
    "phone": "전화(상담사)",
    "automated_call": "자동 안내 전화",
    "sms": "문자",
}

MAX_DESCRIPTION = 4000
MAX_NAME = 40
MAX_TOPIC = 64


class CaseInputError(HotlineError):
    """A case that cannot be registered or changed as asked: `field` names the input at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        super().__init__(message)


def format_number(year: int, sequence: int) -> str:
    """`2026-000123`."""
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"a case sequence is 1..999999, not {sequence}")
    return f"{year:04d}-{sequence:06d}"


def parse_number(text: str) -> tuple[int, int]:
    """(year, sequence) of a case number; CaseInputError if it is not one."""
    m = NUMBER.match(text.strip())
    if not m:
        raise CaseInputError("number", f"'{text[:20]}'은(는) 접수번호가 아닙니다(예: 2026-000123).")
    return int(m.group(1)), int(m.group(2))


@dataclass(frozen=True)
class NewCase:
    """What a counselor registers: prefilled from the call, completed by hand."""

    caller: str
    description: str
    type: str
    department: str
    by: str  # the desk user registering it
    answer_channel: str = "phone"
    name: str = ""
    topic: str = ""
    call_id: str | None = None
    ivr_path: str = ""
    articles: tuple[str, ...] = field(default_factory=tuple)  # knowledge-base slugs tried on the call


def check_new(new: NewCase, rules: CaseRules) -> None:
    """Raise CaseInputError naming the first field at fault; nothing is written before this passes."""
    if not new.description.strip():
        raise CaseInputError("description", "민원 내용을 적어 주십시오. · the description is empty")
    if len(new.description) > MAX_DESCRIPTION:
        raise CaseInputError("description", f"민원 내용은 {MAX_DESCRIPTION}자까지 적을 수 있습니다.")
    if len(new.name) > MAX_NAME:
        raise CaseInputError("name", f"성명은 {MAX_NAME}자까지 적을 수 있습니다.")
    if len(new.topic) > MAX_TOPIC:
        raise CaseInputError("topic", f"주제는 {MAX_TOPIC}자까지 적을 수 있습니다.")
    if new.answer_channel not in ANSWER_CHANNELS:
        raise CaseInputError(
            "answer_channel",
            f"답변 방법 '{new.answer_channel[:20]}'은(는) 없습니다(전화, 자동 안내 전화, 문자 중 하나).",
        )
    if not new.caller.strip():
        raise CaseInputError("caller", "민원인 전화번호가 없습니다. · the caller's number is missing")
    for name, check in (("type", rules.type_of), ("department", rules.department_name)):
        try:
            check(getattr(new, name))
        except UnknownCaseChoice as exc:
            raise CaseInputError(name, str(exc)) from None


@dataclass(frozen=True)
class Case:
    """A stored case as the desks, the command line and the reports see it."""

    number: str
    status: str
    version: int
    received_at: datetime
    received_by: str
    caller: str
    description: str
    type: str
    department: str
    deadline: datetime
    answer_channel: str = "phone"
    name: str = ""
    topic: str = ""
    ivr_path: str = ""
    articles: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    answer: str = ""
    answered_at: datetime | None = None
    answered_by: str = ""
    closed_at: datetime | None = None


class CaseNotFound(HotlineError):
    """No such case, or none the asking department may see (the desk answers 404 either way)."""

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"민원 {number[:20]}을(를) 찾을 수 없습니다. · no case {number[:20]}")


class CaseConflict(HotlineError):
    """The case changed since the person asking last saw it: someone else came first."""

    def __init__(self, number: str, status: str, by: str) -> None:
        self.number, self.status, self.by = number, status, by
        who = f"{by} 님이 " if by else "다른 사용자가 "
        super().__init__(
            f"{who}먼저 민원 {number}을(를) 처리했습니다(현재 상태: {status}). "
            "화면을 새로 고쳐 확인해 주십시오. · the case changed meanwhile"
        )
