"""A desk phone set up from `ivr pbx phones --show-secrets` registers; `rotate` refuses the old
password from then on, and the counselor's conversation in progress goes on to its end."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ivr import config as config_mod
from ivr.pbx import embedded
from tests.integration.conftest import CONFIG, LINE_TIMEOUT, OFFSET, SIP_PORT, Service
from tests.integration.sipp import SippLab

PHONE = ("127.0.0.40", 5097 + OFFSET)  # c12's desk phone, where its REGISTER says it is
TALK_MS = 20000  # the citizen hangs up this long after the hotline answers


@pytest.fixture
def phones_hotline(pbx: config_mod.LoadedConfig, tmp_path: Path) -> Iterator[Service]:
    """The hotline with two phones that register: counselor c12, alone in the general queue,
    and supervisor s2. The session's Asterisk is given them by the reload under test,
    and given its own pjsip.conf back afterwards."""
    text = CONFIG.replace("DATABASE", str(tmp_path / "hotline.sqlite3")).replace(
        "STATE", str(pbx.path.parent)
    )
    changes = {
        "counselors:\n": "counselors:\n"
        f"  - {{id: c12, name: 한결, endpoint: itest-c12, line_timeout_seconds: {LINE_TIMEOUT}}}\n",
        "supervisors:\n": "supervisors:\n  - {id: s2, name: 정감독, endpoint: itest-s2}\n",
        "general: {name: 일반 상담}": "general: {name: 일반 상담, counselors: [c12]}",
    }
    for old, new in changes.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    inst = embedded.instance_for(pbx)
    assert embedded.reload_phone_accounts(config_mod.load(path), inst)
    service = Service(path, tmp_path / "hotline.sqlite3", tmp_path / "service.log")
    try:
        service.start()
        yield service
    finally:
        service.stop()
        embedded.reload_phone_accounts(pbx, inst)
        # The service made c12 a member of the fallback queue, and members
        # outlive the service (persistentmembers); the session's other tests
        # know no c12 and expect the queue to hold only their counselors.
        embedded.cli(inst, "queue remove member PJSIP/itest-c12 from hotline-fallback")


def account(hotline: Service, phone_id: str) -> dict[str, str]:
    """What an admin reads off `--show-secrets` into a phone's settings."""
    shown = hotline.ivr("pbx", "phones", "--show-secrets", phone_id)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    fields = {}
    for key, label in (
        ("host", "SIP server"),
        ("port", "Port"),
        ("user", "User name"),
        ("password", "Password"),
    ):
        found = re.search(rf"· {label}\s+(\S+)$", shown.stdout, re.M)
        assert found, (label, shown.stdout)
        fields[key] = found.group(1)
    assert f"baresip accounts: <sip:{fields['user']}@{fields['host']}:{fields['port']};transport=udp>;" in (
        shown.stdout
    )
    return fields


def states(hotline: Service) -> dict[str, str]:
    """`ivr pbx phones`: each phone that registers (id) -> its state as the listing says it."""
    listed = hotline.ivr("pbx", "phones")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    return {row[0]: " ".join(row[4:]) for row in rows if len(row) > 4 and row[3] == "registers"}


def wait_state(hotline: Service, phone_id: str, state: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    seen: dict[str, str] = {}
    while time.monotonic() < deadline:
        seen = states(hotline)
        if seen.get(phone_id) == state:
            return
        time.sleep(0.5)
    raise AssertionError(f"{phone_id} not {state!r} after {timeout} s: {seen}")


def test_a_phone_set_up_from_show_secrets_registers_and_rotate_refuses_the_old_password_mid_call(
    phones_hotline: Service, lab: SippLab
) -> None:
    hotline = phones_hotline
    hotline.wait_log("ARI events connected")
    c12 = account(hotline, "c12")
    assert (c12["host"], c12["port"], c12["user"]) == ("127.0.0.1", str(SIP_PORT), "itest-c12")
    server = (c12["host"], int(c12["port"]))

    # A phone configured from the printed account registers; the listing says so.
    phone = lab.registered_phone(*PHONE, timeout_ms=60000)
    signed_in = lab.register(server, c12["user"], c12["password"], PHONE, accepted=True)
    assert signed_in.wait(30) == 0, signed_in.errors()
    wait_state(hotline, "c12", "registered")
    assert states(hotline)["s2"] == "not registered"
    hotline.wait_log("counselor c12: phone reachable")

    # A citizen talks to c12; meanwhile c12's password is replaced and PJSIP reloaded.
    citizen = lab.citizen(digits=[(1500, "0")], hangup_after_ms=TALK_MS)
    hotline.wait_for_event("connected")
    rotated = hotline.ivr("pbx", "phones", "rotate", "c12")
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    assert "Asterisk took it (PJSIP reloaded" in rotated.stdout
    assert hotline.query("SELECT open FROM calls") == [{"open": 1}]  # still talking after the reload

    old = lab.register(server, c12["user"], c12["password"], PHONE, accepted=False)
    assert old.wait(30) == 0, old.errors()
    new = account(hotline, "c12")["password"]
    assert new != c12["password"]
    renewed = lab.register(server, c12["user"], new, PHONE, accepted=True)
    assert renewed.wait(30) == 0, renewed.errors()

    # The conversation went on until the citizen hung up, as planned.
    assert citizen.wait(60) == 0, citizen.errors()
    assert phone.wait(30) == 0, phone.errors()
    [call] = hotline.closed_calls(1)
    assert (call["disposition"], call["counselor_id"], call["hangup_by"]) == ("answered", "c12", "caller")
    waited = datetime.fromisoformat(call["connected_at"]) - datetime.fromisoformat(call["answered_at"])
    assert call["talk_seconds"] >= TALK_MS / 1000 - waited.total_seconds() - 1.5, call

    audit = hotline.query("SELECT action, target, detail FROM audit ORDER BY id")
    assert [(a["action"], a["target"]) for a in audit] == [
        ("phone_password_shown", "c12"),
        ("phone_password_rotated", "c12"),
        ("phone_password_shown", "c12"),
    ]
    assert audit[1]["detail"] == "endpoint=itest-c12 reloaded via=cli"
    gone = lab.register(server, c12["user"], new, PHONE, accepted=True, expires=0)  # unregister
    assert gone.wait(30) == 0, gone.errors()
