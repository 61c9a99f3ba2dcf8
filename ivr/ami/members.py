"""Who is a member of Asterisk's fallback queue, and the AMI actions that say so.

Pure: counselor states in, AMI actions (plain dicts) out. Each action states
where a member must end up, never a change from where it was: panoramisk
sends an unanswered action again after a reconnect, and the same action
twice, or late, must leave the queue as it should be.

| counselor state | fallback queue member |
|---|---|
| logged_out | not a member (QueueRemove) |
| paused (reason) | member, paused with the reason |
| available, reserved, on_call, wrap_up | member, not paused |

A counselor on a call is still a member: app_queue sees the phone in use
(`ringinuse = no`) and does not ring it. Wrap-up is not a pause in the
fallback queue either: if the service died during it, the counselor would
stay paused while only app_queue can give citizens a counselor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ivr.acd.counselor_model import CounselorState, PauseReason

FALLBACK_QUEUE = "hotline-fallback"

# Answers that mean the member already was where the action puts it.
ALREADY_SO = ("Already there", "Not there")


@dataclass(frozen=True)
class Membership:
    """Where one counselor must be in the fallback queue."""

    member: bool
    paused: bool = False
    reason: str | None = None


OUT = Membership(member=False)


def membership(state: CounselorState, reason: PauseReason | None) -> Membership:
    if state is CounselorState.LOGGED_OUT:
        return OUT
    if state is CounselorState.PAUSED:
        return Membership(member=True, paused=True, reason=reason.value if reason else None)
    return Membership(member=True)


def interface(endpoint: str) -> str:
    return f"PJSIP/{endpoint}"


def actions_for(counselor_id: str, endpoint: str, want: Membership) -> list[dict[str, str]]:
    """The actions that put one counselor where `want` says, whatever they were before.

    A member is added (an error "Already there" when they were: harmless),
    then paused or unpaused explicitly, because QueueAdd leaves an existing
    member's pause as it was.
    """
    iface = interface(endpoint)
    if not want.member:
        return [remove(iface)]
    paused = "true" if want.paused else "false"
    add = {
        "Action": "QueueAdd",
        "Queue": FALLBACK_QUEUE,
        "Interface": iface,
        "MemberName": counselor_id,
        "StateInterface": iface,
        "Paused": paused,
    }
    pause = {"Action": "QueuePause", "Queue": FALLBACK_QUEUE, "Interface": iface, "Paused": paused}
    if want.paused and want.reason:
        pause["Reason"] = want.reason
    return [add, pause]


def changed(before: Mapping[str, Membership], after: Mapping[str, Membership]) -> list[str]:
    """Counselors whose membership differs (all of them when `before` is empty)."""
    return [cid for cid, want in after.items() if before.get(cid) != want]


def strangers(members: Iterable[str], endpoints: Iterable[str]) -> list[str]:
    """Interfaces in the queue that are no counselor's phone (a counselor taken
    out of config.yaml, or a member added by hand): they must leave, or app_queue
    would ring a phone nobody answers for the hotline."""
    ours = {interface(e) for e in endpoints}
    return sorted({m for m in members if m and m not in ours})


def remove(iface: str) -> dict[str, str]:
    return {"Action": "QueueRemove", "Queue": FALLBACK_QUEUE, "Interface": iface}
