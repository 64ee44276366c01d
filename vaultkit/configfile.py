"""Find and read vaultkit's configuration file; a problem with it is one `ConfigError` line.

`.vaultkit.toml` at the vault root, or `[tool.vaultkit]` in a `pyproject.toml` there. The
search starts at the vault root and walks up, stopping below the home directory (as flake8
does: a stray `~/pyproject.toml` never configures every vault) or at the filesystem root.
In each folder `.vaultkit.toml` comes first; a `pyproject.toml` counts only when it has a
`[tool.vaultkit]` table. What the keys mean is `config.py`'s.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from vaultkit.reading import open_file, read_descriptor

CONFIG_FILE = ".vaultkit.toml"
PYPROJECT = "pyproject.toml"


class ConfigError(Exception):
    """A configuration problem: `cli` turns it into `vaultkit: error: ...` and exit 2."""


def find_config(root: Path) -> tuple[Path, Mapping[str, Any], bool] | None:
    """(file, its vaultkit table, whether it is a pyproject section), or None."""
    root = root.resolve()
    for folder in _searched(root):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate, _parse_toml(candidate, root), False
        candidate = folder / PYPROJECT
        if candidate.is_file():
            section = _tool_section(candidate, _parse_toml(candidate, root), root)
            if section is not None:
                return candidate, section, True
    return None


def config_files(root: Path, explicit: Path | None = None) -> list[Path]:
    """Every file the configuration of the vault at `root` is or would be read from: the
    `explicit` one, else each `.vaultkit.toml` and `pyproject.toml` the search looks at,
    whether it exists or not (`watch` notices one saved, created or removed)."""
    if explicit is not None:
        return [explicit]
    names = (CONFIG_FILE, PYPROJECT)
    return [folder / name for folder in _searched(root.resolve()) for name in names]


def _searched(root: Path) -> Iterator[Path]:
    """The folders the search looks in: `root`, then up, stopping below the home folder."""
    home = _home()
    for depth, folder in enumerate((root, *root.parents)):
        if depth and folder == home:
            return
        yield folder


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, OSError):  # no HOME and no passwd entry: search to the top
        return None


def read_explicit(path: Path, root: Path) -> tuple[Path, Mapping[str, Any], bool]:
    table = _parse_toml(path, root)
    if path.name != PYPROJECT:
        return path, table, False
    section = _tool_section(path, table, root)
    if section is None:
        raise ConfigError(f"{file_label(path, root, False)}: no [tool.vaultkit] table")
    return path, section, True


def _tool_section(
    path: Path, table: Mapping[str, Any], root: Path | None
) -> Mapping[str, Any] | None:
    tool = table.get("tool")
    section = tool.get("vaultkit") if isinstance(tool, dict) else None
    if section is not None and not isinstance(section, dict):
        raise ConfigError(f"{file_label(path, root, False)}: 'tool.vaultkit' must be a table")
    return section


def _parse_toml(path: Path, root: Path | None) -> dict[str, Any]:
    """The TOML document in `path`; every failure is one `ConfigError` line."""
    label = file_label(path, root, False)
    try:
        text = _read_capped(path, label).decode("utf-8-sig")
    except OSError as error:
        raise ConfigError(f"{label}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{label}: not UTF-8 ({error.reason} at byte {error.start})") from None
    import tomllib  # loaded only when there is a configuration file

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_toml_message(label, str(error))) from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursing
        raise ConfigError(f"{label}: invalid TOML: nested too deeply") from None


# The largest configuration file read: a real one is a few kilobytes, and tomllib (pure
# Python) takes seconds over megabytes.
MAX_CONFIG_BYTES = 1 << 20


def _read_capped(path: Path, label: str) -> bytes:
    """The file's bytes; a `ConfigError` when it holds more than `MAX_CONFIG_BYTES`."""
    descriptor = open_file(path)
    try:
        size = os.fstat(descriptor).st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"{label}: {size:,} bytes, over the {MAX_CONFIG_BYTES:,} a configuration"
                " file may hold"
            )
        return read_descriptor(descriptor)
    finally:
        os.close(descriptor)


# tomllib puts the position at the end of its message: "Invalid value (at line 2, column 5)".
TOML_POSITION = re.compile(r"^(?P<message>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def _toml_message(label: str, message: str) -> str:
    match = TOML_POSITION.match(message)
    if match is not None:
        label, message = f"{label}:{match['line']}:{match['col']}", match["message"]
    return f"{label}: invalid TOML: {message[:1].lower()}{message[1:]}"


def file_label(path: Path, root: Path | None, section: bool) -> str:
    """The file as an error names it: relative to the vault root when it is inside it."""
    absolute = path.resolve()
    inside = root is not None and absolute.is_relative_to(root)
    shown = absolute.relative_to(root).as_posix() if inside and root else str(path)
    return f"{shown} [tool.vaultkit]" if section else shown
