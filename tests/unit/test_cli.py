"""`ivr serve` refuses a bad config.yaml before it starts anything, one line per problem."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from ivr.runtime.service_lock import ServiceLock

ROOT = Path(__file__).resolve().parents[2]


def serve(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivr.cli", "-c", str(config), "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_given_three_mistakes_then_three_lines_and_nothing_started(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "asterisk:\n"
        "  embedded: true\n"
        "  sip_prot: 5060\n"  # line 3: unknown key
        "web:\n"
        "  port: many\n"  # line 5: wrong type
        "counselors:\n"
        "  - id: c1\n"  # line 7: no endpoint
        "    name: 김민지\n",
        encoding="utf-8",
    )
    result = serve(config)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[:3] == [
        f"{config}:3: asterisk.sip_prot: unknown key (check its spelling and indentation)",
        f"{config}:7: counselors[0].endpoint: required key is missing",
        f"{config}:5: web.port: Input should be a valid integer, unable to parse string as an integer",
    ]
    assert lines[3] == "ivr: 3 problem(s); nothing was started"
    assert not (tmp_path / "var").exists()  # no database, no secrets: nothing started


def test_given_the_web_port_in_use_then_serve_names_the_key_and_line(tmp_path: Path) -> None:
    # A Stasis app of its own: an `ivr serve` running on this machine holds the
    # default one's lock, and serve checks the lock before the port.
    app = f"port-test-{os.getpid()}"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        config = tmp_path / "config.yaml"
        config.write_text(
            f"asterisk:\n  embedded: false\n  ari_password: x\n  app: {app}\n"
            f"web:\n  listen: 127.0.0.1\n  port: {port}\n",
            encoding="utf-8",
        )
        try:
            result = serve(config)
        finally:
            ServiceLock("http://127.0.0.1:8088", app).path.unlink(missing_ok=True)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == f"{config}:7: web.port: port {port} is already in use"


def test_check_says_ok_for_the_shipped_config() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "check"], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert "OK (11 counselors)" in result.stdout


def users_cmd(config: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivr.cli", "-c", str(config), "users", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_users_are_added_listed_and_disabled_from_the_command_line(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text((ROOT / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    added = users_cmd(
        config,
        "add",
        "kim",
        "--name",
        "김민지",
        "--role",
        "counselor",
        "--counselor",
        "c01",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert added.returncode == 0, added.stderr
    assert "added kim (김민지" in added.stdout
    again = users_cmd(
        config,
        "add",
        "kim",
        "--name",
        "김민지",
        "--role",
        "qa",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert again.returncode != 0 and "kim" in again.stderr
    weak = users_cmd(
        config, "add", "lee", "--name", "이서준", "--role", "qa", "--password-stdin", stdin="short\n"
    )
    assert weak.returncode == 2 and "10" in weak.stderr
    unknown = users_cmd(
        config,
        "add",
        "park",
        "--name",
        "박지현",
        "--role",
        "counselor",
        "--counselor",
        "c99",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert unknown.returncode == 2 and "c99" in unknown.stderr
    assert users_cmd(config, "disable", "kim").returncode == 0
    listing = users_cmd(config, "list").stdout.splitlines()
    assert len(listing) == 1 and listing[0].split()[:5] == ["kim", "김민지", "counselor", "c01", "disabled"]
    db = tmp_path / "var" / "hotline.sqlite3"
    assert "correct horse battery" not in db.read_bytes().decode("latin-1")
