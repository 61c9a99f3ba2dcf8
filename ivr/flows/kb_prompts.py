"""Prompts that read a knowledge-base article: `kb: passport-hours` under a flow's prompts.

One truth for what the city tells citizens: the IVR says the article the
counselors read. The loader is handed the published articles' spoken text per
language (plain values: the core reads no database; ivr/admin/flows.py gets
them from the store) and fills each `kb:` prompt with them. A reference to an
article that does not exist, or exists but is not published, is an error at
the `kb:` value's file:line. A language the flow offers that the article has no
translation for is reported by the prompt checks like any missing text.

The prompt's sound name hashes its text (promptbook.py), so publishing a new
version of the article renders a new file: calls in progress keep the audio
they started with.
"""

from __future__ import annotations

from collections.abc import Mapping

from ruamel.yaml.comments import CommentedMap

from ivr.flows import model
from ivr.flows.positions import key_pos, value_pos
from ivr.flows.report import Report, did_you_mean


def resolve(
    flow: model.Flow,
    data: CommentedMap,
    report: Report,
    articles: Mapping[str, Mapping[str, str]],
    unpublished: frozenset[str],
) -> model.Flow:
    """The flow with every `kb:` prompt's text filled from its article; errors go to `report`."""
    filled = dict(flow.prompts)
    for pid, prompt in flow.prompts.items():
        if not prompt.kb:
            continue
        raw = data["prompts"][pid] if isinstance(data["prompts"][pid], CommentedMap) else None
        where = value_pos(raw, "kb") if raw is not None else key_pos(data["prompts"], pid)
        texts = articles.get(prompt.kb)
        if texts is None:
            if prompt.kb in unpublished:
                why = "is not published: publish it on /kb before a flow reads it"
            else:
                why = f"does not exist in the knowledge base{did_you_mean(prompt.kb, articles)}"
            report.error(where, f"prompts.{pid}.kb: the article {prompt.kb!r} {why}")
            continue
        filled[pid] = prompt.model_copy(update={lang: texts.get(lang) for lang in model.LANGUAGES})
    return flow.model_copy(update={"prompts": filled})


def references(flow: model.Flow) -> dict[str, str]:
    """prompt id -> the article slug it reads, for the prompts that read one."""
    return {pid: p.kb for pid, p in flow.prompts.items() if p.kb}
