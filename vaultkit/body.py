"""A note's body read from markdown-it's tokens: headings, tasks, links, tags, block ids,
Dataview fields and the lines of code blocks, each with its position in the file.

The body is parsed by markdown-it-py with `mdplugin`, after the front matter is cut off
(`frontmatter`), so code, math, comments and HTML hide what they contain for free.
Positions are 1-based lines and columns (code points) in the file as saved: each inline
element carries offsets into its block's inline text, and `_Locator` maps them back to
the source line, past blockquote markers, list indentation and table pipes. (`skim` reads
a body too large for this line by line, into the same `Found`.)
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

import msgspec
from msgspec import field

from vaultkit import mdplugin as vk
from vaultkit.blocks import block_parser
from vaultkit.lines import MD_TRIM_CHARS
from vaultkit.mdfields import FIELD_CLOSE, FIELD_OPEN
from vaultkit.model import BlockId, Field, Heading, Link, MalformedTask, Span, Tag, Task
from vaultkit.tablerow import CELL_COLS

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.utils import EnvType


class Found(msgspec.Struct):
    """What a reading of the body collects, in document order."""

    headings: list[Heading] = field(default_factory=list)
    block_ids: list[BlockId] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    malformed: list[MalformedTask] = field(default_factory=list)
    code_lines: set[int] = field(default_factory=set)  # file lines inside code blocks


@functools.cache
def _parser() -> MarkdownIt:
    """`MD`, built once, when first asked for: building a parser costs far more than parsing
    a typical note, and a body read without markdown-it (`plain.py`) needs none."""
    return vk.note_parser()


def __getattr__(name: str) -> MarkdownIt:
    """`MD`: the parser notes are read with; `BLOCKS`: the same without inline text, the
    body's blocks, whose inline text is read after, where it matters (`read_inline_block`)."""
    if name == "MD":
        return _parser()
    if name == "BLOCKS":
        return block_parser()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# A task item's first paragraph: `[`, the status character (group 1), `]`, then a blank
# or the end of the line.
TASK_RE = re.compile(r"\[([^\n])\](?=[ \t]|\n|\Z)")
# A task item that is almost right (checked only where TASK_RE failed): empty or
# over-wide brackets (group 1), not a link `[](url)`; or a usual status character
# (group 2) glued to the text after it, not a link `[x](url)`, `[x][ref]` or `[x]: url`.
LOOSE_TASK_RE = re.compile(r"\[([ \t]{2,}|)\](?![(\[])|\[([ xX/\->])\](?=[^\s(\[:])")
# A URL scheme (`https:`, `mailto:`, `obsidian:`) or a network path: not a vault file.
EXTERNAL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:|//")
# Inline text where an inline rule other than wikilinks and tags could start: math,
# an entity, HTML or an autolink, an escape, a block id, a code span, an image or embed,
# a comment, a field's `::`, a Markdown link's `](`, or a line starting as a malformed
# task does (`mdplugin._malformed_task`).
NOT_SIMPLE_RE = re.compile(r"[$&<\\^`]|!\[|%%|::|\]\(|^[ \t]*(?:[-*+]|[0-9]{1,9}[.)])\[", re.M)
SIMPLE_START_RE = re.compile(r"[\[#]")
# `NOT_SIMPLE_RE` in parts that are quicker to search: a character one of its inline
# elements starts with (most text has none), the elements themselves, and a line that
# starts as a malformed task does (it holds a `[`), the first or one after a line break.
_MAYBE_NOT_SIMPLE_RE = re.compile(r"[$&<\\^`!%:\]]")
_NOT_SIMPLE_INLINE_RE = re.compile(r"[$&<\\^`]|!\[|%%|::|\]\(")
_LOOSE_TASK_FIRST_RE = re.compile(r"[ \t]*(?:[-*+]|[0-9]{1,9}[.)])\[")
_LOOSE_TASK_NEXT_RE = re.compile(r"\n[ \t]*(?:[-*+]|[0-9]{1,9}[.)])\[")


