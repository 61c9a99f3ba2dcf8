"""The prompt studio's use cases: list every prompt, make a take of one, publish
it, roll it back. Shared by the desk's page (web/prompt_studio.py) and the
desk phones' record-by-phone code (ari/desk_phones.py, through ports.PromptRecordings).

Publishing is written so that a crash at any point leaves either the old
audio or the new one playing, never a half: the take's files are copied to
new names in Asterisk's sounds (`jeonju-studio/<stem>.wav` and `.wav16`),
then one transaction writes the version, its audit row and the take's state
(store/prompt_versions.py), then the running service's flows are given the
new names (FlowRegistry.retake). A call in progress keeps the prompt book
it started with, so it keeps its audio. A system prompt (catalog.py) is
played by a fixed name, so its file is replaced with one rename after the
transaction (a playback in progress keeps the file it opened), and kept in
`prompts/recorded/` for the next render of the PBX.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from ivr.admin.flows import recorded_dir, sounds_dir
from ivr.config import LoadedConfig
from ivr.errors import HotlineError
from ivr.flows.loader import Loaded
from ivr.flows.promptbook import PromptBook
from ivr.flows.registry import Recorded
from ivr.pbx import prompt_audio, tts
from ivr.prompts.catalog import LANGUAGES, PROMPTS
from ivr.prompts.takes import IllegalTakeTransition
from ivr.store import prompt_versions
from ivr.store.db import Database
from ivr.store.prompt_versions import RECORDED
from ivr.store.stamps import Clock, utc_now

STUDIO_DIR = "jeonju-studio"  # beside jeonju-flows in Asterisk's sounds
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Entry:
    """One prompt in one language, as the studio numbers it (the number is keyed on a desk phone)."""

    number: int
    key: str
    flow: str | None  # None: a system prompt
    prompt_id: str
    language: str  # the voice it is spoken in
    text: str
    nodes: tuple[str, ...]  # the nodes that play it
    steps: tuple[str, ...]  # those nodes as a call's IVR path names them
    synthesized: str | None  # the espeak-ng sound name (flows) or None (system: jeonju/<id>)


@dataclass(frozen=True)
class Row:
    """An entry as the page shows it."""

    entry: Entry
    recorded: bool
    version: int | None
    seconds: float
    heard_last_week: int | None  # None: not counted (system prompts)
    published_by: str | None
    published_at: str | None


def entries(loaded: Mapping[str, Loaded], main: str) -> list[Entry]:
    """Every prompt: the system prompts first, then the main flow's, then the other flows' by name."""
    found: list[Entry] = []
    for pid, texts in PROMPTS.items():
        for lang in LANGUAGES:
            if lang in texts:
                key = f"system/{pid}/{lang}"
                found.append(Entry(len(found) + 1, key, None, pid, lang, texts[lang], (), (), None))
    for name in sorted(loaded, key=lambda n: (n != main, n)):
        flow = loaded[name].flow
        book = PromptBook.of(flow)
        for pid in flow.prompts:
            nodes = tuple(nid for nid, node in flow.nodes.items() if pid in node.prompt_ids())
            steps = nodes if name == main else tuple(f"{name}.{n}" for n in nodes)
            for lang in flow.languages:
                sound = book.sounds.get((pid, lang))
                if sound is None or sound.text is None:
                    continue  # a file the admin installed: not the studio's
                key = f"flow/{name}/{pid}/{lang}"
                n = len(found) + 1
                found.append(Entry(n, key, name, pid, sound.language, sound.text, nodes, steps, sound.name))
    return found


def recorded_names(current: Mapping[str, Mapping[str, Any]]) -> Recorded:
    """What the flows play instead of the voice: flow -> (prompt id, language) -> sound name."""
    out: dict[str, dict[tuple[str, str], str]] = {}
    for key, row in current.items():
        parts = key.split("/")
        if parts[0] == "flow" and len(parts) == 4 and row["kind"] == RECORDED and row["stem"]:
            out.setdefault(parts[1], {})[(parts[2], parts[3])] = f"{STUDIO_DIR}/{row['stem']}"
    return out


@dataclass(frozen=True)
class StudioPaths:
    takes: Path  # every take's files, kept (a rollback needs the old ones)
    sounds: Path | None  # Asterisk's sounds folder (None: no PBX beside this desk)
    recorded: Path  # prompts/recorded/<lang>/<id>.wav: what a render of the PBX takes for system prompts


def studio_paths(cfg: LoadedConfig) -> StudioPaths:
    return StudioPaths(
        takes=cfg.resolve(cfg.settings.storage.state_dir) / "prompt-studio",
        sounds=sounds_dir(cfg),
        recorded=recorded_dir(cfg),
    )


class PromptStudio:
    """The studio over the service's database; `loaded` gives the flows as served now,
    `retake` hands the running service the recordings as published now."""

    def __init__(
        self,
        db: Database,
        paths: StudioPaths,
        main: str,
        loaded: Callable[[], Mapping[str, Loaded]],
        retake: Callable[[Recorded], None] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.paths = paths
        self.main = main
        self.loaded = loaded
        self.retake = retake
        self.clock = clock
        self.lock = asyncio.Lock()  # one publish or rollback at a time

    def entries(self) -> list[Entry]:
        return entries(self.loaded(), self.main)

    def entry(self, number_or_key: str) -> Entry | None:
        return next((e for e in self.entries() if number_or_key in (str(e.number), e.key)), None)

    def key_of(self, number_or_key: str) -> str | None:
        found = self.entry(number_or_key)
        return found.key if found else None

    async def rows(self) -> list[Row]:
        since = self.clock() - WEEK
        current, heard = await self.db.run(
            lambda db: (prompt_versions.current(db), prompt_versions.calls_through_steps(db, since))
        )
        found = self.entries()
        seconds = await asyncio.to_thread(self._seconds, found, current)
        rows = []
        for e in found:
            v = current.get(e.key)
            recorded = bool(v and v["kind"] == RECORDED)
            rows.append(
                Row(
                    e,
                    recorded,
                    v["version"] if v else None,
                    seconds[e.key],
                    max((heard.get(s, 0) for s in e.steps), default=0) if e.flow else None,
                    v["published_by"] if v else None,
                    v["published_at"] if v else None,
                )
            )
        return rows

    def _seconds(self, found: list[Entry], current: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
        out = {}
        for e in found:
            v = current.get(e.key)
            if v and v["kind"] == RECORDED and v["seconds"]:
                out[e.key] = float(v["seconds"])
                continue
            try:
                out[e.key] = prompt_audio.seconds_of(tts.render(e.text, e.language))
            except HotlineError:  # no espeak-ng here: the length is unknown, the page still shows
                out[e.key] = 0.0
        return out

    # -- takes -------------------------------------------------------------
    def take_file(self, stem: str, suffix: str) -> Path:
        """A take's file: `.wav` (8 kHz), `.wav16`, `.before.wav` (as sent)."""
        if not stem.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"bad take name {stem!r}")
        return self.paths.takes / f"{stem}{suffix}"

    async def make_take(self, entry: Entry, source: Path, source_kind: str, who: str) -> dict[str, Any]:
        """Convert and check `source` (in a thread); the prepared take's row.
        PromptAudioRefused, nothing kept, if it cannot be a prompt."""
        stem = f"{entry.key.replace('/', '.')}.{uuid.uuid4().hex[:12]}"
        prepared = await asyncio.to_thread(prompt_audio.prepare, source, self.paths.takes, stem)
        digest = await asyncio.to_thread(lambda: hashlib.sha256(prepared.narrow.read_bytes()).hexdigest())
        row = {
            "prompt": entry.key,
            "stem": stem,
            "source": source_kind,
            "made_by": who,
            "seconds": prepared.seconds,
            "seconds_before": prepared.seconds_before,
            "loudness_before": prepared.loudness_before,
            "loudness": prepared.loudness,
            "sha256": digest,
        }
        at = self.clock()
        take_id = await self.db.run(lambda db: prompt_versions.add_take(db, at, row))
        return {**row, "id": take_id}

    async def make_take_of_bytes(
        self, entry: Entry, data: bytes, source_kind: str, who: str
    ) -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "take"
            await asyncio.to_thread(source.write_bytes, data)
            return await self.make_take(entry, source, source_kind, who)

    async def take(self, take_id: int) -> dict[str, Any] | None:
        return await self.db.run(lambda db: prompt_versions.take(db, take_id))

    async def discard(self, take_id: int) -> None:
        """IllegalTakeTransition if the take is not prepared."""
        if not await self.db.run(lambda db: prompt_versions.discard(db, take_id)):
            raise IllegalTakeTransition(f"take {take_id} is not prepared: it cannot be discarded")

    # -- record by phone (ports.PromptRecordings) ------------------------------
    def knows(self, number: str) -> bool:
        return number.isdigit() and self.entry(str(int(number))) is not None

    async def keep(self, number: str, audio: bytes, who: str) -> str | None:
        """A phone recording of prompt `number`, published at once when it passes the
        checks (the admin heard it and pressed 1); else the refusal's message."""
        entry = self.entry(str(int(number)))
        if entry is None:
            return f"no prompt {number}"
        try:
            take = await self.make_take_of_bytes(entry, audio, "phone", who)
        except prompt_audio.PromptAudioRefused as exc:
            return str(exc)
        await self.publish(take["id"], who)
        return None

    # -- publishing ----------------------------------------------------------
    async def publish(self, take_id: int, who: str, ip: str | None = None) -> dict[str, Any]:
        """Publish a prepared take; the version row. LookupError if there is no such
        take, IllegalTakeTransition if it is not prepared (published or discarded)."""
        async with self.lock:
            row = await self.take(take_id)
            if row is None:
                raise LookupError(f"no take {take_id}")
            # New names first: until the version row is written nothing plays them.
            await asyncio.to_thread(self._install, row["stem"])
            at = self.clock()
            version = await self.db.run(lambda db: prompt_versions.publish(db, at, who, take_id, ip=ip))
            if version is None:  # discarded meanwhile
                raise IllegalTakeTransition(f"take {take_id} is no longer prepared")
            await self._apply(row["prompt"], row["stem"])
            return version

    async def roll_back(self, key: str, who: str, ip: str | None = None) -> dict[str, Any] | None:
        """The audio before the newest version back (or the voice); None if never published."""
        async with self.lock:
            at = self.clock()
            version = await self.db.run(lambda db: prompt_versions.roll_back(db, at, who, key, ip=ip))
            if version is not None:
                if version["stem"]:
                    await asyncio.to_thread(self._install, version["stem"])
                await self._apply(key, version["stem"])
            return version

    async def apply_published(self) -> None:
        """Give the running service every prompt as published now (at start-up)."""
        current = await self.db.run(prompt_versions.current)
        if self.retake is not None:
            self.retake(recorded_names(current))

    async def _apply(self, key: str, stem: str | None) -> None:
        if key.startswith("system/"):
            await asyncio.to_thread(self._install_system, key, stem)
        await self.apply_published()

    def _install(self, stem: str) -> None:
        """The take's files under their own new names in Asterisk's sounds (never overwritten)."""
        if self.paths.sounds is None:
            return
        folder = self.paths.sounds / STUDIO_DIR
        folder.mkdir(parents=True, exist_ok=True)
        for suffix in (".wav", ".wav16"):
            _copy_atomically(self.take_file(stem, suffix), folder / f"{stem}{suffix}")

    def _install_system(self, key: str, stem: str | None) -> None:
        _, pid, lang = key.split("/")
        kept = self.paths.recorded / lang / f"{pid}.wav"
        if stem is None:
            kept.unlink(missing_ok=True)
            source = tts.render(PROMPTS[pid][lang], lang)
        else:
            source = self.take_file(stem, ".wav")
            kept.parent.mkdir(parents=True, exist_ok=True)
            _copy_atomically(source, kept)
        if self.paths.sounds is not None:
            _copy_atomically(source, self.paths.sounds / lang / "jeonju" / f"{pid}.wav")


def _copy_atomically(source: Path, target: Path) -> None:
    """Write under a temporary name beside the target, then rename: a reader sees old or new."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, tmp)
    tmp.chmod(0o644)
    os.replace(tmp, target)
