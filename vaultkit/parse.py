"""Bytes of one note in, a complete `Note` out: pure, and never raises on a bad note.

The bytes are decoded and split into lines as markdown-it reads them; the front matter is
read by `frontmatter`, the body by `body` (markdown-it-py with vaultkit's plugin) or, over
the size cap, by `skim`; the managed blocks by `blocks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from vaultkit import body, plain
from vaultkit import frontmatter as fm
from vaultkit.blocks import EMPTY_SCAN, blocks_in, find_blocks
from vaultkit.body import Found
from vaultkit.config import DEFAULT_MAX_NOTE_SIZE
from vaultkit.lines import LINE_BREAK, conflict_marker
from vaultkit.model import (
    EMPTY_MAPPING,
    BlockScan,
    Diagnostic,
    FrontmatterState,
    Note,
    Span,
    content_digest,
)


def parse_note(path: PurePosixPath, data: bytes, max_size: int = DEFAULT_MAX_NOTE_SIZE) -> Note:
    """Parse one note's bytes; problems (VK001, VK002, VK005, VK007) are in `Note.problems`.

    A note over `max_size` bytes is skimmed: its front matter is read (it has a size cap
    of its own) and its body only line by line (`skim`), with a VK007 problem saying so.
    """
    digest = content_digest(data)
    first_break = data.find(b"\n")
    newline = "\r\n" if first_break > 0 and data[first_break - 1] == ord("\r") else "\n"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"note is not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        problem = Diagnostic(path, 1, 1, "VK005", message)
        return _empty_note(path, digest, newline, problem)
    bom = text.startswith("\ufeff")
    text = text[1:] if bom else text
    # markdown-it reads CR, LF and CRLF as line breaks and NUL as U+FFFD; doing the same
    # first keeps its line numbers and columns equal to ours.
    normal = LINE_BREAK.sub("\n", text) if "\r" in text else text
    lines = (normal.replace("\0", "\ufffd") if "\0" in normal else normal).split("\n")
    close = fm.closing_index(lines) if not bom and fm.has_frontmatter(text) else None
    front = fm.ABSENT if close is None else fm.read_frontmatter(lines, close)
    if len(data) <= max_size:
        found, blocks = _read_body(text, lines, front.body_line)
        return _note(path, digest, newline, bom, front, text, lines, blocks, found, ())
    from vaultkit import skim  # imported for the few notes over the size cap

    found = skim.read_body(lines, front.body_line)
    blocks = find_blocks(text, front.body_line)
    oversized = Diagnostic(path, 1, 1, "VK007", _oversized_message(len(data), max_size))
    return _note(path, digest, newline, bom, front, text, lines, blocks, found, (oversized,))


def _read_body(text: str, lines: list[str], body_line: int) -> tuple[Found, BlockScan]:
    """What the body holds, and its managed blocks, from one parse: by lines where it is
    plain Markdown (`plain`), else by markdown-it (`body`)."""
    simple = plain.read(lines, body_line)
    if simple is not None:
        return simple.found, blocks_in(simple.html, text, body_line)
    env: dict[str, object] = {}
    tokens = body.parse_body(lines, body_line, env)
    found = body.read_tokens(tokens, lines, body_line, env)
    return found, blocks_in(tokens, text, body_line)  # the same parse: no second one


def is_skimmed(note: Note) -> bool:
    """Whether the note was over the size cap when parsed, and so only skimmed."""
    return any(problem.code == "VK007" for problem in note.problems)


def _oversized_message(size: int, max_size: int) -> str:
    return (
        f"note is {size:,} bytes, over max-note-size ({max_size:,}): read line by line"
        " (front matter, headings, tasks, wikilinks, tags, block ids), not parsed"
    )


def _note(
    path: PurePosixPath,
    digest: str,
    newline: str,
    bom: bool,
    front: fm.Frontmatter,
    text: str,
    lines: list[str],
    blocks: BlockScan,
    found: Found,
    extra: tuple[Diagnostic, ...],
) -> Note:
    problems = [Diagnostic(path, p.line, p.col, p.code, p.message) for p in front.problems]
    problems += extra
    return Note(
        path=path,
        digest=digest,
        bom=bom,
        newline=newline,
        decoded=True,
        frontmatter_state=front.state,
        frontmatter=front.data,
        property_lines=front.property_lines,
        body_line=front.body_line,
        headings=tuple(found.headings),
        block_ids=tuple(found.block_ids),
        links=(*found.links, *front.links),
        tags=(*front.tags, *found.tags),
        aliases=front.aliases,
        fields=tuple(sorted(found.fields, key=lambda f: (f.span.line, f.span.col))),
        tasks=tuple(found.tasks),
        malformed_tasks=tuple(found.malformed),
        conflict_markers=_conflict_markers(text, lines, found.code_lines),
        problems=tuple(sorted(problems)),
        blocks=blocks,
    )


def _empty_note(path: PurePosixPath, digest: str, newline: str, problem: Diagnostic) -> Note:
    return Note(
        path=path,
        digest=digest,
        bom=False,
        newline=newline,
        decoded=False,
        frontmatter_state=FrontmatterState.ABSENT,
        frontmatter=EMPTY_MAPPING,
        property_lines=fm.NO_LINES,
        body_line=1,
        headings=(),
        block_ids=(),
        links=(),
        tags=(),
        aliases=(),
        fields=(),
        tasks=(),
        malformed_tasks=(),
        conflict_markers=(),
        problems=(problem,),
        blocks=EMPTY_SCAN,
    )


def _conflict_markers(text: str, lines: Sequence[str], code_lines: set[int]) -> tuple[Span, ...]:
    """Git conflict marker lines outside code; `=======` only inside a `<<<<<<<` block."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return ()  # the usual case: no line can open or close a conflict
    spans: list[Span] = []
    middle: list[Span] = []
    inside = False
    for number, text in enumerate(lines, start=1):
        kind = conflict_marker(text) if text[:1] in "<=|>" else ""
        if not kind or number in code_lines:
            continue
        span = Span(number, 1, number, len(text) + 1)
        if kind == "<":
            inside, middle = True, []
            spans.append(span)
        elif kind == ">":
            spans.extend(middle)
            inside, middle = False, []
            spans.append(span)
        elif inside:
            middle.append(span)
    return tuple(sorted(spans))
