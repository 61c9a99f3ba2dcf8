"""config.yaml -> frozen, validated settings.

Every problem is reported as one line that names the file, the line and the
key, so an admin can fix a bad file without reading Python:

    config.yaml:14: counselors[2].endpoint: field required

All problems are collected before anything starts; `ivr serve` refuses to run
while any remain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from ivr.errors import ConfigError

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_DIGITS = re.compile(r"^[0-9]{3,15}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HotlineSettings(_Model):
    """The public number and how the service names itself."""

    number: str = "2221000"
    name: str = "천년전주 콜센터"
    timezone: str = "Asia/Seoul"
    flow: str = "hotline"  # callflows/<flow>.yaml answers the number
    flows_dir: str = "callflows"

    @field_validator("number")
    @classmethod
    def _number(cls, v: str) -> str:
        if not _DIGITS.match(v):
            raise ValueError("must be 3 to 15 digits, for example '2221000'")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}, for example 'Asia/Seoul'") from None
        return v


class TrunkSettings(_Model):
    """Where citizens' calls come from: the carrier's SIP addresses."""

    match: tuple[str, ...] = ("127.0.0.1",)
    # How to call a citizen back through the carrier: an Asterisk dial string
    # with {number}, e.g. "PJSIP/citizens/sip:{number}@carrier.example:5060".
    # Without it callback requests are kept for staff to return by hand.
    dial: str | None = None

    @field_validator("dial")
    @classmethod
    def _dial(cls, v: str | None) -> str | None:
        if v is not None and "{number}" not in v:
            raise ValueError(
                "needs {number} where the citizen's number goes, e.g. PJSIP/citizens/sip:{number}@host"
            )
        return v


class AsteriskSettings(_Model):
    """The PBX. `embedded: true` runs the project's own Asterisk."""

    embedded: bool = True
    instance: str = "hotline"
    root: str | None = None
    ari_url: str = "http://127.0.0.1:8088"
    ari_user: str = "hotline"
    ari_password: str | None = None
    ari_password_file: str | None = None
    app: str = "hotline"
    sip_address: str = "127.0.0.1"
    sip_port: int = Field(default=5060, ge=1, le=65535)
    ami_port: int = Field(default=5038, ge=1, le=65535)
    # AMI keeps the fallback queue in step; your own Asterisk needs its password
    # (the embedded one gets a generated one). Without it the fallback queue has
    # no members and callers hear the "please call again" prompt.
    ami_user: str = "hotline"
    ami_password: str | None = None
    ami_password_file: str | None = None
    rtp_start: int = Field(default=10000, ge=1024, le=65000)
    rtp_end: int = Field(default=10999, ge=1024, le=65535)
    # Your own Asterisk: where its sounds folder is mounted here, so published
    # flow prompts reach it (the embedded one needs nothing).
    sounds_dir: str | None = None
    trunk: TrunkSettings = TrunkSettings()

    @field_validator("instance", "app", "ari_user", "ami_user")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("use lowercase letters, digits, '-' or '_' (at most 32)")
        return v

    @field_validator("ari_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^https?://[^/]+(:\d+)?/?$", v):
            raise ValueError("must look like http://127.0.0.1:8088")
        return v.rstrip("/")

    @model_validator(mode="after")
    def _remote_needs_password(self) -> AsteriskSettings:
        if not self.embedded and not (self.ari_password or self.ari_password_file):
            raise ValueError(
                "with embedded: false, set ari_password or ari_password_file "
                "to the ARI user's password on your Asterisk"
            )
        if self.rtp_end <= self.rtp_start:
            raise ValueError("rtp_end must be above rtp_start")
        return self

    @property
    def http_port(self) -> int:
        port = re.search(r":(\d+)$", self.ari_url)
        return int(port.group(1)) if port else 80


def _check_name(v: str) -> str:
    if not _NAME.match(v):
        raise ValueError("use lowercase letters, digits, '-' or '_' (at most 32)")
    return v


