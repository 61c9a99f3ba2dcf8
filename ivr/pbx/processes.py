"""What starting and asking the telephony programs share: the embedded Asterisk and Kamailio."""

from __future__ import annotations

import subprocess
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ivr.errors import PbxError


def templates(folder: Path) -> Environment:
    """Configuration templates: a missing value is an error, lines as written."""
    return Environment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def ask(command: list[str], shown: str, timeout: float = 10.0) -> str:
    """Run a program's control command and return what it printed; PbxError when it fails."""
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as exc:
        raise PbxError(f"{shown} failed: {exc}") from exc
    if out.returncode != 0:
        raise PbxError(f"{shown}: {out.stderr.strip() or out.stdout.strip()}")
    return out.stdout


def tail(path: Path, lines: int = 25) -> str:
    """The last lines of a log, for an error message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def zombie(value: int) -> bool:
    """A killed program nobody reaped: its pid still answers kill(0).

    The programs are started detached, so init is their parent; in a container
    whose init does not reap (SIGKILL, tried here) the dead process stays a
    zombie and would pass for a running one."""
    try:
        stat = Path(f"/proc/{value}/stat").read_text()
    except OSError:
        return False
    # "pid (comm) state ...": the state follows the last parenthesis.
    return stat.rpartition(")")[2].split()[:1] == ["Z"]
