"""Reading config.yaml: every problem as `file:line: key: message`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from ivr.config.settings import Settings
from ivr.errors import ConfigError


@dataclass(frozen=True)
class LoadedConfig:
    """Settings plus where they came from, so paths resolve beside the file."""

    settings: Settings
    path: Path
    shown: str = "config.yaml"  # the path as the admin gave it, for messages

    def resolve(self, relative: str) -> Path:
        p = Path(relative).expanduser()
        return p if p.is_absolute() else (self.path.parent / p).resolve()

    def database(self, value: str | None = None) -> Path | str:
        """Where the records are (storage.database, or `value`): a SQLite file
        beside config.yaml, or a postgresql:// URL as written."""
        given = self.settings.storage.database if value is None else value
        return given if given.lower().startswith(("postgresql://", "postgres://")) else self.resolve(given)


def load(path: str | Path) -> LoadedConfig:
    """Read and validate config.yaml; raise ConfigError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found (copy config.yaml from the project)"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    return LoadedConfig(parse(text, str(path)), path.resolve(), str(path))


def parse(text: str, filename: str = "config.yaml") -> Settings:
    """Validate YAML text; errors carry `filename:line: key: message`."""
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else "?"
        raise ConfigError([f"{filename}:{line}: not valid YAML: {exc.problem}"]) from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise ConfigError([f"{filename}:1: the file must be a mapping of sections"])
    try:
        return Settings.model_validate(_plain(data))
    except ValidationError as exc:
        raise ConfigError(list(_describe(exc.errors(), data, filename))) from None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _describe(errors: Iterable[Any], data: Any, filename: str) -> Iterable[str]:
    for err in errors:
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        key = _dotted(loc) or "(top level)"
        line = _line_of(data, loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling and indentation)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        yield f"{filename}:{line}: {key}: {msg}"


def _dotted(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(data: Any, loc: list[Any]) -> int:
    """The deepest line ruamel knows for a path; 1 when nothing matches."""
    line = 1
    node = data
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            if isinstance(node, CommentedMap) and node.lc.line is not None:
                line = max(line, node.lc.line + 1)
            break
    return line


def key_line(cfg: LoadedConfig, *loc: str | int) -> str:
    """`file:line: key` for a key of a loaded config, for problems found later."""
    try:
        data = YAML(typ="rt").load(cfg.path.read_text(encoding="utf-8"))
    except (OSError, MarkedYAMLError):
        data = None
    line = _line_of(data, list(loc)) if data is not None else 1
    return f"{cfg.shown}:{line}: {_dotted(list(loc))}"
