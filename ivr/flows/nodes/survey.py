"""`survey`: satisfaction questions answered 1 to 5, stored with the call."""

from __future__ import annotations

from ivr.flows import model
from ivr.flows.run import FlowRun


async def ask(node: model.SurveyNode, run: FlowRun) -> str | None:
    for question in node.questions:
        answer = await run.say([question.prompt], barge_in=True)
        if answer is None:
            answer = await run.call.read_digit(node.timeout)
        if answer is not None and answer in "12345":
            await run.ctx.records.add_survey_answer(run.ctx.call_id, question.id, int(answer), run.env.now())
            await run.ctx.event("survey", question=question.id, answer=int(answer))
        else:
            await run.ctx.event("survey_skipped", question=question.id, digit=answer or "")
    if node.thanks_prompt:
        await run.say([node.thanks_prompt])
    return "done"
