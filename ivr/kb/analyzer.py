"""Korean text into search terms: morphemes for matching, character bigrams for near misses.

Citizens ask in speech, not in titles: "여권을 새로 만들려면", "재산세납부",
"차 견인됐어요". Substrings fail on particles and endings (여권을 / 여권은)
and on spacing; a morphological analyzer (kiwipiepy, whose model ships inside
the kiwipiepy-model wheel) reads each word into its parts, and only the parts
that carry meaning are kept: nouns, verb and adjective stems, roots, foreign
words and numbers. Particles, endings and suffixes are dropped.

A typo ("재산새") is analyzed as some other noun, so each content morpheme of
two or more syllables is also cut into character bigrams (재산, 산새): a
second index over those still finds 재산세. They also join compounds spaced
differently (민원서류 / 민원 서류 share 민원 and 서류).

Loading the model takes seconds: `KiwiAnalyzer` loads it on first use, once
per process, behind a lock; `default_analyzer()` is that one instance.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Protocol

# Kiwi's part-of-speech tags whose words carry the question's meaning.
CONTENT_TAGS = frozenset(
    {
        "NNG",  # common noun: 여권, 납부
        "NNP",  # proper noun: 전주, 완산구
        "NR",  # numeral word: 하나
        "XR",  # root: 깨끗(하다)
        "SL",  # foreign letters: ARS, PDF
        "SN",  # number: 120
        "SH",  # hanja
        "VV",  # verb stem: 만들(다), 내(다)
        "VA",  # adjective stem: 비싸(다)
        "MAG",  # adverb: 새로, 언제
        "NP",  # pronoun: 어디 (where?) says what is asked; the personal ones are in STOP
    }
)
# Stems and words so common in questions that they find everything.
STOP = frozenset(
    "하 되 있 없 이 같 주 좀 수 것 그 저 어떻 어떡하 뭐 왜 "  # stems and words found in every question
    "나 너 우리 저희 이거 그거 저거 이것 그것 저것 여기 거기 저기 무엇 누구".split()  # pronouns
)
MAX_TERMS = 32  # a query analyzed into more is cut: the search stays fast
_HANGUL_OR_WORD = re.compile(r"\w", re.UNICODE)


class Analyzer(Protocol):
    """What the index and the search ask of an analyzer: the same on both sides."""

    name: str  # kept beside the index: a different analyzer means the index is rebuilt

    def words(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class Terms:
    """A text's search terms: its content words, and the bigrams of them."""

    words: tuple[str, ...]
    grams: tuple[str, ...]


def bigrams(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Character bigrams of each word of two or more characters, once each, in order."""
    seen: dict[str, None] = {}
    for word in words:
        for i in range(len(word) - 1):
            seen.setdefault(word[i : i + 2], None)
    return tuple(seen)


def terms(analyzer: Analyzer, text: str, limit: int | None = None) -> Terms:
    """The words and bigrams of `text` (at most `limit` of each, for a query)."""
    words = tuple(dict.fromkeys(analyzer.words(text)))[:limit]
    return Terms(words, bigrams(words)[:limit])


class KiwiAnalyzer:
    """Morphemes by kiwipiepy, lower-cased, particles and endings dropped."""

    def __init__(self) -> None:
        self._kiwi: Any = None
        self._lock = threading.Lock()
        self.name = f"kiwi-{_kiwi_version()}"

    def load(self) -> None:
        """Load the model now (seconds), not on the first question."""
        with self._lock:
            if self._kiwi is None:
                from kiwipiepy import Kiwi

                # The typo and multi-word dictionaries double the load time and
                # did not change what the question set finds (docs/knowledge-base.md).
                kiwi = Kiwi(load_typo_dict=False, load_multi_dict=False)
                kiwi.tokenize("전주")  # the first analysis sets up the rest of the model: seconds
                self._kiwi = kiwi

    def words(self, text: str) -> list[str]:
        self.load()
        with self._lock:  # one Kiwi serves the writer thread and the desk's readers
            tokens = self._kiwi.tokenize(text)
        out = []
        for token in tokens:
            form = token.form.lower()
            if token.tag in CONTENT_TAGS and form not in STOP and _HANGUL_OR_WORD.search(form):
                out.append(form)
        return out


def _kiwi_version() -> str:
    try:
        from importlib.metadata import version

        return version("kiwipiepy")
    except Exception:  # not installed: the error comes when the model is loaded
        return "unknown"


_DEFAULT: KiwiAnalyzer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_analyzer() -> KiwiAnalyzer:
    """The process's one Kiwi analyzer (its model loads on first use)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = KiwiAnalyzer()
        return _DEFAULT
