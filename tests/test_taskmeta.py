"""Task metadata as the Tasks plugin reads it: from the end of the line, in any order.

The lines are taken from the plugin's own sample vault (`../shared/corpus/tasks-demo/`).
"""

from __future__ import annotations

from datetime import date

import pytest

from vaultkit import taskmeta
from vaultkit.taskmeta import TaskMeta, read_task


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "#task Done ✅ 2024-05-26",
            TaskMeta("#task Done", done=date(2024, 5, 26)),
            id="done date",
        ),
        pytest.param(
            "#task Cancelled ❌ 2024-05-26",
            TaskMeta("#task Cancelled", cancelled=date(2024, 5, 26)),
            id="cancelled date",
        ),
        pytest.param(
            "#task Something about s.th. ⏳ 2021-11-21 ✅ 2021-11-21",
            TaskMeta(
                "#task Something about s.th.", done=date(2021, 11, 21), scheduled=date(2021, 11, 21)
            ),
            id="scheduled then done",
        ),
        pytest.param(
            "#task Take out the trash 🔁 every week on Monday ➕ 2024-02-12 📅 2024-02-19 "
            "✅ 2024-02-19",
            TaskMeta(
                "#task Take out the trash",
                done=date(2024, 2, 19),
                due=date(2024, 2, 19),
                created=date(2024, 2, 12),
                recurrence="every week on Monday",
            ),
            id="a done occurrence of a recurring task",
        ),
        pytest.param(
            "#task Task with every field set 🆔 y3yryw ⛔ c5mw2c,2ypqea 🔺 🔁 every April and "
            "December on the 1st and 24th ➕ 2024-04-27 🛫 2024-04-28 ⏳ 2024-04-29 📅 2024-04-30",
            TaskMeta(
                "#task Task with every field set",
                due=date(2024, 4, 30),
                scheduled=date(2024, 4, 29),
                start=date(2024, 4, 28),
                created=date(2024, 4, 27),
                recurrence="every April and December on the 1st and 24th",
                priority="highest",
                id="y3yryw",
                depends_on=("c5mw2c", "2ypqea"),
            ),
            id="every field, id and dependencies first",
        ),
        pytest.param(
            "#task Parent task #todo #health 🆔 abcdef ⛔ 123456,abc123 🔼 🔁 every day when done "
            "🏁 delete ➕ 2023-07-01 🛫 2023-07-02 ⏳ 2023-07-03 📅 2023-07-04 ❌ 2023-07-06 "
            "✅ 2023-07-05 ^dcf64c",
            TaskMeta(
                "#task Parent task #todo #health",
                done=date(2023, 7, 5),
                cancelled=date(2023, 7, 6),
                due=date(2023, 7, 4),
                scheduled=date(2023, 7, 3),
                start=date(2023, 7, 2),
                created=date(2023, 7, 1),
                recurrence="every day when done",
                priority="medium",
                id="abcdef",
                depends_on=("123456", "abc123"),
            ),
            id="a block id at the very end is set aside first",
        ),
        pytest.param(
            "Do something #tag1 📅 2026-01-02 #tag2 🛫 2026-01-01",
            TaskMeta("Do something #tag1 #tag2", due=date(2026, 1, 2), start=date(2026, 1, 1)),
            id="tags between fields go back to the description",
        ),
        pytest.param(
            "#task A 1 Some task - with Tasks emoji at end of line 📅2021-08-22",
            TaskMeta(
                "#task A 1 Some task - with Tasks emoji at end of line", due=date(2021, 8, 22)
            ),
            id="no space after the emoji",
        ),
        pytest.param(
            "#task A 2 Some task - with Tasks emoji in 📅2021-08-22 middle of line",
            TaskMeta("#task A 2 Some task - with Tasks emoji in 📅2021-08-22 middle of line"),
            id="a field in the middle of the line is description",
        ),
        pytest.param(
            "#task Has one of every except recurring  [priority:: high]  [created:: 2023-04-26]  "
            "[start:: 2023-04-23]  [scheduled:: 2023-04-25]  [due:: 2023-04-26]  "
            "[completion:: 2023-04-26]",
            TaskMeta(
                "#task Has one of every except recurring",
                done=date(2023, 4, 26),
                due=date(2023, 4, 26),
                scheduled=date(2023, 4, 25),
                start=date(2023, 4, 23),
                created=date(2023, 4, 26),
                priority="high",
            ),
            id="the Dataview form",
        ),
        pytest.param(
            "step two (dependsOn:: step1, step0) [id:: step2]",
            TaskMeta("step two", id="step2", depends_on=("step1", "step0")),
            id="Dataview id and dependsOn, round or square brackets",
        ),
        pytest.param(
            "ends in a mismatched bracket [due:: 2026-01-01)",
            TaskMeta("ends in a mismatched bracket [due:: 2026-01-01)"),
            id="mismatched brackets are description",
        ),
        pytest.param(
            "an impossible date 📅 2026-02-30",
            TaskMeta("an impossible date"),
            id="an impossible date is taken off but gives no date",
        ),
        pytest.param(
            "讀完 CAP 定理 ✅ 2026-03-14",
            TaskMeta("讀完 CAP 定理", done=date(2026, 3, 14)),
            id="CJK description",
        ),
        pytest.param("plain task", TaskMeta("plain task"), id="no metadata"),
        pytest.param("", TaskMeta(""), id="empty"),
    ],
)
def test_read_task_takes_fields_from_the_end_as_the_tasks_plugin_does(
    text: str, expected: TaskMeta
) -> None:
    assert read_task(text) == expected


def test_the_leftmost_of_two_values_for_one_field_wins() -> None:
    assert read_task("x 📅 2026-01-01 📅 2026-02-02").due == date(2026, 1, 1)


def test_a_long_run_of_fields_stops_after_the_plugins_failsafe() -> None:
    # Each pass takes every field it can; a pathological line ends after 21 passes.
    text = "x" + " #a 📅 2026-01-01" * 50
    meta = read_task(text)
    assert meta.due == date(2026, 1, 1)
    assert meta.description.startswith("x #a 📅 2026-01-01")


def test_a_task_without_metadata_compiles_no_field_pattern():
    taskmeta._steps.cache_clear()

    assert read_task("buy milk [[Shop]] #errand") == TaskMeta("buy milk [[Shop]] #errand")
    assert taskmeta._steps.cache_info().currsize == 0
    assert read_task("buy milk 📅 2026-01-02").due == date(2026, 1, 2)
    assert taskmeta._steps.cache_info().currsize == 1


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("寫 報告 ✅ 2026-11-02", True),  # one of the characters
        ("[Due:: 2026-12-01]", True),  # a field's key, in any case
        ("寫 報告 📆", False),  # not one of the characters asked for
        ("a: b", False),
        ("", False),
    ],
)
def test_may_hold_looks_for_the_characters_asked_for_and_any_field(text: str, held: bool) -> None:
    assert taskmeta.may_hold(text, "✅📅") is held
