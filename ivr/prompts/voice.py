"""espeak-ng's settings for the synthesized prompts (the fallback when nobody recorded one).

Chosen on the rendered durations of every prompt (system and flows, 93 texts),
`python -m bench.voice` prints them: the default rate 150 gave 623.8 s in all;
170 words a minute with a 10 ms gap between words and a slightly lower pitch
gives 574.2 s (-8 %). espeak-ng keeps every phoneme at any rate (the rate only
stretches them; `espeak-ng -x` prints the same phonemes), and the word gap
keeps the words apart for elderly callers; 175 without a gap was shorter
(528 s) but ran the words together. See docs/prompts.md.
"""

from __future__ import annotations

RATE = 170  # words per minute (espeak-ng -s; its default is 175, ours was 150)
PITCH = 45  # 0-99 (espeak-ng -p; default 50): a little lower, calmer on a phone line
WORD_GAP = 1  # in 10 ms units (espeak-ng -g)

ESPEAK_ARGS: tuple[str, ...] = ("-s", str(RATE), "-p", str(PITCH), "-g", str(WORD_GAP))
# Part of every rendered prompt's name: new settings are new files, so a call in
# progress keeps hearing the audio it started with.
SETTINGS = "espeak-ng " + " ".join(ESPEAK_ARGS) + " | sox 8000 Hz mono s16"
