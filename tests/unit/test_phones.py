"""`ivr pbx phones`: each desk phone and its state, one phone's account shown (audited), a new password.

These run with no Asterisk: the embedded root is an empty folder, so it is
never running. Talking to a real one is tests/integration/test_phone_accounts.py.
"""

from __future__ import annotations

import getpass
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path

import pytest
import sqlite_utils

from ivr import cli
from ivr import config as config_mod
from ivr.admin import phones
from ivr.admin.problems import InvalidInput, NoPhonePassword, NoSuchPhone, PbxNotOurs
from ivr.config import LoadedConfig
from ivr.errors import PbxError
from ivr.pbx import secrets
from ivr.pbx.phones import account, desk_phones

CONFIG = """
asterisk: {root: ROOT, sip_address: 10.20.0.5, sip_port: 5070}
counselors:
  - {id: c01, name: 김민지, endpoint: counselor01}
  - {id: c02, name: 이서준, endpoint: counselor02, contact: "sip:10.20.0.12:5060"}
supervisors:
  - {id: s01, name: 박감독, endpoint: supervisor01}
departments:
  tax: {name: 세무과, endpoint: dept-tax, contact: "sip:10.20.0.30:5060"}
storage: {database: var/hotline.sqlite3, state_dir: var}
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.replace("ROOT", str(tmp_path / "no-asterisk-here")), encoding="utf-8")
    return path


@pytest.fixture
def cfg(config_path: Path) -> LoadedConfig:
    return config_mod.load(config_path)


def ivr(config_path: Path, *args: str) -> int:
    return cli.main(["-c", str(config_path), "pbx", "phones", *args])


def stored(cfg: LoadedConfig) -> dict[str, str]:
    data = json.loads((cfg.resolve("var") / "secrets.json").read_text(encoding="utf-8"))
    return dict(data["phones"])


def audit_rows(cfg: LoadedConfig) -> list[dict[str, object]]:
    path = cfg.resolve("var/hotline.sqlite3")
    if not path.exists():
        return []
    db = sqlite_utils.Database(path)
    try:
        return list(db.table("audit").rows) if db.table("audit").exists() else []
    finally:
        db.close()


class FakeStates:
    """Asterisk's endpoint states as ARI gives them; or Asterisk gone."""

    def __init__(self, states: Mapping[str, str] | None) -> None:
        self.states = states
        self.reads = 0

    async def __call__(self) -> Mapping[str, str]:
        self.reads += 1
        if self.states is None:
            raise PbxError(phones.NOT_RUNNING)
        return self.states


class FakePbx:
    """The PBX side of a new password: what it was handed, or a refusal."""

    def __init__(self, running: bool = True, refusal: str | None = None) -> None:
        self.running = running
        self.refusal = refusal
        self.handed: list[dict[str, str]] = []

    def __call__(self, cfg: LoadedConfig) -> bool:
        if self.refusal:
            raise PbxError(self.refusal)
        self.handed.append(stored(cfg))
        return self.running


def test_every_phone_of_the_config_is_listed_counselors_supervisors_departments(cfg: LoadedConfig) -> None:
    listed = [(p.id, p.kind, p.endpoint, p.registers) for p in desk_phones(cfg.settings)]
    assert listed == [
        ("c01", "counselor", "counselor01", True),
        ("c02", "counselor", "counselor02", False),
        ("s01", "supervisor", "supervisor01", True),
        ("tax", "department", "dept-tax", False),
    ]


async def test_given_asterisks_states_then_each_phone_says_registered_or_not(cfg: LoadedConfig) -> None:
    states = FakeStates({"counselor01": "online", "supervisor01": "offline", "counselor02": "unknown"})
    listed = await phones.listing(cfg.settings, states)
    assert listed.problem is None
    assert [(r.phone.id, r.status, r.words[0]) for r in listed.phones] == [
        ("c01", "registered", "등록됨"),
        ("c02", "unknown", "알 수 없음"),
        ("s01", "not_registered", "등록 안 됨"),
        ("tax", "missing", "Asterisk에 없음"),  # config.yaml has it, the running Asterisk does not
    ]