def parse_body(lines: list[str], body_line: int, env: EnvType) -> list[Token]:
    """markdown-it's block tokens for `lines[body_line - 1:]` (the body), their inline
    text not parsed yet; `env` is the parse's, for `read_tokens`."""
    return block_parser().parse("\n".join(lines[body_line - 1 :]), env)


def read_tokens(
    tokens: list[Token], lines: list[str], body_line: int, env: EnvType | None
) -> Found:
    """Read the body's tokens; positions are lines of the whole file. The tokens are those
    of `parse_body` and its `env`, or of a full parse with `MD` (env None: the inline text
    is parsed already)."""
    found = Found()
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in ("fence", "code_block") and token.map:
            found.code_lines.update(range(body_line + token.map[0], body_line + token.map[1]))
        elif kind == "inline" and token.map:
            opener = tokens[index - 1]
            item = tokens[index - 2] if index > 1 else None
            if item is not None and item.type != "list_item_open":
                item = None
            read_inline_block(token, opener, item, lines, body_line, found, env)
    return found


class InlineBlock(Protocol):
    """What is read of an `inline` token: its text, its lines, its parsed children."""

    @property
    def content(self) -> str: ...
    @property
    def map(self) -> list[int] | None: ...
    @property
    def meta(self) -> dict[Any, Any]: ...
    @property
    def children(self) -> list[Token] | None: ...


class Opener(Protocol):
    """What is read of the token that opens a block (`heading_open`, `list_item_open`...)."""

    @property
    def type(self) -> str: ...
    @property
    def tag(self) -> str: ...
    @property
    def markup(self) -> str: ...
    @property
    def info(self) -> str: ...


def read_inline_block(
    token: InlineBlock,
    opener: Opener,
    item: Opener | None,
    lines: list[str],
    body_line: int,
    found: Found,
    env: EnvType | None,
) -> None:
    """Read one block's inline text, opened by `opener`, into `found`: a heading, the first
    paragraph of a list item (opened by `item`: maybe a task), or a paragraph or cell.

    With `env` None the text was parsed: its children are read. Else simple text
    (`is_simple`) is read as it is, unless the body defines link references (`[x]`
    could use one), and other text parsed first, in `env` (the body's).
    """
    heading = opener.type == "heading_open"
    simple = env is not None and "references" not in env and is_simple(token.content)
    start = SIMPLE_START_RE.search(token.content) if simple else None
    if simple and start is None and not heading and item is None:
        return  # plain text: nothing in it to read
    locator = _Locator(token, opener, lines, body_line)
    if heading:
        found.headings.append(_heading(token, opener, locator))
    elif item is not None:
        _list_item(token, item, locator, found)
    if env is None:
        _read_inline(token.children or [], locator, found)
    elif simple:
        _read_simple(token.content, start, locator, found)
    else:
        children: list[Token] = []
        vk.parse_inline(_parser(), token.content, opener.type, env, children)
        _read_inline(children, locator, found)


def is_simple(content: str) -> bool:
    """Whether only a wikilink or a tag can start in `content`, inline text that is then
    read without markdown-it's inline parser (`read_inline_block`): `NOT_SIMPLE_RE` finds
    nothing in it."""
    if _MAYBE_NOT_SIMPLE_RE.search(content) and _NOT_SIMPLE_INLINE_RE.search(content):
        return False
    if "[" not in content:
        return True
    if _LOOSE_TASK_FIRST_RE.match(content):
        return False
    return "\n" not in content or _LOOSE_TASK_NEXT_RE.search(content) is None


