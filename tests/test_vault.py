"""`refresh`: the vault after some notes changed on disk, re-reading only those."""

from __future__ import annotations

import gc
import logging
import os
import sys
from pathlib import PurePosixPath

import pytest

from vaultkit import api, cache, watch
from vaultkit import vault as vault_module
from vaultkit.config import Config
from vaultkit.debounce import WatchOptions
from vaultkit.discover import survey
from vaultkit.vault import load_vault, moved_since, refresh, reread

P = PurePosixPath

NOTES = {
    "Hub.md": "# Hub\n\n[[Docker#Compose]] and [[Kubernetes]]\n",
    "Skills/Docker.md": "# Docker\n\n- [ ] install\n",
    "Skills/Kubernetes.md": "# Kubernetes\n\n- [ ] pods\n",
}


def test_an_edit_is_read_and_every_other_note_is_kept_as_it_was(make_vault):
    root = make_vault(NOTES)
    vault = load_vault(root, Config())
    (root / "Skills/Docker.md").write_text("# Docker\n\n- [x] install\n", encoding="utf-8")

    edited = refresh(vault, [P("Skills/Docker.md")])

    assert list(edited.notes) == [P("Hub.md"), P("Skills/Docker.md"), P("Skills/Kubernetes.md")]
    assert [task.status for task in edited.notes[P("Skills/Docker.md")].tasks] == ["x"]
    assert edited.notes[P("Hub.md")] is vault.notes[P("Hub.md")]
    assert edited.files is vault.files


def test_a_heading_added_by_an_edit_is_found_by_links_to_it(make_vault):
    root = make_vault(NOTES)
    vault = load_vault(root, Config())
    assert not vault.index.has_heading(P("Skills/Docker.md"), ("Compose",))
    (root / "Skills/Docker.md").write_text("# Docker\n\n## Compose\n", encoding="utf-8")

    edited = refresh(vault, [P("Skills/Docker.md")])

    assert edited.index.has_heading(P("Skills/Docker.md"), ("Compose",))
    assert not vault.index.has_heading(P("Skills/Docker.md"), ("Compose",))  # unchanged


def test_a_new_note_and_a_deleted_one_change_what_links_resolve_to(make_vault):
    root = make_vault(NOTES)
    vault = load_vault(root, Config())
    (root / "Skills/Helm.md").write_text("# Helm\n", encoding="utf-8")
    (root / "Skills/Kubernetes.md").unlink()

    edited = refresh(vault, [P("Skills/Helm.md"), P("Skills/Kubernetes.md")])

    assert list(edited.notes) == [P("Hub.md"), P("Skills/Docker.md"), P("Skills/Helm.md")]
    assert edited.index.resolve_target("Helm", P("Hub.md")).path == P("Skills/Helm.md")
    assert edited.index.resolve_target("Kubernetes", P("Hub.md")).path is None


def test_many_changed_notes_are_parsed_in_worker_processes_to_the_same_notes(
    make_vault, monkeypatch
):
    root = make_vault({f"Skills/S{i:02}.md": f"# S{i}\n\n- [ ] a\n" for i in range(12)})
    vault = load_vault(root, Config())
    for i in range(12):
        (root / f"Skills/S{i:02}.md").write_text(f"# S{i}\n\n- [x] a #t{i}\n", encoding="utf-8")
    monkeypatch.setattr(vault_module, "PARALLEL_THRESHOLD", 4)

    edited = refresh(vault, list(vault.notes))

    assert dict(edited.notes) == dict(load_vault(root, Config()).notes)
    assert [tag.name for note in edited.notes.values() for tag in note.tags] == [
        f"t{i}" for i in range(12)
    ]


def test_notes_parsed_in_worker_processes_are_the_notes_parsed_in_this_one(make_vault, monkeypatch):
    nested = "[" * 600 + "]" * 600  # front matter MessagePack cannot carry: sent as itself
    notes = {f"S{i}.md": f"---\nrequires: ['[[S{i + 1}]]']\n---\n# S{i}\n" for i in range(6)}
    root = make_vault({**notes, "Deep.md": f"---\nlevels: {nested}\n---\n- [ ] a #t\n"})
    in_process = load_vault(root, Config())
    monkeypatch.setattr(vault_module, "PARALLEL_THRESHOLD", 4)

    in_workers = load_vault(root, Config())

    assert dict(in_workers.notes) == dict(in_process.notes)
    assert in_workers.notes[P("Deep.md")].tasks[0].status == " "


