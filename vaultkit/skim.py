"""A note's body read line by line, in one pass and without a Markdown parser (pure).

For a note over the size cap (`max-note-size`), where markdown-it-py could take minutes
and gigabytes. What a line shows on its own is read: ATX headings, task items (nested
by indentation), wikilinks and embeds (each at most `MAX_LINK_CHARS` long), tags and
block ids, with the same positions a full parse gives; fenced code blocks are skipped.
Not read: Markdown links, Dataview fields, comments, setext headings, code spans and
HTML, and lists inside quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from vaultkit import mdplugin as vk
from vaultkit.model import BlockId, Field, Heading, Link, MalformedTask, Span, Tag, Task


@dataclass(slots=True)
class Found:
    """What a reading of the body collects, in document order."""

    headings: list[Heading] = field(default_factory=list)
    block_ids: list[BlockId] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    malformed: list[MalformedTask] = field(default_factory=list)
    code_lines: set[int] = field(default_factory=set)  # file lines inside code blocks


# A fence that opens or closes a code block: up to three spaces, then three or more
# backticks or tildes (group 1).
FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")
# An ATX heading: up to three spaces, the `#`s (group 1), then the text (group 2) up to
# an optional closing run of `#`s.
HEADING_RE = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
# A list item: its indentation (group 1), its marker (group 2: `-`, `*`, `+`, `1.`, `1)`),
# then a blank; for a task, `[`, the status character (group 3) and `]`, then a blank
# or the end of the line.
ITEM_RE = re.compile(r"([ \t]*)([-*+]|[0-9]{1,9}[.)])[ \t]+(?:\[([^\n])\](?=[ \t]|$))?")
# On a line: a wikilink or embed (group `link`, its inner text in group `inner`), or a
# tag (group `tag`) after a blank or at the start.
INLINE_RE = re.compile(
    rf"(?P<link>!?\[\[(?P<inner>[^\[\n]{{0,{vk.MAX_LINK_CHARS}}}?)\]\])"
    rf"|(?<!\S)#(?P<tag>{vk.TAG_NAME_RE.pattern})"
)
# A block id ending its line: `^`, the id (group 1), then blanks.
BLOCK_ID_END_RE = re.compile(r"(?<!\S)\^([A-Za-z0-9-]+)[ \t]*$")


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


@dataclass(slots=True)
class _Reader:
    result: Found
    items: list[tuple[int, int | None]] = field(default_factory=list)  # (indent, task)

    def line(self, number: int, line: str) -> None:
        heading = HEADING_RE.fullmatch(line)
        if heading is not None:
            self._heading(number, line, heading)
        item = ITEM_RE.match(line)
        if item is not None:
            self._item(number, line, item)
        elif line.strip():
            indent = len(line) - len(line.lstrip(" \t"))
            while self.items and self.items[-1][0] >= indent:
                self.items.pop()  # a line less indented than an item ends it
        self._inline(number, line)

    def _heading(self, number: int, line: str, heading: re.Match[str]) -> None:
        text = heading.group(2) or ""
        start = heading.start(1) + 1
        end = heading.end(2) + 1 if text else start + len(heading.group(1))
        self.result.headings.append(
            Heading(len(heading.group(1)), text, Span(number, start, number, end))
        )

    def _item(self, number: int, line: str, item: re.Match[str]) -> None:
        indent = len(item.group(1).expandtabs(4))
        while self.items and self.items[-1][0] >= indent:
            self.items.pop()
        status = item.group(3)
        if status is None:
            self.items.append((indent, None))
            return
        marker = item.group(2)
        parent = next((task for _, task in reversed(self.items) if task is not None), None)
        col = item.start(3) + 1
        self.result.tasks.append(
            Task(
                status=status,
                text=line[item.end() :].strip(),
                span=Span(number, col, number, col + 1),
                depth=len(self.items),
                parent=parent,
                quoted=False,
                ordinal=int(marker[:-1]) if marker[0].isdigit() else None,
            )
        )
        self.items.append((indent, len(self.result.tasks) - 1))

    def _inline(self, number: int, line: str) -> None:
        for found in INLINE_RE.finditer(line):
            span = Span(number, found.start() + 1, number, found.end() + 1)
            if found.group("link") is None:
                if not found.group("tag").isdigit():
                    self.result.tags.append(Tag(found.group("tag"), span, False))
                continue
            parts = vk.split_wikilink(found.group("inner"))
            if parts is not None:
                embed = found.group().startswith("!")
                link = Link(
                    parts.target, parts.headings, parts.block, parts.alias, embed, "wiki", span
                )
                self.result.links.append(link)
        block = BLOCK_ID_END_RE.search(line)
        if block is not None:
            span = Span(number, block.start() + 1, number, block.end(1) + 1)
            self.result.block_ids.append(BlockId(block.group(1), span))
