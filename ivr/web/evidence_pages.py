"""Evidence packages from the QA page: make one for a flagged call, download it.

Making a package (ivr/admin/evidence.py) places the call's recordings under
legal hold; making and downloading are audited, as a recording's download is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from ivr.admin import evidence
from ivr.admin.problems import InvalidInput, NoSuchCall
from ivr.store import audit
from ivr.web.access import allow
from ivr.web.context import DESK, Desk, client_ip, user_of
from ivr.web.pages import see_other

PACKAGERS = ("qa", "supervisor", "admin")


def _folder(desk: Desk) -> Path:
    if desk.evidence_dir is None or desk.recordings_root is None:
        raise InvalidInput(["증거 자료를 만들 수 없는 설정입니다. · This desk keeps no evidence folder."])
    return desk.evidence_dir


def context(desk: Desk, call_id: str, role: str) -> dict[str, Any]:
    """What the call's QA page shows of its packages and the signing key."""
    if desk.evidence_dir is None or role not in PACKAGERS:
        return {"can_package": False, "packages": [], "public_key": None, "key_fingerprint": None}
    pem, fingerprint = evidence.public_key(desk.evidence_dir)
    packages = [int(p.stem[1:]) for p in evidence.versions(desk.evidence_dir, call_id)]
    return {"can_package": True, "packages": packages, "public_key": pem, "key_fingerprint": fingerprint}


@allow("qa", "supervisor")
async def make_package(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], user_of(request)
    assert user is not None
    call_id = request.match_info["call_id"]
    folder = _folder(desk)
    assert desk.recordings_root is not None
    made = await evidence.make(
        desk.db, desk.recordings_root, folder, call_id, user.username, client_ip(request), desk.clock()
    )
    return see_other(f"/qa/calls/{call_id}?evidence=v{made.version}#evidence")


@allow("qa", "supervisor")
async def download_package(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], user_of(request)
    assert user is not None
    call_id, version = request.match_info["call_id"], request.match_info["version"]
    found = {p.stem: p for p in evidence.versions(_folder(desk), call_id)}
    path = found.get(version)
    if path is None:
        raise NoSuchCall()
    now, ip, who = desk.clock(), client_ip(request), user.username
    await desk.db.run(lambda db: audit.record(db, now, who, "evidence_downloaded", call_id, version, ip))
    name = f"evidence-{path.parent.name}-{version}.zip"
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/qa/calls/{call_id}/evidence", make_package)
    app.router.add_get("/qa/calls/{call_id}/evidence/{version}.zip", download_package)
