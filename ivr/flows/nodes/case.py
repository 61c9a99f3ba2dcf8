"""`case` (민원 안내): a caller with a case under way hears its number and where it stands.

"접수하신 민원 2026-000123번은 처리 중입니다." The number is read digit by
digit with the flow's digit prompts, as `prompts.korean.digits` spells it
("이 공 이 육, 공 공 공 일 이 삼"): a citizen can write it down and quote it.
The timeline keeps the number and that reading.
"""

from __future__ import annotations

from ivr.flows import model
from ivr.flows.run import FlowRun
from ivr.prompts import korean


async def tell(node: model.CaseNode, run: FlowRun) -> str | None:
    glance = await run.env.cases.newest_open(run.call.caller) if run.env.cases is not None else None
    if glance is None:
        await run.ctx.event("case", outcome="none")
        if node.none_prompt:
            await run.say([node.none_prompt])
        return "none"
    outcome = "answered" if glance.answered else "open"
    await run.ctx.event("case", outcome=outcome, number=glance.number, reads=_reading(glance.number))
    after = node.answered_prompt if glance.answered else node.open_prompt
    pieces = [node.prompt] if node.prompt else []
    if after:  # the number only makes sense inside the sentence
        pieces += [f"digit_{d}" for d in glance.number if d.isdigit()] + [after]
    await run.say(pieces)
    return outcome


def _reading(number: str) -> str:
    try:
        return korean.digits(number)
    except ValueError:
        return ""