def _read_simple(content: str, at: re.Match[str] | None, locator: _Locator, found: Found) -> None:
    """Read simple inline text (`is_simple`) as the inline parser and `_read_inline` would:
    at each `[` or `#` from the first (`at`), a wikilink or a tag, else that character
    as text."""
    while at is not None:
        pos = at.start()
        if content[pos] == "#":
            tag = vk.tag_at(content, pos, len(content))
            if tag is not None:
                found.tags.append(Tag(tag.group(), locator.span(pos, tag.end()), False))
                at = SIMPLE_START_RE.search(content, tag.end())
                continue
        elif content.startswith("[[", pos):
            link = vk.wikilink_at(content, pos, len(content))
            if link is not None:
                end, parts = link
                span = locator.span(pos, end)
                found.links.append(
                    Link(
                        parts.target, parts.headings, parts.block, parts.alias, False, "wiki", span
                    )
                )
                at = SIMPLE_START_RE.search(content, end)
                continue
        at = SIMPLE_START_RE.search(content, pos + 1)


class _Locator:
    """Maps offsets in one inline token's text to 1-based (line, col) in the file."""

    __slots__ = ("_bases", "_cols", "_content", "_first", "_hashes", "_lines", "_starts")

    def __init__(
        self, token: InlineBlock, opener: Opener, lines: list[str], body_line: int
    ) -> None:
        assert token.map is not None  # the caller checked
        self._content = token.content
        self._first = body_line + token.map[0]
        self._lines = lines
        self._cols: list[int] | None = token.meta.get(CELL_COLS)
        atx = opener.type == "heading_open" and opener.markup.startswith("#")
        self._hashes = len(opener.markup) if atx else 0
        self._starts: list[int] | None = None
        self._bases: dict[int, int] = {}

    @property
    def first_line(self) -> int:
        return self._first

    def source(self, line: int) -> str:
        return self._lines[line - 1]

    def at(self, offset: int) -> tuple[int, int]:
        if self._cols is not None:
            return self._first, self._cols[offset] + 1
        if self._starts is None:
            self._starts = _line_starts(self._content)
        k = bisect_right(self._starts, offset) - 1
        base = self._bases.get(k)
        if base is None:
            base = self._bases[k] = self._base(k)
        return self._first + k, base + offset - self._starts[k] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.at(start)
        end_line, end_col = self.at(max(end - 1, start))
        return Span(line, col, end_line, end_col + 1)

    def _base(self, k: int) -> int:
        """0-based column in the file line where content line `k` starts."""
        assert self._starts is not None
        source = self._lines[self._first + k - 1]
        stop = self._starts[k + 1] - 1 if k + 1 < len(self._starts) else len(self._content)
        piece = self._content[self._starts[k] : stop]
        if self._hashes:  # ATX heading: the text follows the opening `#`s
            return source.find(piece, source.find("#" * self._hashes) + self._hashes)
        return _suffix_column(source, piece)


def _line_starts(content: str) -> list[int]:
    starts = [0]
    at = content.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = content.find("\n", at + 1)
    return starts


def _suffix_column(source: str, piece: str) -> int:
    """Where `piece` (a line of a block's text) starts in its source line.

    A paragraph line is the end of its source line, after any `>` markers and list
    indentation; the block's last line lost its trailing blanks, and a tab partly used
    as indentation comes back as spaces.
    """
    if source.endswith(piece):
        return len(source) - len(piece)
    trimmed, source = piece.rstrip(MD_TRIM_CHARS), source.rstrip(MD_TRIM_CHARS)
    if source.endswith(trimmed):
        return len(source) - len(trimmed)
    unindented = trimmed.lstrip(" ")
    if source.endswith(unindented):
        return len(source) - len(trimmed)
    return max(source.find(trimmed.strip()), 0)


def _heading(token: InlineBlock, opener: Opener, locator: _Locator) -> Heading:
    level = int(opener.tag[1:])
    text = token.content
    if not opener.markup.startswith("#"):  # setext: the text, over one or more lines
        return Heading(level, text.replace("\n", " "), locator.span(0, len(text)))
    line = locator.first_line  # ATX: the span starts at the first `#`
    start = locator.source(line).find("#") + 1
    end = locator.at(len(text) - 1)[1] + 1 if text else start + level
    return Heading(level, text, Span(line, start, line, end))