def test_a_note_found_while_refreshing_another_is_read_too(make_vault):
    # `mv Docker.md Containers.md`: the watcher may refresh the old name while the new
    # one is still waiting for its quiet period.
    root = make_vault(NOTES)
    vault = load_vault(root, Config())
    (root / "Skills/Docker.md").rename(root / "Skills/Containers.md")

    edited = refresh(vault, [P("Skills/Docker.md")])

    assert dict(edited.notes) == dict(load_vault(root, Config()).notes)
    assert edited.index.resolve_target("Containers", P("Hub.md")).path == P("Skills/Containers.md")


def test_reread_keeps_the_notes_whose_bytes_are_unchanged_and_reads_the_rest(make_vault):
    root = make_vault(NOTES)
    vault = load_vault(root, Config())
    (root / "Skills/Docker.md").write_text("# Docker\n\n- [x] install\n", encoding="utf-8")
    (root / "Skills/Helm.md").write_text("# Helm\n", encoding="utf-8")
    (root / "Skills/Kubernetes.md").unlink()

    again = reread(vault)

    assert dict(again.notes) == dict(load_vault(root, Config()).notes)
    assert again.notes[P("Hub.md")] is vault.notes[P("Hub.md")]
    assert [task.status for task in again.notes[P("Skills/Docker.md")].tasks] == ["x"]
    assert again.index.resolve_target("Kubernetes", P("Hub.md")).path is None


PROBE = """\
import os
from pathlib import Path

def parent(stat: Path) -> int:
    try:
        return int(stat.read_text().rpartition(")")[2].split()[1])
    except (OSError, ValueError):
        return 0

WORKERS = sum(parent(stat) == os.getpid() for stat in Path("/proc").glob("[0-9]*/stat"))
"""