class _Phone(_Model):
    """A SIP phone the PBX can ring: its endpoint, and maybe a fixed address."""

    endpoint: str
    # A real desk phone REGISTERs with a generated password; a fixed contact
    # (sip:127.0.0.1:5071) serves test phones and phones on a static address.
    contact: str | None = None
    # Asterisk ends a call when the phone sent no audio this long (its power or
    # network gone: PJSIP's rtp_timeout); the caller is then looked after. 0 =
    # never, for a phone that sends nothing in silence.
    line_timeout_seconds: int = Field(default=30, ge=0, le=3600)

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, v: str) -> str:
        return _check_name(v)

    @field_validator("contact")
    @classmethod
    def _contact(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^sip:[^@\s]+(@[^\s]+)?$", v):
            raise ValueError("must be a SIP URI such as sip:127.0.0.1:5071")
        return v


class CounselorSettings(_Phone):
    """One counselor and the SIP phone on their desk."""

    id: str
    name: str

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_name(v)


class IvrSettings(_Model):
    """Defaults for every call; the flows in callflows/ say the rest."""

    ring_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    language: Literal["ko", "en"] = "ko"


class SupervisorSettings(CounselorSettings):
    """A supervisor and the SIP phone they listen, whisper and barge in from."""


class QueueSettings(_Model):
    """A line of callers served by some counselors (all of them when empty)."""

    name: str
    counselors: tuple[str, ...] = ()
    strategy: Literal["longest_idle", "round_robin", "fewest_calls", "ring_all", "skills"] = "longest_idle"
    weight: int = Field(default=0, ge=0, le=60)  # minutes of waiting a caller here is worth extra
    max_wait_seconds: float | None = Field(default=None, gt=0, le=7200)
    max_waiting: int | None = Field(default=None, ge=1, le=1000)


class AcdSettings(_Model):
    """How counselors are offered calls."""

    wrap_up_seconds: float = Field(default=30.0, ge=0, le=600)
    max_missed_offers: int = Field(default=3, ge=1, le=20)
    cooldown_seconds: float = Field(default=300.0, gt=0, le=3600)
    # Until counselors log in from the desk or their phone, everyone starts logged in.
    login_at_start: bool = True


class CallbackSettings(_Model):
    """Calling citizens back when their turn comes (a queue's leave key, after hours)."""

    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_minutes: float = Field(default=10.0, gt=0, le=1440)
    ring_seconds: float = Field(default=30.0, ge=5, le=120)
    # Citizens are called only between these times, on weekdays that are not
    # Korean public holidays (unless weekdays_only is false).
    hours_start: str = "09:00"
    hours_end: str = "18:00"
    weekdays_only: bool = True

    @field_validator("hours_start", "hours_end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            raise ValueError(f"{v!r} is not a time of day like 09:00")
        return v

    @model_validator(mode="after")
    def _window(self) -> CallbackSettings:
        if self.hours_start >= self.hours_end:
            raise ValueError(f"hours_start {self.hours_start} must come before hours_end {self.hours_end}")
        return self


class DepartmentSettings(_Phone):
    """A city hall department a flow can transfer callers to."""

    name: str


class FallbackSettings(_Model):
    """Asterisk's own queue, which answers when the service is down."""

    # How long a caller waits in the fallback queue before the "please call
    # again" prompt.
    max_wait_seconds: float = Field(default=120.0, ge=5, le=3600)
    # While the service runs, how often it turns finished fallback calls into
    # call records (it always does at start).
    import_every_seconds: float = Field(default=30.0, ge=1, le=3600)
    # Your own Asterisk: its queue_log file as mounted here (the embedded one
    # needs nothing). Without it, fallback calls are not recorded.
    queue_log: str | None = None


class ReportSettings(_Model):
    """How `ivr report` counts (docs/metrics.md defines every figure)."""

    # A caller who hangs up within this many seconds of entering the line is a
    # short abandon, reported apart (they barely waited; often a wrong choice).
    short_abandon_seconds: float = Field(default=5.0, ge=0, le=120)
    # The service level: answered within T seconds, and the share the center aims for.
    service_level_seconds: float = Field(default=20.0, gt=0, le=3600)
    service_level_target: float = Field(default=0.8, gt=0, lt=1)
    # The same caller again on the same topic within this many days is a repeat call.
    repeat_days: int = Field(default=7, ge=1, le=90)


class WebSettings(_Model):
    listen: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)


class CriterionSettings(_Model):
    """One line of a QA scorecard: what is judged, how much it weighs, its top mark."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=80)
    weight: float = Field(gt=0, le=100)
    max_points: int = Field(default=5, ge=1, le=10)


class ScorecardSettings(_Model):
    name: str = Field(min_length=1, max_length=80)
    criteria: tuple[CriterionSettings, ...] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _unique_criteria(self) -> ScorecardSettings:
        ids = [c.id for c in self.criteria]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"criterion id {twice[0]!r} is used twice")
        return self


def _standard_scorecard() -> dict[str, ScorecardSettings]:
    # What Korean public call centers commonly judge a counselor's call on.
    criteria = [
        ("greeting", "첫인사와 소속·이름 안내 · Greeting and introduction", 10),
        ("listening", "경청과 공감 · Listening and empathy", 20),
        ("accuracy", "정확한 안내 · Accurate information", 30),
        ("clarity", "알기 쉬운 설명 · Clear explanation", 15),
        ("courtesy", "친절한 말씨와 태도 · Courtesy", 15),
        ("closing", "추가 문의 확인과 끝인사 · Closing", 10),
    ]
    return {
        "standard": ScorecardSettings(
            name="상담 품질 기본 평가표 · Standard call review",
            criteria=tuple(CriterionSettings(id=i, name=n, weight=w) for i, n, w in criteria),
        )
    }


class QaSettings(_Model):
    """Scorecards QA staff fill in for recorded calls (the first is offered first)."""

    scorecards: dict[str, ScorecardSettings] = Field(default_factory=_standard_scorecard, min_length=1)

    @field_validator("scorecards")
    @classmethod
    def _scorecard_ids(cls, value: dict[str, ScorecardSettings]) -> dict[str, ScorecardSettings]:
        for key in value:
            if not key or not key.replace("_", "").isalnum() or not key.isascii():
                raise ValueError(f"scorecard id {key!r}: use letters, digits and _")
        return value


class StorageSettings(_Model):
    database: str = "var/hotline.sqlite3"
    recordings: str = "recordings"
    state_dir: str = "var"


class RetentionSettings(_Model):
    """How long recordings are kept. Flagged calls (abuse) and recordings under
    legal hold are never purged."""

    default_days: int = Field(default=90, ge=1, le=36500)
    # Days per category: a call's category (its topic tag), or a recording's
    # kind (`conversation`, `voicemail`) when its call has none listed here.
    categories: dict[str, int] = Field(default_factory=dict)
    # When the running service purges, every day (hotline.timezone).
    purge_at: str = "03:30"

    @field_validator("categories")
    @classmethod
    def _days(cls, v: dict[str, int]) -> dict[str, int]:
        for name, days in v.items():
            if not _NAME.match(name):
                raise ValueError(f"category {name!r}: use lowercase letters, digits, '-' or '_'")
            if not 1 <= days <= 36500:
                raise ValueError(f"category {name!r}: {days} days; use 1 to 36500")
        return v

    @field_validator("purge_at")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            raise ValueError(f"{v!r} is not a time of day like 03:30")
        return v


class ServiceSettings(_Model):
    drain_seconds: float = Field(default=300.0, ge=0, le=3600)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(_Model):
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
    web: WebSettings = WebSettings()
    qa: QaSettings = QaSettings()
    storage: StorageSettings = StorageSettings()
    retention: RetentionSettings = RetentionSettings()
    service: ServiceSettings = ServiceSettings()

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
        endpoints = {c.endpoint for c in self.counselors}
        for dname, dept in self.departments.items():
            if dept.endpoint in endpoints:
                raise ValueError(f"department {dname!r} uses a counselor's endpoint {dept.endpoint!r}")
        taken = endpoints | {d.endpoint for d in self.departments.values()}
        for v in self.supervisors:
            if v.endpoint in taken:
                raise ValueError(f"supervisor {v.id!r} uses an endpoint already taken: {v.endpoint!r}")
            taken.add(v.endpoint)
        return self

    def queue_members(self, name: str) -> tuple[str, ...]:
        queue = self.queues[name]
        return queue.counselors or tuple(c.id for c in self.counselors)


@dataclass(frozen=True)
class LoadedConfig:
    """Settings plus where they came from, so paths resolve beside the file."""

    settings: Settings
    path: Path
    shown: str = "config.yaml"  # the path as the admin gave it, for messages

    def resolve(self, relative: str) -> Path:
        p = Path(relative).expanduser()
        return p if p.is_absolute() else (self.path.parent / p).resolve()


def load(path: str | Path) -> LoadedConfig:
    """Read and validate config.yaml; raise ConfigError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found (copy config.yaml from the project)"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    return LoadedConfig(parse(text, str(path)), path.resolve(), str(path))


def parse(text: str, filename: str = "config.yaml") -> Settings:
    """Validate YAML text; errors carry `filename:line: key: message`."""
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else "?"
        raise ConfigError([f"{filename}:{line}: not valid YAML: {exc.problem}"]) from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise ConfigError([f"{filename}:1: the file must be a mapping of sections"])
    try:
        return Settings.model_validate(_plain(data))
    except ValidationError as exc:
        raise ConfigError(list(_describe(exc.errors(), data, filename))) from None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _describe(errors: Iterable[Any], data: Any, filename: str) -> Iterable[str]:
    for err in errors:
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        key = _dotted(loc) or "(top level)"
        line = _line_of(data, loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling and indentation)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        yield f"{filename}:{line}: {key}: {msg}"


def _dotted(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(data: Any, loc: list[Any]) -> int:
    """The deepest line ruamel knows for a path; 1 when nothing matches."""
    line = 1
    node = data
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            if isinstance(node, CommentedMap) and node.lc.line is not None:
                line = max(line, node.lc.line + 1)
            break
    return line


def key_line(cfg: LoadedConfig, *loc: str | int) -> str:
    """`file:line: key` for a key of a loaded config, for problems found later."""
    try:
        data = YAML(typ="rt").load(cfg.path.read_text(encoding="utf-8"))
    except (OSError, MarkedYAMLError):
        data = None
    line = _line_of(data, list(loc)) if data is not None else 1
    return f"{cfg.shown}:{line}: {_dotted(list(loc))}"
