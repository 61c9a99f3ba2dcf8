"""The `booking` node's schema (예약 상담), beside the others in model.py."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from ivr.flows.model_base import Node


class BookingNode(Node):
    """예약 상담: the caller books an hour for a callback (today or the next
    calling days, within calling hours and each slot's capacity)."""

    type: Literal["booking"]
    day_prompt: str  # "원하시는 날짜를 선택해 주십시오."
    hour_prompt: str  # "원하시는 시간을 선택해 주십시오."
    confirmed_prompt: str  # read after the slot: "...에 전화드리겠습니다."
    full_prompt: str  # no slot left to offer
    invalid_prompt: str | None = None  # a key that is no option
    number_prompt: str | None = None  # asked when the caller's own number cannot be called
    queue: str | None = None
    attempts: int = Field(default=2, ge=1, le=5)
    timeout: float = Field(default=6.0, gt=0, le=60)
    waits_for_caller: ClassVar[bool] = True

    def outcomes(self) -> frozenset[str]:
        return frozenset({"done", "full", "invalid"})

    def prompt_ids(self) -> list[str]:
        optional = (self.invalid_prompt, self.number_prompt)
        return [self.day_prompt, self.hour_prompt, self.confirmed_prompt, self.full_prompt] + [
            p for p in optional if p
        ]
