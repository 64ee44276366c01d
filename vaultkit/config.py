"""vaultkit's configuration: the `Config` value, and each key read and checked into it.

`load()` returns a frozen `Config` or raises `ConfigError`; defaults need no file. The file
(`.vaultkit.toml`, or `[tool.vaultkit]` in a `pyproject.toml`) is found and read by
`configfile.py`. Keys are kebab-case in the file and checked strictly: a typo is an error
that suggests the nearest valid key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import msgspec

from vaultkit.configfile import PYPROJECT, ConfigError, file_label, find_config, read_explicit
from vaultkit.wording import did_you_mean

# Tasks-plugin compatible; users extend it under [task-status] in config.
DEFAULT_TASK_STATUS: Mapping[str, str] = MappingProxyType(
    {" ": "todo", "x": "done", "X": "done", "/": "in-progress", "-": "cancelled", ">": "todo"}
)
# Notes larger than this many bytes are read line by line, not parsed (`max-note-size`).
# On a 2-core machine markdown-it-py takes 4 to 5 seconds for a megabyte of the hardest
# text (a bracket or a tag every few bytes, a task on every line), about a second at
# this size, so any one note costs a command at most that much; a megabyte of ordinary
# notes takes 0.5 s, and real notes are far smaller (the largest in the test corpus is
# 11 kB).
DEFAULT_MAX_NOTE_SIZE = 250_000
# The longest quiet period `watch` takes, in seconds: an hour. Past it a watcher would in
# effect never write (and a NaN one kept its loop waking without pause).
MAX_QUIET_PERIOD = 3600


class CanvasSpec(msgspec.Struct, frozen=True):
    """A `[[canvas]]` entry: a `.canvas` file that `sync` keeps a picture of the graph."""

    path: str  # vault-relative, `/`-separated, ending in `.canvas`
    folder: str | None = None  # scope, as in blocks; neither folder nor tag: the whole vault
    tag: str | None = None
    group_by: str | None = None  # None: the configuration's `group-by`
    all_edges: bool = False  # `edges = "all"`: every edge, not the transitive reduction


NO_MAPPING: Mapping[str, Any] = MappingProxyType({})


class Config(msgspec.Struct, frozen=True):
    source: Path | None = None  # the file it came from, None for defaults
    exclude: tuple[str, ...] = ()  # glob patterns of notes to leave out of lint and progress
    select: tuple[str, ...] = ()  # rule codes or prefixes; empty means the default-on rules
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = NO_MAPPING  # glob -> codes or prefixes
    task_status: Mapping[str, str] = DEFAULT_TASK_STATUS  # character -> TaskKind
    requires: tuple[str, ...] = ("requires",)  # property and Dataview field names
    group_by: str = "phase"
    status_key: str = "status"
    start_key: str = "start"
    due_key: str = "due"
    # rule code -> its options, as written (kebab-case keys)
    rules: Mapping[str, Mapping[str, object]] = NO_MAPPING
    quiet_period: float = 2.5  # seconds a note must be quiet before `watch` writes it
    pace_weeks: int = 8  # the trailing window, in weeks, over which `status` measures pace
    max_note_size: int = DEFAULT_MAX_NOTE_SIZE  # bytes; a larger note is only skimmed (VK007)
    canvases: tuple[CanvasSpec, ...] = ()  # `[[canvas]]` entries


TASK_KINDS = ("todo", "done", "in-progress", "cancelled")
# A rule code (`VK101`) or a prefix of one (`VK`, `VK1`, `VK10`), as `select` takes them.
CODE_OR_PREFIX = re.compile(r"VK\d{0,3}")
FULL_CODE = re.compile(r"VK\d{3}")


class _Invalid(Exception):
    """A problem in one key; `load` adds the file name in front."""


def load(root: Path, explicit: Path | None = None) -> Config:
    """The configuration for the vault at `root`: `explicit` if given, else the nearest file."""
    root = root.resolve()
    found = read_explicit(explicit, root) if explicit is not None else find_config(root)
    if found is None:
        return Config()
    path, table, section = found
    try:
        return _build(path, table)
    except _Invalid as error:
        raise ConfigError(f"{file_label(path, root, section)}: {error}") from None


def _build(source: Path, table: Mapping[str, Any]) -> Config:
    values: dict[str, object] = {"source": source}
    for key, value in table.items():
        reader = _READERS.get(key)
        if reader is None:
            raise _Invalid(_unknown(key, _READERS))
        values.update(reader(key, value))
    return Config(**values)  # type: ignore[arg-type]  # each reader checked its value


def _unknown(key: str, valid: Collection[str], prefix: str = "") -> str:
    return f"unknown key {prefix + key!r}{did_you_mean(key, valid, prefix)}"


def _type_name(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    names |= {list: "an array", dict: "a table"}
    return names.get(type(value), f"a {type(value).__name__}")


def _strings(key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"{key!r} must be an array of strings, got {_type_name(value)}")
    for item in value:
        if not isinstance(item, str) or not item:
            raise _Invalid(f"{key!r} must be an array of non-empty strings, got {item!r}")
    return tuple(value)


def _codes(key: str, value: object) -> tuple[str, ...]:
    codes = _strings(key, value)
    for code in codes:
        _check_code(key, code, CODE_OR_PREFIX, "a rule code or prefix (like 'VK101' or 'VK1')")
    return codes


def _check_code(key: str, code: str, shape: re.Pattern[str], expected: str) -> None:
    if shape.fullmatch(code):
        return
    hint = f" (did you mean {code.upper()!r}?)" if shape.fullmatch(code.upper()) else ""
    raise _Invalid(f"{key!r}: {code!r} is not {expected}{hint}")


def _name(key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{key!r} must be a non-empty string, got {value!r}")
    return value


def _table(key: str, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"{key!r} must be a table, got {_type_name(value)}")
    return value


def _per_file_ignores(key: str, value: object) -> Mapping[str, tuple[str, ...]]:
    table = _table(key, value)
    return MappingProxyType({glob: _codes(f"{key}.{glob}", codes) for glob, codes in table.items()})


def _task_status(key: str, value: object) -> Mapping[str, str]:
    merged = dict(DEFAULT_TASK_STATUS)
    for char, kind in _table(key, value).items():
        if len(char) != 1:
            raise _Invalid(f"{key!r}: {char!r} must be a single character")
        if kind not in TASK_KINDS:
            hint = did_you_mean(str(kind), TASK_KINDS)
            expected = ", ".join(map(repr, TASK_KINDS))
            raise _Invalid(f"{key!r}: {char!r} is {kind!r}, expected one of {expected}{hint}")
        merged[char] = kind
    return MappingProxyType(merged)


def _rules(key: str, value: object) -> Mapping[str, Mapping[str, object]]:
    rules: dict[str, Mapping[str, object]] = {}
    for code, options in _table(key, value).items():
        _check_code(key, code, FULL_CODE, "a rule code (like 'VK101')")
        rules[code] = _freeze(_table(f"{key}.{code}", options))
    return MappingProxyType(rules)


def _freeze(value: Any) -> Any:
    """TOML tables and arrays as read-only mappings and tuples, all the way down."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value


