"""The recordings part of `ivr serve`, wired from config: the copier that takes
every recording out of Asterisk, and the daily retention purge."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.admin.purge import purge_daily
from ivr.ari.recordings import AriRecordingSource, NodesRecordingSource
from ivr.ari.rest import AriRest
from ivr.calls.recording_copier import RecordingCopier, stop
from ivr.calls.retention import RetentionPolicy
from ivr.config import LoadedConfig
from ivr.ports import RecordingSource
from ivr.store.calls import SqliteCallRecords
from ivr.store.recordings import SqliteRecordingArchive


def policy_of(cfg: LoadedConfig) -> RetentionPolicy:
    """config.yaml's `retention` as the pure policy."""
    r = cfg.settings.retention
    return RetentionPolicy(r.default_days, dict(r.categories))


class RecordingService:
    """Copies recordings into `storage.recordings` and purges them by retention."""

    def __init__(
        self, cfg: LoadedConfig, records: SqliteCallRecords, rest: AriRest, *others: AriRest
    ) -> None:
        self.cfg = cfg
        self.tz = ZoneInfo(cfg.settings.hotline.timezone)
        self.root = cfg.resolve(cfg.settings.storage.recordings)
        self.db = records.db
        archive = SqliteRecordingArchive(records.db, self.root)
        # With several nodes (cluster:), a recording is on its call's node.
        source: RecordingSource = AriRecordingSource(rest)
        if others:
            source = NodesRecordingSource([AriRecordingSource(r) for r in (rest, *others)])
        self.copier = RecordingCopier(archive, source, records, now=self.now)
        self._tasks: list[asyncio.Task[None]] = []

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def start(self) -> None:
        purge_at = self.cfg.settings.retention.purge_at
        daily = purge_daily(self.db, self.root, policy_of(self.cfg), purge_at, now=self.now)
        self._tasks = [
            asyncio.create_task(self.copier.run(), name="recordings"),
            asyncio.create_task(daily, name="retention"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            await stop(task)
        self._tasks = []
