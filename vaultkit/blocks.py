"""Find and splice the managed blocks vaultkit owns in a note (pure).

A block is a pair of HTML comments, each alone on its line, at the top level of the body:

    <!-- vaultkit:begin rollup group-by=phase folder="Skills and tools" -->
    ...generated text, replaced on every sync...
    <!-- vaultkit:end rollup -->

Markers are found with markdown-it-py on the body (the front matter is cut off first and the
line offset kept), with the block rules notes are parsed with, so that a note's parse finds
its blocks in its own tokens (`blocks_in`) and `find_blocks` finds the same ones in its text.
Only a line that *starts* an `html_block` token counts, so a marker in fenced or indented
code, math, a `%%` comment, or inside another HTML block, is text. A line inside an HTML
block that still looks like a marker is reported, because the user clearly meant one.

Rules for a note's markers; any break makes a `BlockProblem` (VK502) and the note is never
written until it is fixed:

- every begin has an end of the same kind after it, with no other marker in between
  (no nesting);
- a note may hold several blocks of one kind when their parameters differ; two blocks with
  the same kind *and* parameters are duplicates (they would always render the same);
- the kind and every parameter must be known (`KINDS`), `limit` a whole number 1-1000,
  `depth` a heading level 1-6, `edges` `all` or `reduced`, `group` the word `this`;
- markers sit at the top level: not inside a list item or a quote.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from vaultkit.lines import LINE_BREAK, conflict_marker, split_lines, without_break
from vaultkit.model import (
    Block,
    BlockProblem,
    BlockScan,
    FrontmatterState,
    Note,
    Record,
    Span,
    Unread,
)
from vaultkit.wording import did_you_mean

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# Block kind -> the parameters it accepts.
KINDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "progress": frozenset(),
        "rollup": frozenset({"group-by", "folder", "tag", "group"}),
        "next": frozenset({"limit", "folder", "tag", "group"}),
        "graph": frozenset({"group-by", "edges", "folder", "tag", "group"}),
        "timeline": frozenset({"group-by", "folder", "tag", "group"}),
        "burnup": frozenset({"folder", "tag", "group"}),
        "outline": frozenset({"depth"}),
    }
)
MAX_LIMIT = 1000
MAX_DEPTH = 6  # heading levels
EDGES = ("all", "reduced")
THIS_GROUP = "this"  # `group=this`: the notes whose group (`group-by` in config) is this note

# A marker line: up to three spaces (more would be an indented code block), the comment, and
# nothing after it but blanks.
MARKER_LINE = re.compile(
    r"^ {0,3}(?P<marker><!--\s*vaultkit:(?P<verb>begin|end)\b(?P<rest>.*?)-->)[ \t]*$"
)
# Something that tries to be a marker, wherever it sits on a line.
MARKER_LIKE = re.compile(r"<!--\s*vaultkit:(?:begin|end)\b")
# One `key=value` parameter; a value with spaces is written in double quotes.
PARAM = re.compile(r'\s*(?P<key>[^\s=]+)=(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]*))(?=\s|$)')
# A line that could start an HTML block; generated text never has one.
HTML_START = re.compile(r"^ {0,3}<")


class SpliceRefused(ValueError):
    """The text must not be spliced (git conflict markers, or a block that is not there)."""


class _Marker(Record, frozen=True):
    verb: str  # "begin" or "end"
    rest: str  # what follows the verb, stripped
    span: Span


EMPTY_SCAN = BlockScan((), ())


def find_blocks(text: str, body_line: int = 1) -> BlockScan:
    """The blocks in a note's text (BOM removed; front matter included, body from `body_line`).

    Positions are 1-based file lines, so they need no further offset.
    """
    if "vaultkit:" not in text:
        return EMPTY_SCAN  # the common case: no markers, no parsing
    lines = split_lines(text)
    return _scan(block_parser().parse("".join(lines[body_line - 1 :])), lines, body_line)


@functools.cache
def block_parser() -> MarkdownIt:
    """The parser notes are read with, inline parsing off: only block structure matters.
    Built when first asked for (a note's parse finds its blocks in its own tokens), so a
    run that parses nothing loads no parser."""
    from vaultkit.mdplugin import note_parser

    return note_parser().disable("inline")


class BlockToken(Protocol):
    """What finding blocks reads of a block token: markdown-it's, or `plain.HtmlBlock`."""

    @property
    def type(self) -> str: ...
    @property
    def map(self) -> list[int] | None: ...
    @property
    def level(self) -> int: ...


def blocks_in(tokens: Sequence[BlockToken], text: str, body_line: int) -> BlockScan:
    """The blocks in a note's text, as `find_blocks` finds them, from the tokens a parse of
    its body made (`body.parse_body`), which has the same block rules."""
    if "vaultkit:" not in text:
        return EMPTY_SCAN
    return _scan(tokens, split_lines(text), body_line)


def _scan(tokens: Sequence[BlockToken], lines: list[str], body_line: int) -> BlockScan:
    markers, problems = _markers(tokens, lines, body_line)
    blocks, pairing_problems = _pair(markers)
    problems += pairing_problems
    for block in blocks:
        problems += _check_params(block)
    problems += _duplicates(blocks)
    problems.sort(key=lambda p: p.span)
    return BlockScan(tuple(blocks), tuple(problems))


def _markers(
    tokens: Sequence[BlockToken], lines: list[str], body_line: int
) -> tuple[list[_Marker], list[BlockProblem]]:
    offset = body_line - 1  # 0-based file index of the body's first line
    markers: list[_Marker] = []
    problems: list[BlockProblem] = []
    for token in tokens:
        if token.type != "html_block" or token.map is None:
            continue
        first, stop = token.map[0] + offset, token.map[1] + offset
        for index in range(first, min(stop, len(lines))):
            found = _marker_at(lines[index], index + 1, is_start=index == first, nested=token.level)
            if isinstance(found, _Marker):
                markers.append(found)
            elif found is not None:
                problems.append(found)
    return markers, problems


def _marker_at(
    line: str, number: int, *, is_start: bool, nested: int
) -> _Marker | BlockProblem | None:
    like = MARKER_LIKE.search(line)
    if like is None:
        return None
    where = Span(number, like.start() + 1, number, len(without_break(line)) + 1)
    if not is_start:
        return BlockProblem(where, "marker inside another HTML block: put a blank line before it")
    if nested:
        return BlockProblem(where, "marker inside a list or quote: markers must start the line")
    match = MARKER_LINE.match(without_break(line))
    if match is None:
        return BlockProblem(where, "malformed marker: write it alone on its line as <!-- ... -->")
    span = Span(number, match.start("marker") + 1, number, match.end("marker") + 1)
    return _Marker(match["verb"], match["rest"].strip(), span)


def _pair(markers: Iterable[_Marker]) -> tuple[list[Block], list[BlockProblem]]:
    blocks: list[Block] = []
    problems: list[BlockProblem] = []
    opened: _Marker | None = None
    for marker in markers:
        if marker.verb == "begin":
            if opened is not None:
                problems.append(BlockProblem(marker.span, _nested_message(opened)))
            opened = marker
            continue
        if opened is None:
            problems.append(BlockProblem(marker.span, "end marker without a begin marker"))
            continue
        block = _block(opened, marker, problems)
        if block is not None:
            blocks.append(block)
        opened = None
    if opened is not None:
        problems.append(BlockProblem(opened.span, "begin marker without an end marker"))
    return blocks, problems


def _nested_message(opened: _Marker) -> str:
    return f"begin marker inside the block opened on line {opened.span.line} (blocks cannot nest)"


def _block(begin: _Marker, end: _Marker, problems: list[BlockProblem]) -> Block | None:
    """The block between two markers, or None (with a problem) when they do not match."""
    kind, _, params_text = begin.rest.partition(" ")
    if not kind:
        problems.append(BlockProblem(begin.span, "begin marker names no block kind"))
        return None
    if end.rest != kind:
        problems.append(
            BlockProblem(
                end.span,
                f"end marker {end.rest!r} does not close {kind!r} (line {begin.span.line})",
            )
        )
        return None
    params = _parse_params(params_text.strip())
    if isinstance(params, str):
        problems.append(BlockProblem(begin.span, params))
        return None
    return Block(kind, params, begin.span, end.span)


def _parse_params(text: str) -> Mapping[str, str] | str:
    """The parameters as a mapping in the order written, or a message saying what is wrong."""
    params: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = PARAM.match(text, position)
        if match is None:
            rest = text[position:].strip()
            return f'cannot read parameters {rest!r}: write key=value or key="a value"'
        key = match["key"]
        value = match["quoted"] if match["quoted"] is not None else match["bare"]
        if key in params:
            return f"parameter {key!r} given twice"
        params[key] = value
        position = match.end()
    return MappingProxyType(params)


def _check_params(block: Block) -> list[BlockProblem]:
    if block.kind not in KINDS:
        return [
            BlockProblem(
                block.begin, f"unknown block kind {block.kind!r}{did_you_mean(block.kind, KINDS)}"
            )
        ]
    allowed = KINDS[block.kind]
    problems = []
    for key, value in block.params.items():
        if key not in allowed:
            hint = did_you_mean(key, allowed) if allowed else " (it takes none)"
            problems.append(
                BlockProblem(block.begin, f"unknown parameter {key!r} for {block.kind!r}{hint}")
            )
        elif not value.strip():
            problems.append(BlockProblem(block.begin, f"parameter {key!r} has no value"))
        else:
            problem = _value_problem(key, value)
            if problem is not None:
                problems.append(BlockProblem(block.begin, problem))
    return problems


def _value_problem(key: str, value: str) -> str | None:
    """Why a parameter's value cannot be used, or None."""
    if key == "limit" and not _whole_number(value, MAX_LIMIT):
        return f"limit must be a whole number from 1 to {MAX_LIMIT}, not {value!r}"
    if key == "depth" and not _whole_number(value, MAX_DEPTH):
        return f"depth must be a heading level from 1 to {MAX_DEPTH}, not {value!r}"
    if key == "edges" and value not in EDGES:
        return f"edges must be {' or '.join(map(repr, EDGES))}, not {value!r}"
    if key == "group" and value != THIS_GROUP:
        message = f"group takes only {THIS_GROUP!r} (the notes whose group is this note)"
        return f"{message}, not {value!r}"
    return None


def _whole_number(value: str, most: int) -> bool:
    return value.isascii() and value.isdigit() and 1 <= int(value) <= most


def _duplicates(blocks: Iterable[Block]) -> list[BlockProblem]:
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], Block] = {}
    problems = []
    for block in blocks:
        key = (block.kind, tuple(sorted(block.params.items())))
        first = seen.setdefault(key, block)
        if first is not block:
            message = f"duplicated block: same kind and parameters as line {first.begin.line}"
            problems.append(BlockProblem(block.begin, message))
    return problems


