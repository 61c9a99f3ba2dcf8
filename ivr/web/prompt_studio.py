"""/prompts: the prompt studio. Admins and the voice role see every prompt, record
one in the browser or upload a file, hear it before and after the server's
processing, and accept it (published for new calls) or roll a prompt back.

The audio arrives as the request body (the page's script posts the
MediaRecorder's blob or the chosen file), streamed to a temporary file with
a cap: a request that says or turns out to be bigger is refused without
being read into memory. The desk's client_max_size (1 MB) bounds form posts
only; this route reads `request.content` itself.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from aiohttp import web

from ivr.admin.prompt_studio import PromptStudio
from ivr.pbx.prompt_audio import PromptAudioRefused
from ivr.prompts.takes import IllegalTakeTransition
from ivr.web import waveform
from ivr.web.access import allow
from ivr.web.admin_users import acting_username as actor
from ivr.web.context import DESK, client_ip
from ivr.web.pages import render

# Two minutes of CD-quality stereo WAV is 21 MB; a compressed file far less.
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
TOO_BIG = (
    f"파일이 너무 큽니다({MAX_UPLOAD_BYTES // (1024 * 1024)}MB 초과). 2분 안의 녹음을 올려 주십시오. "
    "· The file is too big."
)
EMPTY = "받은 소리가 없습니다. 다시 녹음하거나 파일을 골라 주십시오. · Nothing was received."
SOURCES = ("browser", "upload")
NO_SUCH_PROMPT = "없는 안내 문구 번호입니다. · No such prompt."
SETTLED = "이미 게시했거나 버린 녹음입니다. · This take was already published or discarded."


def studio_of(request: web.Request) -> PromptStudio:
    studio = request.app[DESK].prompts
    if studio is None:
        raise web.HTTPNotFound()
    return studio


def refused(message: str, status: int = 422) -> web.Response:
    return web.json_response({"error": message}, status=status)


@allow("voice")
async def page(request: web.Request) -> web.StreamResponse:
    rows = await studio_of(request).rows()
    return render(request, "prompts.html", rows=rows)


@allow("voice")
async def upload(request: web.Request) -> web.StreamResponse:
    """A take of prompt {number} from the body: converted, checked, kept for listening."""
    studio = studio_of(request)
    entry = studio.entry(request.match_info["number"])
    if entry is None:
        return refused(NO_SUCH_PROMPT, 404)
    source = request.query.get("source", "upload")
    if source not in SOURCES:
        source = "upload"
    if (request.content_length or 0) > MAX_UPLOAD_BYTES:
        # Said up front: answered before a byte of the body is read.
        return _closing(refused(TOO_BIG, 413))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        size = await _receive(request, path)
        if size is None:
            return _closing(refused(TOO_BIG, 413))
        if size == 0:
            return refused(EMPTY, 400)
        try:
            take = await studio.make_take(entry, path, source, actor(request))
        except PromptAudioRefused as exc:
            return refused(str(exc))
    return web.json_response({"take": take, **_waves(studio, take["stem"])})


async def _receive(request: web.Request, path: Path) -> int | None:
    """The body into `path` chunk by chunk: its size, or None once it passes the cap."""
    size = 0
    with path.open("wb") as out:
        async for chunk in request.content.iter_chunked(256 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                return None
            out.write(chunk)
    return size


def _closing(response: web.Response) -> web.Response:
    # The rest of the body is not read: the connection cannot carry another request.
    response.force_close()
    return response


def _waves(studio: PromptStudio, stem: str) -> dict[str, Any]:
    before_s, before = waveform.peaks(studio.take_file(stem, ".before.wav"), 300)
    after_s, after = waveform.peaks(studio.take_file(stem, ".wav"), 300)
    return {"before": {"seconds": before_s, "peaks": before}, "after": {"seconds": after_s, "peaks": after}}


@allow("voice")
async def take_audio(request: web.Request) -> web.StreamResponse:
    """A take as sent (`?which=before`) or as callers will hear it (the 16 kHz file)."""
    studio = studio_of(request)
    take = await studio.take(_take_id(request))
    if take is None:
        raise web.HTTPNotFound()
    suffix = ".before.wav" if request.query.get("which") == "before" else ".wav16"
    return web.FileResponse(
        studio.take_file(take["stem"], suffix),
        headers={"Content-Type": "audio/wav", "Cache-Control": "no-store"},
    )


@allow("voice")
async def accept(request: web.Request) -> web.StreamResponse:
    """Publish a take: new calls hear it; calls in progress keep what they started with."""
    studio = studio_of(request)
    try:
        version = await studio.publish(_take_id(request), actor(request), client_ip(request))
    except LookupError:
        raise web.HTTPNotFound() from None
    except IllegalTakeTransition:
        return refused(SETTLED, 409)
    return web.json_response({"version": version})


@allow("voice")
async def discard(request: web.Request) -> web.StreamResponse:
    try:
        await studio_of(request).discard(_take_id(request))
    except IllegalTakeTransition:
        return refused(SETTLED, 409)
    return web.json_response({"discarded": True})


@allow("voice")
async def roll_back(request: web.Request) -> web.StreamResponse:
    studio = studio_of(request)
    key = studio.key_of(request.match_info["number"])
    if key is None:
        return refused(NO_SUCH_PROMPT, 404)
    version = await studio.roll_back(key, actor(request), client_ip(request))
    if version is None:
        return refused("게시한 적이 없는 안내 문구입니다. · This prompt was never published.", 409)
    return web.json_response({"version": version})


def _take_id(request: web.Request) -> int:
    try:
        return int(request.match_info["take"])
    except ValueError:
        raise web.HTTPNotFound() from None


def add_routes(app: web.Application) -> None:
    app.router.add_get("/prompts", page)
    app.router.add_post("/prompts/{number}/takes", upload)
    app.router.add_post("/prompts/{number}/rollback", roll_back)
    app.router.add_get("/prompts/takes/{take}/audio", take_audio)
    app.router.add_post("/prompts/takes/{take}/accept", accept)
    app.router.add_post("/prompts/takes/{take}/discard", discard)
