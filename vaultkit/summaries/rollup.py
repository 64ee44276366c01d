"""`rollup`: a table of the notes in scope, with a subtotal per group and a total.

    | Note | State | Done | Progress |
    | --- | --- | ---: | --- |
    | **[[P1]]** | 1 of 2 done | 9/12 | ▓▓▓▓▓▓▓░░░ 75% |
    | [[Docker]] | done | 5/5 | ▓▓▓▓▓▓▓▓▓▓ 100% |
    | [[Helm]] | in-progress | 4/7 | ▓▓▓▓▓░░░░░ 57% |
    | **Total** | 1 of 2 done | 9/12 | ▓▓▓▓▓▓▓░░░ 75% |

Untracked notes (no tasks, no status, no prerequisites: a dashboard, a link hub) are left
out, as in `vaultkit status`. Group rows appear only with `group-by=PROPERTY`. Groups are
ordered by the start date of the note a group names (`phase: "[[P1]]"`), then by name;
notes without a value come last. Rows are ordered by title, then path. Dropped notes are
listed but leave every total.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from vaultkit.model import NoteProgress, State, Tally, tally
from vaultkit.progress import group_sort_key
from vaultkit.summaries.scope import Context
from vaultkit.summaries.text import Namer, cell, markdown_text, progress_bar

HEADER = ("| Note | State | Done | Progress |", "| --- | --- | ---: | --- |")
EMPTY = "_No tracked notes in scope._\n"


class Group(msgspec.Struct, frozen=True):
    label: str  # Markdown, already escaped: a link or text
    items: tuple[NoteProgress, ...]


def format_rollup(groups: Sequence[Group], names: Namer, grouped: bool) -> str:
    items = [item for group in groups for item in group.items]
    if not items:
        return EMPTY
    lines = list(HEADER)
    for group in groups:
        if grouped:
            lines.append(_total_row(f"**{group.label}**", tally(group.items)))
        lines += [_row(item, names) for item in group.items]
    lines.append(_total_row("**Total**", tally(items)))
    # The blank line ends the table before the end marker in every renderer (markdown-it
    # and GitHub end a table at an HTML block; a blank line is the one ending all agree on).
    return "\n".join(lines) + "\n\n"


def _row(item: NoteProgress, names: Namer) -> str:
    counts = f"{item.done}/{item.total}" if item.total else "—"
    link = cell(names.link(item.path))
    return f"| {link} | {item.state} | {counts} | {progress_bar(item.percent)} |"


def _total_row(label: str, sums: Tally) -> str:
    counts = f"{sums.done}/{sums.total}" if sums.total else "—"
    state = f"{sums.done_notes} of {sums.notes} done"
    return f"| {cell(label)} | {state} | {counts} | {progress_bar(sums.percent)} |"


def group_label(ctx: Context, group: str | None, key: str) -> str:
    """A group's name: a link when a note has that name, else text."""
    if group is None:
        return markdown_text(f"(no {key})")
    found = ctx.vault.index.resolve_target(group, ctx.note).path
    if found is not None and found in ctx.vault.notes and "#" not in group:
        return ctx.names.link(found)
    return markdown_text(group)


def tracked(ctx: Context) -> list[NoteProgress]:
    """The scope's notes that have something to count, by title then path."""
    items = [ctx.progress.notes[path] for path in ctx.scope]
    items = [item for item in items if item.state is not State.UNTRACKED]
    return sorted(items, key=lambda item: (item.title.casefold(), str(item.path)))


def grouped_items(ctx: Context, key: str) -> list[tuple[str | None, tuple[NoteProgress, ...]]]:
    """The tracked notes in scope by group, in plan order (see `progress.group_sort_key`)."""
    members: dict[str | None, list[NoteProgress]] = {}
    for item in tracked(ctx):
        members.setdefault(ctx.group(item.path, key), []).append(item)
    order = sorted(members, key=lambda g: group_sort_key(ctx.progress, g))
    return [(group, tuple(members[group])) for group in order]


def render(ctx: Context) -> str:
    key = ctx.group_key()
    if key is None:
        return format_rollup([Group("", tuple(tracked(ctx)))], ctx.names, grouped=False)
    groups = [
        Group(group_label(ctx, group, key), items) for group, items in grouped_items(ctx, key)
    ]
    return format_rollup(groups, ctx.names, grouped=True)
