"""QA: find recordings, hear them (bounded ranges, never cached), score them; who may see what."""

from __future__ import annotations

import html
import json
import struct
import wave
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ivr.admin.evidence_verify import verify
from ivr.store import engine
from tests.web.conftest import Desk, csrf_of

QA_VIEWERS = frozenset({"qa", "supervisor", "counselor", "admin"})
SCORERS = frozenset({"qa", "supervisor", "admin"})
# (method, path as requested, route template, roles allowed)
QA_ROUTES = [
    ("GET", "/qa", "/qa", QA_VIEWERS),
    ("GET", "/qa/calls/call-1", "/qa/calls/{call_id}", QA_VIEWERS),
    ("POST", "/api/calls/call-1/scores", "/api/calls/{call_id}/scores", SCORERS),
    ("PUT", "/api/scores/1", "/api/scores/{score_id}", SCORERS),
    ("POST", "/api/scores/1/withdraw", "/api/scores/{score_id}/withdraw", SCORERS),
    ("GET", "/api/recordings/1/audio", "/api/recordings/{recording_id}/audio", QA_VIEWERS),
    ("GET", "/api/recordings/1/waveform", "/api/recordings/{recording_id}/waveform", QA_VIEWERS),
    ("POST", "/qa/calls/call-2/evidence", "/qa/calls/{call_id}/evidence", SCORERS),
    ("GET", "/qa/calls/call-2/evidence/v1.zip", "/qa/calls/{call_id}/evidence/{version}.zip", SCORERS),
]
SECONDS = 3  # each seeded recording: 8 kHz, 16-bit mono
GOOD = {"greeting": 5, "listening": 4, "accuracy": 5, "clarity": 3, "courtesy": 5, "closing": 4}


def _wav(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack(f"<{8000 * SECONDS}h", *([3000, -3000] * 4000 * SECONDS)))


def seed(desk: Desk) -> None:
    """Three recorded calls on 2026-03-01/02 (Seoul): c1's two, c2's one (flagged)."""
    root = desk.root / "recordings"
    calls = [
        ("call-1", "01012345678", "2026-03-02T09:10:00.000+09:00", "c1", None, "general", 3.0),
        ("call-2", "01087654321", "2026-03-02T10:00:00.000+09:00", "c2", "abuse", "tax", 3.0),
        ("call-3", "0632221000", "2026-03-01T15:00:00.000+09:00", "c1", None, "general", 3.0),
    ]
    for n, (cid, caller, started, counselor, flagged, queue, seconds) in enumerate(calls, start=1):
        connected = started.replace(":00.000", ":20.000", 1)
        desk.insert(
            "calls",
            {
                "id": cid,
                "caller": caller,
                "dialed": "2221000",
                "started_at": started,
                "connected_at": connected,
                "counselor_id": counselor,
                "flagged": flagged,
                "talk_seconds": seconds,
                "ivr_path": "greeting > menu > counselor",
                "open": 0,
            },
        )
        relative = f"2026/03/0{2 if n < 3 else 1}/{cid}.wav"
        _wav(root / relative)
        desk.insert(
            "recordings",
            {
                "id": n,
                "call_id": cid,
                "kind": "conversation",
                "name": f"call-{cid}",
                "path": relative,
                "format": "wav",
                "seconds": seconds,
                "bytes": (root / relative).stat().st_size,
                "status": "stored",
                "recorded_at": connected,
            },
        )
        desk.insert("queue_log", {"at": started, "call_id": cid, "queue": queue, "event": "entered"})
        for kind, at in (("call_started", started), ("recording_started", connected)):
            desk.insert("call_events", {"call_id": cid, "at": at, "kind": kind, "detail": "{}"})
    desk.insert(
        "call_notes",
        {
            "call_id": "call-3",
            "counselor_id": "c1",
            "author": "couns1",
            "at": "2026-03-01T06:05:00+00:00",
            "topic": "tax",
            "note": "자동차세 문의",
        },
    )


def _ids(case: tuple[Any, ...]) -> str:
    return " ".join(str(c) for c in case)


async def _rows_shown(client: TestClient[Any, Any], query: str = "") -> list[str]:
    page = await client.get("/qa" + query)
    assert page.status == 200, await page.text()
    html = await page.text()
    return [cid for cid in ("call-1", "call-2", "call-3") if f'data-call="{cid}"' in html]


# -- who may reach what --------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _, _ in QA_ROUTES], ids=_ids)
async def test_given_no_login_when_qa_route_then_login_page_or_401(
    desk: Desk, method: str, path: str
) -> None:
    seed(desk)
    client = await desk.client()
    response = await client.request(method, path, allow_redirects=False)
    if path.startswith("/api/"):
        assert response.status == 401
    else:
        # A page asks to log in and come back; a form's POST just to log in.
        back = "/login?next=" if method == "GET" else "/login"
        assert response.status == 303 and response.headers["Location"].startswith(back)


