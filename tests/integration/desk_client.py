"""The web desk from a test, as a logged-in user's browser would call it (no browser)."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from tests.integration.conftest import WEB_PORT

BASE = f"http://127.0.0.1:{WEB_PORT}"


class DeskClient:
    """One user's session on the desk: logs in, then sends JSON with the CSRF token."""

    def __init__(self, username: str, password: str) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self._read(urllib.request.Request(f"{BASE}/login"))
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None, page[:500]
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrf_token": token.group(1), "next": "/"}
        ).encode()
        self._read(urllib.request.Request(f"{BASE}/login", data=form))
        home = self._read(urllib.request.Request(f"{BASE}/"))
        meta = re.search(r'name="csrf-token" content="([^"]+)"', home)
        assert meta is not None, "not logged in"
        self.csrf = meta.group(1)

    def _read(self, request: urllib.request.Request) -> str:
        with self.opener.open(request, timeout=10) as response:
            return str(response.read().decode())

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            f"{BASE}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRF-Token": self.csrf},
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            with err:
                return err.code, json.loads(err.read())
