"""The composition root: builds the service from validated config and runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from ivr.admin import acd_setup, phones
from ivr.admin import case_calls as case_calls_setup
from ivr.admin.board_actions import BoardActions, SupervisorPhone
from ivr.admin.flows import adopt_serving, bookings_of, callback_rules, env_of, load_flows, publish_prompts
from ivr.admin.prompt_studio import PromptStudio, studio_paths
from ivr.admin.recordings import RecordingService
from ivr.admin.softphone import Softphones
from ivr.ami.fallback_queue import FallbackQueue
from ivr.ari import phone_targets
from ivr.ari.desk_phones import PhoneSight
from ivr.ari.hub import AriHub
from ivr.ari.nodes import Node, Nodes, settling, supervisor_ringer
from ivr.ari.rest import AriRest
from ivr.calls.booking import Bookings
from ivr.calls.callbacks import CallbackRunner
from ivr.calls.case_calls import CaseCallRunner
from ivr.calls.recording_copier import recording_metrics
from ivr.calls.rehearsal_line import RehearsalLine
from ivr.calls.service import CallService
from ivr.config import LoadedConfig, case_rules
from ivr.errors import HotlineError
from ivr.flows.path_words import flow_words
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import FlowEnv, Queue
from ivr.pbx.credentials import ari_password
from ivr.pbx.credentials import password as _password
from ivr.pbx.embedded import queue_log_path
from ivr.pbx.phones import browser_phones
from ivr.rehearsal import state as rehearsal_state
from ivr.reports.metrics import Rules
from ivr.reports.pilot import Targets
from ivr.runtime import memory
from ivr.runtime.stall_watch import LoopWatch
from ivr.store.calls import SqliteCallRecords
from ivr.store.case_glance import StoredCaseLookup
from ivr.store.case_out import StoredCaseCalls
from ivr.store.fallback_import import FallbackImporter
from ivr.store.rehearsal_calls import RehearsalRecords
from ivr.web import app as web_app
from ivr.web.context import DeskDeps, FlowsSetup, PhonesSetup
from ivr.web.wallboard import local_midnight

log = logging.getLogger(__name__)


class Hotline:
    """Everything `ivr serve` runs, wired once."""

    def __init__(self, cfg: LoadedConfig, loaded: dict[str, Any]) -> None:
        s = cfg.settings
        self.cfg = cfg
        tz = ZoneInfo(s.hotline.timezone)
        self.records = SqliteCallRecords(cfg.database())
        self.acd = acd_setup.dispatcher(s, time.monotonic, on_record=self.records.counselor_record)
        self.flows = FlowRegistry(s.hotline.flow)
        self.flows.swap(loaded)
        env = env_of(cfg, self.flows, lambda: datetime.now(tz))
        env.cases = StoredCaseLookup(self.records.db)  # the `case` node (민원 안내)
        rules = bookings_of(s)  # None without a trunk to call citizens back on
        if rules is not None:
            env.bookings = Bookings(self.records, *rules)
        self.rehearsal_records, line = self._rehearsal_line(cfg, env)
        self.service = CallService(
            self.flows,
            env,
            self.acd,
            self.records,
            now=lambda: datetime.now(tz),
            monotonic=time.monotonic,
            rehearsal=line,
        )
        # With `cluster:` each node has an ARI connection driving the service (ari/nodes.py).
        others = [n for n in s.cluster.nodes if n.ari_url != s.asterisk.ari_url] if s.cluster else []
        self.rest = AriRest(s.asterisk.ari_url, s.asterisk.ari_user, ari_password(cfg))
        rests = {n.name: AriRest(n.ari_url, s.asterisk.ari_user, ari_password(cfg)) for n in others}
        self.rests = [self.rest, *rests.values()]
        sight = PhoneSight()  # a phone is offline only where every node sees it so
        # Every recording copied out of Asterisk into storage.recordings, then deleted there.
        self.recordings = RecordingService(cfg, self.records, *self.rests)
        self.copier = self.recordings.copier
        env.recordings = self.copier

        def hub(rest: AriRest) -> AriHub:
            return AriHub(
                rest,
                s.asterisk.app,
                self.service,
                self.records,
                dial=s.asterisk.trunk.dial,
                caller_id=s.hotline.number,
                supervisor_phones=phone_targets.owners(s.supervisors),
                recordings=self.copier,
                rings={c.endpoint: phone_targets.endpoints(c.endpoint, c.phones) for c in s.counselors},
                alone=not others,
                sight=sight,
            )

        self.hubs = [hub(r) for r in self.rests]  # the first: asterisk.ari_url's node
        self.hub, self.nodes = self.hubs[0], None
        if s.cluster and rests:
            first = next((n.name for n in s.cluster.nodes if n.ari_url == s.asterisk.ari_url), "asterisk")
            named = dict(zip([first, *rests], self.hubs, strict=True))
            self.nodes = Nodes(named, on_settled=settling(self.records, self.service))
        self.callbacks: CallbackRunner | None = None
        if s.asterisk.trunk.dial:
            cb = s.callbacks
            self.callbacks = CallbackRunner(
                self.service,
                self.records,
                self.hub,
                callback_rules(s),
                ring_seconds=cb.ring_seconds,
                default_queue=next(iter(s.queues)),
                now=lambda: datetime.now(tz),
                monotonic=time.monotonic,
            )
            env.callback_requested = self.callbacks.wake
        # 민원 answers back to the citizen and 해피콜 (automated calls only with a trunk).
        runner_rules, out_rules = case_calls_setup.rules(cfg)
        self.case_calls = CaseCallRunner(
            self.service,
            StoredCaseCalls(self.records.db, out_rules),
            self.hub if s.asterisk.trunk.dial else None,
            case_calls_setup.RenderedVoice(cfg),
            runner_rules,
            now=lambda: datetime.now(tz),
            callback_requested=self.callbacks.wake if self.callbacks else None,
        )
        # The fallback when the service is down: app_queue's members in step over
        # AMI, and its calls imported from queue_log when the service is back.
        ami_secret = _password(cfg, "ami")
        self.fallback_queue = (
            FallbackQueue(
                self.acd,
                host="127.0.0.1",
                port=s.asterisk.ami_port,
                username=s.asterisk.ami_user,
                secret=ami_secret,
            )
            if ami_secret
            else None
        )
        queue_log = queue_log_path(cfg)
        self.fallback_import = (
            FallbackImporter(self.records.db, queue_log, tz, s.hotline.number) if queue_log else None
        )
        # The prompt studio: its recordings reach new calls through the flows' prompt books.
        self.prompts = PromptStudio(
            self.records.db, studio_paths(cfg), s.hotline.flow, self.flows.loaded, retake=self.flows.retake
        )
        for each in self.hubs:
            each.desk_phones.prompts = self.prompts
        self.started = time.monotonic()
        self.loop_watch = LoopWatch()
        self._reloads: set[asyncio.Task[None]] = set()
        self._import_task: asyncio.Task[None] | None = None
        self.epoch: int | None = None  # the standby lease's, on PostgreSQL (cli/standby.py)

    @staticmethod
    def _rehearsal_line(
        cfg: LoadedConfig, env: FlowEnv
    ) -> tuple[SqliteCallRecords | None, RehearsalLine | None]:
        """The rehearsal number's own records, counselor and queues (calls/rehearsal_line.py)."""
        r = cfg.settings.rehearsal
        if r.number is None:
            return None, None
        records = RehearsalRecords(cfg.resolve(r.database))
        only = acd_setup.REHEARSAL_COUNSELOR
        # A rehearsal call books (or finds full) the hours of its own records, as the
        # plan's simulation does: nothing it does can take a citizen's hour.
        rules = bookings_of(cfg.settings)
        bookings = Bookings(records, *rules) if rules is not None else None
        rehearsal_env = replace(env, queues={q: Queue(q, (only,)) for q in env.queues}, bookings=bookings)
        acd = acd_setup.rehearsal_dispatcher(cfg.settings, time.monotonic)
        return records, RehearsalLine(r.number, records, acd, rehearsal_env)

    def take_lease(self, epoch: int, fence: Callable[[Any], None]) -> None:
        """Active under the lease's epoch: every write of the records passes its fence first."""
        self.epoch, self.records.db.fence = epoch, fence

    async def health(self) -> dict[str, Any]:
        registered = await (self.nodes or self.hub).registered()  # with several nodes: on any
        return {
            "healthy": registered and not self.service.draining,
            "role": "active",
            "epoch": self.epoch,
            "ari_connected": self.hub.stream.connected.is_set(),
            "nodes": {n: st.value for n, st in self.nodes.states().items()} if self.nodes else None,
            "app_registered": registered,
            "draining": self.service.draining,
            "calls_in_progress": self.service.active,
            "ari_reconnects": self.hub.stream.reconnects,
            "asterisk_restarts": self.hub.asterisk_restarts,
            "fallback_queue_in_step": bool(self.fallback_queue and self.fallback_queue.connected),
            "fallback_calls_imported": self.fallback_import.imported if self.fallback_import else 0,
            "recording_failures": self.copier.failures,
            "recordings_copying": self.copier.copying,
            "uptime_seconds": round(time.monotonic() - self.started, 1),
        }

    def metrics(self) -> str:
        """Prometheus text exposition of what operations watch."""
        lines = [
            "# HELP hotline_calls_in_progress Calls the service is handling now.",
            "# TYPE hotline_calls_in_progress gauge",
            f"hotline_calls_in_progress {self.service.active}",
            "# HELP hotline_callers_waiting Callers waiting in a queue.",
            "# TYPE hotline_callers_waiting gauge",
        ]
        for name in self.acd.queues:
            lines.append(f'hotline_callers_waiting{{queue="{name}"}} {self.acd.waiting_count(name)}')
        lines += [
            "# HELP hotline_callbacks_pending Callback requests waiting for their turn or a retry.",
            "# TYPE hotline_callbacks_pending gauge",
            f"hotline_callbacks_pending {self.callbacks.pending if self.callbacks else 0}",
        ]
        lines += ["# HELP hotline_counselors Counselors by state.", "# TYPE hotline_counselors gauge"]
        states: dict[str, int] = {}
        for c in self.acd.counselors.values():
            states[c.state.value] = states.get(c.state.value, 0) + 1
        for state in ("logged_out", "available", "reserved", "on_call", "wrap_up", "paused"):
            lines.append(f'hotline_counselors{{state="{state}"}} {states.get(state, 0)}')
        lines += self.hub.exposition()
        lines += self.loop_watch.exposition()
        lines += recording_metrics(self.copier)
        lines += memory.exposition()
        lines += rehearsal_state.exposition(self.cfg.resolve(self.cfg.settings.storage.state_dir))
        return "\n".join(lines) + "\n"

    def on_sighup(self) -> None:
        task = asyncio.get_running_loop().create_task(self.reload_flows())
        self._reloads.add(task)
        task.add_done_callback(self._reloads.discard)

    async def reload_flows(self) -> None:
        """SIGHUP (sent by `ivr flows publish`): take the flows on disk, or keep the old ones."""
        try:
            await self.take_flows()
        except HotlineError as exc:
            log.error("the new flows were refused; the running ones keep serving:\n%s", exc)

    async def take_flows(self) -> None:
        """Take the flows on disk for new calls (HotlineError, old ones kept, if they are refused).

        The web desk's publish calls this directly. Loading and rendering run
        in a thread: a prompt the publish did not render yet must not stall
        the calls in progress.
        """

        def load_and_render() -> dict[str, Any]:
            loaded = load_flows(self.cfg)
            publish_prompts(self.cfg, loaded)
            return loaded

        loaded = await asyncio.to_thread(load_and_render)
        self.flows.swap(loaded)
        log.info("flows reloaded: %s", ", ".join(sorted(loaded)))

    def _start_fallback(self) -> None:
        s = self.cfg.settings
        if self.fallback_queue is not None:
            self.fallback_queue.start()
        else:
            log.warning(
                "no AMI password for your own Asterisk (asterisk.ami_password): the fallback queue "
                "is not kept in step, and callers hear the fallback prompt while the service is down"
            )
        if self.fallback_import is not None:
            every = s.fallback.import_every_seconds
            self._import_task = asyncio.create_task(self.fallback_import.run(every), name="fallback-import")
        else:
            log.warning("fallback.queue_log is not set: calls the fallback takes go unrecorded")

    async def _stop_fallback(self) -> None:
        if self.fallback_queue is not None:
            self.fallback_queue.close()
        if self._import_task is not None:
            self._import_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._import_task

    async def run(self, stop: asyncio.Event) -> None:
        s = self.cfg.settings
        adopted = await asyncio.to_thread(adopt_serving, self.cfg, self.flows.loaded())
        if adopted:
            log.info("flows serving calls without a published version, kept as v1: %s", adopted)
        await asyncio.to_thread(self.records.start)  # migrations off the loop: the lease renews meanwhile
        await self.prompts.apply_published()
        if self.rehearsal_records is not None:
            self.rehearsal_records.start()
        # Counselors' states survive a restart: paused stays paused, out stays out;
        # time in state and today's calls are read back from their records.
        midnight = local_midnight(datetime.now(UTC), ZoneInfo(s.hotline.timezone))
        histories = await self.records.last_counselor_states(midnight)
        self.acd.restore(histories, login_others=s.acd.login_at_start)
        self._start_fallback()
        board_phones = {
            v.user: SupervisorPhone(v.id, v.name, phone_targets.ring(v)) for v in s.supervisors if v.user
        }
        deps = DeskDeps(
            self.records.db,
            counselors={c.id: c.name for c in s.counselors},
            timezone=ZoneInfo(s.hotline.timezone),
            acd=self.acd,
            call_command=self.service.counselor_command,
            call_length=self.service.call_length,
            extend_call=self.service.extend_call,
            departments=[d.name for d in s.departments.values()],
            recordings_root=self.cfg.resolve(s.storage.recordings),
            queues={qid: q.name for qid, q in s.queues.items()},
            scorecards=s.qa.scorecards,
            flows=FlowsSetup(self.cfg, reload=self.take_flows),
            prompts=self.prompts,
            phones=PhonesSetup(self.cfg, phones.ari_states(self.cfg, self.rest)),
            report_rules=Rules(**s.reports.model_dump()),
            softphone=Softphones(self.cfg) if browser_phones(s) else None,
            strike_expiry_days=s.protection.strike_expiry_days,
            evidence_dir=self.cfg.resolve(s.storage.state_dir) / "evidence",
            pilot_targets=Targets(**s.pilot.model_dump()),
            rehearsal_last=lambda: rehearsal_state.read(self.cfg.resolve(s.storage.state_dir)),
            cases=case_rules(s.cases),
            flow_words=lambda: flow_words(self.flows.current()[0].flow),
            session_lifetime=timedelta(hours=s.web.session_max_hours),
            proxy_header=s.web.trusted_proxy_header,
            board=BoardActions(self.acd, board_phones, supervisor_ringer([h.desk_phones for h in self.hubs])),
        )
        desk = web_app.build(self.health, self.metrics, deps)
        runner = web.AppRunner(desk, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, s.web.listen, s.web.port)
        await site.start()
        ari: Node | Nodes = self.nodes or self.hub
        hub_task = asyncio.create_task(ari.run(), name="ari-events")
        lag_task = asyncio.create_task(self.loop_watch.run(), name="loop-watch")
        trim_task = asyncio.create_task(memory.keep_giving_back_freed(), name="heap-trim")
        self.recordings.start()
        if self.callbacks is not None:
            callbacks = self.callbacks

            async def serve_callbacks() -> None:
                await self.hub.stream.connected.wait()  # an attempt needs the PBX
                await callbacks.refresh()

            self._reloads.add(asyncio.create_task(serve_callbacks(), name="callbacks"))
        else:
            log.warning("asterisk.trunk.dial is not set: callback requests are kept for staff to return")

        async def serve_case_calls() -> None:
            await self.hub.stream.connected.wait()  # a call needs the PBX
            await self.case_calls.run()

        case_task = asyncio.create_task(serve_case_calls(), name="case-calls")
        log.info(
            "천년전주 콜센터 %s is up: web on http://%s:%d, ARI at %s",
            s.hotline.number,
            s.web.listen,
            s.web.port,
            s.asterisk.ari_url,
        )
        try:
            await stop.wait()
            log.info("stopping: no new calls; %d call(s) in progress", self.service.active)
            await self.service.drain(s.service.drain_seconds)
        finally:
            case_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await case_task
            if self.callbacks is not None:
                await self.callbacks.stop()
            await self._stop_fallback()
            await ari.stop()
            for task in (hub_task, lag_task, trim_task):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.service.detach_all()
            await self.recordings.stop()
            for rest in self.rests:
                await rest.close()
            await runner.cleanup()
            self.records.close()
            if self.rehearsal_records is not None:
                self.rehearsal_records.close()
            log.info("stopped")
