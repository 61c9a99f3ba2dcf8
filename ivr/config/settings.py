"""The whole of config.yaml as one frozen model, with the checks across sections."""

from __future__ import annotations

from pydantic import Field, model_validator

from ivr.config.cases import CaseSettings
from ivr.config.cluster import ClusterSettings
from ivr.config.operations import (
    PilotSettings,
    QaSettings,
    ReportSettings,
    RetentionSettings,
    ServiceSettings,
    StandbySettings,
    StorageSettings,
    WebSettings,
)
from ivr.config.protection import ProtectionSettings
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
    Section,
    SupervisorSettings,
)


class Settings(Section):
    """The whole of config.yaml."""

    hotline: HotlineSettings = HotlineSettings()
    asterisk: AsteriskSettings = AsteriskSettings()
    counselors: tuple[CounselorSettings, ...] = ()
    supervisors: tuple[SupervisorSettings, ...] = ()
    queues: dict[str, QueueSettings] = Field(
        default_factory=lambda: {"general": QueueSettings(name="일반 상담")}
    )
    departments: dict[str, DepartmentSettings] = Field(default_factory=dict)
    acd: AcdSettings = AcdSettings()
    callbacks: CallbackSettings = CallbackSettings()
    ivr: IvrSettings = IvrSettings()
    fallback: FallbackSettings = FallbackSettings()
    reports: ReportSettings = ReportSettings()
    pilot: PilotSettings = PilotSettings()
    web: WebSettings = WebSettings()
    qa: QaSettings = QaSettings()
    storage: StorageSettings = StorageSettings()
    retention: RetentionSettings = RetentionSettings()
    service: ServiceSettings = ServiceSettings()
    standby: StandbySettings = StandbySettings()
    protection: ProtectionSettings = ProtectionSettings()
    rehearsal: RehearsalSettings = RehearsalSettings()
    # Several Asterisk nodes behind Kamailio (docs/scaling.md); none: one box.
    cluster: ClusterSettings | None = None
    cases: CaseSettings = CaseSettings()

    @model_validator(mode="after")
    def _unique(self) -> Settings:
        for attr in ("id", "endpoint"):
            seen: set[str] = set()
            for c in self.counselors:
                value = getattr(c, attr)
                if value in seen:
                    raise ValueError(f"counselor {attr} {value!r} is used twice")
                seen.add(value)
        ids = {c.id for c in self.counselors}
        for qname, queue in self.queues.items():
            unknown = [c for c in queue.counselors if c not in ids]
            if unknown:
                raise ValueError(f"queue {qname!r} names counselors that are not defined: {unknown}")
        if self.cases.calls.queue is not None and self.cases.calls.queue not in self.queues:
            raise ValueError(f"cases.calls.queue {self.cases.calls.queue!r} is no queue of `queues`")
        endpoints = {c.endpoint for c in self.counselors}
        for dname, dept in self.departments.items():
            if dept.endpoint in endpoints:
                raise ValueError(f"department {dname!r} uses a counselor's endpoint {dept.endpoint!r}")
        taken = endpoints | {d.endpoint for d in self.departments.values()}
        for v in self.supervisors:
            if v.endpoint in taken:
                raise ValueError(f"supervisor {v.id!r} uses an endpoint already taken: {v.endpoint!r}")
            taken.add(v.endpoint)
        rehearsing = self.rehearsal.counselor_endpoint
        if rehearsing in taken:
            raise ValueError(f"rehearsal.counselor_endpoint {rehearsing!r} is a real phone's endpoint")
        # A browser's endpoint is the phone's endpoint with "-web" after it.
        webs = {f"{p.endpoint}-web" for p in (*self.counselors, *self.supervisors) if "browser" in p.phones}
        clash = sorted(webs & taken)
        if clash:
            raise ValueError(f"endpoint {clash[0]!r} is taken by a browser phone: rename it")
        return self

    def queue_members(self, name: str) -> tuple[str, ...]:
        queue = self.queues[name]
        return queue.counselors or tuple(c.id for c in self.counselors)
