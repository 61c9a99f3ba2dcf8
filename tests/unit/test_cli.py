"""`ivr serve` refuses a bad config.yaml before it starts anything, one line per problem."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

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
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        config = tmp_path / "config.yaml"
        config.write_text(
            f"asterisk:\n  embedded: false\n  ari_password: x\nweb:\n  listen: 127.0.0.1\n  port: {port}\n",
            encoding="utf-8",
        )
        result = serve(config)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == f"{config}:6: web.port: port {port} is already in use"


def test_check_says_ok_for_the_shipped_config() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "check"], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert "OK (11 counselors)" in result.stdout
