"""The seam between the call-center core and the outside world.

Protocols here speak the call center's words (caller, counselor, prompt,
digit); the ARI edge implements them with channels, bridges and playbacks, and
unit tests implement them with small scripted fakes.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class OfferResult(enum.Enum):
    """How an attempt to ring a counselor's phone ended."""

    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    REJECTED = "rejected"
    UNREACHABLE = "unreachable"
    # The PBX did not take the request to ring (its API unreachable or
    # overloaded): nothing the counselor did, so not counted as a miss.
    PBX_FAILED = "pbx_failed"


class Disposition:
    """How a call ended, in the words the records and reports use."""

    ANSWERED = "answered"  # talked to a counselor
    ABANDONED_IVR = "abandoned_ivr"  # the caller hung up in the IVR (the menu, a message, a callback request)
    ABANDONED_QUEUE = "abandoned_queue"  # the caller hung up while waiting in line
    ABANDONED_RINGING = "abandoned_ringing"  # the caller hung up while a counselor's phone rang for them
    IVR_ENDED = "ivr_ended"  # the IVR said goodbye
    NO_COUNSELOR = "no_counselor"  # nobody could take the call; the IVR said goodbye
    FALLBACK = "fallback"  # handed to the PBX's fallback (service draining)
    FAILED = "failed"  # a fault on our side; logged with a traceback
    LOST = "lost"  # ended while the service was down; end time is when we noticed
    CALLBACK_UNANSWERED = "callback_unanswered"  # a callback attempt reached no conversation
    # Calls Asterisk's own fallback queue took while the service was down
    # (imported from its queue_log: ivr/store/fallback_calls.py).
    FALLBACK_ANSWERED = "fallback_answered"  # a counselor took it through the fallback queue
    FALLBACK_ABANDONED = "fallback_abandoned"  # the caller hung up while waiting there
    FALLBACK_NO_COUNSELOR = "fallback_no_counselor"  # nobody could take it; the prompt asked to call again


class CounselorLeg(Protocol):
    """A counselor's phone that answered and can be joined to a caller."""

    counselor_id: str
    leg_id: str

    async def wait_ended(self) -> None:
        """Return when the counselor has hung up."""

    async def line_lost(self) -> bool:
        """Once it has ended: whether the call ended because the phone's line
        broke (no audio any more, its network gone), not because its person
        hung up."""

    async def next_key(self) -> str:
        """The next key the counselor presses on their phone."""


class CallControl(Protocol):
    """One citizen's call, as the flow sees it."""

    call_id: str
    caller: str
    dialed: str

    async def answer(self) -> None: ...

    async def play(self, prompts: Sequence[str], *, barge_in: bool = True) -> str | None:
        """Play prompts in order; with barge_in, stop at the first digit and return it."""

    async def read_digit(self, timeout: float) -> str | None:
        """The next digit the caller presses, or None after `timeout` seconds."""

    def discard_digits(self) -> None:
        """Forget digits pressed so far (type-ahead that no longer applies)."""

    async def hold(self, on: bool) -> None:
        """Music on hold for the caller while counselors are rung (on), or stop it."""

    async def offer(
        self, counselor_id: str, endpoint: str, ring_seconds: float
    ) -> tuple[OfferResult, CounselorLeg | None]:
        """Ring a counselor's phone; the leg when they answered."""

    async def connect(self, leg: CounselorLeg) -> None:
        """Join the caller and the counselor in one conversation."""

    async def announce(self, prompts: Sequence[str], language: str) -> None:
        """Play prompts into the conversation: both sides hear them, the recording keeps them."""

    async def record_conversation(self) -> str | None:
        """Start recording the conversation; its name. RecordingRefused (or
        None) when the PBX will not record: the conversation goes on regardless."""

    async def release(self, leg: CounselorLeg) -> None:
        """Hang up a counselor's phone and end the conversation's bridge (quietly, if gone)."""

    async def join(self, leg: CounselorLeg) -> None:
        """Bring a phone that answered into the conversation (a transfer's department)."""

    async def drop(self, leg: CounselorLeg) -> None:
        """Hang up one phone; the conversation goes on without it."""

    async def aside(self, leg: CounselorLeg) -> None:
        """Take a phone out of the conversation into a private consultation; the
        caller hears hold music while anyone is aside."""

    async def back(self, leg: CounselorLeg) -> None:
        """Bring a phone from the consultation back into the conversation; the
        hold music stops."""

    async def record_message(
        self, *, max_seconds: int, silence_seconds: int, beep: bool
    ) -> tuple[str, float] | None:
        """Record what the caller says (voicemail); its name and seconds, None on failure."""

    async def hangup(self) -> None:
        """End the caller's call."""

    async def divert_to_fallback(self) -> None:
        """Hand the caller to the PBX's own fallback (the service is draining)."""


