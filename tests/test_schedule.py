"""Dates on tasks, and each phase's forecast against its due date."""

from __future__ import annotations

import random
from datetime import date
from pathlib import PurePosixPath

from msgspec.structs import replace

from vaultkit.config import Config
from vaultkit.forecast import Verdict
from vaultkit.model import DatedTask, NoteProgress, State
from vaultkit.progress import compute
from vaultkit.schedule import NoteDates, forecasts, note_dates, outlook
from vaultkit.vault import load_vault

TODAY = date(2026, 11, 28)


def load(root):
    vault = load_vault(root, Config())
    return vault, compute(vault)


def test_note_dates_reads_done_dates_and_the_dates_of_open_tasks(make_vault):
    vault, _ = load(
        make_vault(
            {
                "a.md": (
                    "- [x] one ✅ 2026-11-02\n"
                    "- [x] two\n"
                    "- [X] three ✅ 2026-11-02 ^blk\n"
                    "- [ ] four 📅 2026-12-01\n"
                    "- [/] five ⏳ 2026-12-03 📅 2026-12-24\n"
                    "- [-] cancelled 📅 2026-01-01 ❌ 2026-01-01\n"
                    "- [ ] six\n"
                )
            }
        )
    )
    dates = note_dates(vault.notes[PurePosixPath("a.md")], Config())
    assert dates == NoteDates(
        (date(2026, 11, 2), date(2026, 11, 2)),
        1,
        (
            DatedTask(4, "four", date(2026, 12, 1), None),
            DatedTask(5, "five", date(2026, 12, 24), date(2026, 12, 3)),
        ),
    )
    assert dates.done_counts() == {"2026-11-02": 2}


def test_note_dates_reads_dates_in_cjk_tasks_and_in_fields_of_any_case(make_vault):
    vault, _ = load(
        make_vault(
            {
                "a.md": (
                    "- [x] 寫 報告 ✅ 2026-11-02\n"
                    "- [ ] 監控 [Due:: 2026-12-01]\n"
                    "- [ ] 練習 (SCHEDULED:: 2026-12-03)\n"
                    "- [x] 模型\n"
                )
            }
        )
    )
    assert note_dates(vault.notes[PurePosixPath("a.md")], Config()) == NoteDates(
        (date(2026, 11, 2),),
        1,
        (
            DatedTask(2, "監控", date(2026, 12, 1), None),
            DatedTask(3, "練習", None, date(2026, 12, 3)),
        ),
    )


PHASES = {
    "P1.md": "---\ndue: 2026-12-31\n---\n",
    "P2.md": "---\ndue: 2027-06-30\n---\n- [ ] plan P2\n",
    "P3.md": "---\ndue: 2027-12-31\n---\n",
}


def test_each_phase_with_a_due_date_gets_a_forecast_then_the_whole_vault(make_vault):
    files = {
        **PHASES,
        # P1: 4 done in the window (pace 0.5 a week), 2 left: 28 days -> 2026-12-26, on track.
        "Docker.md": '---\nphase: "[[P1]]"\n---\n'
        + "".join(f"- [x] d{i} ✅ 2026-11-{i + 10:02d}\n" for i in range(4))
        + "- [ ] d5\n- [ ] d6\n",
        # P2: nothing done lately: no pace yet.
        "Kafka.md": '---\nphase: "[[P2]]"\n---\n- [x] old ✅ 2026-01-01\n- [ ] k2\n',
        # A phase without a due date note gets no forecast of its own.
        "Misc.md": "---\nphase: Someday\n---\n- [ ] m1\n",
    }
    _, progress = load(make_vault(files))
    result = forecasts(progress.notes, TODAY, 8)
    assert [(g.group, str(g.note) if g.note else None) for g in result] == [
        ("P1", "P1.md"),
        ("P2", "P2.md"),
        (None, None),
    ]
    p1, p2, whole = (g.forecast for g in result)
    assert (p1.remaining, p1.done_in_window, p1.finish, p1.verdict) == (
        2,
        4,
        date(2026, 12, 26),
        Verdict.ON_TRACK,
    )
    # The phase note's own task is the phase's too.
    assert (p2.remaining, p2.verdict) == (2, Verdict.NO_PACE)
    # The whole vault: 5 left at 0.5 a week -> 70 days, against the latest due date.
    assert (whole.remaining, whole.due, whole.finish, whole.verdict) == (
        5,
        date(2027, 12, 31),
        date(2027, 2, 6),
        Verdict.AHEAD,
    )
    assert whole.describe() == "ahead by 46 weeks"


