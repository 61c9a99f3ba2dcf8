"""The project's one exception tree.

    HotlineError
    ├── ConfigError          config.yaml is wrong; carries one line per problem
    ├── PbxError             the embedded Asterisk cannot be installed, rendered or run
    ├── AlreadyServing       another `ivr serve` holds the same Stasis app
    ├── IllegalCounselorTransition   (ivr.acd) a counselor state change the table forbids
    ├── AriError             Asterisk's REST interface answered with an error
    │   ├── CallGone         the caller or counselor hung up before our request
    │   │                    arrived (404/409/412/422, 400 "not found"): expected,
    │   │                    handled quietly, never a traceback
    │   ├── AriUnavailable   Asterisk cannot be reached right now
    │   └── RecordingRefused Asterisk would not start a recording (the call goes on)
    ├── StoreError           the call record database refused a write
    └── DeskError            (ivr.admin.problems) the web desk refuses a request: an HTTP
        ├── InvalidInput     status and a kebab-case code; messages in Korean and English
        ├── NotLoggedIn, Forbidden, CsrfRejected, TooManyAttempts
        └── NoSuchUser, UserExists

Lower-level errors (aiohttp, sqlite3, OSError) are re-raised as one of these
with `raise ... from exc`, so callers handle our words, not a library's.
"""

from __future__ import annotations


class HotlineError(Exception):
    """Base of every error the service raises on purpose."""


class ConfigError(HotlineError):
    """config.yaml (or a flow file) has problems; `problems` has one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class AlreadyServing(HotlineError):
    """Another service already serves this Stasis application (see runtime/service_lock.py)."""


class PbxError(HotlineError):
    """The embedded Asterisk cannot be installed, configured or run."""


class AriError(HotlineError):
    """Asterisk's REST interface answered with an error."""

    def __init__(self, message: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class CallGone(AriError):
    """The channel or bridge went away between an event and our request."""


class AriUnavailable(AriError):
    """Asterisk's HTTP server cannot be reached."""


class RecordingRefused(AriError):
    """Asterisk answered a request to record with an error (full disk, no folder)."""

    def __init__(self, name: str, message: str, status: int | None = None) -> None:
        self.name = name
        super().__init__(message, status)


class StoreError(HotlineError):
    """The call record database refused a write."""
