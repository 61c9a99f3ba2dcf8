"""Desk phones' SIP accounts, for the admins who set the phones up: `ivr pbx phones` and the desk.

Listing shows every phone of config.yaml and whether Asterisk has it
registered. Showing a phone's account (its password) and giving it a new
password are audited, in the desk's `audit` table: who, what, when, and
from where on the desk. A new password reaches the running Asterisk at once
(pbx/embedded.reload_phone_accounts), and calls in progress go on.

The desk calls the steps (find, account_of, rotate, record) itself, auditing
through its writer thread; the commands use `show_account` and
`rotate_password`, on the database file, with the OS user as the actor.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from ivr.admin.problems import InvalidInput, NoPhonePassword, NoSuchPhone, PbxNotOurs
from ivr.ari.endpoints import endpoint_states
from ivr.ari.rest import AriRest
from ivr.config import LoadedConfig, Settings
from ivr.errors import HotlineError, PbxError
from ivr.pbx import embedded, secrets
from ivr.pbx.phones import Account, Phone, account, desk_phones
from ivr.store import audit
from ivr.store.desk_schema import transaction
from ivr.store.stamps import utc_now

SHOWN = "phone_password_shown"
ROTATED = "phone_password_rotated"
NOT_RUNNING = "Asterisk가 실행 중이 아닙니다. · Asterisk is not running."

# Asterisk's endpoint states (ARI), as a phone that registers means them.
_REGISTRATION = {"online": "registered", "offline": "not_registered"}
# What a phone's kind and state are called, Korean · English.
KIND_WORDS = {
    "counselor": ("상담사", "Counselor"),
    "supervisor": ("감독자", "Supervisor"),
    "department": ("부서", "Department"),
}
STATE_WORDS = {
    "registered": ("등록됨", "registered"),
    "not_registered": ("등록 안 됨", "not registered"),
    "online": ("연결됨", "online"),
    "offline": ("연결 안 됨", "offline"),
    "unknown": ("알 수 없음", "unknown"),
    "missing": ("Asterisk에 없음", "not in Asterisk: render and restart it"),
    "not_read": ("-", "-"),
}

# Every PJSIP endpoint's state by name (raises HotlineError when Asterisk cannot tell).
StateReader = Callable[[], Awaitable[Mapping[str, str]]]
# Gives the PBX the passwords of secrets.json: True when the running Asterisk took them now,
# False when it takes them at its next start (raises PbxError when it refused).
Apply = Callable[[LoadedConfig], bool]


@dataclass(frozen=True)
class PhoneState:
    """A phone and what Asterisk says of it (`state` None: not read)."""

    phone: Phone
    state: str | None

    @property
    def status(self) -> str:
        """A key of STATE_WORDS."""
        if self.state is None:
            return "not_read"
        if self.phone.registers:
            return _REGISTRATION.get(self.state, self.state)
        return self.state

    @property
    def words(self) -> tuple[str, str]:
        return STATE_WORDS.get(self.status, (self.status, self.status))


@dataclass(frozen=True)
class Listing:
    """Every phone; `problem` says why no state could be read."""

    phones: list[PhoneState]
    problem: str | None = None


@dataclass(frozen=True)
class Rotation:
    """A new password, saved in secrets.json; whether Asterisk took it, or why it could not."""

    phone: Phone
    reloaded: bool
    failure: str | None = None

    @property
    def detail(self) -> str:
        if self.failure:
            return f"reload failed: {self.failure}"
        return "reloaded" if self.reloaded else "asterisk not running"


def ari_states(cfg: LoadedConfig, rest: AriRest) -> StateReader:
    """A StateReader over ARI; for the embedded Asterisk, one that is not running is said so."""

    async def read() -> Mapping[str, str]:
        if cfg.settings.asterisk.embedded and embedded.pid(embedded.instance_for(cfg)) is None:
            raise PbxError(NOT_RUNNING)
        try:
            return await endpoint_states(rest)
        except HotlineError as exc:
            raise PbxError(
                "Asterisk의 ARI가 응답하지 않습니다. · "
                f"Asterisk's ARI at {rest.base_url} does not answer: {exc}"
            ) from exc

    return read


async def listing(settings: Settings, read_states: StateReader) -> Listing:
    """Every phone of config.yaml, with its state as Asterisk has it now."""
    phones = desk_phones(settings)
    try:
        states = await read_states()
    except HotlineError as exc:
        return Listing([PhoneState(p, None) for p in phones], str(exc))
    return Listing([PhoneState(p, states.get(p.endpoint, "missing")) for p in phones])


def find(settings: Settings, key: str) -> Phone:
    """The phone whose endpoint is `key`, else whose id (a counselor's, supervisor's or department's)."""
    phones = desk_phones(settings)
    found = [p for p in phones if p.endpoint == key] or [p for p in phones if p.id == key]
    if not found:
        raise NoSuchPhone(key[:40])
    if len(found) > 1:
        endpoints = ", ".join(p.endpoint for p in found)
        raise InvalidInput(
            [
                f"'{key}'는 여러 전화기의 id입니다({endpoints}). 내선(endpoint) 이름으로 골라 주십시오. · "
                f"'{key}' is the id of several phones ({endpoints}): give the endpoint instead."
            ]
        )
    return found[0]


def registering(phone: Phone) -> Phone:
    """`phone`, which registers; NoPhonePassword for a phone on a fixed address."""
    if phone.contact is not None:
        raise NoPhonePassword(phone.id, phone.contact)
    return phone


def account_of(cfg: LoadedConfig, phone: Phone) -> Account:
    """The SIP account `phone` registers with (NoPhonePassword for a phone on a fixed address)."""
    registering(phone)
    password = embedded.load_secrets(cfg).phones[phone.endpoint]
    return account(cfg.settings, phone, password, socket.gethostname())


def reload_embedded(cfg: LoadedConfig) -> bool:
    """Apply: the embedded Asterisk rewrites pjsip.conf and reloads PJSIP, if it runs."""
    return embedded.reload_phone_accounts(cfg, embedded.instance_for(cfg))


def rotate(cfg: LoadedConfig, phone: Phone, apply: Apply) -> Rotation:
    """Give `phone` a new random password (secrets.json, atomically), then to the PBX with `apply`.

    The phone keeps its registration until it renews it; then only the new
    password is taken. Calls in progress go on.
    """
    if not cfg.settings.asterisk.embedded:
        raise PbxNotOurs()
    registering(phone)
    secrets.new_phone_password(cfg.resolve(cfg.settings.storage.state_dir), phone.endpoint)
    try:
        return Rotation(phone, apply(cfg))
    except PbxError as exc:
        return Rotation(phone, False, str(exc))


def record(
    db: sqlite_utils.Database,
    at: datetime,
    actor: str,
    action: str,
    phone: Phone,
    via: str,
    detail: str = "",
    ip: str | None = None,
) -> None:
    """The audit row of an account shown (SHOWN) or a password replaced (ROTATED); never the password."""
    words = [f"endpoint={phone.endpoint}", detail, f"via={via}"]
    audit.record(db, at, actor, action, phone.id, " ".join(w for w in words if w), ip)


# The `ivr pbx phones` commands: on the database file, actor = the OS user.


def show_account(cfg: LoadedConfig, key: str, *, actor: str | None = None) -> Account:
    """`ivr pbx phones --show-secrets KEY`: the account, once its showing is in the audit log."""
    phone = find(cfg.settings, key)
    shown = account_of(cfg, phone)
    with transaction(cfg.database()) as db:
        record(db, utc_now(), actor or audit.os_user(), SHOWN, phone, "cli")
    return shown


def rotate_password(
    cfg: LoadedConfig, key: str, *, actor: str | None = None, apply: Apply = reload_embedded
) -> Rotation:
    """`ivr pbx phones rotate KEY`: a new password, applied and audited (a failed reload too)."""
    phone = find(cfg.settings, key)
    rotation = rotate(cfg, phone, apply)
    with transaction(cfg.database()) as db:
        record(db, utc_now(), actor or audit.os_user(), ROTATED, phone, "cli", rotation.detail)
    return rotation