def test_a_phase_behind_its_due_date(make_vault):
    files = {
        **PHASES,
        "Docker.md": '---\nphase: "[[P1]]"\n---\n- [x] d ✅ 2026-11-20\n' + "- [ ] more\n" * 10,
    }
    _, progress = load(make_vault(files))
    p1 = forecasts(progress.notes, TODAY, 8)[0]
    # 1 done in 8 weeks; 10 left take 560 days.
    assert (p1.group, p1.forecast.finish, p1.forecast.describe()) == (
        "P1",
        date(2028, 6, 10),
        "behind by 76 weeks",
    )


def test_dropped_notes_leave_the_forecast_and_a_phase_without_members_is_no_group(make_vault):
    files = {
        **PHASES,
        "Gone.md": '---\nphase: "[[P1]]"\nstatus: dropped\n---\n- [ ] x\n',
        "Kept.md": '---\nphase: "[[P3]]"\n---\n- [ ] y\n',
    }
    _, progress = load(make_vault(files))
    result = forecasts(progress.notes, TODAY, 8)
    assert [(g.group, g.forecast.remaining) for g in result] == [("P3", 1), (None, 2)]


def progress_of(
    path: str, title: str, group: str | None, due: str | None, **fields
) -> NoteProgress:
    return NoteProgress(
        PurePosixPath(path), title, fields.pop("state", State.READY), fields.pop("done", 0),
        fields.pop("total", 2), 0, 0, 0, group, (), (), (), None, due, **fields,
    )  # fmt: skip


def test_random_moves_update_the_sums_forecasts_read_to_those_summed_anew() -> None:
    rng = random.Random(5)
    days = [date(2026, 11, day) for day in (1, 2, 20, 27)]
    notes = {f"P{n}.md": progress_of(f"P{n}.md", f"P{n}", None, f"2026-12-0{n}") for n in (1, 2, 3)}
    for index in range(40):
        path = f"N/n{index:02}.md"
        group = rng.choice(("P1", "P2", "P3", "P4", None))
        notes[path] = progress_of(path, f"n{index:02}", group, rng.choice((None, "2027-01-01")))
    sums = outlook(as_paths(notes))
    updated = 0
    for _ in range(300):
        moved = rng.sample(sorted(notes), rng.randint(1, 3))
        before = {PurePosixPath(path): notes[path] for path in moved}
        for path in moved:
            done = rng.randint(0, 3)
            notes[path] = replace(
                notes[path],
                state=rng.choice((State.DONE, State.IN_PROGRESS, State.READY, State.DROPPED)),
                done=done,
                total=done + rng.randint(0, 2),
                done_dates=tuple(sorted(rng.sample(days, rng.randint(0, 3)))),
            )
            if rng.random() < 0.2:
                notes[path] = replace(notes[path], group=rng.choice(("P1", "P2", None)))
        found = sums.updated(before, as_paths(notes))
        sums = outlook(as_paths(notes))
        if found is not None:
            updated += 1
            assert found == sums
            assert found.forecasts(TODAY, 4) == forecasts(as_paths(notes), TODAY, 4)
    assert updated > 80


def as_paths(notes: dict[str, NoteProgress]) -> dict[PurePosixPath, NoteProgress]:
    return {PurePosixPath(path): item for path, item in notes.items()}


def test_a_note_that_changes_group_or_due_date_has_the_sums_made_again() -> None:
    notes = {
        PurePosixPath("P1.md"): progress_of("P1.md", "P1", None, "2026-12-01"),
        PurePosixPath("a.md"): progress_of("a.md", "a", "P1", None),
    }
    sums = outlook(notes)
    for change in (
        {"group": None},
        {"due": "2026-12-02"},
        {"title": "b"},
        {"state": State.DROPPED},
    ):
        now = {**notes, PurePosixPath("a.md"): replace(notes[PurePosixPath("a.md")], **change)}
        assert sums.updated(notes, now) is None
