"""The service's log lines: written by a thread, each with its call, nothing lost at stop."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest

from ivr.runtime import logs


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch):
    """Starts the service's logging onto a string; the test's own logging is put back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def started() -> io.StringIO:
        # In the test itself: pytest puts its own stderr back between a fixture and the test.
        out = io.StringIO()
        monkeypatch.setattr("sys.stderr", out)
        logs.setup("INFO")
        return out

    yield started
    logs.stop()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_lines_carry_their_call_and_all_are_written_at_stop(start) -> None:
    stderr = start()
    log = logging.getLogger("ivr.calls.service")

    async def call(call_id: str, n: int) -> None:
        logs.current_call.set(call_id)
        for i in range(n):
            log.info("step %d of %s", i, call_id)
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(call("1796.1", 200), call("1796.2", 200))

    asyncio.run(main())
    log.debug("below the level: not written")
    logs.stop()
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 400
    assert sum("[call 1796.1] ivr.calls.service: step " in line for line in lines) == 200
    # Each line names the call whose task logged it, though a thread wrote it.
    assert all(line.endswith(line.split("[call ")[1].split("]")[0]) for line in lines)
    assert any("INFO    [call 1796.2] ivr.calls.service: step 199 of 1796.2" in line for line in lines)


def test_a_message_is_what_its_arguments_were_when_logged(start) -> None:
    stderr = start()
    path = ["greeting"]
    logging.getLogger("ivr.flows").info("path %s", path)
    path.append("menu")  # the call goes on before the writer has written the line
    logs.stop()
    assert "path ['greeting']" in stderr.getvalue()


def test_a_traceback_is_written_with_its_line(start) -> None:
    stderr = start()
    try:
        {}["caller"]
    except KeyError:
        logging.getLogger("ivr.ari.hub").exception("event could not be handled")
    logs.stop()
    text = stderr.getvalue()
    assert "ERROR   [call -] ivr.ari.hub: event could not be handled" in text
    assert "Traceback (most recent call last)" in text and "KeyError: 'caller'" in text
