"""Every recording copied out of the PBX into the hotline's own storage.

Asterisk records into its spool; the copier fetches each finished recording,
has the archive write and verify it, and only then deletes the PBX's copy, so
the spool does not grow and nothing is lost. A copy that fails (Asterisk busy
or restarting, a full disk here) is retried with backoff, and a sweep at start
and every minute picks up pending recordings the PBX is no longer making,
whose "finished" event was missed (during a reconnect, or while the service
was down, or because Asterisk restarted mid-recording).

A recording that fails never touches the call: its row becomes `failed`, its
call's timeline gets `recording_failed`, an ERROR line is logged and
`failures` counts it for /metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ivr.errors import CallGone, HotlineError
from ivr.ports import CallRecords, RecordingArchive, RecordingSource, StoredRecording

log = logging.getLogger(__name__)

MISSING_TRIES = 2  # asked again this often before a recording without a file counts as failed


class RecordingCopier:
    """RecordingLog for the running service: rows, copies, retries, alerts."""

    def __init__(
        self,
        archive: RecordingArchive,
        source: RecordingSource,
        records: CallRecords,
        now: Callable[[], datetime],
        *,
        first_retry: float = 1.0,
        max_retry: float = 300.0,
        sweep_every: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.archive = archive
        self.source = source
        self.records = records
        self.now = now
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.sweep_every = sweep_every
        self.monotonic = monotonic
        self.failures = 0  # recordings that failed since the start
        self.copied = 0
        self.copy_errors = 0  # copy attempts that failed here (a full disk), retried
        self.copy_seconds = 0.0  # total time of successful copies (fetch, write, verify, delete)
        self._events: asyncio.Queue[tuple[str, str, str, str, str]] = asyncio.Queue()
        self._copies: dict[str, asyncio.Task[None]] = {}
        # Told started by this run of the service: its "finished" event will come.
        # A recording found pending but not in here was left by an earlier run
        # (killed mid-call); Asterisk sends its end to nobody listening now, so
        # it is asked again, with backoff, until it has ended.
        self._live: set[str] = set()
        self._cut_short: set[str] = set()  # ended while the conversation went on
        self._gate = asyncio.Semaphore(2)  # a few copies at once, not a burst at 2 cores

    # -- RecordingLog (called from event handlers: never blocks) -------------
    def started(self, call_id: str, kind: str, name: str) -> None:
        self._live.add(name)
        self._events.put_nowait(("started", call_id, kind, name, ""))

    def finished(self, call_id: str, kind: str, name: str, cut_short: bool = False) -> None:
        if cut_short:
            self._cut_short.add(name)
        self._live.discard(name)
        self._events.put_nowait(("finished", call_id, kind, name, ""))

    def failed(self, call_id: str, kind: str, name: str, error: str) -> None:
        self._live.discard(name)
        self._events.put_nowait(("failed", call_id, kind, name, error))

    @property
    def copying(self) -> int:
        return len(self._copies)

    # -- the worker ------------------------------------------------------------
    async def run(self) -> None:
        """Handle events in order, and sweep for recordings left pending; until cancelled."""
        next_sweep = self.monotonic()
        try:
            while True:
                wait = next_sweep - self.monotonic()
                if wait <= 0:
                    await self._guarded(self.sweep())
                    next_sweep = self.monotonic() + self.sweep_every
                    continue
                # Not wait_for: on Python 3.11 an event arriving as the service stops
                # swallowed the stop (gh-86296) and this loop, and the stop, ran on.
                # An event arriving as the wait runs out stays queued: Queue.get
                # takes an item only once it resumes, never when cancelled.
                try:
                    async with asyncio.timeout(wait):
                        event = await self._events.get()
                except TimeoutError:
                    continue  # the sweep is due
                await self._guarded(self._handle(*event))
        finally:
            for task in list(self._copies.values()):
                task.cancel()
            await asyncio.gather(*self._copies.values(), return_exceptions=True)

    async def _guarded(self, aw: Any) -> None:
        try:
            await aw
        except (HotlineError, OSError) as exc:
            # The database or the disk said no: the next event or sweep tries again.
            log.error("recordings: %s", exc)

    async def _handle(self, what: str, call_id: str, kind: str, name: str, error: str) -> None:
        at = self.now()
        if what == "started":
            await self.archive.started(call_id, kind, name, at)
        elif what == "finished":
            await self.archive.started(call_id, kind, name, at)  # a missed start
            self.copy(name)
        else:
            await self.record_failure(call_id, kind, name, error)

    async def record_failure(self, call_id: str, kind: str, name: str, error: str) -> None:
        found = await self.archive.failed(call_id, kind, name, error, self.now())
        if found is None:
            return
        call_id = found
        self.failures += 1
        log.error("ALERT recording %s of call %s failed; the call goes on: %s", name, call_id, error)
        await self.records.event(call_id, self.now(), "recording_failed", {"recording": name, "error": error})

    async def sweep(self) -> None:
        """Copy pending recordings the PBX has finished (at start, then every minute);
        one still being recorded is left for its "finished" event or the next sweep."""
        for _call_id, name in await self.archive.waiting():
            self.copy(name)

    def copy(self, name: str) -> None:
        """Copy `name` now, retrying until it is stored (once at a time per recording)."""
        running = self._copies.get(name)
        if running is not None and not running.done():
            return
        task = asyncio.get_running_loop().create_task(self._copy(name), name=f"copy-{name}")
        self._copies[name] = task
        task.add_done_callback(lambda t: self._forget(name, t))

    def _forget(self, name: str, task: asyncio.Task[None]) -> None:
        if self._copies.get(name) is task:
            del self._copies[name]

    async def _copy(self, name: str) -> None:
        delay = self.first_retry
        missing = 0
        while await self.archive.is_pending(name):
            try:
                async with self._gate:
                    if await self.source.in_progress(name):
                        raise _NotYet(f"{name} is still being recorded")
                    started = self.monotonic()
                    data = await self.source.fetch(name)
                    stored = await self.archive.keep(name, data, self.now())
                    # Only a verified copy lets the PBX's copy go.
                    await self.source.discard(name)
                    took = self.monotonic() - started
                self.copied += 1
                self.copy_seconds += took
                await self._check_length(stored)
                log.info(
                    "recording %s stored as %s (%d bytes, %.1f s, sha256 %s) in %.3f s",
                    name,
                    stored.path,
                    stored.bytes,
                    stored.seconds,
                    stored.sha256[:12],
                    took,
                )
                return
            except CallGone as exc:
                # Asterisk 22 reports a recording it could not write (an
                # unwritable or full spool) as RecordingFinished, not Failed
                # (record_file in res/res_stasis_recording.c sets COMPLETE
                # whatever ast_play_and_record_full returned):
                # a finished recording without a file is a failed one. Asked
                # again first, in case the file shows up a moment late.
                missing += 1
                if missing > MISSING_TRIES:
                    await self._lost(name, exc)
                    return
            except _NotYet:
                if name in self._live:
                    return  # found by a sweep while recording: its end will tell us
            except (HotlineError, OSError) as exc:
                self.copy_errors += 1
                # The PBX keeps its copy until ours is verified: nothing is lost
                # while the disk here is full, but someone must free it.
                level = logging.ERROR if delay == self.first_retry else logging.WARNING
                alert = "ALERT " if level == logging.ERROR else ""
                log.log(
                    level,
                    "%scopying recording %s failed (Asterisk keeps it); trying again in %.0f s: %s",
                    alert,
                    name,
                    delay,
                    exc,
                )
                with contextlib.suppress(HotlineError):
                    await self.archive.troubled(name, f"copy failed: {exc}")
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry)

    async def _check_length(self, stored: StoredRecording) -> None:
        """A recording the PBX ended while the conversation went on is kept, and
        flagged: the rest of the conversation is not in it."""
        if stored.name not in self._cut_short:
            return
        self._cut_short.discard(stored.name)
        self.failures += 1
        error = (
            f"cut short: {stored.seconds:.1f} s kept, the conversation went on "
            "(is Asterisk's recording disk full?)"
        )
        log.error("ALERT recording %s was %s", stored.name, error)
        with contextlib.suppress(HotlineError):
            await self.archive.troubled(stored.name, error)

    async def _lost(self, name: str, exc: Exception) -> None:
        """The PBX has no such file: nothing more can be copied."""
        error = f"Asterisk recorded no file (is its recording spool writable, its disk full?): {exc}"
        await self.record_failure("", "", name, error)


class _NotYet(Exception):
    """Still being recorded: wait, it is no failure."""


async def stop(task: asyncio.Task[None] | None) -> None:
    """Cancel the copier's task and wait for it."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def recording_metrics(copier: RecordingCopier) -> list[str]:
    """Prometheus lines: failures to alert on, copies and their time."""
    return [
        "# HELP hotline_recording_failures_total Recordings that failed (the calls went on).",
        "# TYPE hotline_recording_failures_total counter",
        f"hotline_recording_failures_total {copier.failures}",
        "# HELP hotline_recording_copies_total Recordings copied from the PBX and verified.",
        "# TYPE hotline_recording_copies_total counter",
        f"hotline_recording_copies_total {copier.copied}",
        "# HELP hotline_recording_copy_seconds_total Time spent copying them.",
        "# TYPE hotline_recording_copy_seconds_total counter",
        f"hotline_recording_copy_seconds_total {copier.copy_seconds:.6f}",
        "# HELP hotline_recording_copy_errors_total Failed copy attempts (retried; the PBX keeps it).",
        "# TYPE hotline_recording_copy_errors_total counter",
        f"hotline_recording_copy_errors_total {copier.copy_errors}",
        "# HELP hotline_recordings_copying Recordings being copied or waiting for a retry.",
        "# TYPE hotline_recordings_copying gauge",
        f"hotline_recordings_copying {copier.copying}",
    ]
