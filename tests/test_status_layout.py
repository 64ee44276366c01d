"""`status`'s text after an edit: the layout an earlier run kept (each group's rows, the
totals) brought up to date by writing again only the rows of the notes whose progress
moved, printing what a run without a cache prints."""

from __future__ import annotations

import datetime
import random
from pathlib import Path, PurePosixPath

import pytest
from msgspec.structs import replace

from vaultkit import api, cache, statusreport
from vaultkit.model import NoteProgress, State
from vaultkit.view import View

P = PurePosixPath
TODAY = ("--today", "2026-11-29")
NOTES = {
    "Phases/P1.md": "---\nstart: 2026-01-01\ndue: 2026-12-31\n---\n# P1\n\n- [ ] plan\n",
    "Phases/P2.md": "---\nstart: 2026-06-01\n---\n# P2\n",
    "Skills/Docker.md": "---\nphase: '[[P1]]'\n---\n# Docker\n\n- [x] install\n- [ ] compose\n",
    "Skills/Helm.md": (
        "---\nphase: '[[P1]]'\nrequires: ['[[Docker]]']\n---\n# Helm\n\n- [ ] charts\n"
    ),
    "Skills/Kafka.md": "---\nphase: '[[P2]]'\n---\n# Kafka\n\n- [ ] topics ✅ 2026-11-20\n",
    "Skills/Kubernetes Operators.md": "---\nphase: '[[P2]]'\n---\n- [ ] pods\n",
    "Skills/Redis.md": "---\nphase: P3\n---\n- [ ] cluster\n",
    "Notes/Loose.md": "# Loose\n\nno tasks here\n",
    "Notes/A loose note with a long name.md": "no tasks\n",
}


@pytest.fixture
def laid_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each run's status text was laid out: "laid out" (every row written) or "updated"."""
    seen: list[str] = []
    layout, updated = statusreport.status_layout, statusreport.updated_layout

    def laying(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append("laid out")
        return layout(*args, **kwargs)

    def updating(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = updated(*args, **kwargs)
        if found is not None:
            seen.append("updated")
        return found

    monkeypatch.setattr(statusreport, "status_layout", laying)
    monkeypatch.setattr(statusreport, "updated_layout", updating)
    return seen


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)


@pytest.fixture
def cold(vk, note_cache, monkeypatch):  # type: ignore[no-untyped-def]
    """`vaultkit ARGS...`'s output without a cache."""

    def run(*args: str | Path) -> str:
        monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
        try:
            return str(vk(*args).out)
        finally:
            monkeypatch.setenv("VAULTKIT_CACHE_DIR", str(note_cache))

    return run


def edited(root: Path, path: str, old: str, new: str) -> None:
    note = root / path
    text = note.read_text(encoding="utf-8")
    assert old in text
    note.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        pytest.param("Skills/Docker.md", "- [ ] compose", "- [x] compose", id="a box ticked"),
        pytest.param("Skills/Docker.md", "- [x] install", "- [ ] install", id="a box unticked"),
        pytest.param("Skills/Docker.md", "---\n", "---\nstatus: dropped\n", id="dropped"),
        pytest.param("Skills/Kafka.md", "'[[P2]]'", "'[[P1]]'", id="into another group"),
        pytest.param("Notes/Loose.md", "no tasks here", "- [ ] a first task", id="now tracked"),
        pytest.param("Skills/Kafka.md", "- [ ] topics", "no tasks", id="now untracked"),
        pytest.param("Skills/Redis.md", "phase: P3\n", "", id="a group emptied"),
        pytest.param("Phases/P1.md", "- [ ] plan", "- [x] plan ✅ 2026-11-28", id="forecast"),
        pytest.param("Skills/Kafka.md", "# Kafka", "# Kafka\n\n#streams", id="progress unmoved"),
    ],
)
def test_an_edit_writes_again_only_the_rows_it_moved_and_prints_as_without_a_cache(
    make_vault, vk, cold, laid_out, settled, path, old, new
):
    root = make_vault(NOTES)
    vk("status", root, *TODAY)
    laid_out.clear()

    edited(root, path, old, new)
    after = vk("status", root, *TODAY).out

    assert laid_out == ["updated"]
    assert after == cold("status", root, *TODAY)


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        pytest.param("Phases/P2.md", "2026-06-01", "2025-06-01", id="a group's start date"),
        pytest.param("Skills/Kafka.md", "'[[P2]]'", "'[[P4]]'", id="a group that is new"),
        pytest.param(
            "Skills/Kubernetes Operators.md", "- [ ] pods", "pods", id="the widest title gone"
        ),
        pytest.param(
            "Notes/A loose note with a long name.md", "no tasks", "- [ ] a task", id="wider"
        ),
    ],
)
def test_an_edit_that_moves_more_than_its_rows_lays_every_row_out_again(
    make_vault, vk, cold, laid_out, settled, path, old, new
):
    root = make_vault(NOTES)
    vk("status", root, *TODAY)
    laid_out.clear()

    edited(root, path, old, new)
    after = vk("status", root, *TODAY).out

    assert laid_out == ["laid out"]
    assert after == cold("status", root, *TODAY)


