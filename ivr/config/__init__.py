"""config.yaml -> frozen, validated settings.

Every problem is reported as one line that names the file, the line and the
key, so an admin can fix a bad file without reading Python:

    config.yaml:14: counselors[2].endpoint: field required

All problems are collected before anything starts; `ivr serve` refuses to run
while any remain.

The sections are in telephony.py and operations.py, the whole in settings.py,
the reading in loading.py; everything is importable from `ivr.config`.
"""

from __future__ import annotations

from ivr.config.cases import CaseSettings, CaseTypeSettings, case_rules
from ivr.config.cluster import ClusterSettings, NodeSettings
from ivr.config.loading import LoadedConfig, key_line, load, parse
from ivr.config.operations import (
    CriterionSettings,
    PilotSettings,
    QaSettings,
    ReportSettings,
    RetentionSettings,
    ScorecardSettings,
    ServiceSettings,
    StorageSettings,
    WebSettings,
)
from ivr.config.settings import Settings
from ivr.config.telephony import (
    AcdSettings,
    AsteriskSettings,
    CallbackSettings,
    CounselorSettings,
    DepartmentSettings,
    FallbackSettings,
    HotlineSettings,
    IvrSettings,
    QueueSettings,
    RehearsalSettings,
    SupervisorSettings,
    TrunkSettings,
)

__all__ = [
    "AcdSettings",
    "AsteriskSettings",
    "CallbackSettings",
    "CaseSettings",
    "CaseTypeSettings",
    "ClusterSettings",
    "CounselorSettings",
    "CriterionSettings",
    "DepartmentSettings",
    "FallbackSettings",
    "HotlineSettings",
    "IvrSettings",
    "LoadedConfig",
    "NodeSettings",
    "PilotSettings",
    "QaSettings",
    "QueueSettings",
    "RehearsalSettings",
    "ReportSettings",
    "RetentionSettings",
    "ScorecardSettings",
    "ServiceSettings",
    "Settings",
    "StorageSettings",
    "SupervisorSettings",
    "TrunkSettings",
    "WebSettings",
    "case_rules",
    "key_line",
    "load",
    "parse",
]