def _list_item(token: InlineBlock, item: Opener, locator: _Locator, found: Found) -> None:
    """The first paragraph of a list item (opened by `item`): a task, or maybe a malformed one."""
    match = TASK_RE.match(token.content)
    if match is None:
        _loose_task(token, item, locator, found)
        return
    line, col = locator.at(1)
    first_line = token.content.split("\n", 1)[0]
    found.tasks.append(
        Task(
            status=match.group(1),
            text=first_line[3:].strip(),
            span=Span(line, col, line, col + 1),
        )
    )


def _loose_task(token: InlineBlock, item: Opener, locator: _Locator, found: Found) -> None:
    """`- []`, `- [  ]` and `- [x]text`: reported with the marker, as VK301 fixes them."""
    match = LOOSE_TASK_RE.match(token.content)
    if match is None:
        return
    line, col = locator.at(0)
    source = locator.source(line)
    before = source[: col - 1].rstrip()
    marker = item.info + item.markup
    if not before.endswith(marker):
        return  # the paragraph does not start on the marker's line
    start = len(before) - len(marker)
    written = source[start : col - 1 + match.end()]
    brackets = "[ ]" if match.group(2) is None else f"[{match.group(2)}] "
    fixed = source[start : col - 1] + brackets
    found.malformed.append(
        MalformedTask(Span(line, start + 1, line, start + 1 + len(written)), written, fixed)
    )


def _read_inline(children: Sequence[Token], locator: _Locator, found: Found) -> None:
    """Collect the plugin's tokens (and Markdown links) from one inline token's children."""
    fields: list[tuple[dict[Any, Any], list[Link]]] = []
    for child in children:
        kind, meta = child.type, child.meta
        if kind == vk.WIKILINK:
            link = _wikilink(meta, locator)
            found.links.append(link)
            if fields:
                fields[-1][1].append(link)
        elif kind in ("link_open", "image") and vk.SPAN in meta:
            _markdown_link(child, locator, found)
        elif kind == vk.TAG:
            found.tags.append(Tag(meta["name"], locator.span(meta["start"], meta["end"]), False))
        elif kind == vk.BLOCK_ID:
            found.block_ids.append(BlockId(meta["id"], locator.span(meta["start"], meta["end"])))
        elif kind == FIELD_OPEN:
            fields.append((meta, []))
        elif kind == FIELD_CLOSE and fields:
            opened, links = fields.pop()
            span = locator.span(opened["start"], opened["end"])
            found.fields.append(Field(opened["key"], opened["value"], span, tuple(links)))
        elif kind == vk.MALFORMED_TASK:
            span = locator.span(meta["start"], meta["end"])
            found.malformed.append(MalformedTask(span, meta["written"], meta["fixed"]))


def _wikilink(meta: dict[Any, Any], locator: _Locator) -> Link:
    span = locator.span(meta["start"], meta["end"])
    parts = (meta["target"], meta["headings"], meta["block"], meta["alias"], meta["embed"])
    return Link(*parts, "wiki", span)


def _markdown_link(token: Token, locator: _Locator, found: Found) -> None:
    """A Markdown link or image to a file in the vault (`[x](My%20Note.md#Part)`)."""
    embed = token.type == "image"
    href = token.attrGet("src" if embed else "href")
    if not isinstance(href, str) or not href or EXTERNAL_RE.match(href):
        return
    path, _, fragment = href.partition("#")
    parts = [unquote(part).strip() for part in fragment.split("#")] if fragment else []
    parts = [part for part in parts if part]
    block = parts.pop()[1:] if parts and parts[-1].startswith("^") else None
    target = unquote(path)
    if target or parts or block:
        start, end = token.meta[vk.SPAN]
        span = locator.span(start, end)
        found.links.append(Link(target, tuple(parts), block, None, embed, "markdown", span))