def refusal(note: Note, text: str) -> str | None:
    """Why vaultkit never writes blocks into a note with this text, or None when it may."""
    if not note.decoded:
        return "not UTF-8: vaultkit never writes into it"
    if note.frontmatter_state is FrontmatterState.INVALID:
        return "its front matter is not a valid mapping: the note is read-only until fixed"
    if note.conflict_markers or has_conflict_markers(text):
        return "it has git conflict markers: resolve the conflict first"
    return None


def unseen(unread: Iterable[Unread], blocks: Iterable[Block]) -> Unread | None:
    """A file or folder the vault could not read that one of the blocks might have shown.

    Only a block scoped by `folder=` alone can tell that a skipped path is outside it:
    any other block may show any note (by a link, a tag, a group, what a note unlocks).
    """
    hidden = [entry for entry in unread if entry.hides_notes]
    for block in blocks if hidden else ():
        folder = block.params.get("folder")
        alone = folder is not None and block.params.keys().isdisjoint({"tag", "group"})
        entry = hidden_from(hidden, folder if alone else None)
        if entry is not None:
            return entry
    return None


def hidden_from(unread: Iterable[Unread], folder: str | None) -> Unread | None:
    """A file or folder the vault could not read that may hold a note of `folder` (None:
    of any folder), as what a scope of that folder alone might have shown."""
    for entry in unread:
        if entry.hides_notes and (folder is None or _overlaps(entry.path, folder)):
            return entry
    return None


