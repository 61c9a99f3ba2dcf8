"""Nodes that decide without speaking: schedule, caller, language, set, goto."""

from __future__ import annotations

from datetime import timedelta

from ivr.flows import model
from ivr.flows.run import FlowRun
from ivr.protection.strikes import counting_since


async def schedule(node: model.ScheduleNode, run: FlowRun) -> str | None:
    decision = run.loaded.schedules[run.node_id].decide(run.env.now())
    await run.ctx.event("schedule", node=run.node_id, outcome=decision.outcome, reason=decision.reason)
    return decision.outcome


async def caller(node: model.CallerNode, run: FlowRun) -> str | None:
    number = run.call.caller
    outcome = "default"
    if number in node.blocked:
        outcome = "blocked"
    elif node.strikes_at_least and await _strikes(run, number) >= node.strikes_at_least:
        outcome = "abuser"
    elif number in node.priority:
        outcome = "priority"
        run.priority = True
    elif node.repeat_within_minutes:
        since = run.env.now() - timedelta(minutes=node.repeat_within_minutes)
        if await run.ctx.records.recent_calls(number, since, exclude=run.ctx.call_id) > 0:
            outcome = "repeat"
    await run.ctx.event("caller", node=run.node_id, outcome=outcome)
    return outcome


async def _strikes(run: FlowRun, number: str) -> int:
    """Strikes that still count: an expired one marks the citizen no more."""
    return await run.ctx.records.strikes(number, counting_since(run.env.now(), run.env.strike_expiry_days))


async def language(node: model.LanguageNode, run: FlowRun) -> str | None:
    run.language = node.language
    await run.ctx.event("language", language=node.language)
    return "done"


async def set_tags(node: model.SetNode, run: FlowRun) -> str | None:
    facts = run.ctx.facts
    facts.topic = node.topic or facts.topic
    facts.category = node.category or facts.category
    await run.ctx.records.updated(facts)
    await run.ctx.event("tagged", topic=facts.topic, category=facts.category)
    return "done"


async def goto(node: model.GotoNode, run: FlowRun) -> str | None:
    return "done"