async def test_given_asterisk_gone_then_the_listing_says_so_and_reads_no_state(cfg: LoadedConfig) -> None:
    listed = await phones.listing(cfg.settings, FakeStates(None))
    assert listed.problem == phones.NOT_RUNNING
    assert {r.status for r in listed.phones} == {"not_read"}


def test_given_the_embedded_asterisk_not_running_when_listing_then_it_says_so_and_exits_1(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ivr(config_path) == 1
    out = capsys.readouterr().out
    assert "Asterisk is not running" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:6]}
    assert rows == {
        "c01": ["김민지", "counselor01", "registers", "-"],
        "c02": ["이서준", "counselor02", "fixed", "contact", "sip:10.20.0.12:5060", "-"],
        "s01": ["박감독", "supervisor01", "registers", "-"],
        "tax": ["세무과", "dept-tax", "fixed", "contact", "sip:10.20.0.30:5060", "-"],
    }
    assert "--show-secrets" in out


def test_show_secrets_prints_the_account_a_phone_on_the_network_uses_and_audits_it(
    config_path: Path, cfg: LoadedConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ivr(config_path, "--show-secrets", "c01") == 0
    out = capsys.readouterr().out
    password = stored(cfg)["counselor01"]
    assert len(password) >= 32
    for line in (
        "SIP 서버 · SIP server    10.20.0.5",
        "포트 · Port              5070",
        "사용자 이름 · User name   counselor01",
        f"비밀번호 · Password       {password}",
        "전송 · Transport         UDP",
        f"baresip accounts: <sip:counselor01@10.20.0.5:5070;transport=udp>;auth_pass={password}",
    ):
        assert line in out
    [row] = audit_rows(cfg)
    assert (row["action"], row["target"]) == ("phone_password_shown", "c01")
    assert row["actor"] in (getpass.getuser(), os.environ.get("SUDO_USER"))
    assert row["detail"] == "endpoint=counselor01 via=cli" and row["at"]
    assert password not in json.dumps(row)


def test_show_secrets_takes_the_endpoint_too(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ivr(config_path, "--show-secrets", "supervisor01") == 0
    assert "supervisor01@10.20.0.5:5070" in capsys.readouterr().out


def test_a_phone_on_a_fixed_address_or_no_phone_at_all_has_no_secret_to_show(
    config_path: Path, cfg: LoadedConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ivr(config_path, "--show-secrets", "c02") == 1
    assert "never registers" in capsys.readouterr().err
    assert ivr(config_path, "--show-secrets", "c99") == 1
    assert "There is no phone 'c99'" in capsys.readouterr().err
    assert audit_rows(cfg) == []


def test_an_id_two_phones_share_is_refused_and_the_endpoint_chooses(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "counselors: [{id: x1, name: 김민지, endpoint: counselor01}]\n"
        "supervisors: [{id: x1, name: 박감독, endpoint: supervisor01}]\n",
        encoding="utf-8",
    )
    settings = config_mod.load(path).settings
    with pytest.raises(InvalidInput, match="counselor01, supervisor01"):
        phones.find(settings, "x1")
    assert phones.find(settings, "supervisor01").kind == "supervisor"
    with pytest.raises(NoSuchPhone):
        phones.find(settings, "x2")


def test_rotate_makes_a_new_strong_password_for_that_phone_only_and_audits_it(
    config_path: Path, cfg: LoadedConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ivr(config_path, "--show-secrets", "c01") == 0
    before = stored(cfg)
    capsys.readouterr()
    assert ivr(config_path, "rotate", "c01") == 0
    out = capsys.readouterr().out
    # The embedded Asterisk is not running: its start renders the new password.
    assert "Asterisk is not running: it takes the new password when it starts" in out
    after = stored(cfg)
    assert after["counselor01"] != before["counselor01"] and len(after["counselor01"]) >= 32
    assert after["supervisor01"] == before["supervisor01"]
    path = cfg.resolve("var") / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith("secrets")) == [
        "secrets.json",
        "secrets.lock",
    ]  # written through a temporary file, renamed over it
    rotated = [r for r in audit_rows(cfg) if r["action"] == "phone_password_rotated"]
    assert [(r["target"], r["detail"]) for r in rotated] == [
        ("c01", "endpoint=counselor01 asterisk not running via=cli")
    ]
    assert after["counselor01"] not in json.dumps(audit_rows(cfg))


def test_rotate_hands_the_new_password_to_the_pbx_and_says_it_took_it(cfg: LoadedConfig) -> None:
    pbx = FakePbx()
    done = phones.rotate_password(cfg, "s01", actor="admin", apply=pbx)
    assert done.reloaded and done.failure is None
    assert [handed["supervisor01"] for handed in pbx.handed] == [stored(cfg)["supervisor01"]]


def test_given_asterisk_refuses_the_reload_then_the_saved_password_is_audited_with_the_failure(
    cfg: LoadedConfig,
) -> None:
    done = phones.rotate_password(cfg, "c01", actor="admin", apply=FakePbx(refusal="No such module"))
    assert not done.reloaded and done.failure == "No such module"
    [row] = audit_rows(cfg)
    assert row["detail"] == "endpoint=counselor01 reload failed: No such module via=cli"


def test_rotate_refuses_a_fixed_phone_and_an_asterisk_that_is_not_ours(
    tmp_path: Path, cfg: LoadedConfig
) -> None:
    pbx = FakePbx()
    with pytest.raises(NoPhonePassword):
        phones.rotate_password(cfg, "tax", actor="admin", apply=pbx)
    path = tmp_path / "own.yaml"
    path.write_text(
        "asterisk: {embedded: false, ari_password: x}\n"
        "counselors: [{id: c01, name: 김민지, endpoint: counselor01}]\n"
        "storage: {database: own.sqlite3, state_dir: own}\n",
        encoding="utf-8",
    )
    with pytest.raises(PbxNotOurs, match=r"pjsip\.conf"):
        phones.rotate_password(config_mod.load(path), "c01", actor="admin", apply=pbx)
    assert pbx.handed == [] and not (tmp_path / "own" / "secrets.json").exists()


def test_an_asterisk_on_every_address_gives_this_machines_name_and_says_so(tmp_path: Path) -> None:
    for address, host in (("0.0.0.0", "pbx.jeonju.local"), ("::", "pbx.jeonju.local")):
        path = tmp_path / "config.yaml"
        path.write_text(
            f'asterisk: {{sip_address: "{address}"}}\n'
            "counselors: [{id: c1, name: 김민지, endpoint: desk1}]\n",
            encoding="utf-8",
        )
        settings = config_mod.load(path).settings
        acct = account(settings, desk_phones(settings)[0], "pw", host)
        assert acct.host == host and acct.host_note and "every address" in acct.host_note
    v6 = tmp_path / "v6.yaml"
    v6.write_text('asterisk: {sip_address: "fd00::5"}\ncounselors: [{id: c1, name: 김, endpoint: d1}]\n')
    settings = config_mod.load(v6).settings
    acct = account(settings, desk_phones(settings)[0], "pw", "unused")
    assert acct.baresip == "<sip:d1@[fd00::5]:5060;transport=udp>;auth_pass=pw" and acct.host_note is None


def test_a_new_phone_password_leaves_the_other_secrets_as_they_were(tmp_path: Path) -> None:
    first = secrets.load_or_create(tmp_path, ["a", "b"])
    new = secrets.new_phone_password(tmp_path, "a")
    again = secrets.load_or_create(tmp_path, ["a", "b"])
    assert again.phones == {"a": new, "b": first.phones["b"]}
    assert (again.ari, again.ami) == (first.ari, first.ami)
    assert new != first.phones["a"] and len(new) >= 32 and new.replace("-", "").replace("_", "").isalnum()
