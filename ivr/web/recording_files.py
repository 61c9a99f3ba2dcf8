"""Recordings as audio for the QA player: one byte range at a time, never cached.

Who may hear a recording: QA staff, supervisors and admins any; a counselor
only the calls they talked on. Any other id answers as a missing one (404),
so nobody can probe which recordings exist. The file is looked up by the
recording's row, never by a name from the request, and must lie inside
`storage.recordings`. Each play from the start and each download is in the
audit log; seeking within a play is not (the browser asks for a range per seek).
"""

from __future__ import annotations

import asyncio
import logging
import re
import wave
from pathlib import Path
from typing import Any

from aiohttp import web

from ivr.admin.problems import NoSuchRecording, NotLoggedIn, RecordingGone
from ivr.store import audit
from ivr.store.reads import read
from ivr.store.recording_search import recording_of
from ivr.store.users import User
from ivr.web.access import allow
from ivr.web.byte_ranges import RangeNotSatisfiable, parse_range
from ivr.web.context import DESK, client_ip, user_of
from ivr.web.waveform import peaks

log = logging.getLogger(__name__)
CHUNK = 64 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
GONE_WHY = {
    "purged": "보존 기간이 지나 삭제됨 · deleted after its retention period",
    "failed": "녹음 실패 · recording failed",
}


def may_hear(user: User, counselor_id: str | None) -> bool:
    """QA, supervisors and admins any recording; a counselor their own calls only."""
    if user.role == "counselor":
        return bool(user.counselor_id) and user.counselor_id == counselor_id
    return user.role in ("qa", "supervisor", "admin")


async def _recording(request: web.Request) -> tuple[dict[str, Any], Path, User]:
    desk, user = request.app[DESK], user_of(request)
    if user is None:
        raise NotLoggedIn()
    recording_id = int(request.match_info["recording_id"])  # the route admits digits only
    row = await read(desk.db, lambda db: recording_of(db, recording_id))
    if row is None or not may_hear(user, row["counselor_id"]):
        raise NoSuchRecording()
    if row["status"] != "stored":
        raise RecordingGone(GONE_WHY.get(row["status"], row["status"]))
    root = desk.recordings_root
    if root is None or not row["path"]:
        raise NoSuchRecording()
    path = (root / row["path"]).resolve()
    if not path.is_relative_to(root.resolve()):
        log.error("recording %s points outside the recordings folder: %s", recording_id, row["path"])
        raise NoSuchRecording()
    if not path.is_file():
        log.warning("recording %s is stored but its file is missing: %s", recording_id, path)
        raise RecordingGone("파일 없음 · file missing")
    return row, path, user


@allow("qa", "supervisor", "counselor")
async def audio(request: web.Request) -> web.StreamResponse:
    row, path, user = await _recording(request)
    size = path.stat().st_size
    try:
        wanted = parse_range(request.headers.get("Range"), size)
    except RangeNotSatisfiable as exc:
        return web.Response(
            status=416,
            text=f"요청하신 구간을 보낼 수 없습니다. · {exc}",
            headers={"Content-Range": f"bytes */{size}", "Cache-Control": "no-store"},
        )
    download = request.query.get("download") == "1"
    if wanted is None or wanted.start == 0 or download:
        desk, ip = request.app[DESK], client_ip(request)
        action = "recording_downloaded" if download else "recording_played"
        detail = f"call={row['call_id']}"
        now, who, target = desk.clock(), user.username, str(row["id"])
        await desk.db.run(lambda db: audit.record(db, now, who, action, target, detail, ip))
    start, length = (wanted.start, wanted.length) if wanted else (0, size)
    name = _SAFE_NAME.sub("_", f"call-{row['call_id']}.wav")
    response = web.StreamResponse(
        status=206 if wanted else 200,
        headers={
            "Accept-Ranges": "bytes",
            "Cache-Control": "no-store",
            "Content-Type": "audio/wav",
            "Content-Disposition": f'{"attachment" if download else "inline"}; filename="{name}"',
        },
    )
    if wanted:
        response.headers["Content-Range"] = wanted.content_range(size)
    response.content_length = length
    await response.prepare(request)
    if request.method != "HEAD":
        await _send(response, path, start, length)
    await response.write_eof()
    return response


async def _send(response: web.StreamResponse, path: Path, start: int, length: int) -> None:
    with path.open("rb") as f:
        f.seek(start)
        left = length
        while left > 0:
            chunk = await asyncio.to_thread(f.read, min(CHUNK, left))
            if not chunk:
                break  # the file shrank meanwhile: the client sees a short body
            await response.write(chunk)
            left -= len(chunk)


@allow("qa", "supervisor", "counselor")
async def waveform(request: web.Request) -> web.StreamResponse:
    row, path, _ = await _recording(request)
    try:
        seconds, levels = await asyncio.to_thread(peaks, path)
    except (wave.Error, EOFError, OSError) as exc:
        log.warning("recording %s cannot be drawn: %s", row["id"], exc)
        seconds, levels = float(row["seconds"] or 0), []
    return web.json_response({"seconds": seconds, "peaks": levels})


def add_routes(app: web.Application) -> None:
    app.router.add_get(r"/api/recordings/{recording_id:\d{1,12}}/audio", audio)
    app.router.add_get(r"/api/recordings/{recording_id:\d{1,12}}/waveform", waveform)
