"""Collects a flow file's problems, each with its position, sorted for the admin."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from ivr.flows import model
from ivr.flows.positions import dotted, path_pos


class Report:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[tuple[int, int, str]] = []
        self.warnings: list[tuple[int, int, str]] = []

    def error(self, where: tuple[int, int], message: str) -> None:
        self.errors.append((where[0], where[1], message))

    def warn(self, where: tuple[int, int], message: str) -> None:
        self.warnings.append((where[0], where[1], message))

    def sorted(self) -> list[str]:
        return [f"{self.filename}:{ln}:{col}: {msg}" for ln, col, msg in sorted(set(self.errors))]

    def sorted_warnings(self) -> list[str]:
        return [f"{self.filename}:{ln}:{col}: warning: {msg}" for ln, col, msg in sorted(set(self.warnings))]

    def pydantic(self, data: Any, err: Any) -> None:
        loc = list(err["loc"])
        # A discriminated union puts the node type into the path: drop it.
        if len(loc) >= 3 and loc[0] == "nodes" and loc[2] in model.NODE_CLASSES:
            node_type = loc.pop(2)
        else:
            node_type = None
        loc = [p for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
        kind = err["type"]
        # A check over the whole node names the key it is about (max_digits, on.12).
        problem = (err.get("ctx") or {}).get("error")
        at_key = kind == "extra_forbidden"
        if isinstance(problem, model.KeyProblem):
            loc += list(problem.key)
            at_key = problem.at_key
        where = path_pos(data, loc, at_key=at_key)
        key = dotted(loc)
        if kind == "extra_forbidden":
            cls = model.NODE_CLASSES.get(node_type or "") if node_type else model_at(loc)
            hint = did_you_mean(str(loc[-1]), cls.model_fields if cls else ())
            if not hint and " " in str(loc[-1]):
                # `{ko: 1번, 2번}`: YAML splits unquoted text at the comma.
                hint = " (text with a comma inside {...} must be in quotes)"
            self.error(where, f"{key}: unknown key{hint}")
        elif kind == "missing":
            self.error(path_pos(data, loc[:-1]), f"{key}: required key is missing")
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            self.error(where, f"{key}: {msg}")


def model_at(loc: list[Any]) -> type[BaseModel] | None:
    if len(loc) == 1:
        return model.Flow
    if len(loc) == 3 and loc[0] == "prompts":
        return model.Prompt
    return None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
