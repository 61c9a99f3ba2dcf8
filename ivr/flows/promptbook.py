"""What each prompt of a flow is called on the PBX, per language.

A prompt's sound name carries a hash of its text and voice, so a changed text
is a new file: calls in progress keep hearing the version they started with,
and nothing is rendered while a caller waits (`ivr flows publish` renders).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from ivr.flows import model
from ivr.prompts import korean, slots, voice

SOUND_DIR = "jeonju-flows"

# Read-back of digits uses one pre-rendered prompt per digit. Koreans read 0
# as 공 in phone and case numbers.
DIGIT_TEXTS = {
    "ko": dict(zip("0123456789", "공 일 이 삼 사 오 육 칠 팔 구".split(), strict=True)),
    "en": dict(zip("0123456789", "zero one two three four five six seven eight nine".split(), strict=True)),
    "zh": dict(zip("0123456789", "零 一 二 三 四 五 六 七 八 九".split(), strict=True)),
    "vi": dict(zip("0123456789", "không một hai ba bốn năm sáu bảy tám chín".split(), strict=True)),
}


# Pieces shared by every flow ("<kind>.<value>.<lang>.<key>", not a flow's own
# prompt) and the node types that say them: a piece heard on a call belongs to
# the node of that type on its path (the rehearsal names it so).
PIECE_SPEAKERS: dict[str, tuple[type[model.Node], ...]] = {
    "digit": (model.CollectNode, model.CaseNode),  # read-back; a 민원's number
    "position": (model.QueueNode,),
    "wait": (model.QueueNode,),
    "slot": (model.BookingNode,),  # 예약 상담's days and hours
}


# Queue announcements, rendered ahead like every prompt: position N and about
# M minutes, for N and M up to this (a longer line is announced as this).
ANNOUNCE_MAX = 30


def _position_text(language: str, n: int) -> str:
    if language == "ko":
        return korean.queue_position(n)
    if language == "zh":
        return f"您前面排第{n}位。"
    if language == "vi":
        return f"Bạn đang ở vị trí thứ {n}."
    return f"You are number {n} in line."


def _wait_text(language: str, minutes: int) -> str:
    if language == "ko":
        return korean.wait_estimate(minutes)
    if language == "zh":
        return f"预计等待时间约为{minutes}分钟。"
    if language == "vi":
        return f"Thời gian chờ dự kiến khoảng {minutes} phút."
    unit = "minute" if minutes == 1 else "minutes"
    return f"Your estimated wait is about {minutes} {unit}."


def _key(text: str, language: str) -> str:
    # Must match ivr.pbx.tts.key's inputs closely enough to change with the
    # text; the renderer maps this name to its own cache.
    return hashlib.sha256(f"{language}\0{voice.SETTINGS}\0{text}".encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Sound:
    name: str  # what the PBX plays, e.g. "jeonju-flows/greeting.ko.3fa9c2d1e0"
    text: str | None  # what it says (None for a recorded file)
    language: str
    prompt_id: str
    file: str | None = None
    recorded: bool = False  # published from the prompt studio (ivr/admin/prompt_studio.py)


@dataclass
class PromptBook:
    """Sound names for a flow's prompts, plus the digits for read-back."""

    flow: str
    sounds: dict[tuple[str, str], Sound] = field(default_factory=dict)

    @classmethod
    def of(cls, flow: model.Flow, recorded: Mapping[tuple[str, str], str] | None = None) -> PromptBook:
        """The flow's sounds; `recorded`: (prompt id, language) -> the sound name of the
        recording the prompt studio published for it, played instead of the voice."""
        book = cls(flow.flow)
        recorded = recorded or {}
        for pid, prompt in flow.prompts.items():
            for lang in flow.languages:
                if prompt.file:
                    book.sounds[(pid, lang)] = Sound(prompt.file, None, lang, pid, file=prompt.file)
                    continue
                text = prompt.text(lang)
                voice = prompt.language or lang
                if text and (pid, lang) in recorded:
                    book.sounds[(pid, lang)] = Sound(recorded[(pid, lang)], text, voice, pid, recorded=True)
                elif text:
                    name = f"{SOUND_DIR}/{flow.flow}.{pid}.{voice}.{_key(text, voice)}"
                    book.sounds[(pid, lang)] = Sound(name, text, voice, pid)
        for lang in flow.languages:
            for digit, text in DIGIT_TEXTS[lang].items():
                book._add(f"digit_{digit}", "digit", digit, lang, text)
            if any(isinstance(n, PIECE_SPEAKERS["position"]) for n in flow.nodes.values()):
                for n in range(1, ANNOUNCE_MAX + 1):
                    book._add(f"position_{n}", "position", str(n), lang, _position_text(lang, n))
                    book._add(f"wait_{n}", "wait", str(n), lang, _wait_text(lang, n))
            if any(isinstance(n, PIECE_SPEAKERS["slot"]) for n in flow.nodes.values()):
                # 예약 상담: the pieces slots are offered and read back with.
                for pid, text in slots.piece_texts(lang).items():
                    book._add(pid, "slot", pid.removeprefix("slot_"), lang, text)
        return book

    def _add(self, prompt_id: str, kind: str, value: str, lang: str, text: str) -> None:
        # Shared by every flow: the same text is the same file.
        name = f"{SOUND_DIR}/{kind}.{value}.{lang}.{_key(text, lang)}"
        self.sounds[(prompt_id, lang)] = Sound(name, text, lang, prompt_id)

    def names(self, prompt_ids: list[str], language: str) -> list[str]:
        return [self.sound(pid, language).name for pid in prompt_ids]

    def sound(self, prompt_id: str, language: str) -> Sound:
        found = self.sounds.get((prompt_id, language))
        if found is None:
            # The loader makes every prompt exist in every flow language; a
            # subflow in fewer languages falls back to its first one.
            found = next(s for (pid, _), s in self.sounds.items() if pid == prompt_id)
        return found

    def text_of(self, name: str) -> str:
        for s in self.sounds.values():
            if s.name == name:
                return s.text or f"[{s.file}]"
        return f"[{name}]"