async def test_given_a_counselor_then_only_their_own_calls_and_recordings_are_reachable(desk: Desk) -> None:
    seed(desk)
    client = await desk.logged_in("counselor")  # couns1 is counselor c1
    assert await _rows_shown(client, "?from=2026-03-01&to=2026-03-02&counselor=c2") == ["call-1", "call-3"]
    assert (await client.get("/qa/calls/call-1")).status == 200
    assert (await client.get("/api/recordings/1/audio")).status == 200
    # c2's call and recording answer like missing ones (no probing of other ids).
    assert (await client.get("/qa/calls/call-2")).status == 404
    other = await client.get("/api/recordings/2/audio")
    assert other.status == 404 and (await other.json())["error"] == "no-such-recording"
    assert (await client.get("/api/recordings/2/waveform")).status == 404
    token = await csrf_of(client)
    scored = await client.post("/api/calls/call-1/scores", json={}, headers={"X-CSRF-Token": token})
    assert scored.status == 403


@pytest.mark.parametrize(
    "path",
    [
        "/api/recordings/..%2f..%2fetc%2fpasswd/audio",
        "/api/recordings/%2e%2e/audio",
        "/api/recordings/1%2f..%2f2/audio",
        "/api/recordings/-1/audio",
        "/api/recordings/99/audio",
        "/api/recordings/1.wav/audio",
        "/api/recordings/99999999999999999999/audio",
    ],
)
async def test_given_a_path_or_foreign_id_in_the_recording_url_then_404(desk: Desk, path: str) -> None:
    seed(desk)
    client = await desk.logged_in("qa")
    response = await client.get(path)
    assert response.status == 404
    assert b"RIFF" not in await response.read()


async def test_given_a_row_pointing_outside_the_recordings_folder_then_nothing_is_served(desk: Desk) -> None:
    seed(desk)
    secret = desk.root / "secret.wav"
    _wav(secret)
    desk.insert(
        "recordings",
        {
            "id": 9,
            "call_id": "call-1",
            "kind": "conversation",
            "name": "x",
            "path": "../secret.wav",
            "status": "stored",
        },
    )
    client = await desk.logged_in("qa")
    assert (await client.get("/api/recordings/9/audio")).status == 404


# -- the player ------------------------------------------------------------------------------------


async def test_given_qa_when_the_recording_is_fetched_whole_then_wav_no_store_and_one_audit_row(
    desk: Desk,
) -> None:
    seed(desk)
    client = await desk.logged_in("qa")
    response = await client.get("/api/recordings/1/audio")
    body = await response.read()
    assert response.status == 200
    assert body[:4] == b"RIFF" and len(body) == 44 + 8000 * 2 * SECONDS
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Type"] == "audio/wav"
    [played] = desk.audit("recording_played")
    assert (played["actor"], played["target"], played["detail"]) == ("qa1", "1", "call=call-1")