class OutboundCall(CallControl, Protocol):
    """A call the hotline places to a citizen (a callback)."""

    async def dial(self, ring_seconds: float) -> OfferResult:
        """Ring the citizen; ANSWERED once they picked up."""


class Dialer(Protocol):
    """Places calls to citizens through the carrier."""

    def prepare(self, call_id: str, number: str) -> OutboundCall: ...

    def forget(self, call_id: str) -> None:
        """The attempt is over: stop routing its events (idempotent)."""


# Q.850 hangup causes by the names call records give them (CallFacts.hangup_cause):
# the PBX reports the codes, live (ARI) and in its queue_log (the fallback's calls).
_HANGUP_CAUSES = {
    16: "normal_clearing",
    17: "user_busy",
    18: "no_user_response",
    19: "no_answer",
    21: "call_rejected",
    27: "destination_out_of_order",
    31: "normal_unspecified",
    34: "no_circuit_available",
    38: "network_out_of_order",
    41: "temporary_failure",
    44: "requested_chan_unavail",
    102: "recovery_on_timer_expire",
    127: "interworking",
}


def hangup_cause_name(code: int | None) -> str | None:
    """A Q.850 cause code's name in call records; `cause_<code>` for one without a name."""
    if code is None:
        return None
    return _HANGUP_CAUSES.get(code, f"cause_{code}")


@dataclass
class CallFacts:
    """What the record of one call says; the store persists it as it grows."""

    call_id: str
    caller: str
    dialed: str
    started_at: datetime
    answered_at: datetime | None = None
    connected_at: datetime | None = None
    ended_at: datetime | None = None
    counselor_id: str | None = None
    counselor_leg: str | None = None
    # The department a counselor handed the caller to (a blind transfer):
    # counselor_leg is then that department's phone, the counselor is free.
    handed_to: str | None = None
    disposition: str | None = None
    topic: str | None = None
    category: str | None = None
    recording: str | None = None
    flagged: str | None = None  # e.g. "abuse": its recording is kept from deletion
    hangup_cause: str | None = None
    hangup_by: str | None = None
    ivr_path: list[str] = field(default_factory=list)
    # A synthetic call of `ivr rehearse`: kept apart from every figure (docs/rehearsal.md).
    rehearsal: bool = False


class QueueEvent(enum.Enum):
    """What the queue log records, in the spirit of Asterisk's queue_log."""

    ENTERED = "entered"
    REFUSED = "refused"  # full, or nobody logged in (closed)
    OFFERED = "offered"
    RING_NO_ANSWER = "ring_no_answer"  # also busy, rejected or unreachable
    CONNECTED = "connected"
    ABANDONED = "abandoned"  # the caller hung up while waiting, or while a counselor's phone rang
    EXIT_TIMEOUT = "exit_timeout"
    EXIT_EMPTY = "exit_empty"  # nobody works the queue any more
    EXIT_KEY = "exit_key"  # the caller left with the leave key (callback, message)
    TRANSFERRED = "transferred"
    COMPLETED_CALLER = "completed_caller"
    COMPLETED_COUNSELOR = "completed_counselor"
    CALLBACK_REQUESTED = "callback_requested"
    CALLBACK_ATTEMPTED = "callback_attempted"
    CALLBACK_CONNECTED = "callback_connected"


@dataclass(frozen=True)
class QueueLogEntry:
    """One line of the queue log. `waited` and `talked` are seconds."""

    call_id: str
    queue: str
    event: QueueEvent
    counselor_id: str | None = None
    position: int | None = None  # in line when this happened
    entry_position: int | None = None  # in line when the caller entered
    waited: float | None = None
    talked: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WaitingPlace:
    """Where a caller stood in line when the service stopped: their place is kept."""

    queue: str
    entered_at: datetime
    entry_position: int | None = None
    priority: bool = False


@dataclass
class CallbackRequest:
    """A citizen to call back; `place_at` is where they were in line."""

    id: int
    number: str
    queue: str | None
    place_at: datetime
    attempts: int = 0
    next_at: datetime | None = None
    call_id: str | None = None  # the call that asked for it
    booked_for: datetime | None = None  # 예약 상담: the hour slot the citizen chose


