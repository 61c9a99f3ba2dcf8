"""config.yaml's telephony sections: the hotline, the trunk, Asterisk, phones, queues, the ACD."""

from __future__ import annotations

import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_DIGITS = re.compile(r"^[0-9]{3,15}$")


class Section(BaseModel):
    """A section of config.yaml: unknown keys are errors, and settings never change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class HotlineSettings(Section):
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


class TrunkSettings(Section):
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


class AsteriskSettings(Section):
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
    # Browsers' softphones reach SIP over a secure WebSocket on Asterisk's TLS
    # HTTP server (wss://<wss_address>:<wss_port>/ws), with a certificate made
    # for it (docs/softphone.md). Only served when some phone is a browser.
    wss_address: str = "127.0.0.1"
    wss_port: int = Field(default=8089, ge=1, le=65535)

    @field_validator("instance", "app", "ari_user", "ami_user")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME_PATTERN.match(v):
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
    if not NAME_PATTERN.match(v):
        raise ValueError("use lowercase letters, digits, '-' or '_' (at most 32)")
    return v


class _Phone(Section):
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
    # Which phones ring: the desk phone, the desk's softphone in the browser,
    # or both (the first to answer takes the call).
    phones: tuple[Literal["desk", "browser"], ...] = ("desk",)

    @field_validator("phones")
    @classmethod
    def _phones(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v or len(set(v)) != len(v):
            raise ValueError("list desk, browser or both, each once, e.g. [desk, browser]")
        return v

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_name(v)


class IvrSettings(Section):
    """Defaults for every call; the flows in callflows/ say the rest."""

    ring_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    language: Literal["ko", "en"] = "ko"
    # `ivr flows check` warns of a way to a counselor with more seconds of
    # prompts than this (ivr/admin/goal_times.py); null turns the check off.
    counselor_budget_seconds: float | None = Field(default=20.0, gt=0, le=600)


class SupervisorSettings(CounselorSettings):
    """A supervisor and the SIP phone they listen, whisper and barge in from.

    `user`: the desk user (username) whose wallboard buttons ring this phone
    (listen, whisper, barge in); none: this phone is reached by its codes only."""

    user: str | None = None


class QueueSettings(Section):
    """A line of callers served by some counselors (all of them when empty)."""

    name: str
    counselors: tuple[str, ...] = ()
    strategy: Literal["longest_idle", "round_robin", "fewest_calls", "ring_all", "skills"] = "longest_idle"
    weight: int = Field(default=0, ge=0, le=60)  # minutes of waiting a caller here is worth extra
    max_wait_seconds: float | None = Field(default=None, gt=0, le=7200)
    max_waiting: int | None = Field(default=None, ge=1, le=1000)
    # The call-length limit (docs/protection.md): the citizen hears the standard
    # notice after warn_after_minutes of conversation, and the call ends with
    # the standard closing after end_after_minutes (0 = off); the counselor may
    # extend once, by extend_minutes. Fractions are allowed (0.5 = 30 s).
    warn_after_minutes: float = Field(default=0, ge=0, le=240)
    end_after_minutes: float = Field(default=0, ge=0, le=240)
    extend_minutes: float = Field(default=10, gt=0, le=120)

    @model_validator(mode="after")
    def _notice_before_end(self) -> QueueSettings:
        if (
            self.warn_after_minutes
            and self.end_after_minutes
            and self.warn_after_minutes >= self.end_after_minutes
        ):
            raise ValueError(
                f"warn_after_minutes ({self.warn_after_minutes:g}) must be less than "
                f"end_after_minutes ({self.end_after_minutes:g})"
            )
        return self


class AcdSettings(Section):
    """How counselors are offered calls."""

    wrap_up_seconds: float = Field(default=30.0, ge=0, le=600)
    max_missed_offers: int = Field(default=3, ge=1, le=20)
    cooldown_seconds: float = Field(default=300.0, gt=0, le=3600)
    # Until counselors log in from the desk or their phone, everyone starts logged in.
    login_at_start: bool = True


class CallbackSettings(Section):
    """Calling citizens back when their turn comes (a queue's leave key, after hours)."""

    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_minutes: float = Field(default=10.0, gt=0, le=1440)
    ring_seconds: float = Field(default=30.0, ge=5, le=120)
    # Citizens are called only between these times, on weekdays that are not
    # Korean public holidays (unless weekdays_only is false).
    hours_start: str = "09:00"
    hours_end: str = "18:00"
    weekdays_only: bool = True
    # 예약 상담: callbacks a citizen may book in one hour slot, and the calling
    # days after today they may book (flow node `booking`).
    slot_capacity: int = Field(default=3, ge=1, le=100)
    booking_days: int = Field(default=2, ge=1, le=14)

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


class RehearsalSettings(Section):
    """`ivr rehearse` (docs/rehearsal.md): the synthetic callers' number and the
    rehearsal counselor's phone, which is nobody's desk and takes no real call.

    Only calls from `number` arriving on the trunk are rehearsals: their records
    go to their own database, they wait for the rehearsal counselor alone, and
    only they may move their clock (`--at`). Off while `number` is unset.
    """

    number: str | None = None
    counselor_endpoint: str = "rehearsal"
    # Where `ivr rehearse` answers as the rehearsal counselor (a SIPp phone it starts).
    counselor_contact: str = "sip:rehearsal@127.0.0.1:5098"
    database: str = "var/rehearsal.sqlite3"
    # The synthetic callers' own SIP and audio ports on this machine.
    caller_sip_port: int = Field(default=5096, ge=1024, le=65535)
    caller_rtp_port: int = Field(default=39000, ge=1024, le=65000)
    # What the call's counselor-side talk lasts before the rehearsal counselor hangs up.
    talk_seconds: float = Field(default=3.0, ge=1, le=60)

    @field_validator("number")
    @classmethod
    def _number(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"0\d{8,10}", v):
            raise ValueError(
                f"{v!r} must be a phone number of 9 to 11 digits starting with 0, such as 01099990001"
            )
        return v

    @model_validator(mode="after")
    def _phone(self) -> RehearsalSettings:
        _check_name(self.counselor_endpoint)
        if not re.match(r"^sip:[^@\s]+@[^\s:]+:\d+$", self.counselor_contact):
            raise ValueError("counselor_contact: a SIP URI with a port, such as sip:rehearsal@127.0.0.1:5098")
        return self


class DepartmentSettings(_Phone):
    """A city hall department a flow can transfer callers to."""

    name: str


class FallbackSettings(Section):
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
