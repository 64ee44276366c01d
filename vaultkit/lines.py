"""The one line model of the package: where a line ends, and which lines are git's.

Obsidian's editor and markdown-it both end a line at `\\r\\n`, `\\r` or `\\n`, so every
line number vaultkit reports, every line it silences and every line it edits counts lines
this way (pure).
"""

from __future__ import annotations

import re

# What markdown-it trims from a line or a cell: CommonMark's whitespace (its
# `MD_TRIM_CHARS`, written out here so that reading a note needs no markdown-it).
MD_TRIM_CHARS = (
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
# A line break, as markdown-it's `normalize` rule and Obsidian's editor read one.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A git conflict marker line (without its line break): `<<<<<<< ours`, `||||||| base`,
# `=======`, `>>>>>>> theirs`; the first group is the marker's seven characters.
CONFLICT_MARKER = re.compile(r"(<{7}|\|{7}|>{7})(?:[ \t].*)?|(={7})")


def split_lines(text: str) -> list[str]:
    """The text's lines, each with its line break (the last one may have none)."""
    if "\r" not in text:  # the usual case, split in C
        *broken, last = text.split("\n")
        return [line + "\n" for line in broken] + ([last] if last else [])
    lines: list[str] = []
    start = 0
    for match in LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def lines_of(text: str) -> list[str]:
    """The text's lines without their line breaks: `"a\\rb\\n"` is `["a", "b", ""]`."""
    return LINE_BREAK.split(text)


def line_starts(text: str) -> list[int]:
    """The offset in `text` where each line starts: line N starts at `line_starts[N - 1]`."""
    return [0, *(match.end() for match in LINE_BREAK.finditer(text))]


def without_break(line: str) -> str:
    """A line from `split_lines` without its line break."""
    return line.rstrip("\r\n")


def conflict_marker(line: str) -> str:
    """`<`, `|`, `=` or `>` when the line (no line break) is a git conflict marker, else ""."""
    match = CONFLICT_MARKER.fullmatch(line)
    if match is None:
        return ""
    return (match[1] or match[2])[0]