def _overlaps(path: PurePosixPath, folder: str) -> bool:
    """Whether `path` (a file or a folder) is in `folder` or holds it, ignoring case."""
    wanted = [part.casefold() for part in folder.strip("/").split("/") if part]
    parts = [part.casefold() for part in path.parts]
    shorter = min(len(wanted), len(parts))
    return wanted[:shorter] == parts[:shorter]


def has_conflict_markers(text: str) -> bool:
    """Whether a line opens or closes a git conflict (`=======` alone is not enough: it is
    also a setext heading underline)."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return False  # the usual case: no line can open or close a conflict
    return any(_opens_or_closes_conflict(without_break(line)) for line in split_lines(text))


def _opens_or_closes_conflict(line: str) -> bool:
    return conflict_marker(line) in ("<", ">")


def splice(text: str, block: Block, body: str) -> str:
    """`text` with the lines between the block's markers replaced by `body`.

    Every character outside those lines comes back as it was. `body` is LF text; it is
    inserted with the line break the begin marker's line uses, so a CRLF note stays CRLF.
    Raises `SpliceRefused` for text with git conflict markers, or a block not in `text`.
    """
    refuse_conflicts(text)
    lines = split_lines(text)
    splice_lines(lines, block, body)
    return "".join(lines)


def refuse_conflicts(text: str) -> None:
    """Raise `SpliceRefused` when `text` has git conflict markers: no block is spliced in."""
    if has_conflict_markers(text):
        raise SpliceRefused("the note has git conflict markers")


def splice_lines(lines: list[str], block: Block, body: str) -> bool:
    """`splice` on a text split into its lines (`split_lines`), in place: whether the
    block's lines changed. The text must have passed `refuse_conflicts`."""
    first, last = block.begin.line - 1, block.end.line - 1
    if not (0 <= first < last < len(lines)) or not _is_marker(lines[first], lines[last], block):
        raise SpliceRefused(f"no {block.kind!r} block at lines {block.begin.line}-{block.end.line}")
    newline = LINE_BREAK.search(lines[first])
    inner = list(_body_lines(body, newline.group() if newline else "\n"))
    if "".join(inner) == "".join(lines[first + 1 : last]):
        return False
    lines[first + 1 : last] = inner
    return True


def _is_marker(begin_line: str, end_line: str, block: Block) -> bool:
    begin = MARKER_LINE.match(without_break(begin_line))
    end = MARKER_LINE.match(without_break(end_line))
    return bool(begin and end and begin["verb"] == "begin" and end["rest"].strip() == block.kind)


def _body_lines(body: str, newline: str) -> Iterator[str]:
    for line in split_lines(body):
        content = without_break(line)
        if HTML_START.match(content) or _opens_or_closes_conflict(content):
            # A generated line must never start an HTML block (it could read as a marker, or
            # swallow the end marker) nor look like a conflict: the next sync would misread it.
            raise ValueError(f"generated line would start an HTML block: {content!r}")
        yield content + newline


def block_text(text: str, block: Block) -> str:
    """The block as written, from its begin marker's line to the end of its end marker
    (line breaks as written, the one after the end marker left out)."""
    lines = split_lines(text)[block.begin.line - 1 : block.end.line]
    return "".join(lines[:-1]) + without_break(lines[-1]) if lines else ""
