"""Rendered length of every prompt with espeak-ng's old and chosen settings:
`.venv/bin/python -m bench.voice`. Prints the total seconds over all prompts
(the system prompts and every flow in callflows/) for each setting and the ratio."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ruamel.yaml import YAML

from ivr.pbx.tts import VOICES
from ivr.prompts.catalog import PROMPTS
from ivr.prompts.voice import ESPEAK_ARGS

BEFORE: tuple[str, ...] = ("-s", "150")
CANDIDATES: tuple[tuple[str, ...], ...] = (BEFORE, ("-s", "175"), ("-s", "165", "-g", "1"), ESPEAK_ARGS)


def texts(flows: Path = Path("callflows")) -> list[tuple[str, str]]:
    found = [(text, lang) for texts in PROMPTS.values() for lang, text in texts.items()]
    for path in sorted(flows.glob("*.yaml")):
        for prompt in (YAML(typ="safe").load(path.read_text(encoding="utf-8")).get("prompts") or {}).values():
            if isinstance(prompt, dict):
                found += [(prompt[lang], lang) for lang in VOICES if isinstance(prompt.get(lang), str)]
    return found


def seconds(args: tuple[str, ...], all_texts: list[tuple[str, str]]) -> float:
    total = 0.0
    for text, lang in all_texts:
        wav = subprocess.run(
            ["espeak-ng", "-v", VOICES[lang], *args, "--stdout", text], capture_output=True, check=True
        ).stdout
        total += (len(wav) - 44) / 2 / 22050  # espeak-ng writes 22.05 kHz 16-bit mono
    return total


def main() -> None:
    all_texts = texts()
    before = seconds(BEFORE, all_texts)
    print(f"{len(all_texts)} prompts")
    for args in CANDIDATES:
        total = seconds(args, all_texts)
        mark = "  <- chosen" if args == ESPEAK_ARGS else ""
        print(f"espeak-ng {' '.join(args):24} {total:7.1f} s  ({total / before:.2f} of before){mark}")


if __name__ == "__main__":
    main()
