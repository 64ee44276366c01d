"""`vaultkit status` as text and JSON (pure: a View in, text out).

Text: each group's notes with their state, tasks and a bar (and, for one note asked about,
its sections), the totals, then each group's forecast. JSON: the same, with stable keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import msgspec

from vaultkit.bars import bar, display_width, pad
from vaultkit.forecast import Verdict
from vaultkit.model import NoteProgress, State, path_order, percent, tally
from vaultkit.report import SCHEMA, STATE_COLOURS, STATE_ORDER, Formatter, dump, paint
from vaultkit.view import View
from vaultkit.wording import plural

if TYPE_CHECKING:
    from vaultkit.schedule import GroupForecast
    from vaultkit.summaries.outline import Outline, Section


def status_text(view: View) -> str:
    return layout_text(view, status_layout(view))


class GroupRows(msgspec.Struct, frozen=True):
    """One group of `status`'s text: how many notes it has, the tasks of those that are not
    dropped, and each note's row with its place (`_row_key`), in the order printed."""

    group: str | None
    notes: int
    done: int
    total: int
    rows: tuple[tuple[int, PurePosixPath, str], ...]  # state's place, path, the row


class StatusLayout(msgspec.Struct, frozen=True):
    """`status`'s text before it is joined: each group's rows, the width their titles are
    padded to, and the totals. A later run whose notes' progress moved updates it
    (`updated_layout`) instead of writing every row again."""

    width: int
    groups: tuple[GroupRows, ...]  # in the order printed (`group_sort_key`)
    notes: int
    done: int  # tasks of the notes that are not dropped
    total: int
    states: tuple[int, ...]  # how many notes are in each state, in `STATE_ORDER`


def status_layout(view: View) -> StatusLayout:
    """The layout of `view`'s text, every row written."""
    tracked = [n for n in view.notes if n.state is not State.UNTRACKED]
    groups: dict[str | None, list[NoteProgress]] = {}
    for item in tracked:
        groups.setdefault(item.group, []).append(item)
    width = max((display_width(n.title) for n in tracked), default=0) + 2
    from vaultkit.progress import group_sort_key  # imported when a status is written

    ordered = sorted(groups, key=lambda g: group_sort_key(view.progress, g))
    laid = tuple(_group_rows(view, group, groups[group], width) for group in ordered)
    counted = tally(view.notes)
    states = Counter(n.state for n in view.notes)
    return StatusLayout(
        width,
        laid,
        len(view.notes),
        counted.done,
        counted.total,
        tuple(states[state] for state in STATE_ORDER),
    )


def _group_rows(view: View, group: str | None, items: list[NoteProgress], width: int) -> GroupRows:
    counted = tally(items)
    rows = sorted(
        ((_row_key(item), item.path, _status_row(view, item, width)) for item in items), key=_place
    )
    return GroupRows(group, len(items), counted.done, counted.total, tuple(rows))


def _row_key(item: NoteProgress) -> int:
    return STATE_ORDER.index(item.state)


def _place(row: tuple[int, PurePosixPath, str]) -> tuple[int, tuple[str, ...]]:
    """Where a row goes in its group: by state, then by path."""
    return row[0], path_order(row[1])


def _width(item: NoteProgress) -> int:
    """The width a note's row pads titles to, at least (0: it has no row)."""
    return 0 if item.state is State.UNTRACKED else display_width(item.title) + 2


def layout_text(view: View, layout: StatusLayout) -> str:
    """The text of `layout`, with the sections of a note asked about on its own, and the
    forecasts of `view`."""
    lines: list[str] = []
    for group in layout.groups:
        title = group.group if group.group is not None else "(no group)"
        share = percent(group.done, group.total)
        counts = f"{group.done}/{group.total}  {bar(share, 100)} {share:3d}%"
        lines.append(paint(view, f"{title}  {plural(group.notes, 'note')}  {counts}", "bold"))
        for _, _, row in group.rows:
            lines.append(row)
            if view.outline is not None and len(view.notes) == 1:
                lines += _sections(view.outline.sections, layout.width)
        lines.append("")
    lines.append(_status_totals(layout))
    lines += _forecast_lines(view)
    return "\n".join(lines) + "\n"


def _sections(sections: Sequence[Section], width: int) -> list[str]:
    labels = [display_width(_section_label(s)) + 2 for s in sections]
    column = max([width + 10, *labels])
    return [_section_row(section, column) for section in sections]