async def test_given_a_seek_when_a_range_is_asked_then_exactly_those_bytes_and_no_new_audit_row(
    desk: Desk,
) -> None:
    seed(desk)
    client = await desk.logged_in("qa")
    size = 44 + 8000 * 2 * SECONDS
    first = await client.get("/api/recordings/1/audio", headers={"Range": "bytes=0-"})
    assert first.status == 206 and first.headers["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    middle = await client.get("/api/recordings/1/audio", headers={"Range": "bytes=24000-24099"})
    assert middle.status == 206
    assert middle.headers["Content-Range"] == f"bytes 24000-24099/{size}"
    assert middle.headers["Cache-Control"] == "no-store"
    body = await middle.read()
    whole = (desk.root / "recordings/2026/03/02/call-1.wav").read_bytes()
    assert body == whole[24000:24100]
    assert len(desk.audit("recording_played")) == 1  # the play, not each seek


@pytest.mark.parametrize(
    "header",
    ["bytes=0-10,5-20", "bytes=0-0,1-1,2-2,3-3", "bytes=" + ",".join(["0-"] * 200), "bytes=99999999-"],
)
async def test_given_many_overlapping_or_outside_ranges_then_416_without_the_file(
    desk: Desk, header: str
) -> None:
    seed(desk)
    client = await desk.logged_in("qa")
    response = await client.get("/api/recordings/1/audio", headers={"Range": header})
    assert response.status == 416
    assert response.headers["Content-Range"] == f"bytes */{44 + 8000 * 2 * SECONDS}"
    assert b"RIFF" not in await response.read()


async def test_given_a_download_then_attachment_and_audited_as_a_download(desk: Desk) -> None:
    seed(desk)
    client = await desk.logged_in("supervisor")
    response = await client.get("/api/recordings/2/audio?download=1")
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="call-call-2.wav"'
    assert [r["target"] for r in desk.audit("recording_downloaded")] == ["2"]


async def test_given_a_purged_or_failed_recording_then_410_saying_why(desk: Desk) -> None:
    seed(desk)
    db = engine.connect(desk.db_path)
    db.execute("UPDATE recordings SET status = 'purged', purge_reason = '보존 기간 경과' WHERE id = 1")
    db.execute("UPDATE recordings SET status = 'failed', error = 'disk full' WHERE id = 3")
    db.conn.commit()
    db.close()
    client = await desk.logged_in("qa")
    purged = await client.get("/api/recordings/1/audio")
    assert purged.status == 410 and "삭제" in (await purged.json())["message"]
    assert (await client.get("/api/recordings/3/audio")).status == 410
    page = await (await client.get("/qa/calls/call-1")).text()
    assert 'id="no-recording"' in page and "보존 기간 경과" in page


async def test_given_the_waveform_then_its_length_and_levels(desk: Desk) -> None:
    seed(desk)
    client = await desk.logged_in("qa")
    data = await (await client.get("/api/recordings/1/waveform")).json()
    assert data["seconds"] == SECONDS
    assert len(data["peaks"]) == 600 and set(data["peaks"]) == {round(3000 / 32768, 3)}


# -- search ---------------------------------------------------------------------------------------


async def test_given_qa_then_numbers_are_masked_and_supervisors_see_them_whole(desk: Desk) -> None:
    seed(desk)
    qa = await desk.logged_in("qa")
    page = await (await qa.get("/qa?from=2026-03-01&to=2026-03-02")).text()
    assert "010-****-5678" in page and "01012345678" not in page and "063-***-1000" in page
    review = await (await qa.get("/qa/calls/call-1")).text()
    assert "010-****-5678" in review and "01012345678" not in review
    supervisor = await desk.logged_in("supervisor")
    assert "01012345678" in await (await supervisor.get("/qa?from=2026-03-01&to=2026-03-02")).text()
    assert [r["target"] for r in desk.audit("call_reviewed")] == ["call-1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?from=2026-03-01&to=2026-03-02", ["call-2", "call-1", "call-3"]),  # newest first
        ("", ["call-2", "call-1", "call-3"]),  # the last 7 days by default
        ("?from=2026-03-02&to=2026-03-02", ["call-2", "call-1"]),
        ("?from=2026-03-01&to=2026-03-01", ["call-3"]),
        ("?from=2026-03-01&to=2026-03-02&counselor=c2", ["call-2"]),
        ("?from=2026-03-01&to=2026-03-02&flagged=yes", ["call-2"]),
        ("?from=2026-03-01&to=2026-03-02&flagged=no", ["call-1", "call-3"]),
        ("?from=2026-03-01&to=2026-03-02&queue=tax", ["call-2"]),
        ("?from=2026-03-01&to=2026-03-02&topic=tax", ["call-3"]),  # tagged by the counselor
        ("?from=2026-03-01&to=2026-03-02&min=4", []),
        ("?from=2026-03-01&to=2026-03-02&min=2&max=3", ["call-2", "call-1", "call-3"]),
    ],
)
async def test_given_a_search_then_matching_recordings_newest_first(
    desk: Desk, query: str, expected: list[str]
) -> None:
    seed(desk)
    client = await desk.logged_in("qa")
    page = await (await client.get("/qa" + query)).text()
    order = sorted(expected, key=lambda cid: page.index(f'data-call="{cid}"'))
    assert order == expected
    assert await _rows_shown(client, query) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("?from=2026-13-01", "'from'"),
        ("?to=yesterday", "'to'"),
        ("?from=2026-03-02&to=2026-03-01", "'from' is after 'to'"),
        ("?min=-5", "'min'"),
        ("?max=abc", "'max'"),
        ("?counselor=c99", "Unknown counselor"),
        ("?flagged=maybe", "'flagged'"),
        ("?topic=%3Cscript%3E", "Unknown topic"),
    ],
)
async def test_given_a_bad_search_then_400_naming_the_field(desk: Desk, query: str, word: str) -> None:
    client = await desk.logged_in("qa")
    response = await client.get("/qa" + query)
    assert response.status == 400
    text = await response.text()
    assert word in html.unescape(text)
    assert "<script>" not in text


# -- scores -----------------------------------------------------------------------------------------


