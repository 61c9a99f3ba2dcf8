"""One service per Stasis application: a second copy refuses to start.

Asterisk gives a Stasis application to whichever WebSocket registered it
last and silently stops sending events to the one before (its socket stays
open and quiet; no error on either side). Two services on the same app would
each drive calls the other started. So `ivr serve` holds an exclusive lock
named after the ARI address and app for as long as it runs; the kernel
drops it when the process ends, even by SIGKILL, so a restart after a crash
is never locked out. The lock covers copies on one machine: that is where
the embedded Asterisk and its service live.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO

from ivr.errors import AlreadyServing

LOCK_DIR = Path("/run/lock") if Path("/run/lock").is_dir() else Path(tempfile.gettempdir())


class ServiceLock:
    """Held while the service runs; `acquire` raises AlreadyServing when another holds it."""

    def __init__(self, ari_url: str, app: str, directory: Path = LOCK_DIR) -> None:
        self.ari_url, self.app = ari_url, app
        digest = hashlib.sha256(f"{ari_url.rstrip('/')}|{app}".encode()).hexdigest()[:16]
        self.path = directory / f"jeonju-hotline-{digest}.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise AlreadyServing(
                f"another hotline service (pid {holder}) already serves the Stasis app "
                f"'{self.app}' on {self.ari_url}; two would take each other's calls. "
                f"Stop it first (lock: {self.path})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the lock
            self._file = None
