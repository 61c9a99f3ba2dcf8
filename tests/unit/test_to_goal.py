"""Seconds to the goal: each way through a flow with the audio heard before its goal."""

from __future__ import annotations

from ivr.flows.loader import Known, load_text
from ivr.flows.to_goal import over_budget, paths_to_goals, quickest_to_return

FLOW = """
flow: goals
languages: [ko]
start: welcome
prompts:
  greeting: {ko: 안녕하십니까.}
  menu: {ko: "안내는 1번, 상담사는 0번입니다."}
  info: {ko: 업무시간 안내입니다.}
  connecting: {ko: 연결해 드리겠습니다.}
  choice: {ko: 이 번호로 연락드릴까요?}
  number: {ko: 번호를 눌러 주십시오.}
  done: {ko: 접수되었습니다.}
  bye: {ko: 감사합니다.}
nodes:
  welcome: {type: play, prompts: [greeting], next: menu}
  menu:
    type: menu
    prompt: menu
    on: {"1": info, "0": line, "*": menu, timeout: bye, invalid: bye}
  info: {type: play, prompts: [info], next: bye}
  line:
    type: queue
    queue: general
    prompt: connecting
    on: {completed: bye, overflow: callback, closed: callback}
  callback:
    type: callback
    prompt: choice
    number_prompt: number
    confirmed_prompt: done
    on: {done: bye, invalid: bye}
  bye: {type: hangup, prompt: bye}
"""

SECONDS = {"greeting": 3.0, "menu": 8.5, "info": 10.0, "connecting": 4.0, "choice": 5.0, "bye": 2.0}


def loaded():
    return load_text(FLOW, "goals.yaml", Known(queues=frozenset({"general"})))


def test_each_way_to_a_goal_counts_the_prompts_heard_before_it() -> None:
    paths, cut = paths_to_goals(loaded().flow, lambda pid: SECONDS.get(pid, 1.0))
    assert not cut
    by_goal = {(p.goal, p.keys): p for p in paths}
    # The queue's entry prompt plays while the counselor's phone rings: not counted.
    counselor = by_goal[("counselor", "0")]
    assert counselor.seconds == 11.5 and counselor.heard == (("greeting", 3.0), ("menu", 8.5))
    assert by_goal[("self_service", "1")].seconds == 11.5  # the answer starts after the menu
    # A callback is taken once its question is answered; the menu's retry and
    # timeout ways are no way to a goal. Only the queue reaches the callback here.
    assert [p.goal for p in paths] == ["counselor", "self_service"]


def test_a_way_to_a_counselor_over_the_budget_is_found() -> None:
    paths, _ = paths_to_goals(loaded().flow, lambda pid: SECONDS.get(pid, 1.0))
    assert [p.keys for p in over_budget(paths, 10.0)] == ["0"]
    assert over_budget(paths, 20.0) == []


def test_a_subflow_counts_its_quickest_way_to_return() -> None:
    sub = load_text(
        """
flow: notice
languages: [ko]
start: say
prompts:
  notice: {ko: 통화 내용은 녹음됩니다.}
nodes:
  say: {type: play, prompts: [notice], next: back}
  back: {type: return}
""",
        "notice.yaml",
        Known(),
    )
    assert quickest_to_return(sub.flow, lambda pid: 2.5) == 2.5
