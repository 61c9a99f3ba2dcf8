"""The browser softphone's account, for the counselor it belongs to, and the local CA to trust.

A counselor with `phones: [browser]` (or both) has a WebRTC endpoint of their
own (`<endpoint>-web`, pjsip.conf.j2) with a generated password (secrets.py).
The desk hands it to that counselor's own logged-in page and to nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.ari.phone_targets import browser_endpoint
from ivr.config import LoadedConfig
from ivr.config.telephony import CounselorSettings
from ivr.pbx import embedded, tls
from ivr.pbx.phones import EVERY_ADDRESS


@dataclass(frozen=True)
class SoftphoneAccount:
    """What JsSIP registers with: the secure WebSocket, the SIP identity and its password."""

    ws_url: str
    uri: str
    user: str
    password: str
    display_name: str


@dataclass(frozen=True)
class Softphones:
    """The browser phones of config.yaml and where their secrets and certificate live."""

    cfg: LoadedConfig

    def has_browser(self, counselor_id: str) -> bool:
        return any(c.id == counselor_id and "browser" in c.phones for c in self.cfg.settings.counselors)

    def supervisor_has_browser(self, username: str) -> bool:
        """Whether the desk user `username` is a supervisor (config.yaml `supervisors[].user`) with
        a browser phone: their wallboard registers it, and its buttons ring it."""
        return self._supervisor(username) is not None

    def _supervisor(self, username: str) -> CounselorSettings | None:
        found = (v for v in self.cfg.settings.supervisors if v.user == username and "browser" in v.phones)
        return next(found, None)

    def account_for(self, counselor_id: str, page_host: str) -> SoftphoneAccount | None:
        """The counselor's browser account (None: no browser phone); `page_host`: the host the
        desk was reached at, used when Asterisk's WebSocket listens on every address."""
        s = self.cfg.settings
        found = next((c for c in s.counselors if c.id == counselor_id and "browser" in c.phones), None)
        return None if found is None else self._account(found, page_host)

    def account_for_supervisor(self, username: str, page_host: str) -> SoftphoneAccount | None:
        """The browser account of the supervisor whose desk user is `username` (None: none)."""
        found = self._supervisor(username)
        return None if found is None else self._account(found, page_host)

    def _account(self, found: CounselorSettings, page_host: str) -> SoftphoneAccount:
        user = browser_endpoint(found.endpoint)
        password = embedded.load_secrets(self.cfg).phones[user]
        host = self._host(page_host)
        return SoftphoneAccount(
            ws_url=f"{self.ws_origin(page_host)}/ws",
            uri=f"sip:{user}@{host}",
            user=user,
            password=password,
            display_name=found.name,
        )

    def ws_origin(self, page_host: str) -> str:
        """Where the pages' scripts may connect for SIP (the counselor page's CSP)."""
        return f"wss://{self._host(page_host)}:{self.cfg.settings.asterisk.wss_port}"

    def _host(self, page_host: str) -> str:
        """Asterisk's WebSocket host as a URL names it; on every address, the page's own."""
        a = self.cfg.settings.asterisk
        host = page_host if a.wss_address in EVERY_ADDRESS else a.wss_address
        return f"[{host.strip('[]')}]" if ":" in host else host

    def ca_certificate(self) -> bytes | None:
        """The local CA's certificate (PEM) that signed Asterisk's; None before it is made."""
        path = tls.tls_files(self.cfg.resolve(self.cfg.settings.storage.state_dir)).ca_cert
        return path.read_bytes() if path.is_file() else None
