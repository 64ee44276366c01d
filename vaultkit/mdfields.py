"""Dataview's inline fields, as rules of vaultkit's markdown-it plugin (`mdplugin`).

A field is `key:: value` filling a paragraph line, or `[key:: value]` / `(key:: value)`
inside one. Each becomes a `vk_field_open` token (meta: start, end, key, value), the
tokens of its value (a wikilink in a value is a link), and a `vk_field_close` token.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.rules_inline import StateInline

FIELD_OPEN = "vk_field_open"
FIELD_CLOSE = "vk_field_close"

# A full-line Dataview field key (`**Key**::`): a key of letters, digits, `_`, spaces,
# `-` and `/`, in backticks (group 1) or not (group 2), inside optional emphasis marks.
# A backtick that opens a code span beyond the key leaves the line alone. Emoji keys are
# not read.
LINE_FIELD_KEY_RE = re.compile(r"[*_~]*(?:`([^\W_][\w \-/]*?)`|([^\W_][\w \-/]*?))[*_~]*[ \t]*")

_FIELD_CLOSERS = {"[": "]", "(": ")"}
_FIELD_BRACKETS_RE = re.compile(r"[\\\[\]()]")  # what Dataview's closing-bracket scan looks at
# A search for a field's `::` looks this far ahead at most. Keys are far shorter in practice.
MAX_KEY_CHARS = 256


def line_field(state: StateInline) -> bool:
    """`key:: value` filling a paragraph line (Dataview's full-line field)."""
    src, pos = state.src, state.pos
    line_end = src.find("\n", pos, state.posMax)
    line_end = state.posMax if line_end < 0 else line_end
    sep = src.find("::", pos, line_end)
    if sep < 0:
        return False
    key = LINE_FIELD_KEY_RE.fullmatch(src, pos, sep)
    if key is None or _has_bracket_field(src, pos, line_end):
        return False
    _tokenize_field(state, pos, key.group(1) or key.group(2), sep + 2, line_end, line_end)
    return True


def _has_bracket_field(src: str, start: int, end: int) -> bool:
    """Dataview reads `[k:: v]` and `(k:: v)` first; a line with one is no full-line field."""
    for opener in _FIELD_CLOSERS:
        at = src.find(opener, start, end)
        while at >= 0:
            if _bracket_field_at(src, at, end) is not None:
                return True
            at = src.find(opener, at + 1, end)
    return False


def _bracket_field_at(src: str, start: int, limit: int) -> tuple[str, int, int] | None:
    """(key, value start, closing bracket) of a `[key:: value]` / `(key:: value)` at `start`."""
    sep = src.find("::", start + 1, min(limit, start + MAX_KEY_CHARS))
    if sep < 0:
        return None
    key = src[start + 1 : sep].strip()
    if not key or any(ch in key for ch in "[]()\n"):
        return None
    line_end = src.find("\n", sep, limit)
    line_end = limit if line_end < 0 else line_end
    close = _find_closing(src, sep + 2, line_end, src[start], _FIELD_CLOSERS[src[start]])
    return None if close is None else (key, sep + 2, close)


def _find_closing(src: str, start: int, end: int, opener: str, closer: str) -> int | None:
    """The index of the bracket closing an inline field, as Dataview finds it: nesting
    counted, and a backslash escapes the character after it."""
    depth = 0
    skip = -1
    for found in _FIELD_BRACKETS_RE.finditer(src, start, end):
        index, char = found.start(), found.group()
        if index == skip:
            continue
        if char == "\\":
            skip = index + 1
        elif char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth < 0:
                return index
    return None


def bracket_field(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] not in _FIELD_CLOSERS or src.startswith("[[", pos):
        return False
    found = _bracket_field_at(src, pos, state.posMax)
    if found is None:
        return False
    key, value_start, close = found
    if silent:
        state.pos = close + 1
    else:
        _tokenize_field(state, pos, key, value_start, close, close + 1)
    return True


def _tokenize_field(
    state: StateInline, start: int, key: str, value_start: int, value_end: int, end: int
) -> None:
    """Push a field's open token, the tokens of its value, and its close token."""
    value = state.src[value_start:value_end].strip()
    token = state.push(FIELD_OPEN, "", 1)
    token.meta = {"start": start, "end": end, "key": key, "value": value}
    old_max = state.posMax
    state.pos, state.posMax = value_start, value_end
    state.md.inline.tokenize(state)
    state.posMax = old_max
    state.push(FIELD_CLOSE, "", -1)
    state.pos = end
