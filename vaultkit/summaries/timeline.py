"""`timeline`: a Mermaid gantt of the notes in scope that have a `start` or `due` date.

    ```mermaid
    gantt
        dateFormat YYYY-MM-DD
        section P1 0–6 個月
        Docker :done, t1, 2026-01-05, 2026-02-28
        AWS SAA :milestone, t2, 2026-06-30, 0d
    ```

One section per group (`group-by=PROPERTY`, default the configured group key, `phase`),
ordered like the rollup's groups; a group's own note (the phase note a `phase` property
links to, when it has dates) heads its section rather than sitting in "(no phase)". A note
with both dates is a bar from start to due; a note with one date, or a due date before its
start, is a milestone on its first date.
Done notes are tagged `done`, in-progress notes `active`; dropped notes are left out.
Names lose `:`, `#` and `;` (they end a gantt name) to their full-width forms, and a name
Mermaid would read as a keyword (`Click here`, `Title ideas`) starts with a zero-width space.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

from vaultkit.model import NoteProgress, State
from vaultkit.progress import group_sort_key
from vaultkit.summaries.scope import Context
from vaultkit.summaries.text import gantt_text

EMPTY = "_No notes with a start or due date in scope._\n"
# What Mermaid's gantt lexer reads at the start of a line before it tries a task name
# (case-insensitive): a `%` comment in the first two characters, a keyword, or a date. A
# name that starts so gets a zero-width space in front, which no rule matches.
GANTT_LINE_START = re.compile(
    r"%|[^}]%|acc(?:title|descr)|\d{4}-\d\d-\d\d"
    r"|(?:href|call|click|gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval"
    r"|includes|excludes|todaymarker|weekday|weekend|title|section)\b",
    re.IGNORECASE,
)
ZERO_WIDTH_SPACE = "\u200b"
STATE_TAGS = {State.DONE: "done", State.IN_PROGRESS: "active"}


class Task(msgspec.Struct, frozen=True):
    name: str
    state: State
    start: str | None  # ISO dates
    due: str | None


class Section(msgspec.Struct, frozen=True):
    name: str
    tasks: tuple[Task, ...]


def format_timeline(sections: Sequence[Section]) -> str:
    if not any(section.tasks for section in sections):
        return EMPTY
    lines = ["```mermaid", "gantt", "    dateFormat YYYY-MM-DD"]
    number = 0
    for section in sections:
        if not section.tasks:
            continue
        lines.append(f"    section {gantt_text(section.name) or 'untitled'}")
        for task in section.tasks:
            number += 1
            lines.append(f"    {_task_line(task, f't{number}')}")
    lines.append("```")
    return "\n".join(lines) + "\n"


def _task_line(task: Task, task_id: str) -> str:
    tags = [STATE_TAGS[task.state]] if task.state in STATE_TAGS else []
    first = task.start or task.due
    if task.start and task.due and task.due >= task.start:
        span = f"{task.start}, {task.due}"
    else:
        tags.append("milestone")
        span = f"{first}, 0d"
    name = gantt_text(task.name) or task_id
    if GANTT_LINE_START.match(name):
        # Two before a leading `%`: one would itself be the `[^}]` of `[^}]%`.
        name = ZERO_WIDTH_SPACE * (2 if name.startswith("%") else 1) + name
    return f"{name} :{', '.join([*tags, task_id])}, {span}"


def _sort_key(item: NoteProgress, section: str | None) -> tuple[bool, str, str, str]:
    # The group's own note (a phase) heads its section.
    first = item.start or item.due or ""
    return (item.title != section, first, item.title.casefold(), str(item.path))


def _ordered(items: list[NoteProgress], section: str | None) -> list[NoteProgress]:
    return sorted(items, key=lambda item: _sort_key(item, section))


def render(ctx: Context) -> str:
    key = ctx.group_key(ctx.vault.config.group_by) or ctx.vault.config.group_by
    members: dict[str | None, list[NoteProgress]] = {}
    dated = [ctx.progress.notes[path] for path in ctx.scope]
    dated = [i for i in dated if (i.start or i.due) and i.state is not State.DROPPED]
    groups = {ctx.group(i.path, key) for i in dated}
    for item in dated:
        group = ctx.group(item.path, key)
        if group is None and item.title in groups:
            group = item.title  # a phase note belongs to the section it names
        members.setdefault(group, []).append(item)
    sections = [
        Section(
            group if group is not None else f"(no {key})",
            tuple(
                Task(ctx.names.label(i.path), i.state, i.start, i.due)
                for i in _ordered(members[group], group)
            ),
        )
        for group in sorted(members, key=lambda g: group_sort_key(ctx.progress, g))
    ]
    return format_timeline(sections)
