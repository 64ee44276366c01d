"""Pace and forecast: tasks done per week over a trailing window, projected to a finish date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from vaultkit.forecast import Forecast, Verdict, done_in_window, forecast

TODAY = date(2026, 11, 28)


def days_ago(*days: int) -> list[date]:
    return [TODAY - timedelta(days=d) for d in days]


def test_the_window_is_the_last_seven_times_n_days_including_today() -> None:
    dates = days_ago(0, 55, 56, -1)  # today, the window's first day, one day before, tomorrow
    assert done_in_window(dates, TODAY, 8) == 2


def test_a_phase_on_track_finishes_before_its_due_date_by_less_than_a_week() -> None:
    # 16 done in 8 weeks: 2 a week; 10 left take 35 days, finishing 2027-01-02.
    result = forecast(days_ago(*range(0, 48, 3)), 10, date(2027, 1, 5), TODAY)
    assert result == Forecast(10, 16, 8, date(2027, 1, 2), date(2027, 1, 5), Verdict.ON_TRACK, 0)
    assert result.pace == 2.0
    assert result.describe() == "on track"


def test_a_phase_behind_says_by_how_many_weeks_rounded_up() -> None:
    # 8 done in 8 weeks: 1 a week; 10 left finish on 2027-02-06, 15 days after the due date.
    result = forecast(days_ago(*range(0, 56, 7)), 10, date(2027, 1, 22), TODAY)
    assert (result.finish, result.verdict, result.weeks) == (date(2027, 2, 6), Verdict.BEHIND, 3)
    assert result.describe() == "behind by 3 weeks"


def test_a_phase_ahead_counts_whole_weeks() -> None:
    result = forecast(days_ago(*range(0, 56, 7)), 1, date(2026, 12, 19), TODAY)
    assert (result.finish, result.describe()) == (date(2026, 12, 5), "ahead by 2 weeks")
    one = forecast(days_ago(*range(0, 56, 7)), 1, date(2026, 12, 12), TODAY)
    assert one.describe() == "ahead by 1 week"


def test_nothing_done_in_the_window_is_no_pace_yet_not_a_division_by_zero() -> None:
    result = forecast(days_ago(60, 90), 5, date(2027, 1, 1), TODAY)
    assert result == Forecast(5, 0, 8, None, date(2027, 1, 1), Verdict.NO_PACE, 0)
    assert result.describe() == "no pace yet"


def test_nothing_left_is_done_whatever_the_pace() -> None:
    assert forecast([], 0, date(2020, 1, 1), TODAY).verdict is Verdict.DONE


def test_without_a_due_date_only_the_finish_is_given() -> None:
    result = forecast(days_ago(1), 1, None, TODAY, window_weeks=1)
    assert (result.finish, result.verdict) == (date(2026, 12, 5), Verdict.NO_DUE)


def test_a_due_date_already_past_is_behind() -> None:
    result = forecast(days_ago(1), 1, date(2026, 11, 1), TODAY, window_weeks=1)
    assert result.describe() == "behind by 5 weeks"


def test_a_window_of_no_weeks_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        forecast([], 1, None, TODAY, window_weeks=0)


def test_past_its_due_date_without_a_pace_is_overdue_by_the_weeks_since() -> None:
    result = forecast([], 3, date(2026, 6, 30), TODAY)
    assert (result.verdict, result.weeks, result.finish) == (Verdict.OVERDUE, 22, None)
    assert result.describe() == "overdue by 22 weeks, no pace yet"


def test_a_finish_past_the_end_of_the_calendar_is_its_last_day() -> None:
    # One task done in 8 weeks and 200,000 left: 11.2 million days, past the year 9999.
    result = forecast(days_ago(3), 200_000, date(2027, 1, 1), TODAY)
    assert (result.finish, result.verdict, result.weeks) == (date.max, Verdict.BEHIND, 416_011)


def test_the_window_of_a_day_in_its_first_weeks_starts_on_the_first_day_of_the_calendar() -> None:
    first = date(1, 1, 1)
    assert done_in_window([first, date(1, 1, 10)], date(1, 1, 10), 8) == 2
    assert forecast([first], 3, None, date(1, 1, 2)).finish == date(1, 1, 2) + timedelta(168)