def test_the_modules_a_run_needs_next_are_imported_while_worker_processes_parse(
    make_vault, monkeypatch, tmp_path
):
    # A module that notes, when imported, how many worker processes run (Linux's /proc).
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "vk_next_probe.py").write_text(PROBE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    monkeypatch.delitem(sys.modules, "vk_next_probe", raising=False)
    root = make_vault({f"S{i}.md": f"# S{i}\n" for i in range(6)})
    monkeypatch.setattr(vault_module, "PARALLEL_THRESHOLD", 4)
    token = vault_module.NEXT_MODULES.set(("vk_next_probe",))
    try:
        load_vault(root, Config())
    finally:
        vault_module.NEXT_MODULES.reset(token)

    assert sys.modules["vk_next_probe"].WORKERS >= 2


@pytest.fixture
def asked_next(monkeypatch) -> list[tuple[str, ...]]:
    """What each parse in worker processes was told to import meanwhile (`NEXT_MODULES`)."""
    monkeypatch.setattr(vault_module, "PARALLEL_THRESHOLD", 4)
    asked: list[tuple[str, ...]] = []
    parse_many = vault_module._parse_many

    def watched(*args: object) -> object:
        asked.append(vault_module.NEXT_MODULES.get())
        return parse_many(*args)

    monkeypatch.setattr(vault_module, "_parse_many", watched)
    return asked


def test_a_lint_imports_the_rules_while_worker_processes_parse(make_vault, asked_next):
    root = make_vault({f"S{i}.md": f"# S{i}\n" for i in range(6)})

    api.lint_paths([root])

    assert asked_next == [("vaultkit.linting", "vaultkit.planning")]
    assert vault_module.NEXT_MODULES.get() == ()


def test_a_watch_start_imports_the_watcher_while_worker_processes_parse(make_vault, asked_next):
    root = make_vault({f"S{i}.md": f"# S{i}\n" for i in range(6)})

    watch._started(root, Config(), WatchOptions())

    assert asked_next == [("vaultkit.watcher", "vaultkit.observe", "vaultkit.planning")]
    assert vault_module.NEXT_MODULES.get() == ()


def test_notes_decoded_from_worker_processes_are_left_out_of_garbage_collections(
    make_vault, monkeypatch
):
    root = make_vault({f"S{i}.md": f"# S{i}\n\n- [ ] a [[S{i + 1}]] #t\n" for i in range(6)})
    monkeypatch.setattr(vault_module, "PARALLEL_THRESHOLD", 4)
    gc.unfreeze()
    try:
        vault = load_vault(root, Config())
        tracked = {id(found) for found in gc.get_objects()}  # the collector scans these

        assert gc.get_freeze_count() > 0
        assert [p for p, note in vault.notes.items() if id(note) in tracked] == []
        assert [p for p, note in vault.notes.items() if id(note.links[0]) in tracked] == []
    finally:
        gc.unfreeze()


# --- which notes may have changed since a survey: what `watch` looks at again once its
# observer runs ----------------------------------------------------------------------


def test_no_note_moved_since_a_survey_of_a_vault_left_alone(make_vault, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)  # every note saved long before the survey
    root = make_vault(NOTES)
    load_vault(root, Config())  # the notes kept: the next load surveys their stats
    _, found = vault_module.load_surveyed(root, Config())
    assert found.taken is None

    assert moved_since(found) == []


def test_a_note_edited_added_or_deleted_since_a_survey_moved(make_vault, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)
    root = make_vault({**NOTES, "Skills/Helm.md": "# Helm\n"})
    found = survey(root, Config())
    (root / "Skills/Docker.md").write_text("# Docker\n\n- [x] install\n", encoding="utf-8")
    (root / "Skills/Helm.md").unlink()
    (root / "Ansible.md").write_text("# Ansible\n", encoding="utf-8")

    assert moved_since(found) == [
        P("Ansible.md"),
        P("Skills/Docker.md"),
        P("Skills/Helm.md"),
    ]


@pytest.mark.parametrize("cached", [True, False], ids=["first read", "no cache"])
def test_a_first_read_tells_what_moved_since_by_the_stats_its_notes_were_read_with(
    make_vault, monkeypatch, cached
):
    """No note kept: the survey took no note's stat, and the read's own are compared."""
    monkeypatch.setattr(cache, "RACY_NS", 0)
    if not cached:
        monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    root = make_vault({**NOTES, "Skills/Helm.md": "# Helm\n"})
    vault, found = vault_module.load_surveyed(root, Config())
    assert found.taken is not None and None not in found.taken
    assert list(vault.notes) == list(found.files.notes)
    assert moved_since(found) == []
    (root / "Skills/Docker.md").write_text("# Docker\n\n- [x] install\n", encoding="utf-8")
    (root / "Skills/Helm.md").unlink()

    assert moved_since(found) == [P("Skills/Docker.md"), P("Skills/Helm.md")]


def test_a_load_with_notes_kept_tells_what_moved_since_by_its_surveys_stats(
    make_vault, monkeypatch
):
    monkeypatch.setattr(cache, "RACY_NS", 0)
    root = make_vault(NOTES)
    load_vault(root, Config())
    _, found = vault_module.load_surveyed(root, Config())
    assert found.taken is None and sorted(found.stats) == sorted(NOTES)
    (root / "Ansible.md").write_text("# Ansible\n", encoding="utf-8")

    assert moved_since(found) == [P("Ansible.md")]


def test_what_moved_since_is_told_without_warning_again_of_files_the_survey_skipped(
    make_vault, monkeypatch, caplog
):
    """The watcher's start told of the FIFO once, as the survey found it: not again as it
    looks for notes that moved meanwhile."""
    monkeypatch.setattr(cache, "RACY_NS", 0)
    root = make_vault(NOTES)
    os.mkfifo(root / "Pipe.md")
    found = survey(root, Config())
    caplog.clear()

    with caplog.at_level(logging.WARNING):
        assert moved_since(found) == []
    assert caplog.messages == []


def test_a_note_saved_too_close_to_a_survey_to_tell_by_its_stat_may_have_moved(make_vault):
    root = make_vault(NOTES)  # saved just now: a second save in the same tick keeps the stat
    found = survey(root, Config())

    assert moved_since(found) == list(map(P, sorted(NOTES)))
