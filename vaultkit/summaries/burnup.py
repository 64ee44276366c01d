"""`burnup`: tasks done over time in scope, beside the plan, as a Mermaid `xychart-beta`.

    ```mermaid
    %%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#2f9e44, #adb5bd"}}}}%%
    xychart-beta
        title "Tasks done (green) and planned (grey)"
        x-axis ["2026-01", "2026-02", "2026-03"]
        y-axis "tasks" 0 --> 12
        line [0, 4, 12]
        line [2, 6, 10]
    ```
    Done: 12 tasks with a ✅ date, the latest 2026-03-02. Planned: 10 tasks from 2026-01
    to 2026-03.

The done line counts, cumulatively, the tasks whose `✅` date falls in or before each
period. The planned line spreads each note's counted tasks evenly from its `start` to its
`due` (all of them on `due` when it has no start); notes without a due date are not in the
plan. Periods are weeks (starting on Monday) when the whole span is at most 26 weeks,
months up to two years, quarters up to ten, years beyond (the last 120), so the axis stays
readable. A pure function of the notes: no clock, so a second `sync` changes nothing, and
the done line runs flat to the plan's end.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta

import msgspec

from vaultkit.model import State
from vaultkit.summaries.scope import Context
from vaultkit.wording import plural

EMPTY = "_No task with a ✅ date, and no note with a due date, in scope._\n"
WEEKS_AT_MOST = 26
MONTHS_AT_MOST = 24
QUARTERS_AT_MOST = 40
YEARS_AT_MOST = 120
# Done in green, the plan in grey; the chart's title says so, as xychart has no legend.
PALETTE = (
    '%%{init: {"xyChart": {"xAxis": {"labelFontSize": 11}}, '
    '"themeVariables": {"xyChart": {"plotColorPalette": "#2f9e44, #adb5bd"}}}}%%'
)
TITLE = "Tasks done (green) and planned (grey)"


class Planned(msgspec.Struct, frozen=True):
    """One note's part of the plan: its counted tasks, from start to due."""

    total: int
    start: date | None
    due: date


class Period(msgspec.Struct, frozen=True):
    label: str
    last_day: date


def format_burnup(done: Sequence[date], planned: Sequence[Planned], undated_done: int) -> str:
    """The block: the chart and one line saying what its two lines are."""
    days = [*done, *(p.due for p in planned), *(p.start for p in planned if p.start)]
    if not days:
        return EMPTY
    periods = list(_periods(min(days), max(days)))
    done_line = [sum(1 for day in done if day <= p.last_day) for p in periods]
    plan_line = [round(sum(_planned_by(item, p.last_day) for item in planned)) for p in periods]
    top = max(1, *done_line, *plan_line)
    labels = ", ".join('"' + p.label + '"' for p in periods)
    chart = [
        "```mermaid",
        PALETTE,
        "xychart-beta",
        f'    title "{TITLE}"',
        f"    x-axis [{labels}]",
        f'    y-axis "tasks" 0 --> {top}',
        f"    line [{', '.join(map(str, done_line))}]",
        f"    line [{', '.join(map(str, plan_line))}]",
        "```",
    ]
    return "\n".join(chart) + "\n" + _legend(done, plan_line[-1], periods, undated_done) + "\n"


def _legend(done: Sequence[date], planned: int, periods: list[Period], undated: int) -> str:
    if done:
        dated = plural(len(done), "task")
        text = f"Done: {dated} with a ✅ date, the latest {max(done)}"
    else:
        text = "Done: no task with a ✅ date"
    if undated:
        text += f" ({plural(undated, 'task')} done without a date)"
    span = f"{periods[0].label} to {periods[-1].label}"
    return f"{text}. Planned: {plural(planned, 'task')} from {span}."


def _planned_by(item: Planned, day: date) -> float:
    """How many of the note's tasks the plan has done by the end of `day`."""
    if day >= item.due:
        return float(item.total)
    if item.start is None or day < item.start or item.start >= item.due:
        return 0.0
    span = (item.due - item.start).days + 1
    return item.total * ((day - item.start).days + 1) / span


def _periods(first: date, last: date) -> Iterator[Period]:
    """Weeks, months, quarters or years: the finest that gives a readable axis."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if (last - first).days < 7 * WEEKS_AT_MOST:
        monday = first - timedelta(days=first.weekday())  # year 1 starts on a Monday
        while monday <= last:
            # The calendar ends on a Friday: its last week ends there.
            sunday = monday + timedelta(days=min(6, (date.max - monday).days))
            yield Period(monday.isoformat(), sunday)
            if sunday == date.max:
                return
            monday = sunday + timedelta(days=1)
    elif months <= MONTHS_AT_MOST:
        yield from _months(first, last, 1, lambda year, month: f"{year:04d}-{month:02d}")
    elif months <= 3 * QUARTERS_AT_MOST:
        yield from _months(
            first, last, 3, lambda year, month: f"{year:04d} Q{(month - 1) // 3 + 1}"
        )
    else:  # the last hundred and twenty years; what came before counts in the first
        for year in range(max(first.year, last.year - YEARS_AT_MOST + 1), last.year + 1):
            yield Period(f"{year:04d}", date(year, 12, 31))


def _months(
    first: date, last: date, step: int, label: Callable[[int, int], str]
) -> Iterator[Period]:
    """Periods of `step` months, aligned to the year (quarters start in January)."""
    year, month = first.year, (first.month - 1) // step * step + 1
    while (year, month) <= (last.year, last.month):
        end_month = month + step - 1
        end = date(year, end_month, calendar.monthrange(year, end_month)[1])
        yield Period(label(year, month), end)
        year, month = (year + 1, 1) if end_month == 12 else (year, end_month + 1)


def render(ctx: Context) -> str:
    items = [ctx.progress.notes[path] for path in ctx.scope]
    items = [item for item in items if item.state is not State.DROPPED]
    done = [day for item in items for day in item.done_dates]
    planned = [
        Planned(item.total, _date(item.start), due)
        for item in items
        if item.total and (due := _date(item.due)) is not None
    ]
    undated = sum(item.done - len(item.done_dates) for item in items)
    return format_burnup(done, planned, undated)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
