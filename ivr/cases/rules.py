"""What a city configures for its cases: the types with their processing periods, and the departments.

The defaults (config.yaml `cases:`, ivr/config/cases.py) follow 민원 처리에 관한
법률 and its 시행령; docs/cases.md cites each article. The core receives these
plain values, never the config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class CaseType:
    """A kind of 민원 and its processing period in days (0 = 즉시, within 3 working hours)."""

    id: str
    name: str
    days: int
    basis: str = ""  # the article the period comes from, shown beside it


@dataclass(frozen=True)
class CaseRules:
    """The types and departments cases may have."""

    types: Mapping[str, CaseType] = field(default_factory=dict)
    departments: Mapping[str, str] = field(default_factory=dict)  # id -> Korean name

    def type_of(self, type_id: str) -> CaseType:
        return _pick(self.types, type_id, "민원 유형", "case type")

    def department_name(self, department: str) -> str:
        return _pick(self.departments, department, "부서", "department")


def _pick(choices: Mapping[str, T], key: str, korean: str, english: str) -> T:
    if key in choices:
        return choices[key]
    known = ", ".join(choices) or "(none configured)"
    raise UnknownCaseChoice(f"{korean} '{key[:40]}'은(는) 없습니다. · unknown {english} (known: {known})")


class UnknownCaseChoice(ValueError):
    """A type or department that config.yaml's `cases:` does not list."""
