"""/prompts: the prompt studio lists every prompt, takes a recording, publishes it for
new calls, rolls it back, and refuses bad audio with a Korean message, the old prompt untouched."""

from __future__ import annotations

import asyncio
import io
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from ivr import config
from ivr.admin import users
from ivr.admin.flows import load_flows
from ivr.admin.prompt_studio import PromptStudio, studio_paths
from ivr.pbx import prompt_audio
from ivr.prompts.takes import IllegalTakeTransition
from ivr.store.db import Database
from ivr.store.desk_schema import create_schema
from ivr.web.context import DeskDeps
from ivr.web.desk import build_desk
from ivr.web.prompt_studio import MAX_UPLOAD_BYTES
from tests.web.conftest import (
    COUNSELORS,
    FLOWS_CONFIG,
    PASSWORD,
    ROOT,
    Desk,
    FakeClock,
    Monotonic,
    csrf_of,
    dispatcher,
    login,
)

GREETING_KEY = "flow/hotline/greeting/ko"
SAY = "안녕하십니까. 천년전주 콜센터입니다."


def sox(*args: str) -> None:
    subprocess.run(["sox", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def sounds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Known recordings: speech as WAV and MP3, silence, a clipped one, one over two minutes, text."""
    d = tmp_path_factory.mktemp("audio")
    speech = d / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(d / "raw.wav"), SAY], check=True)
    # Half a second of silence around it, which the studio trims.
    sox(str(d / "raw.wav"), str(speech), "pad", "0.5", "0.5")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(speech), str(d / "speech.mp3")], check=True)
    sox("-n", "-r", "16000", "-c", "1", str(d / "silence.wav"), "trim", "0", "3")
    sox(str(speech), str(d / "clipped.wav"), "gain", "25")
    sox("-n", "-r", "8000", "-c", "1", str(d / "long.wav"), "synth", "125", "sine", "300", "gain", "-12")
    (d / "text.wav").write_text("RIFF? no: a letter to the city hall\n", encoding="utf-8")
    return {p.stem: p for p in d.iterdir()}


class StudioDesk(Desk):
    studio: PromptStudio
    retaken: list[dict[str, Any]]


@pytest.fixture
async def studio_desk(db_path: Path, clock: FakeClock, tmp_path: Path) -> AsyncIterator[StudioDesk]:
    shutil.copytree(ROOT / "callflows", tmp_path / "callflows")
    path = tmp_path / "config.yaml"
    path.write_text(
        FLOWS_CONFIG.replace("DATABASE", str(db_path)).replace(
            "asterisk: {embedded: false, ari_password: test-only}",
            "asterisk: {embedded: false, ari_password: test-only, sounds_dir: sounds}",
        ),
        encoding="utf-8",
    )
    cfg = config.load(path)
    users.add_user(db_path, "voice1", "음성 담당", "voice", PASSWORD, actor="pytest")
    db = Database(db_path, create_schema)
    db.start()
    loaded = load_flows(cfg)
    retaken: list[dict[str, Any]] = []
    studio = PromptStudio(
        db,
        studio_paths(cfg),
        "hotline",
        lambda: loaded,
        retake=lambda r: retaken.append(dict(r)),
        clock=clock,
    )
    server = TestServer(build_desk(DeskDeps(db, counselors=COUNSELORS, clock=clock, prompts=studio)))
    harness = StudioDesk(server, db_path, clock, dispatcher(Monotonic()))
    harness.studio, harness.retaken = studio, retaken
    try:
        yield harness
    finally:
        await harness.close()
        await server.close()
        db.close()


async def voice_client(desk: StudioDesk) -> TestClient[Any, Any]:
    client = await desk.client()
    assert (await login(client, "voice1")).status == 303
    return client


def number_of(desk: StudioDesk, key: str = GREETING_KEY) -> int:
    entry = desk.studio.entry(key)
    assert entry is not None
    return entry.number


async def send(
    client: TestClient[Any, Any], number: int, body: Any, **headers: str
) -> tuple[int, dict[str, Any]]:
    token = await csrf_of(client, "/prompts")
    response = await client.post(
        f"/prompts/{number}/takes?source=upload", data=body, headers={"X-CSRF-Token": token, **headers}
    )
    return response.status, await response.json()


async def test_the_page_lists_every_prompt_with_its_voice_length_nodes_and_calls(
    studio_desk: StudioDesk,
) -> None:
    studio_desk.insert(
        "calls",
        {
            "id": "call-1",
            "caller": "0101",
            "dialed": "2221000",
            "started_at": "2026-03-01T12:00:00.000+09:00",
            "ivr_path": "welcome > menu > menu",
        },
    )
    client = await voice_client(studio_desk)
    page = await (await client.get("/prompts")).text()
    row = page.split(f'data-key="{GREETING_KEY}"')[1].split("</tr>")[0]
    assert "시민의 목소리에" in row and "합성" in row and "welcome" in row
    assert '<td class="heard">1</td>' in row
    assert float(row.split('class="seconds">')[1].split("<")[0]) > 1
    assert 'data-key="system/greeting/ko"' in page and 'data-key="flow/foreign/' in page
    # The voice role sees the studio on its home page, and nothing of the admins'.
    home = await (await client.get("/")).text()
    assert '<a href="/prompts">' in home and "/admin/users" not in home
    assert (await client.get("/admin/users", allow_redirects=False)).status == 403
    # A counselor is not let in.
    counselor = await studio_desk.logged_in("counselor")
    assert (await counselor.get("/prompts", allow_redirects=False)).status == 403


async def test_an_upload_is_trimmed_levelled_published_and_rolled_back(
    studio_desk: StudioDesk, sounds: dict[str, Path]
) -> None:
    client = await voice_client(studio_desk)
    number = number_of(studio_desk)
    status, body = await send(client, number, sounds["speech"].read_bytes())
    assert status == 200, body
    take = body["take"]
    assert body["before"]["seconds"] > take["seconds"] + 0.6  # the half seconds of silence are gone
    assert abs(take["loudness"] - prompt_audio.TARGET_LUFS) < 2.5
    assert not studio_desk.retaken  # listened to, not yet published
    token = await csrf_of(client, "/prompts")
    accepted = await client.post(f"/prompts/takes/{take['id']}/accept", headers={"X-CSRF-Token": token})
    assert accepted.status == 200
    name = f"jeonju-studio/{take['stem']}"
    assert studio_desk.retaken[-1] == {"hotline": {("greeting", "ko"): name}}
    sounds_dir = studio_desk.studio.paths.sounds
    assert sounds_dir is not None
    assert (sounds_dir / f"{name}.wav").is_file() and (sounds_dir / f"{name}.wav16").is_file()
    assert [a["target"] for a in studio_desk.audit("prompt.publish")] == [GREETING_KEY]
    again = await client.post(f"/prompts/takes/{take['id']}/accept", headers={"X-CSRF-Token": token})
    assert again.status == 409
    back = await client.post(f"/prompts/{number}/rollback", headers={"X-CSRF-Token": token})
    assert back.status == 200
    assert (await back.json())["version"]["kind"] == "synthesized"
    assert studio_desk.retaken[-1] == {}
    page = await (await client.get("/prompts")).text()
    assert "합성" in page.split(f'data-key="{GREETING_KEY}"')[1].split("</tr>")[0]


async def test_an_mp3_is_taken_too(studio_desk: StudioDesk, sounds: dict[str, Path]) -> None:
    client = await voice_client(studio_desk)
    status, body = await send(
        client, number_of(studio_desk), sounds["speech"].with_suffix(".mp3").read_bytes()
    )
    assert status == 200, body


@pytest.mark.parametrize(
    ("sound", "says"),
    [
        ("text", "오디오 파일이 아닙니다"),
        ("long", "2분을 넘습니다"),
        ("silence", "무음"),
        ("clipped", "클리핑"),
    ],
)
async def test_bad_audio_is_refused_in_korean_and_the_prompt_stays(
    studio_desk: StudioDesk, sounds: dict[str, Path], sound: str, says: str
) -> None:
    client = await voice_client(studio_desk)
    status, body = await send(client, number_of(studio_desk), io.BytesIO(sounds[sound].read_bytes()))
    assert status == 422 and says in body["error"]
    assert studio_desk.rows("prompt_takes") == [] and not studio_desk.retaken


async def test_a_one_gigabyte_body_is_refused_unread(studio_desk: StudioDesk) -> None:
    client = await voice_client(studio_desk)
    token = await csrf_of(client, "/prompts")
    sent = 0

    async def gigabyte() -> AsyncIterator[bytes]:
        nonlocal sent
        chunk = b"\0" * (1024 * 1024)
        for _ in range(1024):
            sent += len(chunk)
            yield chunk

    response = await client.post(
        f"/prompts/{number_of(studio_desk)}/takes",
        data=gigabyte(),
        headers={"X-CSRF-Token": token, "Content-Length": str(1024**3)},
    )
    assert response.status == 413 and "너무 큽니다" in (await response.json())["error"]
    assert sent < 1024**3  # answered before the body was sent
    # Without a length said up front (chunked), the stream is cut at the cap.
    sent = 0
    response = await client.post(
        f"/prompts/{number_of(studio_desk)}/takes", data=gigabyte(), headers={"X-CSRF-Token": token}
    )
    assert response.status == 413
    assert sent < MAX_UPLOAD_BYTES * 4
    assert studio_desk.rows("prompt_takes") == []


async def test_a_publish_that_dies_before_its_transaction_leaves_the_previous_audio(
    studio_desk: StudioDesk, sounds: dict[str, Path]
) -> None:
    """The take's files are written under new names first; the switch is the version row.
    A publish that fails between the two (here: the take was discarded meanwhile) leaves
    the version, the audit and the running flows as they were."""
    entry = studio_desk.studio.entry(GREETING_KEY)
    assert entry is not None
    first = await studio_desk.studio.make_take(entry, sounds["speech"], "upload", "voice1")
    await studio_desk.studio.publish(first["id"], "voice1")
    second = await studio_desk.studio.make_take(entry, sounds["speech"], "upload", "voice1")
    await studio_desk.studio.discard(second["id"])
    before = list(studio_desk.retaken)
    with pytest.raises(IllegalTakeTransition, match="no longer prepared"):
        await studio_desk.studio.publish(second["id"], "voice1")
    assert studio_desk.retaken == before
    sounds_dir = studio_desk.studio.paths.sounds
    assert sounds_dir is not None
    assert (sounds_dir / "jeonju-studio" / f"{second['stem']}.wav").is_file()  # written, never switched to
    versions = studio_desk.rows("prompt_versions")
    assert [(v["version"], v["stem"]) for v in versions] == [(1, first["stem"])]
    assert len(studio_desk.audit("prompt.publish")) == 1


CRASHING_PUBLISH = """
import asyncio, os, signal, sys
from pathlib import Path
from ivr.admin.prompt_studio import PromptStudio, StudioPaths
from ivr.store import engine, prompt_versions
from ivr.store.db import Database
from ivr.store.desk_schema import create_schema

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # the power goes as the version row is written

prompt_versions.publish = die
database, takes, sounds, recorded, take_id = sys.argv[1:]
db = Database(engine.parse(database), create_schema)
db.start()
studio = PromptStudio(db, StudioPaths(Path(takes), Path(sounds), Path(recorded)), "hotline", dict)
asyncio.run(studio.publish(int(take_id), "voice1"))
"""


async def test_a_service_killed_in_the_middle_of_a_publish_comes_back_with_the_previous_audio(
    studio_desk: StudioDesk, sounds: dict[str, Path]
) -> None:
    studio = studio_desk.studio
    entry = studio.entry(GREETING_KEY)
    assert entry is not None and studio.paths.sounds is not None
    first = await studio.make_take(entry, sounds["speech"], "upload", "voice1")
    await studio.publish(first["id"], "voice1")
    second = await studio.make_take(entry, sounds["speech"], "upload", "voice1")
    paths = studio.paths
    args = [studio_desk.db_path, paths.takes, paths.sounds, paths.recorded, second["id"]]
    killed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", CRASHING_PUBLISH, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    # Its files reached the sounds under their new name; nothing points to them.
    assert (paths.sounds / "jeonju-studio" / f"{second['stem']}.wav").is_file()
    # What a restarted service serves: the first recording.
    studio_desk.retaken.clear()
    await studio.apply_published()
    assert studio_desk.retaken == [{"hotline": {("greeting", "ko"): f"jeonju-studio/{first['stem']}"}}]
    assert [t["state"] for t in studio_desk.rows("prompt_takes")] == ["published", "prepared"]
    # And the take can still be published once the service is back.
    await studio.publish(second["id"], "voice1")
    assert studio_desk.retaken[-1] == {"hotline": {("greeting", "ko"): f"jeonju-studio/{second['stem']}"}}
