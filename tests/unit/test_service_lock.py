"""One service per Stasis app: the second copy is refused, naming the first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ivr.errors import AlreadyServing
from ivr.runtime.service_lock import ServiceLock

URL = "http://127.0.0.1:8088"


def test_given_a_running_service_when_a_second_copy_starts_then_it_is_refused_naming_the_first(
    tmp_path: Path,
) -> None:
    # The first copy is another process, as in life.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from ivr.runtime.service_lock import ServiceLock; "
            f"lock = ServiceLock({URL!r}, 'hotline', Path({str(tmp_path)!r})); lock.acquire(); "
            "print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(
            AlreadyServing, match=rf"pid {holder.pid}\) already serves the Stasis app 'hotline'"
        ):
            ServiceLock(URL, "hotline", tmp_path).acquire()
        # Another app, or another Asterisk, is no conflict.
        other = ServiceLock(URL, "hotline-test", tmp_path)
        other.acquire()
        other.release()
        elsewhere = ServiceLock("http://127.0.0.1:18088/", "hotline", tmp_path)
        elsewhere.acquire()
        elsewhere.release()
    finally:
        holder.kill()  # SIGKILL: the kernel drops the lock with the process
        holder.communicate(timeout=10)
    again = ServiceLock(URL, "hotline", tmp_path)
    again.acquire()
    assert again.path.read_text().strip() == str(os.getpid())
    again.release()
