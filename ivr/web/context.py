"""What the desk's handlers need: DeskDeps from the caller, the Desk built from them on the
app, and each request's session and user."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from ivr.acd.actions import CounselorActions
from ivr.acd.dispatcher import Dispatcher
from ivr.admin.board_actions import BoardActions
from ivr.admin.phones import Apply, StateReader, reload_embedded
from ivr.admin.prompt_studio import PromptStudio
from ivr.admin.softphone import Softphones
from ivr.cases.rules import CaseRules
from ivr.config import LoadedConfig, QaSettings, ScorecardSettings
from ivr.flows.path_words import FlowWords
from ivr.protection.call_length import LengthView
from ivr.reports.metrics import Rules
from ivr.reports.pilot import Targets
from ivr.store.db import Database
from ivr.store.sessions import LIFETIME, Session, SessionStore
from ivr.store.stamps import Clock, utc_now
from ivr.store.users import User
from ivr.web.login_turns import AttemptTurns

SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True)
class FlowsSetup:
    """What the flow pages work on: config.yaml (the flows folder, the versions
    database), and how the running service takes a newly published folder."""

    cfg: LoadedConfig
    # The service's reload (HotlineError if it refuses); None when no service runs beside the desk.
    reload: Callable[[], Awaitable[None]] | None = None
    # One publish or rollback at a time: each checks the folder it then writes.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True)
class PhonesSetup:
    """What the phones page works on: config.yaml (the phones, secrets.json), how
    Asterisk's endpoint states are read, and how a new password reaches Asterisk."""

    cfg: LoadedConfig
    states: StateReader
    apply: Apply = reload_embedded
    # One new password at a time: each rewrites pjsip.conf and reloads PJSIP.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True)
class DeskDeps:
    """What the desk is built from, made once by its caller (ivr/app.py; tests make their own).

    db: the service's started Database (any schema: the desk adds its own tables
    at start-up). Everything else has a default, for a desk with less in it.
    """

    db: Database
    clock: Clock = utc_now  # now() in UTC (tests move it)
    timezone: tzinfo = SEOUL  # how times are shown
    # config.yaml's counselor id -> name, offered when an admin links a user to a counselor.
    counselors: Mapping[str, str] = field(default_factory=dict)
    # The live queue and what counselors may ask of it (by default CounselorActions(acd));
    # None on a desk without one (then the wallboard and counselor pages are not served).
    acd: Dispatcher | None = None
    actions: CounselorActions | None = None
    # A counselor's command for the call they are on (the abuse key, transfers),
    # and the departments they may transfer to, in config order (1 = first).
    call_command: Callable[[str, str], bool] | None = None
    # The conversation's call-length limit (the desk's countdown) and its one
    # extension (call id, reason, who; seconds added, or LimitRefused).
    call_length: Callable[[str], LengthView | None] | None = None
    extend_call: Callable[[str, str, str], float] | None = None
    departments: Sequence[str] = ()
    # QA: where recordings are copied (storage.recordings; None: no player),
    # the queues' names by id, and the scorecards of config.yaml's qa section.
    recordings_root: Path | None = None
    queues: Mapping[str, str] = field(default_factory=dict)
    scorecards: Mapping[str, ScorecardSettings] = field(default_factory=lambda: QaSettings().scorecards)
    # The call flows' pages; None on a desk without them.
    flows: FlowsSetup | None = None
    # The desk phones' page; None on a desk without it.
    phones: PhonesSetup | None = None
    # Counselor protection (config.yaml `protection`): how long a strike counts,
    # and the folder of evidence packages and the service's signing key.
    strike_expiry_days: int = 0
    evidence_dir: Path | None = None
    # The prompt studio (/prompts); None on a desk without it.
    prompts: PromptStudio | None = None
    # What the Reports page counts against (config.yaml `reports`).
    report_rules: Rules = field(default_factory=Rules)
    # What each day of the pilot is measured against (config.yaml `pilot`).
    pilot_targets: Targets = field(default_factory=Targets)
    # The last `ivr rehearse` run's summary (None: no run), for the wallboard.
    rehearsal_last: Callable[[], Mapping[str, Any] | None] = lambda: None
    # Counselors' browser softphones (accounts, the local CA); None on a desk without them.
    softphone: Softphones | None = None
    # 민원: the case types and departments of config.yaml `cases` (docs/cases.md).
    cases: CaseRules = field(default_factory=CaseRules)
    # config.yaml `web`: a session's absolute lifetime; the trusted proxy's address header.
    session_lifetime: timedelta = LIFETIME
    proxy_header: str | None = None
    # The serving flow's words (menu options, steps): the IVR path and QA's timeline in them.
    flow_words: Callable[[], FlowWords] = FlowWords
    # The wallboard's buttons (listen, whisper, barge in, log out); by default
    # BoardActions(acd) with no supervisor phones (only log out works).
    board: BoardActions | None = None


@dataclass(frozen=True)
class Desk(DeskDeps):
    """The desk's dependencies and what build_desk makes of them once; handlers read
    them as `request.app[DESK]`."""

    sessions: SessionStore = field(kw_only=True)
    templates: jinja2.Environment = field(kw_only=True)
    login_turns: AttemptTurns = field(kw_only=True)

    @classmethod
    def of(cls, deps: DeskDeps, templates: jinja2.Environment) -> Desk:
        given = {f.name: getattr(deps, f.name) for f in fields(DeskDeps)}
        if deps.actions is None and deps.acd is not None:
            given["actions"] = CounselorActions(deps.acd)
        if deps.board is None and deps.acd is not None:
            given["board"] = BoardActions(deps.acd, {}, None)
        return cls(
            **given,
            sessions=SessionStore(deps.db, deps.clock, deps.session_lifetime),
            templates=templates,
            login_turns=AttemptTurns(),
        )


DESK = web.AppKey("desk", Desk)
# Set by the middleware: the request's session (also before log-in) and its user, if any.
SESSION = web.RequestKey("desk_session", Session)
USER = web.RequestKey("desk_user", User)


def user_of(request: web.Request) -> User | None:
    return request.get(USER)


def session_of(request: web.Request) -> Session | None:
    return request.get(SESSION)


def client_ip(request: web.Request) -> str | None:
    """The browser's address: the peer's, or behind the configured reverse proxy the last
    entry of its header (the one it added; entries before it are the client's to forge)."""
    header = request.app[DESK].proxy_header
    if header:
        forwarded = request.headers.get(header, "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return request.remote