@pytest.mark.parametrize(
    "asked",
    [
        pytest.param(("--today", "2026-11-30"), id="another day"),
        pytest.param(("--format", "json", *TODAY), id="another format"),
        pytest.param(("Skills", *TODAY), id="another folder"),
        pytest.param(("Skills/Docker.md", *TODAY), id="one note"),
    ],
)
def test_a_layout_is_brought_up_to_date_only_for_what_it_was_made_for(
    make_vault, vk, cold, laid_out, settled, asked
):
    root = make_vault(NOTES)
    vk("status", root, *TODAY)
    laid_out.clear()

    edited(root, "Skills/Docker.md", "- [ ] compose", "- [x] compose")
    after = vk("status", *asked, cwd=root).out

    assert "updated" not in laid_out
    assert after == cold("status", *asked)


def test_a_layout_in_colour_is_kept_apart_from_one_without(make_vault, laid_out, settled):
    root = make_vault(NOTES)
    day = datetime.date(2026, 11, 29)
    plain = api.status_shown(root, today=day)
    edited(root, "Skills/Docker.md", "- [ ] compose", "- [x] compose")
    laid_out.clear()

    coloured = api.status_shown(root, today=day, colour=True)

    assert laid_out == ["laid out"]
    assert "\x1b[" in coloured and "\x1b[" not in plain


# --- the layout on its own ----------------------------------------------------------------


def note(path: str, state: State, done: int, total: int, group: str | None) -> NoteProgress:
    return NoteProgress(
        P(path), P(path).stem, state, done, total, 0, 0, 0, group, (), (), (), None, None
    )


STATES = (State.DONE, State.IN_PROGRESS, State.READY, State.BLOCKED, State.UNTRACKED, State.DROPPED)


def view_of(notes: list[NoteProgress]) -> View:
    from vaultkit.progress import Progress

    notes = sorted(notes, key=lambda item: item.path)
    progress = Progress({item.path: item for item in notes}, None, (), ())  # type: ignore[arg-type]
    return View(Path("/v"), progress, tuple(notes))


def test_random_moves_update_a_layout_to_the_text_written_anew() -> None:
    rng = random.Random(3)
    groups = ("P1", "P2", "P3", None)
    notes = [
        note(f"N/n{index:03}.md", rng.choice(STATES), 1, 2, rng.choice(groups))
        for index in range(60)
    ]
    view = view_of(notes)
    layout = statusreport.status_layout(view)
    updated = 0
    for _ in range(300):
        moved = rng.sample(range(len(notes)), rng.randint(1, 3))
        before = {notes[i].path: notes[i] for i in moved}
        for i in moved:
            done = rng.randint(0, 3)
            notes[i] = replace(
                notes[i], state=rng.choice(STATES), done=done, total=done + rng.randint(0, 2)
            )
            if rng.random() < 0.3:
                notes[i] = replace(notes[i], group=rng.choice(groups))
        view = view_of(notes)
        now = {path: view.progress.notes[path] for path in before}
        found = statusreport.updated_layout(view, layout, before, now)
        layout = statusreport.status_layout(view)
        if found is not None:
            updated += 1
            assert found == layout
            assert statusreport.layout_text(view, found) == statusreport.status_text(view)
    assert updated > 200


def test_after_another_command_recalled_the_progress_the_layout_is_still_updated(
    make_vault, vk, cold, laid_out, settled
):
    root = make_vault(NOTES)
    vk("status", root, *TODAY)
    edited(root, "Skills/Docker.md", "- [ ] compose", "- [x] compose")
    vk("next", root)  # brings the progress up to date, and keeps it for this state
    laid_out.clear()

    after = vk("status", root, *TODAY).out

    assert laid_out == ["updated"]
    assert after == cold("status", root, *TODAY)
