"""`outline`: progress of a roadmap kept in one note, section by section.

    | Section | Done | Progress |
    | --- | ---: | --- |
    | [[#Phase 1]] | 3/4 | ▓▓▓▓▓▓▓░░░ 75% |
    | ↳ [[#Phase 1#Tasks\\|Tasks]] | 1/2 | ▓▓▓▓▓░░░░░ 50% |
    | [[#Reading]] | no tasks | |
    | **Total** | 3/4 | ▓▓▓▓▓▓▓░░░ 75% |

A row per heading of the note the block sits in, down to `depth=` levels below its top
heading level (default 2: with `#` and `##` headings, both). A section runs to the next
heading of the same or a higher level, so its count includes its subsections; the total
row counts every task in the note, before the first heading too. Cancelled tasks leave
the totals, as everywhere. A section with list items but no tasks says `no tasks`; a
section with neither shows nothing.

Each heading links to itself with the shortest `[[#H1#H2]]` chain that Obsidian opens on
exactly that heading (`index.find_heading`), written with the punctuation Obsidian ignores
in headings left out, so it cannot break the link; the text shows the heading as written.
A heading no chain can reach (a second `## Tasks` under a second `# Tasks`) is plain text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import msgspec

from vaultkit.blocks import find_blocks
from vaultkit.config import Config
from vaultkit.index import find_heading, heading_target
from vaultkit.lines import split_lines
from vaultkit.model import Heading, Note, percent
from vaultkit.summaries.scope import Context
from vaultkit.summaries.text import cell, markdown_text, one_line, progress_bar
from vaultkit.vault import Vault

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

DEFAULT_DEPTH = 2
HEADER = ("| Section | Done | Progress |", "| --- | ---: | --- |")
EMPTY = "_No headings in this note._\n"
NESTED = "↳"  # in front of a section's title once per level it sits below the top
# What would end a wikilink's alias early, or split it: brackets and pipes.
ALIAS_BREAKERS = re.compile(r"\[\[|\]\]|\|")


@functools.cache
def _heading_parser() -> MarkdownIt:
    """CommonMark's block structure alone (all that finding list items needs), built when
    an outline is first rendered."""
    from markdown_it import MarkdownIt

    from vaultkit.mdplugin import end_with_line_break

    md = MarkdownIt("commonmark").disable(["inline", "text_join"])
    md.core.ruler.after("normalize", "vk_final_break", end_with_line_break)
    return md


class Section(msgspec.Struct, frozen=True):
    """One heading of the outline and the tasks under it (its subsections included)."""

    title: str  # as written
    nesting: int  # 0 for the top level shown, 1 below it, ...
    subpath: tuple[str, ...] | None  # the link chain that opens exactly this heading
    done: int
    total: int  # todo + in progress + done
    listed: bool  # it holds list items (tasks or not)


class Outline(msgspec.Struct, frozen=True):
    sections: tuple[Section, ...]
    done: int  # the whole note
    total: int


def outline(note: Note, text: str, config: Config, depth: int = DEFAULT_DEPTH) -> Outline:
    """The note's sections down to `depth` levels; `text` is the note as parsed."""
    kinds = [config.task_status.get(task.status, "todo") for task in note.tasks]
    task_lines = [(task.span.line, kind) for task, kind in zip(note.tasks, kinds, strict=True)]
    items = list_item_lines(text, note.body_line)
    headings = note.headings
    top = min((heading.level for heading in headings), default=1)
    sections = []
    for number, heading in enumerate(headings):
        if heading.level >= top + depth:
            continue
        first, stop = heading.span.line, _section_end(headings, number)
        inside = [kind for line, kind in task_lines if first < line < stop]
        sections.append(
            Section(
                title=heading.text,
                nesting=_nesting(headings, number, top),
                subpath=_subpath(headings, number),
                done=inside.count("done"),
                total=sum(kind != "cancelled" for kind in inside),
                listed=any(first < line < stop for line in items),
            )
        )
    done = kinds.count("done")
    return Outline(tuple(sections), done, sum(kind != "cancelled" for kind in kinds))


def _section_end(headings: Sequence[Heading], number: int) -> int:
    """The line of the next heading at the same or a higher level (a huge line at the end)."""
    level = headings[number].level
    for heading in headings[number + 1 :]:
        if heading.level <= level:
            return heading.span.line
    return 1 << 62


def _ancestors(headings: Sequence[Heading], number: int) -> list[int]:
    """The headings that enclose heading `number`, outermost first."""
    found: list[int] = []
    level = headings[number].level
    for index in range(number - 1, -1, -1):
        if headings[index].level < level:
            found.insert(0, index)
            level = headings[index].level
    return found


def _nesting(headings: Sequence[Heading], number: int, top: int) -> int:
    return sum(1 for index in _ancestors(headings, number) if headings[index].level >= top)


def _subpath(headings: Sequence[Heading], number: int) -> tuple[str, ...] | None:
    """The shortest chain of enclosing headings that opens exactly heading `number`."""
    path = [*_ancestors(headings, number), number]
    for start in range(len(path) - 1, -1, -1):
        chain = tuple(heading_target(headings[index].text) for index in path[start:])
        if all(chain) and find_heading(headings, chain) == number:
            return chain
    return None


def list_item_lines(text: str, body_line: int) -> list[int]:
    """The file lines where list items start, outside vaultkit's own blocks and code."""
    lines = split_lines(text)
    body = "".join(lines[body_line - 1 :])
    blocks = find_blocks(text, body_line).blocks
    found = []
    for token in _heading_parser().parse(body):
        if token.type == "list_item_open" and token.map is not None:
            line = token.map[0] + body_line
            if not any(block.contains_line(line) for block in blocks):
                found.append(line)
    return found


def format_outline(result: Outline, link: Callable[[Section], str]) -> str:
    """The table; `link` writes a section's title cell (a link, or text)."""
    if not result.sections:
        return EMPTY
    lines = list(HEADER)
    for section in result.sections:
        title = f"{NESTED * section.nesting} {link(section)}".lstrip()
        lines.append(_row(cell(title), section.done, section.total, section.listed))
    lines.append(_row("**Total**", result.done, result.total, listed=True))
    # A blank line ends the table before the end marker (see `rollup`).
    return "\n".join(lines) + "\n\n"


def _row(title: str, done: int, total: int, listed: bool) -> str:
    if total:
        return f"| {title} | {done}/{total} | {progress_bar(percent(done, total))} |"
    return f"| {title} | {'no tasks' if listed else ''} | |".replace("|  |", "| |")


def heading_link(section: Section) -> str:
    """`[[#Target|Title]]` for a section, or its title as text when no link reaches it."""
    shown = markdown_text(section.title)
    if section.subpath is None:
        return shown
    target = "#" + "#".join(section.subpath)
    alias = one_line(ALIAS_BREAKERS.sub(" ", section.title))
    if alias == section.subpath[-1] and len(section.subpath) == 1:
        return f"[[{target}]]"
    return f"[[{target}|{alias}]]"


def note_outline(vault: Vault, path: PurePosixPath, depth: int = DEFAULT_DEPTH) -> Outline | None:
    """The outline of a note as it is on disk; None when it is not a note vaultkit reads."""
    note = vault.notes.get(path)
    if note is None or not note.decoded:
        return None
    try:
        text = vault.read_bytes(path).decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        return None
    return outline(note, text, vault.config, depth)


def render(ctx: Context) -> str:
    depth = int(ctx.block.params.get("depth", DEFAULT_DEPTH))
    found = note_outline(ctx.vault, ctx.note, depth)
    return format_outline(found or Outline((), 0, 0), heading_link)
