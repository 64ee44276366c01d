"""A note's body read line by line, in one pass and without a Markdown parser (pure).

For a note over the size cap (`max-note-size`), where markdown-it-py could take minutes
and gigabytes. What a line shows on its own is read: ATX headings, task items (nested
by indentation), wikilinks and embeds (each at most `MAX_LINK_CHARS` long), tags and
block ids, with the same positions a full parse gives; fenced and indented code is
skipped.
Not read: Markdown links, Dataview fields, comments, setext headings, code spans and
HTML, and lists inside quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import msgspec
from msgspec import field

from vaultkit import mdplugin as vk
from vaultkit.body import Found
from vaultkit.model import BlockId, Heading, Link, Span, Tag, Task

# A fence that opens or closes a code block: up to three spaces, then three or more
# backticks or tildes (group 1).
FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")
# An ATX heading: up to three spaces, the `#`s (group 1), then the text (group 2) up to
# an optional closing run of `#`s.
HEADING_RE = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
# A list item: its indentation (group 1), its marker (group 2: `-`, `*`, `+`, `1.`, `1)`),
# then blanks (group 3); for a task, `[`, the status character (group 4) and `]`, then a
# blank or the end of the line.
ITEM_RE = re.compile(r"([ \t]*)([-*+]|[0-9]{1,9}[.)])([ \t]+)(?:\[([^\n])\](?=[ \t]|$))?")
# A wikilink or embed's `[[`, its inner text (group 1) and its `]]`.
WIKILINK_RE = re.compile(rf"\[\[([^\[\n]{{0,{vk.MAX_LINK_CHARS}}}?)\]\]")
# A tag's `#` and its name (group 1); it counts after a blank or at the line start.
TAG_RE = re.compile(rf"#({vk.TAG_NAME_RE.pattern})")
# A block id ending its line (blanks already cut off): `^` then the id (group 1).
BLOCK_ID_END_RE = re.compile(r"\^([A-Za-z0-9-]+)")
# At most this many of each kind of item are read from one note, so that the memory a
# note costs is bounded whatever its size; tasks count progress, so more of them.
MAX_TASKS = 500_000
MAX_ITEMS = 50_000


def read_body(lines: Sequence[str], body_line: int) -> Found:
    """Read `lines[body_line - 1:]` (the body); positions are lines of the whole file."""
    found = _Reader(Found())
    fence = ""
    for number in range(body_line, len(lines) + 1):
        line = lines[number - 1]
        opened = FENCE_RE.match(line)
        if fence:
            found.result.code_lines.add(number)
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = "" if not line[opened.end() :].strip() else fence
        elif opened and not (opened.group(1)[0] == "`" and "`" in line[opened.end() :]):
            fence = opened.group(1)
            found.result.code_lines.add(number)
        else:
            found.line(number, line)
    return found.result


# Nothing compares or prints a reader (`model.record` says why this matters).
class _Reader(msgspec.Struct, eq=False):
    result: Found
    # The open list items: the column where each one's text starts.
    items: list[int] = field(default_factory=list)
    in_paragraph: bool = False  # the line before continues a paragraph

    def line(self, number: int, line: str) -> None:
        text = line.lstrip(" \t")
        indent = len(line) - len(text)
        if "\t" in line[:indent]:
            indent = len(line[:indent].expandtabs(4))
        if not text:
            self.in_paragraph = False
            return
        if not self.in_paragraph:
            self._close(indent)
        base = self.items[-1] if self.items else 0  # where the open item's text starts
        if indent >= base + 4 and not self.in_paragraph:
            self.result.code_lines.add(number)  # an indented code block
            return
        heading = HEADING_RE.fullmatch(line) if text[0] == "#" and indent < base + 4 else None
        if heading is not None and len(self.result.headings) < MAX_ITEMS:
            self._heading(number, line, heading)
        item = ITEM_RE.match(line) if heading is None else None
        if item is not None and self._opens(indent, item):
            self._item(number, line, indent, item)
        elif heading is not None:
            self._close(indent)
        self.in_paragraph = heading is None
        self._inline(number, line)

    def _opens(self, indent: int, item: re.Match[str]) -> bool:
        """Whether the item line starts an item (else it continues a paragraph)."""
        base = self.items[-1] if self.items else 0
        if self.in_paragraph and indent >= base and item.group(2)[:-1] not in ("", "1"):
            return False  # only a `1.` starts an ordered list inside a paragraph
        kept = len(self.items)  # the items it would end: those whose text starts right of it
        while kept and self.items[kept - 1] > indent:
            kept -= 1
        if indent >= (self.items[kept - 1] if kept else 0) + 4:
            return False  # indented code cannot break a paragraph: it goes on, items too
        del self.items[kept:]
        return True

    def _close(self, indent: int) -> None:
        """End the items whose text starts right of a line (not a lazy continuation)."""
        while self.items and self.items[-1] > indent:
            self.items.pop()

    def _heading(self, number: int, line: str, heading: re.Match[str]) -> None:
        text = heading.group(2) or ""
        start = heading.start(1) + 1
        end = heading.end(2) + 1 if text else start + len(heading.group(1))
        self.result.headings.append(
            Heading(len(heading.group(1)), text, Span(number, start, number, end))
        )

    def _item(self, number: int, line: str, indent: int, item: re.Match[str]) -> None:
        gap = len(item.group(3).expandtabs(4))  # blanks between the marker and the text
        content = indent + len(item.group(2)) + (gap if gap <= 4 else 1)
        status = item.group(4)
        self.items.append(content)
        if status is None or len(self.result.tasks) >= MAX_TASKS:
            return
        col = item.start(4) + 1
        self.result.tasks.append(
            Task(
                status=status,
                text=line[item.end() :].strip(),
                span=Span(number, col, number, col + 1),
            )
        )

    def _inline(self, number: int, line: str) -> None:
        links = list(self._links(number, line)) if "]]" in line else []
        if "#" in line:
            self._tags(number, line, links)
        self.result.links.extend(links)
        self._block_id(number, line)

    def _links(self, number: int, line: str) -> Iterator[Link]:
        room = MAX_ITEMS - len(self.result.links)
        for found in WIKILINK_RE.finditer(line):
            parts = vk.split_wikilink(found.group(1))
            if parts is None:
                continue
            if room <= 0:
                return
            room -= 1
            embed = found.start() > 0 and line[found.start() - 1] == "!"
            start = found.start() - embed
            span = Span(number, start + 1, number, found.end() + 1)
            yield Link(parts.target, parts.headings, parts.block, parts.alias, embed, "wiki", span)

    def _tags(self, number: int, line: str, links: list[Link]) -> None:
        tags = self.result.tags
        ahead = iter(links)
        link = next(ahead, None)
        for found in TAG_RE.finditer(line):
            start = found.start()
            if (start and not line[start - 1].isspace()) or found.group(1).isdigit():
                continue
            while link is not None and link.span.end_col <= start + 1:
                link = next(ahead, None)
            if link is not None and link.span.col <= start + 1:
                continue  # inside a wikilink: part of its name
            if len(tags) >= MAX_ITEMS:
                return
            tags.append(
                Tag(found.group(1), Span(number, start + 1, number, found.end() + 1), False)
            )

    def _block_id(self, number: int, line: str) -> None:
        if "^" not in line:
            return
        end = len(line.rstrip(" \t"))
        start = line.rfind("^", 0, end)
        if start < 0 or (start and not line[start - 1].isspace()):
            return
        found = BLOCK_ID_END_RE.fullmatch(line, start, end)
        if found is not None and len(self.result.block_ids) < MAX_ITEMS:
            span = Span(number, start + 1, number, end + 1)
            self.result.block_ids.append(BlockId(found.group(1), span))