def updated_layout(
    view: View,
    layout: StatusLayout,
    before: Mapping[PurePosixPath, NoteProgress],
    now: Mapping[PurePosixPath, NoteProgress],
) -> StatusLayout | None:
    """`layout`, of the notes in scope as they were when only the notes `before` had the
    progress given there, brought up to date with their progress `now`: their rows
    written again (as `view` shows them), moved between groups, and the totals with them.
    None when that changes more than those rows (a title's width that was the widest, a
    group that is new): then it is laid out again."""
    new = [now[path] for path in sorted(before, key=path_order)]
    old = [before[item.path] for item in new]
    width = layout.width
    if any(
        _width(n) > width or _width(o) == width > _width(n) for o, n in zip(old, new, strict=True)
    ):
        return None  # a wider title, or perhaps the widest one gone
    groups = {group.group for group in layout.groups}
    if any(_width(item) and item.group not in groups for item in new):
        return None  # a new group: where it goes depends on every note
    laid = []
    for group in layout.groups:
        gone = [item for item in old if _width(item) and item.group == group.group]
        came = [item for item in new if _width(item) and item.group == group.group]
        if gone or came:
            group = _regrouped(view, group, width, gone, came)
        if group.notes:
            laid.append(group)
    out, into = tally(old), tally(new)
    states = Counter(item.state for item in new)
    states.subtract(item.state for item in old)
    return StatusLayout(
        width,
        tuple(laid),
        layout.notes,
        layout.done - out.done + into.done,
        layout.total - out.total + into.total,
        tuple(
            count + states[state] for state, count in zip(STATE_ORDER, layout.states, strict=True)
        ),
    )


def _regrouped(
    view: View, group: GroupRows, width: int, gone: list[NoteProgress], came: list[NoteProgress]
) -> GroupRows:
    """`group` without the rows of the notes `gone`, with those of the notes that `came`."""
    rows = {row[1]: row for row in group.rows}
    for item in gone:
        del rows[item.path]
    for item in came:
        rows[item.path] = (_row_key(item), item.path, _status_row(view, item, width))
    out, into = tally(gone), tally(came)
    return GroupRows(
        group.group,
        group.notes - len(gone) + len(came),
        group.done - out.done + into.done,
        group.total - out.total + into.total,
        tuple(sorted(rows.values(), key=_place)),
    )


def _section_label(section: Section) -> str:
    return "  " * section.nesting + section.title


def _section_row(section: Section, width: int) -> str:
    """A section of a note, under its row: indented by level, counts in one column."""
    label = pad(_section_label(section), width)
    if not section.total:
        return f"    {label}{'no tasks' if section.listed else ''}".rstrip()
    share = percent(section.done, section.total)
    counts = f"{section.done}/{section.total}"
    return f"    {label}{counts:>7}  {bar(share, 100)} {share:3d}%"


def _status_row(view: View, item: NoteProgress, width: int) -> str:
    state = paint(view, f"{item.state.value:<12}", STATE_COLOURS[item.state])
    counts = f"{item.done}/{item.total}" if item.total else "-"
    row = (
        f"  {pad(item.title, width)}{state}{counts:>7}  {bar(item.percent, 100)} {item.percent:3d}%"
    )
    needs = _open_prerequisites(item)
    if needs:
        row += paint(view, f"  needs {', '.join(needs)}", "dim")
    return row


def _open_prerequisites(item: NoteProgress) -> list[str]:
    """What a note still waits for, saying which ones are in a loop or do not exist, and
    which task it waits on where that is why."""
    tasks: dict[PurePosixPath, list[str]] = {}
    for wait in item.waiting:
        tasks.setdefault(wait.on, []).append(repr(wait.on_task))
    named = [
        f"{path.stem} (loop, not blocking)"
        if path in item.looping
        else f"{path.stem} (task {', '.join(tasks[path])})"
        if path in tasks and path not in item.requires
        else path.stem
        for path in item.blocked_by
    ]
    return named + [f"{target} (not found)" for target in item.missing]


def _status_totals(layout: StatusLayout) -> str:
    done, total = layout.done, layout.total
    parts = [
        f"{count} {s.value}" for s, count in zip(STATE_ORDER, layout.states, strict=True) if count
    ]
    line = (
        f"{plural(layout.notes, 'note')}, {done}/{total} tasks {bar(done, total)} "
        f"{percent(done, total)}%"
    )
    return f"{line}: {', '.join(parts)}" if parts else line


VERDICT_COLOURS: Mapping[Verdict, str] = {
    Verdict.BEHIND: "red",
    Verdict.OVERDUE: "red",
    Verdict.ON_TRACK: "green",
    Verdict.AHEAD: "green",
    Verdict.DONE: "green",
}


