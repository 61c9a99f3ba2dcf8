"""The IVR path and QA's timeline in the menu's own words, from the flow itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr import config
from ivr.admin.flows import known
from ivr.flows.messages_ko import korean
from ivr.flows.path_words import FlowWords, flow_words, menu_options, spoken_path
from ivr.flows.registry import load_dir
from ivr.web.timeline_words import Words, say

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def words() -> FlowWords:
    loaded = load_dir(ROOT / "callflows", known(config.load(ROOT / "config.yaml")))
    return flow_words(loaded["hotline"].flow)


def test_a_menu_prompt_names_its_options() -> None:
    text = "민원서류와 여권은 1번, 지방세는 3번, 상담사 연결은 0번을 눌러 주십시오. 다시 들으시려면 별표를"
    assert menu_options(text) == {"1": "민원서류와 여권", "3": "지방세", "0": "상담사 연결"}


def test_the_hotlines_tax_path_reads_as_the_menu_says_it(words: FlowWords) -> None:
    path = "welcome > notice.intro > screen > hours > main_menu > topic_tax > tax_info > after_info"
    path += " > queue_general"
    assert spoken_path(path.split(" > "), words.steps) == ["지방세", "상담사 연결"]
    # 0 in the main menu is already "상담사 연결": the queue after it is not said twice.
    assert spoken_path(["main_menu", "topic_general", "queue_general"], words.steps) == ["상담사 연결"]


def test_the_timeline_says_the_greeting_the_key_and_the_counselor_by_name(words: FlowWords) -> None:
    shown = Words(counselors={"c01": "김민지"}, queues={"general": "일반 상담"}, flow=words)
    assert say("ivr", {"step": "welcome", "type": "play"}, shown) == "인사말 재생"
    assert say("menu_choice", {"node": "main_menu", "digit": "0"}, shown) == "메뉴에서 0번 선택 (상담사 연결)"
    assert say("connected", {"counselor": "c01"}, shown) == "상담사 김민지 연결"
    assert say("queue_entered", {"queue": "general", "position": 2}, shown) == "일반 상담 대기 시작 (2번째)"
    assert (
        say("offer_result", {"counselor": "c01", "result": "no_answer"}, shown) == "상담사 김민지: 받지 않음"
    )
    english = Words(counselors={"c01": "김민지"}, flow=words, english=True)
    assert say("connected", {"counselor": "c01"}, english) == "Connected to counselor 김민지"


def test_an_event_without_its_details_or_of_an_unknown_kind_still_reads() -> None:
    assert say("connected", {}, Words()) == "상담사 - 연결"
    assert say("something_new", {}, Words()) == "something_new"


@pytest.mark.parametrize(
    ("english", "korean_text"),
    [
        (
            "start: there is no node 'greetin' (did you mean 'greeting'?)",
            "start: 'greetin' 노드가 없습니다 ('greeting'을(를) 쓰시려던 것입니까?)",
        ),
        (
            "nodes.hi: prompt 'greting' is not defined under prompts: (did you mean 'greeting'?)",
            "nodes.hi: 안내 문구 'greting'이(가) prompts:에 없습니다 ('greeting'을(를) 쓰시려던 것입니까?)",
        ),
        ("nodes.menu.timout: unknown key", "nodes.menu.timout: 알 수 없는 키입니다"),
        ("prompts.fax: never used", "prompts.fax: 어디에서도 쓰이지 않는 안내 문구입니다"),
        ("something new the checker says", None),
    ],
)
def test_the_checkers_messages_read_in_korean(english: str, korean_text: str | None) -> None:
    assert korean(english) == korean_text


def test_given_a_transfer_to_a_queue_then_the_timeline_names_the_queue_and_the_counselor() -> None:
    words = Words(counselors={"c1": "김민지"}, queues={"foreign": "외국어 상담"})
    said = say("transferred", {"how": "queue", "counselor": "c1", "queue": "foreign"}, words)
    assert said == "외국어 상담 줄 맨 앞으로 돌려 드림 (상담사 김민지)"
    to_mate = say("transferred", {"how": "colleague", "counselor": "c1", "colleague": "c1"}, words)
    assert to_mate == "동료 상담사 김민지에게 돌려 드림"
