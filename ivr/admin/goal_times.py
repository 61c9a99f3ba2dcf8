"""Seconds to the goal of each way through a flow, from the prompts' real
audio (the recording published in the prompt studio where there is one, else
the rendered voice),
and the checker's warning for ways to a counselor over the configured budget.

Shared by `ivr flows check | simulate` and the desk's flow page; the walk
itself is pure (ivr/flows/to_goal.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ivr.admin.flows import database, recorded_dir
from ivr.config import LoadedConfig
from ivr.errors import HotlineError
from ivr.flows.loader import Loaded
from ivr.flows.promptbook import PromptBook
from ivr.flows.to_goal import GoalPath, over_budget, paths_to_goals, quickest_to_return
from ivr.pbx import prompt_audio, tts
from ivr.store import prompt_versions

GOALS_KO = {
    "counselor": "상담사 연결",
    "department": "부서 연결",
    "self_service": "안내 듣기",
    "callback": "전화 요청 접수",
    "message": "메시지 녹음",
}


def prompt_seconds(
    cfg: LoadedConfig, loaded: Loaded, language: str, studio: Mapping[str, float] | None = None
) -> Callable[[str], float]:
    """A prompt id's audio length in `language`: the recording published in
    the prompt studio (`studio`: seconds by its key), else a city recording
    at prompts/recorded/<lang>/<id>.wav (as publish renders it), else the
    rendered voice (rendered now if not cached). A sound file installed on the
    PBX by hand, which this machine cannot read, counts 0."""
    book = PromptBook.of(loaded.flow)
    recorded = recorded_dir(cfg)
    flow = loaded.flow.flow
    studio = studio or {}
    cache: dict[str, float] = {}

    def seconds(prompt_id: str) -> float:
        if prompt_id not in cache:
            sound = book.sound(prompt_id, language)
            own = recorded / sound.language / f"{prompt_id}.wav"
            published = studio.get(f"flow/{flow}/{prompt_id}/{language}")
            if published is not None:
                cache[prompt_id] = published
            elif own.is_file():
                cache[prompt_id] = prompt_audio.seconds_of(own)
            elif sound.text:
                cache[prompt_id] = prompt_audio.seconds_of(tts.render(sound.text, sound.language))
            else:
                cache[prompt_id] = 0.0
        return cache[prompt_id]

    return seconds


def goal_paths(
    cfg: LoadedConfig, flows: Mapping[str, Loaded], name: str, language: str | None = None
) -> tuple[list[GoalPath], bool]:
    """Every way to a goal in flow `name` with its seconds; whether the list was cut."""
    loaded = flows[name]
    lang = language or loaded.flow.languages[0]
    studio = prompt_versions.recorded_seconds(database(cfg))
    subs = {}
    for other, item in flows.items():
        if other != name:
            sub_lang = lang if lang in item.flow.languages else item.flow.languages[0]
            subs[other] = quickest_to_return(item.flow, prompt_seconds(cfg, item, sub_lang, studio))
    return paths_to_goals(loaded.flow, prompt_seconds(cfg, loaded, lang, studio), subs)


def budget_warnings(cfg: LoadedConfig, flows: Mapping[str, Loaded]) -> list[str]:
    """`file: warning: ...` for each way to a counselor over ivr.counselor_budget_seconds."""
    budget = cfg.settings.ivr.counselor_budget_seconds
    if budget is None:
        return []
    out = []
    for name, loaded in sorted(flows.items()):
        try:
            paths, _ = goal_paths(cfg, flows, name)
        except HotlineError as exc:  # no voice to render with: say so, check the rest
            out.append(f"{loaded.path}: warning: seconds to the goal unknown: {exc}")
            continue
        for p in over_budget(paths, budget):
            longest = sorted(p.heard, key=lambda h: -h[1])[:3]
            out.append(
                f"{loaded.path}: warning: the way to a counselor {' > '.join(p.steps)} "
                f"takes {p.seconds:.1f} s of prompts, over ivr.counselor_budget_seconds {budget:g} s "
                f"(longest: {', '.join(f'{pid} {s:.1f} s' for pid, s in longest)})"
            )
    return out


def lines(paths: list[GoalPath], cut: bool) -> list[str]:
    """The table `ivr flows simulate` prints."""
    out = ["seconds to the goal, by way through the flow:"]
    for p in paths:
        keys = f" (keys {p.keys})" if p.keys else ""
        out.append(f"  {p.seconds:5.1f} s  {p.goal:<12} {' > '.join(p.steps)}{keys}")
    if cut:
        out.append("  (more ways than shown)")
    return out