def _forecast_lines(view: View) -> list[str]:
    """`P2 6–12 個月  12 left  1.5 a week  finish 2027-01-22  due 2026-12-31  behind by 4 weeks`."""
    if not view.forecasts or view.today is None:
        return []
    weeks = plural(view.pace_weeks, "week")
    head = f"Forecast on {view.today}, at the pace of the last {weeks}:"
    names = [group.group or "all notes" for group in view.forecasts]
    width = max(display_width(name) for name in names) + 2
    lines = ["", paint(view, head, "bold")]
    for name, group in zip(names, view.forecasts, strict=True):
        result = group.forecast
        pace = f"{result.pace:.1f} a week" if result.done_in_window else "no pace yet"
        finish = f"finish {result.finish}" if result.finish else ""
        due = f"due {result.due}" if result.due else ""
        verdict = paint(view, result.describe(), VERDICT_COLOURS.get(result.verdict, "dim"))
        row = f"  {pad(name, width)}{result.remaining:>5} left  {pace:<12}  {finish:<17}  {due:<14}"
        lines.append(f"{row}  {verdict}")
    return lines


def _forecast_json(group: GroupForecast) -> dict[str, object]:
    result = group.forecast
    return {
        "group": group.group,
        "note": str(group.note) if group.note else None,
        "due": result.due.isoformat() if result.due else None,
        "remaining": result.remaining,
        "done_in_window": result.done_in_window,
        "pace": round(result.pace, 3),
        "finish": result.finish.isoformat() if result.finish else None,
        "verdict": str(result.verdict),
        "weeks": result.weeks,
    }


def status_json(view: View) -> str:
    counted = tally(view.notes)
    done, total = counted.done, counted.total
    states = Counter(n.state.value for n in view.notes)
    payload = {
        "schema": SCHEMA,
        "vault": str(view.root),
        "notes": [_note_json(n) for n in view.notes],
        **({"sections": _sections_json(view.outline)} if view.outline is not None else {}),
        "totals": {
            "notes": len(view.notes),
            "done": done,
            "total": total,
            "percent": percent(done, total),
            "states": {s.value: states[s.value] for s in STATE_ORDER},
        },
    }
    if view.today is not None:
        payload["today"] = view.today.isoformat()
        payload["pace_weeks"] = view.pace_weeks
        payload["forecast"] = [_forecast_json(group) for group in view.forecasts]
    return dump(payload)


def _sections_json(found: Outline) -> list[dict[str, object]]:
    return [
        {
            "title": section.title,
            "nesting": section.nesting,
            "link": "#" + "#".join(section.subpath) if section.subpath else None,
            "done": section.done,
            "total": section.total,
            "percent": percent(section.done, section.total),
            "list_items": section.listed,
        }
        for section in found.sections
    ]


def _note_json(item: NoteProgress) -> dict[str, object]:
    return {
        "path": str(item.path),
        "title": item.title,
        "state": item.state.value,
        "done": item.done,
        "total": item.total,
        "in_progress": item.in_progress,
        "cancelled": item.cancelled,
        "percent": item.percent,
        "group": item.group,
        "requires": [str(p) for p in item.requires],
        "blocked_by": [str(p) for p in item.blocked_by] + list(item.missing),
        "missing": list(item.missing),
        "unlocks": [str(p) for p in item.unlocks],
        "start": item.start,
        "due": item.due,
        **_task_dates_json(item),
    }


def _task_dates_json(item: NoteProgress) -> dict[str, object]:
    """What the Tasks plugin's metadata adds; nothing for a note without any."""
    extra: dict[str, object] = {}
    if item.done_dates:
        counts = Counter(day.isoformat() for day in item.done_dates)
        extra["done_dates"] = dict(sorted(counts.items()))
    if item.dated_tasks:
        extra["dated_tasks"] = [
            {
                "line": task.line,
                "task": task.task,
                "due": task.due.isoformat() if task.due else None,
                "scheduled": task.scheduled.isoformat() if task.scheduled else None,
            }
            for task in item.dated_tasks
        ]
    if item.waiting:
        extra["waiting"] = [
            {
                "line": wait.line,
                "task": wait.task,
                "on": str(wait.on),
                "on_line": wait.on_line,
                "on_task": wait.on_task,
            }
            for wait in item.waiting
        ]
    return extra


STATUS_FORMATS: Mapping[str, Formatter] = {"text": status_text, "json": status_json}
