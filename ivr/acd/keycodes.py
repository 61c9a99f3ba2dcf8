"""Codes a counselor keys on their phone during a conversation (e.g. *9).

A code starts with a star; digits pressed without one mean nothing here (a
counselor may key a number for the caller to hear). A code must be finished
within `gap` seconds of its previous key, so a stray star followed much later
by a nine is never taken for one.
"""

from __future__ import annotations

from ivr.protection.situations import Situation

# The four endings (ivr/protection/situations.py): *9 verbal abuse, *81 sexual
# harassment, *82 insisting on a superior, *83 repeated demands (first press
# warns the caller, the second ends the call). *4N: blind transfer to the Nth department
# of config.yaml; *5N: consult the Nth department first (the caller hears hold
# music), then *6 completes the transfer or *7 returns to the caller.
IN_CALL_CODES = {
    **{s.code: s.value for s in Situation},
    "*6": "complete",
    "*7": "return",
    **{f"*4{n}": f"blind:{n}" for n in range(1, 10)},
    **{f"*5{n}": f"consult:{n}" for n in range(1, 10)},
}


class KeyCodes:
    def __init__(self, codes: dict[str, str] | None = None, gap: float = 3.0) -> None:
        self.codes = codes if codes is not None else IN_CALL_CODES
        self.gap = gap
        self._keyed = ""
        self._last: float | None = None

    def feed(self, key: str, now: float) -> str | None:
        """The command a finished code names, else None."""
        if self._last is None or now - self._last > self.gap:
            self._keyed = ""
        self._last = now
        if key == "*":
            self._keyed = "*"
            return None
        if not self._keyed:
            return None
        self._keyed += key
        command = self.codes.get(self._keyed)
        if command is not None or not any(code.startswith(self._keyed) for code in self.codes):
            self._keyed = ""
        return command
