"""config.yaml's `cases` section: the kinds of 민원 with their processing periods, and the departments.

The default periods are the law's (docs/cases.md cites each article); a city
may change them or add its own types. Departments are lower-case ids (the
ids `department` desk users are bound to, as the knowledge base's are) with
their Korean names.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from ivr.cases.rules import CaseRules, CaseType
from ivr.config.case_calls import CaseCallSettings
from ivr.config.telephony import Section

_ID = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


class CaseTypeSettings(Section):
    """One kind of 민원: its name, processing period in days (0 = 즉시) and the article it rests on."""

    name: str = Field(min_length=1, max_length=40)
    days: int = Field(ge=0, le=365)
    basis: str = ""


def _default_types() -> dict[str, CaseTypeSettings]:
    return {
        "query-law": CaseTypeSettings(
            name="질의민원(법령 해석)", days=14, basis="민원처리법 시행령 제14조제1항제1호"
        ),
        "query": CaseTypeSettings(
            name="질의민원(제도·절차)", days=7, basis="민원처리법 시행령 제14조제1항제2호"
        ),
        "proposal": CaseTypeSettings(name="건의민원", days=14, basis="민원처리법 시행령 제15조"),
        "grievance": CaseTypeSettings(name="고충민원", days=7, basis="민원처리법 시행령 제17조제1항"),
        "other": CaseTypeSettings(name="기타민원(즉시)", days=0, basis="민원처리법 시행령 제16조"),
        # 기타민원 that needs a site visit (a broken streetlight, illegal parking):
        # the law says 즉시; the center's own default, documented as such.
        "inconvenience": CaseTypeSettings(
            name="기타민원(생활불편·현장 확인)",
            days=7,
            basis="센터 기본값 (시행령 제16조 즉시 처리가 어려운 경우)",
        ),
    }


def _default_departments() -> dict[str, str]:
    return {
        "civil-affairs": "민원여권과",
        "general-affairs": "총무과",
        "tax": "세정과",
        "transport": "대중교통과",
        "road": "도로과",
        "water": "상하수도과",
        "welfare": "복지정책과",
    }


class CaseSettings(Section):
    """Types of 민원 and the departments cases go to."""

    types: dict[str, CaseTypeSettings] = Field(default_factory=_default_types)
    departments: dict[str, str] = Field(default_factory=_default_departments)
    calls: CaseCallSettings = Field(default_factory=CaseCallSettings)  # back to the citizen

    @field_validator("types", "departments")
    @classmethod
    def _ids(cls, value: dict[str, object]) -> dict[str, object]:
        bad = [k for k in value if not _ID.match(k)]
        if bad:
            raise ValueError(f"{bad}: ids are lower-case letters, digits and hyphens (e.g. civil-affairs)")
        if not value:
            raise ValueError("at least one is needed")
        return value

    @field_validator("departments")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        empty = [k for k, name in value.items() if not name.strip()]
        if empty:
            raise ValueError(f"{empty}: a department needs its Korean name")
        return value


def case_rules(settings: CaseSettings) -> CaseRules:
    """The core's plain values from the section."""
    return CaseRules(
        types={k: CaseType(k, t.name, t.days, t.basis) for k, t in settings.types.items()},
        departments=dict(settings.departments),
    )
