"""JSON Canvas 1.0 files (Obsidian's `.canvas`): read, write, and where a value is written.

Pure: bytes or text in, values out.

- `loads`: a canvas file's document, or `CanvasError` for anything vaultkit should neither
  merge into nor look into.
- `dumps`: the bytes in the layout Obsidian writes (tab-indented, one node or edge per
  line, no spaces, no final line break).
- `node_strings`: where each node's string values are written in the file, so that a
  finding about a card's file or about a link in a card's text points at the character a
  user would put the cursor on.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from vaultkit.lines import line_starts
from vaultkit.model import Record

Canvas = dict[str, Any]  # a parsed JSON Canvas document

_DECODER = json.JSONDecoder()
# The one-character escapes of a JSON string, and `\uXXXX` (one UTF-16 code unit).
ESCAPE_RE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)")


class CanvasError(ValueError):
    """A file that is not a JSON Canvas vaultkit can read: it is never written. `at` is
    the 1-based line and column where the JSON went wrong, when that is known."""

    def __init__(self, message: str, at: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.at = at


def loads(data: bytes) -> Canvas:
    """A canvas file's document; an empty file is an empty canvas (Obsidian makes those).

    Raises `CanvasError` for anything vaultkit should not merge into: not UTF-8, not
    JSON (nested deeper than Python's parser goes, too), not an object, `nodes` or
    `edges` not lists of objects.
    """
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise CanvasError("not UTF-8") from None
    if not text.strip():
        return {}
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise CanvasError(f"not JSON: {error.msg}", (error.lineno, error.colno)) from None
    except ValueError as error:
        raise CanvasError(f"not JSON: {error}") from None
    except RecursionError:
        raise CanvasError("nested too deeply to read") from None
    if not isinstance(document, dict):
        raise CanvasError("not a JSON object")
    for key in ("nodes", "edges"):
        items = document.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise CanvasError(f"{key!r} is not a list of objects")
    return document


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def dumps(canvas: Mapping[str, Any]) -> bytes:
    """The canvas in the layout Obsidian writes."""
    lines = ["{"]
    keys = ["nodes", "edges", *(key for key in canvas if key not in ("nodes", "edges"))]
    for number, key in enumerate(keys):
        comma = "," if number < len(keys) - 1 else ""
        value = canvas.get(key, [])
        if key in ("nodes", "edges") and value:
            lines.append(f"\t{_compact(key)}:[")
            items = [f"\t\t{_compact(item)}" for item in value]
            lines.append(",\n".join(items))
            lines.append(f"\t]{comma}")
        else:
            lines.append(f"\t{_compact(key)}:{_compact(value)}{comma}")
    lines.append("}")
    return "\n".join(lines).encode("utf-8")


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# -- where values are written -------------------------------------------------------------


class Written(Record, frozen=True):
    """A string value as written in the file: `text[start:end]` is its literal, quotes
    included; `starts` are the file's line starts."""

    value: str
    text: str
    start: int
    end: int
    starts: tuple[int, ...]

    def position(self, index: int | None = None, escapes: Escapes | None = None) -> tuple[int, int]:
        """The 1-based line and column in the file of the value's character at `index`
        (the end of the value for its length); of the opening quote when `index` is None.
        A JSON string is written on one line, escapes and all. `escapes`: this string's
        (`escapes()`), when the caller asks for many positions in it."""
        if index is None:
            offset = self.start
        else:
            offset = self.start + 1 + (escapes or self.escapes()).offset(index)
        line = _line_of(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def escapes(self) -> Escapes:
        """Where the value and the literal line up again after each escape in it."""
        raw = self.text[self.start + 1 : self.end - 1]
        values, literal = [], []
        shift = 0  # the literal's characters past the value's so far
        found = list(ESCAPE_RE.finditer(raw))
        at = 0
        while at < len(found):
            escape, end = found[at], found[at].end()
            pair = found[at + 1] if at + 1 < len(found) else None
            high = pair is not None and pair.start() == end and _surrogate(escape, 0xD800)
            if pair is not None and high and _surrogate(pair, 0xDC00):  # one character
                end, at = pair.end(), at + 1
            shift += end - escape.start() - 1
            values.append(end - shift)
            literal.append(end)
            at += 1
        return Escapes(values, literal, len(raw))


class Escapes(Record, frozen=True):
    """Where a JSON string's value and its literal line up after each escape in it (`\\n`
    is one character of the value, an escaped surrogate pair too), in turn: the value's
    index there and the literal's offset (after the opening quote)."""

    values: list[int]
    literal: list[int]
    length: int  # of the literal, quotes left out

    def offset(self, index: int) -> int:
        """Where the value's character at `index` starts in the literal (its end for an
        index past the value's end): looked up, not walked, so that a card of thousands of
        links costs no more per link than one of a few."""
        last = bisect.bisect_right(self.values, index) - 1
        value, at = (self.values[last], self.literal[last]) if last >= 0 else (0, 0)
        return min(at + index - value, self.length)


def _surrogate(escape: re.Match[str], low: int) -> bool:
    """Whether the escape is a `\\uXXXX` in the surrogate block starting at `low`."""
    unit = escape.group(1)
    return unit is not None and low <= int(unit, 16) < low + 0x400


def _line_of(starts: tuple[int, ...], offset: int) -> int:
    low, high = 0, len(starts)
    while high - low > 1:
        middle = (low + high) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle
    return low + 1


def node_strings(text: str) -> list[dict[str, Written]]:
    """For each node of the canvas `text` (one that `loads` reads), in order: where its
    string values are written, by key. Other values (numbers, objects) are left out."""
    scanner = _Scanner(text, tuple(line_starts(text)))
    return scanner.nodes()


def _string(text: str, at: int) -> tuple[str, int]:
    """The JSON string whose opening quote is at `at`, and the offset past its closing one."""
    value, end = _DECODER.raw_decode(text, at)
    return str(value), end


class _Scanner:
    """Walks the JSON text once, without recursion, keeping the places of strings."""

    def __init__(self, text: str, starts: tuple[int, ...]) -> None:
        self.text = text
        self.starts = starts
        self.at = 0

    def nodes(self) -> list[dict[str, Written]]:
        found: list[dict[str, Written]] = []
        for key in self._members():
            if key == "nodes" and self._enter("["):
                found = []  # a key written twice: the last counts, as for a JSON parser
                while self._next("]"):
                    found.append(self._strings())
            else:
                self._skip_value()
        return found

    def _strings(self) -> dict[str, Written]:
        """The string values of the object that starts here, by key (of a key written
        twice, the last, which is the one a JSON parser keeps)."""
        strings: dict[str, Written] = {}
        for key in self._members():
            if self._peek() == '"':
                start = self.at
                value, self.at = _string(self.text, start)
                strings[key] = Written(value, self.text, start, self.at, self.starts)
            else:
                self._skip_value()
        return strings

    def _members(self) -> Iterator[str]:
        """The keys of the object that starts here; after each, the scanner is at its value.
        Nothing when there is no object here (its value is skipped)."""
        if not self._enter("{"):
            self._skip_value()
            return
        while self._next("}") and self._peek() == '"':
            key, self.at = _string(self.text, self.at)
            if not self._enter(":"):
                return
            self._space()
            yield key

    def _next(self, close: str) -> bool:
        """Past the comma before the next item of a list or object; False at its end."""
        self._space()
        if self._peek() == ",":
            self.at += 1
            self._space()
        if self._peek() == close:
            self.at += 1
            return False
        return self.at < len(self.text)

    def _skip_value(self) -> None:
        """Past the value that starts here: a string, a container, or a number or word."""
        self._space()
        depth = 0
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in ",}]" and depth == 0:
                return
            if char == '"':
                _, self.at = _string(self.text, self.at)
            else:
                depth += (char in "{[") - (char in "}]")
                self.at += 1
            if depth == 0 and char in '"}]':
                return

    def _enter(self, char: str) -> bool:
        self._space()
        if self._peek() == char:
            self.at += 1
            return True
        return False

    def _peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def _space(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in " \t\n\r":
            self.at += 1
