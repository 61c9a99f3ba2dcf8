"""Install the embedded Asterisk into its own Debian root.

Debian 12 ships no Asterisk. Debian unstable does (22.10.1), but unstable
must never enter the host's apt sources: the next `apt-get install` would pull
its libc and openssl into the host. So Asterisk lives in a debootstrap root of
its own, kept in a cache folder outside the repository: a second install finds
the finished root and returns at once.

The root is built in `<root>.partial` and renamed when complete, so an
interrupted install never leaves a half root that looks finished.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from ivr.errors import PbxError

MIN_VERSION = (22, 10, 1)
PACKAGES = (
    "asterisk",
    "asterisk-modules",
    "asterisk-core-sounds-en-wav",
    # Without it the root has no music-on-hold files at all.
    "asterisk-moh-opsound-wav",
)
MARKER = ".jeonju-hotline-root.json"

Progress = Callable[[str], None]


def default_root() -> Path:
    """The cached root: $HOTLINE_ASTERISK_ROOT, else ~/.cache/jeonju-hotline/asterisk-root."""
    env = os.environ.get("HOTLINE_ASTERISK_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return (cache / "jeonju-hotline" / "asterisk-root").resolve()


def debian_mirror(apt_dir: Path = Path("/etc/apt")) -> str:
    """The Debian mirror this host already uses, read from its apt sources.

    The project names no mirror itself: whatever the host's administrator chose
    (a local mirror, a proxy) is what the root is built from.
    """
    env = os.environ.get("HOTLINE_DEBIAN_MIRROR")
    if env:
        return env
    candidates: list[tuple[str, list[str]]] = []
    files = [apt_dir / "sources.list", *sorted((apt_dir / "sources.list.d").glob("*"))]
    for f in files:
        if not f.is_file():
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        if f.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields = _deb822(stanza)
                if "deb" in fields.get("types", "").split() and fields.get("enabled", "yes") != "no":
                    for uri in fields.get("uris", "").split():
                        candidates.append((uri, fields.get("suites", "").split()))
        elif f.name == "sources.list" or f.suffix == ".list":
            for raw in text.splitlines():
                line = raw.split("#", 1)[0].strip()
                m = re.match(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
                if m:
                    candidates.append((m.group(1), [m.group(2)]))
    for uri, suites in candidates:
        # The main archive, not the security one: it is the one carrying sid.
        if suites and all(not s.endswith("-security") for s in suites) and "debian" in uri:
            return uri
    raise PbxError(
        "cannot find a Debian mirror in /etc/apt/sources.list(.d); "
        "set HOTLINE_DEBIAN_MIRROR to the mirror's URL"
    )


def _deb822(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for raw in stanza.splitlines():
        if raw.startswith("#") or not raw.strip():
            continue
        if ":" in raw and not raw.startswith((" ", "\t")):
            key, value = raw.split(":", 1)
            fields[key.strip().lower()] = value.strip()
    return fields


def parse_version(text: str) -> tuple[int, int, int]:
    """'Asterisk 22.10.1' (or '22.10.1~dfsg+...') -> (22, 10, 1)."""
    m = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if not m:
        raise PbxError(f"cannot read an Asterisk version from {text.strip()!r}")
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)))


def installed_version(root: Path) -> tuple[int, int, int]:
    try:
        out = subprocess.run(
            ["chroot", str(root), "asterisk", "-V"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise PbxError(f"the Asterisk in {root} does not run: {exc}") from exc
    return parse_version(out)


def is_installed(root: Path) -> bool:
    return (root / MARKER).is_file()


def install(root: Path | None = None, progress: Progress | None = None) -> Path:
    """Build the root unless it is already there; return its path."""
    say = progress or (lambda line: print(line, flush=True))
    root = root or default_root()
    if is_installed(root):
        info = json.loads((root / MARKER).read_text())
        say(f"Asterisk {info['version']} is already installed in {root}")
        _check_version(root)
        return root
    if os.geteuid() != 0:
        raise PbxError("installing the embedded Asterisk needs root (debootstrap and chroot)")
    debootstrap = shutil.which("debootstrap")
    if not debootstrap:
        raise PbxError("debootstrap is missing: apt-get install debootstrap")
    mirror = debian_mirror()
    partial = root.with_name(root.name + ".partial")
    if partial.exists():
        say(f"removing an interrupted install at {partial}")
        shutil.rmtree(partial)
    partial.parent.mkdir(parents=True, exist_ok=True)
    say(f"installing Asterisk from Debian unstable into {root} (about 1 minute, 550 MB)")
    started = time.monotonic()
    cmd = [
        debootstrap,
        "--variant=minbase",
        f"--include={','.join(PACKAGES)}",
        "sid",
        str(partial),
        mirror,
    ]
    _run_with_progress(cmd, say, started)
    _finish_root(partial)
    version = installed_version(partial)
    if version < MIN_VERSION:
        raise PbxError(_too_old(version))
    (partial / MARKER).write_text(
        json.dumps(
            {
                "version": ".".join(map(str, version)),
                "packages": list(PACKAGES),
                "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
        )
    )
    partial.rename(root)
    say(f"Asterisk {'.'.join(map(str, version))} installed in {time.monotonic() - started:.0f} s")
    return root


def _check_version(root: Path) -> None:
    version = installed_version(root)
    if version < MIN_VERSION:
        raise PbxError(_too_old(version))


def _too_old(version: tuple[int, int, int]) -> str:
    want = ".".join(map(str, MIN_VERSION))
    have = ".".join(map(str, version))
    return (
        f"Asterisk {have} is older than {want}, which carries the fixes for the "
        "recent ARI and AMI advisories; remove the root and install again"
    )


def _run_with_progress(cmd: list[str], say: Progress, started: float) -> None:
    """Run debootstrap, showing its phases and a package count as progress."""
    tail: list[str] = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    fetched = 0
    for raw in proc.stdout:
        line = raw.rstrip()
        tail = [*tail[-30:], line]
        elapsed = f"  [{time.monotonic() - started:4.0f} s]"
        if line.startswith("I: Retrieving ") and "Release" not in line and "Packages" not in line:
            fetched += 1
            if fetched % 40 == 1:
                say(f"{elapsed} downloading packages: {fetched} so far ({line[14:]})")
        elif line.startswith("I: Validating"):
            continue
        elif line.startswith(("I: ", "E: ", "W: ")):
            say(f"{elapsed} {line[3:]}")
    if proc.wait() != 0:
        raise PbxError("debootstrap failed:\n" + "\n".join(tail))


def _finish_root(root: Path) -> None:
    # Asterisk resolves its own host name at start; without /etc/hosts it logs
    # DNS warnings (there is no DNS here).
    (root / "etc" / "hosts").write_text("127.0.0.1\tlocalhost\n::1\tlocalhost\n")
    # Debian's package starts nothing inside a chroot, and its sample configs
    # load every module: the instances use their own etc dir instead.