async def _score(client: TestClient[Any, Any], body: dict[str, Any], call: str = "call-1") -> Any:
    token = await csrf_of(client)
    return await client.post(f"/api/calls/{call}/scores", json=body, headers={"X-CSRF-Token": token})


async def test_given_qa_scores_a_call_then_the_weighted_total_reaches_its_counselor(desk: Desk) -> None:
    seed(desk)
    qa = await desk.logged_in("qa")
    response = await _score(qa, {"scorecard": "standard", "points": GOOD, "feedback": "정확한 안내였습니다."})
    assert response.status == 201, await response.text()
    # (5/5·10 + 4/5·20 + 5/5·30 + 3/5·15 + 5/5·15 + 4/5·10) / 100 = (10+16+30+9+15+8) = 88
    assert (await response.json())["total"] == 88.0
    [row] = desk.rows("qa_scores")
    assert (row["counselor_id"], row["scored_by"], json.loads(row["points"])) == ("c1", "qa1", GOOD)
    assert row["read_at"] is None
    assert [r["target"] for r in desk.audit("call_scored")] == ["call-1"]
    counselor = await desk.logged_in("counselor")
    page = await (await counselor.get("/qa/calls/call-1")).text()
    assert "88.0점" in page and "정확한 안내였습니다." in page and 'id="score-form"' not in page
    assert desk.rows("qa_scores")[0]["read_at"] is not None


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"scorecard": "nope", "points": GOOD}, "Unknown scorecard"),
        ({"scorecard": "standard"}, "'points'"),
        ({"scorecard": "standard", "points": GOOD | {"accuracy": 6}}, "0–5"),
        (
            {"scorecard": "standard", "points": {k: v for k, v in GOOD.items() if k != "closing"}},
            "not scored yet",
        ),
        ({"scorecard": "standard", "points": GOOD | {"mood": 1}}, "mood"),
        ({"scorecard": "standard", "points": GOOD, "feedback": "가" * 2001}, "2000"),
    ],
)
async def test_given_a_bad_score_then_400_and_nothing_stored(
    desk: Desk, body: dict[str, Any], word: str
) -> None:
    seed(desk)
    client = await desk.logged_in("qa")
    response = await _score(client, body)
    assert response.status == 400
    assert word in json.dumps(await response.json(), ensure_ascii=False)
    assert desk.rows("qa_scores") == []


async def test_given_an_unknown_call_or_no_csrf_then_no_score(desk: Desk) -> None:
    seed(desk)
    client = await desk.logged_in("qa")
    assert (await _score(client, {"scorecard": "standard", "points": GOOD}, call="nope")).status == 404
    bare = await client.post("/api/calls/call-1/scores", json={"scorecard": "standard", "points": GOOD})
    assert bare.status == 403
    assert desk.rows("qa_scores") == []


async def test_given_a_flagged_call_when_qa_makes_evidence_then_a_signed_package_and_a_legal_hold(
    desk: Desk, tmp_path: Path
) -> None:
    seed(desk)
    client = await desk.logged_in("qa")
    page = await (await client.get("/qa/calls/call-2")).text()
    assert 'id="make-evidence"' in page and 'id="key-fingerprint"' in page
    assert 'id="make-evidence"' not in await (await client.get("/qa/calls/call-1")).text()  # not flagged
    token = await csrf_of(client)
    made = await client.post("/qa/calls/call-2/evidence", data={"csrf_token": token}, allow_redirects=False)
    assert made.status == 303 and made.headers["Location"] == "/qa/calls/call-2?evidence=v1#evidence"
    again = await client.post("/qa/calls/call-2/evidence", data={"csrf_token": token}, allow_redirects=False)
    assert again.headers["Location"] == "/qa/calls/call-2?evidence=v2#evidence"
    page = await (await client.get("/qa/calls/call-2")).text()
    assert 'data-version="1"' in page and 'data-version="2"' in page
    for version in ("v1", "v2"):
        download = await client.get(f"/qa/calls/call-2/evidence/{version}.zip")
        assert download.status == 200 and download.headers["Content-Type"] == "application/zip"
        package = tmp_path / f"{version}.zip"
        package.write_bytes(await download.read())
        assert verify(package).ok
    assert desk.rows("recordings", "call_id = ?", ["call-2"])[0]["legal_hold"] == 1
    assert [a["detail"][:2] for a in desk.audit("evidence_package")] == ["v1", "v2"]
    assert len(desk.audit("evidence_downloaded")) == 2
    refused = await client.post("/qa/calls/call-1/evidence", data={"csrf_token": token})
    assert refused.status == 400 and "Only a flagged call" in await refused.text()
    assert (await client.get("/qa/calls/call-2/evidence/v9.zip")).status == 404
