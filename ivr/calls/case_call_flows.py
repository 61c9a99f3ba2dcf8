"""The automated calls' scripts, as flows the engine runs like any call.

An answer call: the citizen confirms with 1 that they are the one who
registered the 민원, hears the department's answer in the prompt voice, and
may hear it again (1) or ask for a counselor (0, the queue). A 해피콜: the
citizen confirms with 1, then the survey node asks whether it was solved (1
해결, 2 미해결) and how satisfied they are (1–5); the answers are stored with
the call like any survey's.

Each flow is built per case, its answer one prompt of its own: the prompt book
names it by a hash of its text, so every answer is its own rendered file
(espeak-ng, like every prompt), rendered before the citizen's phone rings.
"""

from __future__ import annotations

import json
from typing import Any

from ivr.flows.loader import Known, Loaded, load_text
from ivr.prompts import korean

# The node whose entry means the citizen was reached and confirmed (the answer is
# read there; the survey's questions are asked there).
REACHED = {"answer": "answer", "happy": "survey"}

_BYE = "천년전주 콜센터였습니다. 감사합니다. 안녕히 계십시오."
_NOT_CONFIRMED = "확인되지 않아 전화를 마칩니다. 궁금하신 점은 천년전주 콜센터로 전화해 주십시오."


def _number(case_number: str) -> str:
    return korean.digits(case_number)


def answer_flow(case_number: str, answer: str, queue: str) -> Loaded:
    """The answer call of one case."""
    prompts = {
        "intro": (
            "안녕하십니까. 천년전주 콜센터입니다. "
            f"접수하신 민원 {_number(case_number)}번에 대한 답변을 안내해 드리려고 전화드렸습니다. "
            "민원을 신청하신 본인이 맞으시면 1번을 눌러 주십시오."
        ),
        "answer": f"담당 부서의 답변입니다. {answer.strip()}",
        "offer": "다시 들으시려면 1번, 상담사와 통화를 원하시면 0번을 눌러 주십시오.",
        "bye": _BYE,
        "not_confirmed": _NOT_CONFIRMED,
    }
    nodes = {
        "confirm": _confirm({"1": "answer"}),
        "answer": {"type": "play", "prompts": ["answer"], "next": "offer"},
        "offer": {
            "type": "menu",
            "prompt": "offer",
            "attempts": 1,
            "timeout": 6,
            "on": {"1": "answer", "0": "counselor", "timeout": "bye", "invalid": "bye"},
        },
        "counselor": {
            "type": "queue",
            "queue": queue,
            "announce_every_seconds": 0,
            "on": {"completed": "bye", "overflow": "bye", "closed": "bye"},
        },
        **_endings(),
    }
    return _load("case_answer", case_number, prompts, nodes, queue)


def happy_flow(case_number: str) -> Loaded:
    """The 해피콜 of one case."""
    prompts = {
        "intro": (
            "안녕하십니까. 천년전주 콜센터입니다. "
            f"접수하셨던 민원 {_number(case_number)}번의 처리 결과를 여쭙고자 전화드렸습니다. "
            "잠시 답해 주실 수 있으시면 1번을 눌러 주십시오."
        ),
        "solved": "민원이 해결되었으면 1번, 해결되지 않았으면 2번을 눌러 주십시오.",
        "satisfaction": (
            "처리 결과에 얼마나 만족하십니까? 매우 만족하시면 5번, 매우 불만족하시면 1번, "
            "1번부터 5번 사이에서 눌러 주십시오."
        ),
        "thanks": "소중한 의견 감사합니다.",
        "bye": _BYE,
        "not_confirmed": _NOT_CONFIRMED,
    }
    nodes = {
        "confirm": _confirm({"1": "survey"}),
        "survey": {
            "type": "survey",
            "questions": [
                {"id": "case_solved", "prompt": "solved"},
                {"id": "case_satisfaction", "prompt": "satisfaction"},
            ],
            "thanks_prompt": "thanks",
            "next": "bye",
        },
        **_endings(),
    }
    return _load("happy_call", case_number, prompts, nodes, None)


def _confirm(options: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "menu",
        "prompt": "intro",
        "attempts": 2,
        "timeout": 6,
        "on": {**options, "timeout": "not_confirmed", "invalid": "not_confirmed"},
    }


def _endings() -> dict[str, Any]:
    return {
        "bye": {"type": "hangup", "prompt": "bye"},
        "not_confirmed": {"type": "hangup", "prompt": "not_confirmed"},
    }


def _load(
    name: str, case_number: str, prompts: dict[str, str], nodes: dict[str, Any], queue: str | None
) -> Loaded:
    data = {
        "flow": name,
        "languages": ["ko"],
        "start": "confirm",
        "prompts": {pid: {"ko": text} for pid, text in prompts.items()},
        "nodes": nodes,
    }
    # JSON is YAML: the answer's text needs no escaping of its own.
    known = Known(queues=frozenset({queue} if queue else set()))
    return load_text(json.dumps(data, ensure_ascii=False), f"<{name} {case_number}>", known)
