"""Results kept between runs: a vault as an earlier run saw it answers from what that run
computed, without decoding a note, and each change that could alter an answer makes the
next run compute it again and answer as a run without a cache does."""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
from pathlib import Path, PurePosixPath

import pytest

from vaultkit import cache, linting, planning, progress
from vaultkit.cache import FOLDER
from vaultkit.rules import vk601_overdue

P = PurePosixPath
COMMANDS = (
    ("lint", "--format", "json"),
    ("status", "--format", "json"),
    ("next",),
    ("sync", "--check"),
)
NOTES = {
    "Hub.md": (
        "---\nrequires: ['[[Docker]]']\n---\n# Hub\n\n"
        "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n- [ ] plan\n"
    ),
    "Skills/Docker.md": "# Docker\n\n- [x] install\n- [ ] compose\n",
    "Skills/Helm.md": "# Helm\n\n- [ ] charts [[Kubernetes]] ![[diagram.png]]\n",
}


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was computed rather than recalled: "progress", "lint", "sync", "decoded"."""
    seen: list[str] = []

    def counting(name: str, real):  # type: ignore[no-untyped-def]
        def run(*args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(name)
            return real(*args, **kwargs)

        return run

    monkeypatch.setattr(progress, "track", counting("progress", progress.track))
    monkeypatch.setattr(linting, "_check", counting("lint", linting._check))
    monkeypatch.setattr(planning, "_plan", counting("sync", planning._plan))
    decoded = cache.NoteCache.decoded
    monkeypatch.setattr(cache.NoteCache, "decoded", counting("decoded", decoded))
    return seen


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stats trusted at once (else a file written in the same instant as the run is not)."""
    monkeypatch.setattr(cache, "RACY_NS", 0)


@pytest.fixture
def answers(vk, note_cache, monkeypatch):  # type: ignore[no-untyped-def]
    """Every command's (exit code, output) on the vault, and the same without a cache."""

    def run(root: Path, *, cold: bool = False) -> list[tuple[int, str]]:
        if cold:
            monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
        try:
            return [(r.code, r.out) for r in (vk(*command, root) for command in COMMANDS)]
        finally:
            monkeypatch.setenv("VAULTKIT_CACHE_DIR", str(note_cache))

    return run


def warmed(make_vault, answers, computed) -> Path:  # type: ignore[no-untyped-def]
    root = make_vault(NOTES)
    answers(root)
    computed.clear()
    return root


def test_a_vault_as_it_was_answers_every_command_without_decoding_a_note(
    make_vault, answers, computed, settled
):
    root = make_vault(NOTES)
    first = answers(root)
    assert {"lint", "progress", "sync"} <= set(computed)
    computed.clear()

    again = answers(root)

    assert computed == []
    assert again == first == answers(root, cold=True)