class CallRecords(Protocol):
    """Every call's record and timeline: all writes but `opened` go behind, in order."""

    async def opened(self, facts: CallFacts) -> None: ...

    async def updated(self, facts: CallFacts) -> None: ...

    async def event(self, call_id: str, at: datetime, kind: str, detail: dict[str, Any]) -> None:
        """One line of the call's timeline. It may return before the line is
        written (the caller's next prompt need not wait for it), but lines land
        in the order given, before any write asked for after them."""

    async def closed(self, facts: CallFacts) -> None: ...

    async def queue_log(self, at: datetime, entry: QueueLogEntry) -> None: ...

    async def open_calls(self) -> list[CallFacts]: ...

    async def waiting_place(self, call_id: str) -> WaitingPlace | None:
        """The caller's place in line if the queue log says they were still waiting."""

    async def recent_calls(self, caller: str, since: datetime, exclude: str | None = None) -> int:
        """How many calls this number made since then."""

    async def strikes(self, caller: str, since: datetime | None = None) -> int:
        """Strikes against this number (abusive calls ended), not cleared, since then."""

    async def add_callback(
        self, call_id: str, number: str, queue: str | None, at: datetime, place_at: datetime | None = None
    ) -> tuple[int, bool]:
        """Store a callback request holding the place it had at `place_at` (else `at`).

        A pending request for the same number absorbs it (keeping the earlier
        place): returns (id, True) then, else (new id, False)."""

    async def pending_callbacks(self) -> list[CallbackRequest]:
        """Requests still to be served, in the order of their places."""

    async def callback_attempted(
        self,
        callback_id: int,
        at: datetime,
        *,
        call_id: str,
        counselor_id: str | None,
        result: str,
        event: str,
        attempts: int,
        next_at: datetime | None,
    ) -> str:
        """Log one attempt and move the request by `event` (calls/followup_states.py); its status after."""

    async def add_survey_answer(self, call_id: str, question: str, answer: int, at: datetime) -> None: ...

    async def add_strike(self, number: str, call_id: str, reason: str, at: datetime) -> None:
        """An abuse strike against a caller's number (flows branch on the count)."""

    async def add_voicemail(
        self, call_id: str, caller: str, recording: str, seconds: float, at: datetime
    ) -> None: ...


class PromptRecordings(Protocol):
    """The prompt studio as a desk phone reaches it (record by phone: *5 and a prompt's number)."""

    def knows(self, number: str) -> bool:
        """Whether the studio has a prompt of this number."""
        ...

    async def keep(self, number: str, audio: bytes, who: str) -> str | None:
        """Make `audio` (a WAV the PBX recorded) that prompt's take and publish it:
        None when it is published, else why not (Korean first, for the log)."""
        ...


class RecordingLog(Protocol):
    """Told what becomes of a call's recordings (the copier behind it keeps them)."""

    def started(self, call_id: str, kind: str, name: str) -> None:
        """The PBX began recording `name` (kind: conversation | voicemail)."""

    def finished(self, call_id: str, kind: str, name: str, cut_short: bool = False) -> None:
        """The PBX finished `name`: it may be copied now. `cut_short`: it ended
        while the conversation went on (the PBX could write no more)."""

    def failed(self, call_id: str, kind: str, name: str, error: str) -> None:
        """The PBX could not record (or refused to): the call goes on without it."""


@dataclass(frozen=True)
class StoredRecording:
    """A recording copied into the hotline's own storage and verified."""

    name: str
    path: str
    sha256: str
    bytes: int
    seconds: float


class RecordingArchive(Protocol):
    """Where recordings are kept: their rows and their files."""

    async def started(self, call_id: str, kind: str, name: str, at: datetime) -> None:
        """A `pending` row (nothing if the recording is known already)."""

    async def failed(self, call_id: str, kind: str, name: str, error: str, at: datetime) -> str | None:
        """Mark it `failed` with the error (a new row if unknown): its call's id,
        or None when it was failed (or stored) already."""

    async def keep(self, name: str, data: bytes, at: datetime) -> StoredRecording:
        """Write the file, verify it, mark the row `stored` (StoreError if it cannot)."""

    async def waiting(self) -> list[tuple[str, str]]:
        """(call id, name) of every `pending` recording, oldest first."""

    async def troubled(self, name: str, error: str) -> None:
        """Say what is wrong with a recording on its row: a copy attempt that
        failed (a full disk here; a later verified copy clears it), or a stored
        file shorter than the PBX said it recorded."""

    async def is_pending(self, name: str) -> bool: ...


class RecordingSource(Protocol):
    """The PBX's own copies of recordings."""

    async def in_progress(self, name: str) -> bool:
        """Whether the PBX is still recording `name`."""

    async def fetch(self, name: str) -> bytes:
        """The finished file (CallGone when the PBX has none by that name)."""

    async def discard(self, name: str) -> None:
        """Delete the PBX's copy (quietly if it is gone already)."""


class Clock(Protocol):
    def now(self) -> datetime: ...
