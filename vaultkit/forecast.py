"""Pace and forecast: at the pace actually kept, when will the rest be done, and is that in time?

Pace is tasks done per week over a trailing window (default 8 weeks) ending today, taken
from done dates (the Tasks plugin's `✅`, or the commits in which tasks became done). The
projected finish is today plus the remaining tasks at that pace. Against a `due` date it is
"on track" (finishing on or before it, by less than a week), "ahead by N weeks" (N whole
weeks or more before it) or "behind by N weeks" (after it, N rounded up). Nothing done in
the window is "no pace yet", never a division by zero, or "overdue by N weeks" once the
due date has passed. Pure: today is an argument.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

import msgspec

DEFAULT_WINDOW_WEEKS = 8


class Verdict(StrEnum):
    DONE = "done"
    ON_TRACK = "on track"
    AHEAD = "ahead"
    BEHIND = "behind"
    NO_PACE = "no pace yet"
    OVERDUE = "overdue"  # past its due date with nothing done lately: no finish to project
    NO_DUE = "no due date"

    def __str__(self) -> str:
        return self.value


class Forecast(msgspec.Struct, frozen=True):
    """Where one group (or the whole vault) stands against its due date."""

    remaining: int  # counted tasks not done
    done_in_window: int
    window_weeks: int
    finish: date | None  # projected; None when done or without a pace
    due: date | None
    verdict: Verdict
    weeks: int  # how far ahead or behind, for AHEAD and BEHIND; else 0

    @property
    def pace(self) -> float:
        """Tasks done per week over the window."""
        return self.done_in_window / self.window_weeks

    def describe(self) -> str:
        """`behind by 3 weeks`, `ahead by 1 week`, `on track`, `no pace yet`, ..."""
        unit = "week" if self.weeks == 1 else "weeks"
        if self.verdict in (Verdict.AHEAD, Verdict.BEHIND):
            return f"{self.verdict} by {self.weeks} {unit}"
        if self.verdict is Verdict.OVERDUE:
            return f"overdue by {self.weeks} {unit}, no pace yet"
        return str(self.verdict)


def done_in_window(done_dates: Iterable[date], today: date, window_weeks: int) -> int:
    """How many of the dates fall in the window: the `7 * window_weeks` days up to today."""
    back = min(7 * window_weeks - 1, (today - date.min).days)  # not before year 1
    first = today - timedelta(days=back)
    return sum(1 for day in done_dates if first <= day <= today)


def forecast(
    done_dates: Iterable[date],
    remaining: int,
    due: date | None,
    today: date,
    window_weeks: int = DEFAULT_WINDOW_WEEKS,
) -> Forecast:
    """The forecast for `remaining` open tasks, at the pace of `done_dates`."""
    if window_weeks < 1:
        raise ValueError(f"window_weeks must be at least 1, not {window_weeks}")
    recent = done_in_window(done_dates, today, window_weeks)
    if remaining <= 0:
        return Forecast(0, recent, window_weeks, None, due, Verdict.DONE, 0)
    if recent == 0:
        if due is not None and due < today:
            weeks = math.ceil((today - due).days / 7)
            return Forecast(remaining, 0, window_weeks, None, due, Verdict.OVERDUE, weeks)
        return Forecast(remaining, 0, window_weeks, None, due, Verdict.NO_PACE, 0)
    days = math.ceil(remaining * 7 * window_weeks / recent)
    # A pace so slow that the finish is past the calendar's end is shown as its last day.
    finish = today + timedelta(days=min(days, (date.max - today).days))
    verdict, weeks = _against(finish, due)
    return Forecast(remaining, recent, window_weeks, finish, due, verdict, weeks)


def _against(finish: date, due: date | None) -> tuple[Verdict, int]:
    if due is None:
        return Verdict.NO_DUE, 0
    late = (finish - due).days
    if late > 0:
        return Verdict.BEHIND, math.ceil(late / 7)
    if -late >= 7:
        return Verdict.AHEAD, -late // 7
    return Verdict.ON_TRACK, 0
