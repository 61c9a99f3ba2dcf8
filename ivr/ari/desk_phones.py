"""Desk phones: the codes counselors and supervisors key on them, and whether
a counselor's phone can be reached.

A code keyed on a desk phone enters Stasis with args `feature,<code>` (a
counselor's state: log in, pause, back; acd/feature_codes.py) or
`supervise,<code>` (listen to, whisper to or barge into a counselor's call;
acd/supervision.py) or `prompt,*5<number>` (an admin records a prompt on a
supervisor's phone, for the prompt studio). The call is the code's, not a citizen's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from ivr.acd import feature_codes, supervision
from ivr.acd.actions import CounselorActions
from ivr.ari.call import AriCall
from ivr.ari.channels import hang_up_quietly
from ivr.ari.phone_targets import BROWSER_SUFFIX
from ivr.ari.rest import REQUEST_ERRORS, AriRest
from ivr.calls.service import CallService
from ivr.errors import CallGone
from ivr.ports import PromptRecordings

log = logging.getLogger(__name__)

PROMPT_TRIES = 5  # recordings on one call before it ends
PROMPT_MAX_SECONDS = 120
PROMPT_CHOICE_SECONDS = 8.0


def _endpoint_of(channel: dict[str, Any]) -> str:
    """A PJSIP channel is named after its endpoint: PJSIP/<endpoint>-<sequence>."""
    return str(channel.get("name", "")).removeprefix("PJSIP/").rpartition("-")[0]


# Asterisk's HTTP server refuses a request line over 4 KB ("Request line too
# long", 400; http.c's MAX_HTTP_LINE_LENGTH): some hundred counselors' endpoints
# in one subscription query. Found by the load benchmark with 180 counselors.
SUBSCRIPTION_QUERY_CHARS = 2000


def _in_chunks(sources: list[str]) -> list[list[str]]:
    """Event sources in groups whose query (URL-encoded) stays well under the limit."""
    chunks: list[list[str]] = [[]]
    size = 0
    for source in sources:
        cost = len(quote(source, safe="")) + 3  # and the encoded comma
        if chunks[-1] and size + cost > SUBSCRIPTION_QUERY_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(source)
        size += cost
    return chunks


class PhoneSight:
    """What each node (its DeskPhones) says of the phones: with several nodes a
    phone is offline only when every node that said anything says so; the
    best of their states (a node just started has not qualified it yet)."""

    def __init__(self) -> None:
        self._said: dict[str, dict[int, bool]] = {}  # endpoint -> {node: offline}

    def say(self, node: object, endpoint: str, offline: bool) -> None:
        self._said.setdefault(endpoint, {})[id(node)] = offline

    def forget(self, node: object) -> None:
        for said in self._said.values():
            said.pop(id(node), None)

    def offline(self, endpoint: str) -> bool:
        said = self._said.get(endpoint) or {}
        return bool(said) and all(said.values())


class DeskPhones:
    """The counselors' and supervisors' desk phones."""

    def __init__(
        self,
        rest: AriRest,
        app: str,
        service: CallService,
        calls: dict[str, AriCall],
        supervisor_phones: dict[str, str] | None,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        rings: dict[str, tuple[str, ...]] | None = None,
        sight: PhoneSight | None = None,
    ) -> None:
        self.rest = rest
        self.app = app
        self.service = service
        self.calls = calls  # the hub's: a code's call is routed like any other
        self.actions = CounselorActions(service.acd)
        self.supervisor_phones: dict[str, str] = dict(supervisor_phones or {})  # endpoint -> id
        # A counselor's phone endpoint -> the endpoints that ring for it: the desk
        # phone, the browser's softphone, or both (phone_targets.py).
        self.rings: dict[str, tuple[str, ...]] = dict(rings or {})
        # Counselors' phones (desk and browser) by PJSIP endpoint name: their codes, their state.
        self.rung = {cid: self.rings.get(ep, (ep,)) for cid, ep in service.acd.endpoints.items()}
        self.phones = {endpoint: cid for cid, endpoint in service.acd.endpoints.items()}
        self.phones |= {ep: cid for cid, eps in self.rung.items() for ep in eps}
        self.sight = sight or PhoneSight()  # shared by the nodes' DeskPhones (nodes.py)
        self._spawn = spawn
        # The prompt studio, for *5<number> (set by the composition root; None: no such code).
        self.prompts: PromptRecordings | None = None

    def keyed(self, channel: dict[str, Any], args: list[Any]) -> None:
        """A desk phone's call entered Stasis with a code (args `feature|supervise,<code>`)."""
        code = args[1] if len(args) > 1 else ""
        phone = AriCall(self.rest, self.app, channel, code)
        self.calls[phone.call_id] = phone
        endpoint = _endpoint_of(channel)
        if args[0] == "feature":
            self._spawn(self._answer_feature(phone, self.phones.get(endpoint), code))
        elif args[0] == "prompt":
            self._spawn(self._record_prompt(phone, self.supervisor_phones.get(endpoint), code))
        else:
            self._spawn(self._supervision(phone, self.supervisor_phones.get(endpoint), code))

    # -- counselors' feature codes -------------------------------------------
    async def _answer_feature(self, call: AriCall, counselor_id: str | None, dialed: str) -> None:
        try:
            code = feature_codes.parse(dialed)
            result = None
            if code is not None and counselor_id is not None:
                action, reason = code
                result = self.actions.request(counselor_id, action, reason)
                log.info("counselor %s keyed %s: %s", counselor_id, dialed, result.message_en)
            else:
                log.info(
                    "feature code %r from %s: no such code or not a counselor's phone", dialed, call.call_id
                )
            await call.answer()
            await call.play(
                [f"jeonju/{feature_codes.spoken(code[0] if code else None, result, dialed)}"], barge_in=False
            )
            await call.hangup()
        except REQUEST_ERRORS as exc:
            log.info("feature call %s ended early: %s", call.call_id, exc)
        finally:
            self.calls.pop(call.call_id, None)

    # -- an admin recording a prompt -----------------------------------------
    async def _record_prompt(self, call: AriCall, who: str | None, dialed: str) -> None:
        """*5<number>: record after the beep, hear it back, 1 keeps it (published at
        once, as PBX admins expect), 2 records again; anything else ends the call unkept."""
        number = dialed.removeprefix("*5")
        try:
            await call.answer()
            if self.prompts is None or who is None or not self.prompts.knows(number):
                log.info("prompt code %r from %s: no such prompt or not an admin's phone", dialed, who)
                await call.play(["jeonju/desk-unknown"], barge_in=False)
                return
            for _ in range(PROMPT_TRIES):
                await call.play(["jeonju/studio-record"], barge_in=False)
                name = await call.record_prompt(PROMPT_MAX_SECONDS)
                if name is None:
                    continue
                call.discard_digits()  # the # that ended the recording is not the answer
                choice = await call.play([f"recording:{name}", "jeonju/studio-choose"], barge_in=True)
                choice = choice or await call.read_digit(PROMPT_CHOICE_SECONDS)
                if choice != "1":
                    await self._forget(name)
                    if choice == "2":
                        continue
                    return
                audio = await self.rest.read_bytes(f"recordings/stored/{quote(name)}/file")
                await self._forget(name)
                refused = await self.prompts.keep(number, audio, who)
                if refused is None:
                    log.info("%s recorded prompt %s by phone; published", who, number)
                    await call.play(["jeonju/studio-saved"], barge_in=False)
                    return
                log.info("%s's phone recording of prompt %s refused: %s", who, number, refused)
                await call.play(["jeonju/studio-refused"], barge_in=False)
        except REQUEST_ERRORS as exc:
            log.info("prompt recording call %s ended early: %s", call.call_id, exc)
        finally:
            await hang_up_quietly(self.rest, call.call_id)
            self.calls.pop(call.call_id, None)

    async def _forget(self, name: str) -> None:
        with contextlib.suppress(*REQUEST_ERRORS):
            await self.rest.delete(f"recordings/stored/{quote(name)}")

    # -- supervisors listening, whispering, barging -------------------------
    async def _supervision(self, watcher: AriCall, supervisor_id: str | None, dialed: str) -> None:
        call = leg = bridge = None
        try:
            found = supervision.parse(dialed, list(self.service.acd.counselors)) if supervisor_id else None
            if found is not None:
                mode, counselor_id = found
                counselor = self.service.acd.counselors[counselor_id]
                call = self.calls.get(counselor.call_id or "")
                legs = call.legs.values() if call is not None else ()
                leg = next((x for x in legs if x.counselor_id == counselor_id and x.answered.done()), None)
            await watcher.answer()
            if call is None or leg is None or found is None:
                log.info("supervisor %s keyed %s: no such call to join", supervisor_id, dialed)
                await watcher.play(["jeonju/supervise-none"], barge_in=False)
                return
            bridge = await call.monitor(leg, watcher.call_id, mode.value)
            self.service.supervisor_joined(call.call_id, supervisor_id, mode.value)
            ended: set[asyncio.Future[Any]] = {watcher.gone, leg.gone, call.gone}
            await asyncio.wait(ended, return_when=asyncio.FIRST_COMPLETED)
            self.service.note(call.call_id, "supervisor_left", supervisor=supervisor_id, mode=mode.value)
        except (*REQUEST_ERRORS, TimeoutError) as exc:
            log.warning("supervising %s ended early: %s", dialed, exc)
        finally:
            if call is not None:
                await call.end_monitor(bridge)
            await hang_up_quietly(self.rest, watcher.call_id)
            self.calls.pop(watcher.call_id, None)

    def carries(self, dialed: str) -> bool:
        """Whether the call a supervision code names is on this node (nodes.py)."""
        found = supervision.parse(dialed, list(self.service.acd.counselors))
        counselor = self.service.acd.counselors[found[1]] if found else None
        return counselor is not None and (counselor.call_id or "") in self.calls

    async def ring_supervisor(self, supervisor_id: str, dialed: str) -> None:
        """Ring a supervisor's phone into a code, as if they had keyed it (the wallboard's
        buttons). Once answered the channel enters Stasis with `supervise,<code>` and
        goes through `_supervision` like a keyed call. Raises AriError or CallError."""
        mine = [ep for ep, sid in self.supervisor_phones.items() if sid == supervisor_id]
        # With a browser softphone the buttons ring it: the page the supervisor pressed on.
        endpoint = next((ep for ep in mine if ep.endswith(BROWSER_SUFFIX)), mine[0])
        await self.rest.post(
            "channels",
            endpoint=f"PJSIP/{endpoint}",
            app=self.app,
            appArgs=f"supervise,{dialed}",
            callerId=f'"상황판" <{dialed}>',
            timeout=30,
        )

    # -- whether counselors' phones can be reached ---------------------------
    def phone_state(self, endpoint: Any) -> None:
        """An endpoint's state (EndpointStateChange, or as read): a counselor's phone reachable or not."""
        if not isinstance(endpoint, dict):
            return
        name = str(endpoint.get("resource", ""))
        cid = self.phones.get(name)
        if cid is not None and endpoint.get("technology") == "PJSIP":
            # "offline": unregistered or failing qualify. A phone on a fixed
            # address that is not qualified stays "unknown": offered as usual.
            self.sight.say(self, name, endpoint.get("state") == "offline")
            # Reachable while any phone that rings for them is (desk or browser).
            self.service.acd.set_reachable(
                cid, any(not self.sight.offline(ep) for ep in self.rung.get(cid, (name,)))
            )

    def unseen(self) -> None:
        """This node is gone: what it said of the phones no longer counts."""
        self.sight.forget(self)

    async def watch(self) -> None:
        """Subscribe to the counselors' endpoints and read their state now."""
        if not self.phones:
            return
        for sources in _in_chunks([f"endpoint:PJSIP/{ep}" for ep in self.phones]):
            await self.rest.post(f"applications/{self.app}/subscription", eventSource=",".join(sources))
        for endpoint in self.phones:
            try:
                self.phone_state(await self.rest.get(f"endpoints/PJSIP/{endpoint}"))
            except CallGone:
                log.warning("Asterisk has no endpoint %s (render and restart the PBX)", endpoint)