CHANGES = [
    pytest.param(
        lambda root: (root / "Skills/Docker.md").write_text("# Docker\n\n- [x] install\n"),
        id="a note edited",
    ),
    pytest.param(
        lambda root: (root / "Skills/Helm.md").rename(root / "Skills/Helm 3.md"),
        id="a note renamed",
    ),
    pytest.param(lambda root: (root / "Skills/Helm.md").unlink(), id="a note deleted"),
    pytest.param(
        lambda root: (root / "Skills/Kubernetes.md").write_text("- [ ] k\n"), id="a note added"
    ),
    pytest.param(
        lambda root: (root / "Docker.md").write_text("- [x] done\n"),
        id="a name added nearer the linking note",
    ),
    pytest.param(
        lambda root: (root / "Skills/diagram.png").write_bytes(b"png"),
        id="an attachment an embed now shows",
    ),
    pytest.param(
        lambda root: (root / ".vaultkit.toml").write_text('ignore = ["VK101"]\n'),
        id="configuration changed",
    ),
    pytest.param(
        lambda root: (root / ".obsidian/app.json").write_text('{"userIgnoreFilters": ["Skills/"]}'),
        id="Obsidian's excluded files changed",
    ),
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_is_computed_again_and_answers_as_a_run_without_a_cache(
    make_vault, answers, computed, settled, change
):
    root = warmed(make_vault, answers, computed)
    answers(root)
    assert computed == []

    change(root)
    after = answers(root)

    assert {"progress", "lint", "sync"} <= set(computed)
    assert after == answers(root, cold=True)


def test_a_name_added_nearer_the_linking_note_changes_what_it_waits_on(
    make_vault, vk, answers, computed, settled
):
    root = warmed(make_vault, answers, computed)

    def blocked_by() -> list[str]:
        notes = json.loads(vk("status", "--format", "json", root).out)["notes"]
        return next(note["blocked_by"] for note in notes if note["path"] == "Hub.md")

    assert blocked_by() == ["Skills/Docker.md"]
    (root / "Docker.md").write_text("- [x] done\n")  # `[[Docker]]` from the root opens it
    assert blocked_by() == []


def test_a_note_touched_without_a_change_is_hashed_and_its_results_still_hold(
    make_vault, answers, computed, settled
):
    root = warmed(make_vault, answers, computed)
    first = answers(root)
    computed.clear()

    os.utime(root / "Skills/Helm.md", ns=(1, 1))

    assert answers(root) == first
    assert computed == ["decoded"]  # Helm.md hashed (its stat moved), then taken as kept


def test_notes_saved_in_the_instant_of_the_run_are_hashed_and_their_results_recalled(
    make_vault, answers, computed
):
    root = make_vault(NOTES)  # written now: no stat is trusted yet, every note is hashed
    first = answers(root)
    computed.clear()

    assert answers(root) == first
    assert set(computed) == {"decoded"}


def test_another_vaultkit_recalls_nothing(make_vault, answers, computed, settled, monkeypatch):
    root = warmed(make_vault, answers, computed)
    monkeypatch.setattr(cache, "stamp", lambda: "another vaultkit")

    assert answers(root) == answers(root, cold=True)
    assert {"progress", "lint", "sync"} <= set(computed)


def test_lint_on_another_day_is_computed_again(make_vault, answers, computed, settled, monkeypatch):
    root = warmed(make_vault, answers, computed)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(vk601_overdue, "today", lambda: tomorrow)

    answers(root)

    assert computed.count("lint") == 1 and "progress" not in computed


def test_lint_of_other_notes_is_computed_for_them(make_vault, vk, answers, computed, settled):
    root = warmed(make_vault, answers, computed)

    one = vk("lint", "Skills/Helm.md", cwd=root)

    assert computed.count("lint") == 1
    assert [line.split()[:2] for line in one.out.splitlines()] == [
        ["Skills/Helm.md:3:14:", "VK101"],
        ["Skills/Helm.md:3:29:", "VK102"],
    ]


def test_a_result_that_does_not_decode_is_computed_again(
    make_vault, answers, computed, settled, note_cache
):
    root = warmed(make_vault, answers, computed)
    [file] = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        db.execute("UPDATE results SET value = ?", (b"\x81\xa4path\x05",))
    db.close()

    assert answers(root) == answers(root, cold=True)
    assert {"progress", "lint", "sync"} <= set(computed)


def test_only_the_latest_state_is_kept(make_vault, answers, computed, settled, note_cache):
    root = warmed(make_vault, answers, computed)
    (root / "Skills/Helm.md").unlink()
    answers(root)

    [file] = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        states = db.execute("SELECT DISTINCT state FROM results").fetchall()
    db.close()

    assert len(states) == 1


def test_lint_and_sync_make_one_plan_between_them(make_vault, vk, answers, computed, settled):
    root = warmed(make_vault, answers, computed)
    (root / "Skills/Docker.md").write_text("# Docker\n\n- [x] install\n")

    lint = vk("lint", root)
    check = vk("sync", "--check", root)

    assert computed.count("sync") == 1
    assert "VK501" in lint.out and check.code == 1