WATCH_KEYS = ("quiet-period",)


def _watch(key: str, value: object) -> dict[str, object]:
    table = _table(key, value)
    for name in table:
        if name not in WATCH_KEYS:
            raise _Invalid(_unknown(name, WATCH_KEYS, prefix=f"{key}."))
    if "quiet-period" not in table:
        return {}
    period = table["quiet-period"]
    valid = isinstance(period, int | float) and not isinstance(period, bool)
    if not valid or not math.isfinite(period) or not 0 < period <= MAX_QUIET_PERIOD:
        raise _Invalid(
            f"'{key}.quiet-period' must be a number of seconds above 0, at most"
            f" {MAX_QUIET_PERIOD:g}, got {period!r}"
        )
    return {"quiet_period": float(period)}


PACE_WEEKS_AT_MOST = 520


def _weeks(key: str, value: object) -> int:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not 1 <= value <= PACE_WEEKS_AT_MOST
    ):
        raise _Invalid(f"{key!r} must be a whole number of weeks from 1 to 520, got {value!r}")
    return value


def _size(key: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _Invalid(f"{key!r} must be a number of bytes above 0, got {value!r}")
    return value


CANVAS_KEYS = ("path", "folder", "tag", "group-by", "edges")


def _canvases(key: str, value: object) -> dict[str, object]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _Invalid(f"{key!r} must be an array of tables ([[{key}]]), got {_type_name(value)}")
    specs = [_canvas(f"{key}[{number}]", table) for number, table in enumerate(value)]
    paths = [spec.path.casefold() for spec in specs]
    for number, path in enumerate(paths):
        if path in paths[:number]:
            raise _Invalid(f"{key}[{number}].path: {specs[number].path!r} is given twice")
    return {"canvases": tuple(specs)}


def _canvas(key: str, table: Mapping[str, object]) -> CanvasSpec:
    for name in table:
        if name not in CANVAS_KEYS:
            raise _Invalid(_unknown(name, CANVAS_KEYS, prefix=f"{key}."))
    if "path" not in table:
        raise _Invalid(f"{key}: 'path' is required (the .canvas file, from the vault root)")
    texts = {name: _name(f"{key}.{name}", table[name]) for name in table}
    edges = texts.get("edges", "reduced")
    if edges not in ("all", "reduced"):
        raise _Invalid(f"'{key}.edges' must be 'all' or 'reduced', got {edges!r}")
    return CanvasSpec(
        path=_canvas_path(f"{key}.path", texts["path"]),
        folder=texts.get("folder"),
        tag=texts.get("tag"),
        group_by=texts.get("group-by"),
        all_edges=edges == "all",
    )


def _canvas_path(key: str, value: str) -> str:
    """A canvas path inside the vault: relative, no `..`, no dot folder, `.canvas`."""
    parts = value.replace("\\", "/").split("/")
    if value.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise _Invalid(f"{key!r}: {value!r} must be a path inside the vault, like 'Roadmap.canvas'")
    if any(part.startswith(".") for part in parts):
        raise _Invalid(f"{key!r}: {value!r} is in a hidden folder, which Obsidian does not show")
    if not value.lower().endswith(".canvas"):
        raise _Invalid(f"{key!r}: {value!r} must end in '.canvas'")
    return "/".join(parts)


def _field(name: str, read: Callable[[str, object], object]) -> _Reader:
    return lambda key, value: {name: read(key, value)}


_Reader = Callable[[str, object], Mapping[str, object]]
_READERS: dict[str, _Reader] = {
    "exclude": _field("exclude", _strings),
    "select": _field("select", _codes),
    "ignore": _field("ignore", _codes),
    "per-file-ignores": _field("per_file_ignores", _per_file_ignores),
    "task-status": _field("task_status", _task_status),
    "requires": _field("requires", _strings),
    "group-by": _field("group_by", _name),
    "status-key": _field("status_key", _name),
    "start-key": _field("start_key", _name),
    "due-key": _field("due_key", _name),
    "rules": _field("rules", _rules),
    "pace-weeks": _field("pace_weeks", _weeks),
    "watch": _watch,
    "max-note-size": _field("max_note_size", _size),
    "canvas": _canvases,
}


def matches(patterns: Iterable[str], code: str) -> bool:
    """Whether a rule code is named by any of the patterns: codes or prefixes (`VK1`)."""
    return any(code.startswith(pattern) for pattern in patterns)


def check_codes(config: Config, known: Collection[str], root: Path | None = None) -> None:
    """Raise `ConfigError` for a code in `select`, `ignore`, `per-file-ignores` or `rules`
    that names no rule in `known` (the registry's codes). `load` checks only their shape,
    so that this module does not depend on the rules."""
    source = config.source
    label = file_label(source, root, source.name == PYPROJECT) if source else "configuration"
    places = [("select", c) for c in config.select] + [("ignore", c) for c in config.ignore]
    places += [
        (f"per-file-ignores.{g}", c) for g, cs in config.per_file_ignores.items() for c in cs
    ]
    for key, code in places:
        if not any(name.startswith(code) for name in known):
            raise ConfigError(f"{label}: {key!r}: {_unknown_code(code, known)}")
    for code in config.rules:
        if code not in known:
            raise ConfigError(f"{label}: 'rules': {_unknown_code(code, known)}")


def _unknown_code(code: str, known: Collection[str]) -> str:
    return f"unknown rule code {code!r}{did_you_mean(code, known)}"
