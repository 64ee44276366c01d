"""The burn-up chart: done tasks over time from ✅ dates, beside the planned line."""

from __future__ import annotations

from datetime import date

from vaultkit.summaries.burnup import EMPTY, Planned, format_burnup


def test_weeks_for_a_short_span_with_done_and_planned_lines() -> None:
    done = [date(2026, 1, 6), date(2026, 1, 14), date(2026, 1, 15)]
    planned = [Planned(4, date(2026, 1, 5), date(2026, 1, 18))]
    assert format_burnup(done, planned, 0) == (
        "```mermaid\n"
        '%%{init: {"xyChart": {"xAxis": {"labelFontSize": 11}}, '
        '"themeVariables": {"xyChart": {"plotColorPalette": "#2f9e44, #adb5bd"}}}}%%\n'
        "xychart-beta\n"
        '    title "Tasks done (green) and planned (grey)"\n'
        '    x-axis ["2026-01-05", "2026-01-12"]\n'
        '    y-axis "tasks" 0 --> 4\n'
        "    line [1, 3]\n"
        "    line [2, 4]\n"
        "```\n"
        "Done: 3 tasks with a ✅ date, the latest 2026-01-15."
        " Planned: 4 tasks from 2026-01-05 to 2026-01-12.\n"
    )


def test_months_for_a_long_span_and_a_note_without_start_planned_on_its_due_date() -> None:
    planned = [Planned(2, None, date(2026, 9, 15)), Planned(6, date(2026, 1, 1), date(2026, 6, 30))]
    text = format_burnup([date(2026, 2, 1)], planned, 2)
    assert text.splitlines()[4:8] == [
        '    x-axis ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",'
        ' "2026-07", "2026-08", "2026-09"]',
        '    y-axis "tasks" 0 --> 8',
        "    line [0, 1, 1, 1, 1, 1, 1, 1, 1]",
        "    line [1, 2, 3, 4, 5, 6, 6, 6, 8]",
    ]
    assert text.splitlines()[-1] == (
        "Done: 1 task with a ✅ date, the latest 2026-02-01 (2 tasks done without"
        " a date). Planned: 8 tasks from 2026-01 to 2026-09."
    )


def test_nothing_dated_in_scope_says_so() -> None:
    assert format_burnup([], [], 5) == EMPTY


def test_quarters_from_two_years_on() -> None:
    planned = [Planned(8, date(2026, 2, 1), date(2028, 3, 31))]
    lines = format_burnup([date(2026, 3, 31), date(2026, 4, 1)], planned, 0).splitlines()
    assert lines[4:7] == [
        '    x-axis ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4", "2027 Q1", "2027 Q2",'
        ' "2027 Q3", "2027 Q4", "2028 Q1"]',
        '    y-axis "tasks" 0 --> 8',
        "    line [1, 2, 2, 2, 2, 2, 2, 2, 2]",
    ]


def test_absurd_dates_give_at_most_a_hundred_and_twenty_years() -> None:
    text = format_burnup([date(1, 1, 1)], [Planned(3, date(1, 1, 1), date(9999, 12, 31))], 0)
    axis = text.splitlines()[4]
    assert axis.count('"') == 2 * 120
    assert axis.startswith('    x-axis ["9880", ')
    assert text.splitlines()[6] == "    line [" + ", ".join(["1"] * 120) + "]"


def test_a_start_after_the_due_date_plans_everything_on_the_due_date() -> None:
    text = format_burnup([], [Planned(3, date(2026, 2, 1), date(2026, 1, 6))], 0)
    assert text.splitlines()[4:8] == [
        '    x-axis ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"]',
        '    y-axis "tasks" 0 --> 3',
        "    line [0, 0, 0, 0]",
        "    line [3, 3, 3, 3]",
    ]


def test_weeks_at_the_end_of_the_calendar_stop_with_it() -> None:
    planned = [Planned(2, date(9999, 12, 20), date(9999, 12, 31))]
    text = format_burnup([date(9999, 12, 21)], planned, 0)
    lines = text.splitlines()
    assert lines[4] == '    x-axis ["9999-12-20", "9999-12-27"]'  # the last week ends on Friday
    assert lines[6:8] == ["    line [1, 1]", "    line [1, 2]"]
