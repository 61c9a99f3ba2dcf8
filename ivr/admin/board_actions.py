"""A supervisor acting from the wallboard: listen to, whisper to or barge into a
counselor's call, or log the counselor out.

The buttons go through the same code as the phones' codes: listening rings the
supervisor's own phone (config.yaml `supervisors:`, the entry whose `user` is
their desk username) into the `*31NN`-`*33NN` code (acd/supervision.py), which
the service then handles exactly as if they had keyed it; logging out is
`CounselorActions` with the `*22` action. The desk audits each request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from ivr.acd import supervision
from ivr.acd.actions import Action, ActionResult, CounselorActions
from ivr.acd.counselor_model import CounselorState
from ivr.acd.dispatcher import Dispatcher
from ivr.errors import HotlineError

# Rings supervisor `id` into `code`; raises HotlineError when the PBX refuses.
Ring = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True)
class SupervisorPhone:
    """A supervisor's phone from config.yaml: their id there, its name and endpoint."""

    id: str
    name: str
    endpoint: str


class BoardActions:
    """What the wallboard's buttons do, for the desk user pressing them."""

    def __init__(self, acd: Dispatcher, phones: Mapping[str, SupervisorPhone], ring: Ring | None) -> None:
        self.acd = acd
        self.phones = dict(phones)  # desk username -> their phone
        self.ring = ring  # None: no PBX beside this desk
        self.actions = CounselorActions(acd)

    def phone_of(self, username: str) -> SupervisorPhone | None:
        return self.phones.get(username) if self.ring is not None else None

    async def supervise(self, username: str, counselor_id: str, mode: supervision.Mode) -> ActionResult:
        """Ring the supervisor's phone into the code for `mode` on this counselor's call."""
        phone = self.phone_of(username)
        if phone is None or self.ring is None:
            return self._told(
                counselor_id,
                False,
                "감독자 전화기가 없습니다. 관리자에게 config.yaml supervisors의 user 설정을 요청하십시오.",
                f"no supervisor phone for {username} (config.yaml supervisors: user)",
            )
        if self.acd.state(counselor_id) is not CounselorState.ON_CALL:
            return self._told(
                counselor_id,
                False,
                "이 상담사는 지금 통화 중이 아닙니다.",
                f"{counselor_id} is not on a call",
            )
        dialed = supervision.code(mode, counselor_id, list(self.acd.counselors))
        try:
            await self.ring(phone.id, dialed)
        except HotlineError as exc:
            ko = "전화기를 울릴 수 없습니다. 잠시 후 다시 시도하십시오."
            return self._told(counselor_id, False, ko, f"cannot ring: {exc}")
        return self._told(
            counselor_id,
            True,
            f"{phone.name} 전화기({phone.endpoint})가 울립니다. 받으시면 연결됩니다.",
            f"ringing {phone.endpoint} into {dialed}",
        )

    def log_out(self, counselor_id: str) -> ActionResult:
        """Log the counselor out, as their *22 would (after the call, if they are on one)."""
        return self.actions.request(counselor_id, Action.LOGOUT, None)

    def _told(self, counselor_id: str, ok: bool, ko: str, en: str) -> ActionResult:
        return ActionResult(ok, self.acd.state(counselor_id).value, None, ko, en)
