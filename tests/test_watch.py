"""`vaultkit watch`: the watcher on real vaults.

Three levels:
- `Watcher` driven by hand with a fake clock: recorded events in, decisions out, no sleeps;
- the whole loop with a real observer on a temporary vault (a thread, quiet period 0.2 s),
  polling for the expected state with a timeout instead of fixed sleeps;
- `vaultkit watch` as a subprocess: the lock against a second watcher, and Ctrl-C.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from types import MappingProxyType

import msgspec.structs
import pytest
from watchdog.events import (
    DirCreatedEvent,
    DirModifiedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.polling import PollingObserver

from vaultkit import api, cache, observe, reaping, syncing, watch, writeback
from vaultkit.config import Config
from vaultkit.debounce import WatchOptions
from vaultkit.discover import Survey
from vaultkit.live import Comparison, LiveVault, compare
from vaultkit.lock import LOCK_NAME, VaultLock, WatchError
from vaultkit.model import State
from vaultkit.nogc import no_gc
from vaultkit.observe import start_observer
from vaultkit.progress import Progress, compute
from vaultkit.syncing import SyncPlan
from vaultkit.vault import Vault, load_vault
from vaultkit.watch import StopFlag
from vaultkit.watcher import Watcher, describe
from vaultkit.writeback import Outcome

P = PurePosixPath
QUIET = 2.5

HUB = """\
    # Hub

    - [[Docker]]
    - [[Kubernetes]]

    <!-- vaultkit:begin rollup -->
    <!-- vaultkit:end rollup -->

    <!-- vaultkit:begin next -->
    <!-- vaultkit:end next -->
    """
DOCKER = """\
    ---
    tags: [skill]
    ---
    # Docker

    <!-- vaultkit:begin progress -->
    <!-- vaultkit:end progress -->

    - [x] install
    - [ ] compose
    - [ ] swarm
    """
KUBERNETES = """\
    ---
    requires: ["[[Docker]]"]
    ---
    # Kubernetes

    <!-- vaultkit:begin progress -->
    <!-- vaultkit:end progress -->

    - [ ] pods
    """
ROADMAP = {"Hub.md": HUB, "Skills/Docker.md": DOCKER, "Skills/Kubernetes.md": KUBERNETES}


# --- helpers ---------------------------------------------------------------------------


def block(root: Path, rel: str, kind: str) -> str:
    """The text between a block's markers, as it is on disk now."""
    text = (root / rel).read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- vaultkit:begin {kind}\b.*?-->\n(.*?)<!-- vaultkit:end {kind} -->", text, re.S
    )
    assert found is not None, f"no {kind} block in {rel}"
    return found.group(1)


def outside_blocks(text: str) -> str:
    return re.sub(
        r"(<!-- vaultkit:begin .*?-->\n).*?(<!-- vaultkit:end)", r"\1\2", text, flags=re.S
    )


def stale_notes(root: Path) -> list[str]:
    """The notes a fresh `vaultkit sync` would still change: [] when every block is current."""
    vault = load_vault(root, Config())
    return [str(update.path) for update in syncing.plan(vault, compute(vault)).updates]


def tick_box(root: Path, rel: str, task: str) -> None:
    """Tick a box the way Obsidian saves: in place (truncate, write, close)."""
    path = root / rel
    data = path.read_bytes()
    assert f"- [ ] {task}".encode() in data
    path.write_bytes(data.replace(f"- [ ] {task}".encode(), f"- [x] {task}".encode(), 1))


def in_place_events(root: Path, rel: str) -> list[FileSystemEvent]:
    """What inotify reports for an in-place save (recorded with watchdog 7 on Linux)."""
    path = str(root / rel)
    return [
        FileOpenedEvent(path),
        FileModifiedEvent(path),
        FileModifiedEvent(path),
        FileClosedEvent(path),
        DirModifiedEvent(str((root / rel).parent)),
    ]


def replace_events(root: Path, rel: str) -> list[FileSystemEvent]:
    """What inotify reports for a temp file renamed over the note, as writeback saves."""
    note = root / rel
    temp = str(note.with_name(f".{note.name}.x1y2{writeback.TEMP_SUFFIX}"))
    return [
        FileCreatedEvent(temp),
        FileModifiedEvent(temp),
        FileClosedEvent(temp),
        FileMovedEvent(temp, str(note)),
        DirModifiedEvent(str(note.parent)),
    ]


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Outcome]]:
    """Every call of `writeback.apply` (the only writer), with its outcome."""
    calls: list[tuple[str, Outcome]] = []
    real = writeback.apply

    def counting(path: Path, expected: bytes, new: bytes, *, root: Path) -> writeback.WriteResult:
        result = real(path, expected, new, root=root)
        calls.append((path.name, result.outcome))
        return result

    monkeypatch.setattr(writeback, "apply", counting)
    return calls


def written(calls: list[tuple[str, Outcome]]) -> list[str]:
    return [name for name, outcome in calls if outcome is Outcome.WRITTEN]


class Clocked:
    """A Watcher on a real vault, fed recorded events on a fake clock."""

    def __init__(self, root: Path, **options: object) -> None:
        self.root = root
        self.watcher = Watcher(load_vault(root, Config()), WatchOptions(**options))  # type: ignore[arg-type]

    def feed(self, events: list[FileSystemEvent], at: float) -> None:
        for event in events:
            self.watcher.handle(event, at)

    def save(self, rel: str, data: bytes, at: float) -> None:
        (self.root / rel).write_bytes(data)
        self.feed(in_place_events(self.root, rel), at)

    def tick_box(self, rel: str, task: str, at: float) -> None:
        tick_box(self.root, rel, task)
        self.feed(in_place_events(self.root, rel), at)


@pytest.fixture
def roadmap(make_vault: Callable[[dict[str, str]], Path]) -> Path:
    return make_vault(ROADMAP)


@pytest.fixture
def started(roadmap: Path) -> Clocked:
    clocked = Clocked(roadmap, quiet_period=QUIET)
    clocked.watcher.start(0.0)
    clocked.watcher.tick(0.1)  # idle: it reads its own writes back
    return clocked


# --- the watcher on a fake clock ---------------------------------------------------------


def test_start_brings_every_block_up_to_date(roadmap, writes):
    Clocked(roadmap, quiet_period=QUIET).watcher.start(0.0)
    assert sorted(written(writes)) == ["Docker.md", "Hub.md", "Kubernetes.md"]
    assert stale_notes(roadmap) == []
    assert block(roadmap, "Skills/Docker.md", "progress").startswith("▓▓▓░░░░░░░ 33% · 1/3 tasks")


@pytest.mark.parametrize(
    ("notes", "rest"),
    [(11, ", and 1 more note"), (12, ", and 2 more notes"), (10, "")],
)
def test_an_update_line_names_ten_notes_and_counts_the_rest(notes, rest):
    names = [PurePosixPath(f"N{i:02d}.md") for i in range(notes)]
    written = [syncing.NoteUpdate(name, ("progress",), b"", b"") for name in names]
    named = ", ".join(f"N{i:02d}.md (progress)" for i in range(10))
    assert describe(written, ()) == named + rest


def test_a_ticked_box_updates_the_note_and_its_hub_once_the_note_is_quiet(started, writes, caplog):
    root = started.root
    hub_before = block(root, "Hub.md", "rollup")
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    started.watcher.tick(12.49)
    assert writes == [] and stale_notes(root) == ["Hub.md", "Skills/Docker.md"]
    with caplog.at_level(logging.INFO, logger="vaultkit"):
        started.watcher.tick(12.5)
    assert written(writes) == ["Docker.md", "Hub.md"]  # the edited note first
    assert stale_notes(root) == []
    assert "2/3 tasks" in block(root, "Skills/Docker.md", "progress")
    assert block(root, "Hub.md", "rollup") != hub_before
    assert caplog.messages == ["updated Skills/Docker.md (progress), Hub.md (rollup, next)"]


PHASES = {
    "P1.md": "# P1\n\n<!-- vaultkit:begin rollup group=this -->\n<!-- vaultkit:end rollup -->\n",
    "P2.md": "# P2\n\n<!-- vaultkit:begin rollup group=this -->\n<!-- vaultkit:end rollup -->\n",
    "Skills/Docker.md": '---\nphase: "[[P1]]"\n---\n- [x] install\n- [ ] compose\n',
}


def test_a_ticked_box_updates_its_phase_roll_up_and_a_new_phase_updates_both(make_vault):
    clocked = Clocked(make_vault(PHASES), quiet_period=QUIET)
    clocked.watcher.start(0.0)
    clocked.watcher.tick(0.1)
    assert "| [[Docker]] | in-progress | 1/2 |" in block(clocked.root, "P1.md", "rollup")

    clocked.tick_box("Skills/Docker.md", "compose", at=10.0)
    clocked.watcher.tick(12.5)
    assert "| [[Docker]] | done | 2/2 |" in block(clocked.root, "P1.md", "rollup")

    moved = (clocked.root / "Skills/Docker.md").read_bytes().replace(b"[[P1]]", b"[[P2]]")
    clocked.save("Skills/Docker.md", moved, at=20.0)
    clocked.watcher.tick(22.5)
    assert block(clocked.root, "P1.md", "rollup") == "_No tracked notes in scope._\n"
    assert "| [[Docker]] | done | 2/2 |" in block(clocked.root, "P2.md", "rollup")
    assert stale_notes(clocked.root) == []


GROUPS_BY_START = {
    "Board.md": (
        "<!-- vaultkit:begin rollup tag=k8s group-by=phase -->\n<!-- vaultkit:end rollup -->\n"
    ),
    "Phases/P1.md": "---\nstart: 2026-03-01\n---\n- [ ] plan\n",
    "Archive/P1.md": "---\nstart: 2026-06-01\n---\n- [ ] plan\n",
    "P2.md": "---\nstart: 2026-02-01\n---\n- [ ] plan\n",
    "Helm.md": '---\nphase: "[[Phases/P1]]"\n---\n#k8s\n- [ ] a\n',
    "Argo.md": '---\nphase: "[[P2]]"\n---\n#k8s\n- [ ] a\n',
}


def group_rows(root: Path) -> list[str]:
    """The group rows of Board.md's roll-up, in order."""
    return re.findall(r"^\| \*\*(\[\[.*?\]\])\*\* \|", block(root, "Board.md", "rollup"), re.M)


def synced_from_scratch(root: Path, rel: str, tmp: Path) -> bytes:
    """The bytes `vaultkit sync` writes to `rel` in a copy of the vault."""
    copy = tmp / "from-scratch"
    shutil.copytree(root, copy)
    api.sync(copy)
    return (copy / rel).read_bytes()


def test_a_start_date_that_reorders_groups_updates_the_blocks_ordered_by_it(make_vault, tmp_path):
    # Groups are ordered by the earliest start of the notes with the group's title: both
    # P1 notes order group P1, though the link leads to one of them.
    clocked = Clocked(make_vault(GROUPS_BY_START), quiet_period=QUIET)
    clocked.watcher.start(0.0)
    clocked.watcher.tick(0.1)
    assert group_rows(clocked.root) == ["[[P2]]", "[[Phases/P1\\|P1]]"]

    earlier = (clocked.root / "Archive/P1.md").read_bytes().replace(b"2026-06-01", b"2026-01-01")
    clocked.save("Archive/P1.md", earlier, at=10.0)
    clocked.watcher.tick(12.5)

    board = (clocked.root / "Board.md").read_bytes()
    assert board == synced_from_scratch(clocked.root, "Board.md", tmp_path)
    assert block(clocked.root, "Board.md", "rollup") == (
        "| Note | State | Done | Progress |\n"
        "| --- | --- | ---: | --- |\n"
        "| **[[Phases/P1\\|P1]]** | 0 of 1 done | 0/1 | ░░░░░░░░░░ 0% |\n"
        "| [[Helm]] | ready | 0/1 | ░░░░░░░░░░ 0% |\n"
        "| **[[P2]]** | 0 of 1 done | 0/1 | ░░░░░░░░░░ 0% |\n"
        "| [[Argo]] | ready | 0/1 | ░░░░░░░░░░ 0% |\n"
        "| **Total** | 0 of 2 done | 0/2 | ░░░░░░░░░░ 0% |\n"
        "\n"
    )


def test_only_the_blocks_change_in_the_notes_it_writes(started):
    root = started.root
    before = {rel: (root / rel).read_text(encoding="utf-8") for rel in ROADMAP}
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    started.watcher.tick(20.0)
    after = {rel: (root / rel).read_text(encoding="utf-8") for rel in ROADMAP}
    ticked = before["Skills/Docker.md"].replace("- [ ] compose", "- [x] compose")
    assert outside_blocks(after["Skills/Docker.md"]) == outside_blocks(ticked)
    assert outside_blocks(after["Hub.md"]) == outside_blocks(before["Hub.md"])


def test_its_own_writes_are_recognised_and_nothing_more_is_written(started, writes):
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    started.watcher.tick(12.5)
    assert written(writes) == ["Docker.md", "Hub.md"]
    for rel in ("Hub.md", "Skills/Docker.md"):
        started.feed(replace_events(started.root, rel), at=12.6)
    assert len(started.watcher.debouncer) == 0
    for now in (15.0, 30.0, 60.0):
        started.watcher.tick(now)
    assert written(writes) == ["Docker.md", "Hub.md"]


def test_the_edited_note_is_written_before_who_shows_it_is_looked_for(started, monkeypatch):
    shown_then = []
    real_who_shows = LiveVault.who_shows

    def looking(*args: object, **kwargs: object) -> set[PurePosixPath]:
        shown_then.append(block(started.root, "Skills/Docker.md", "progress"))
        return real_who_shows(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(LiveVault, "who_shows", looking)
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    started.watcher.tick(12.5)
    assert shown_then == ["▓▓▓▓▓▓░░░░ 66% · 2/3 tasks · in-progress\n\n- Unlocks: [[Kubernetes]]\n"]


def test_edits_in_a_row_update_the_hub_each_time_at_once(started, writes):
    # The vault must hold the hub as last written, or the next plan would find it
    # "changed on disk" and leave it for later.
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    started.watcher.tick(12.5)
    started.tick_box("Skills/Kubernetes.md", "pods", at=13.0)
    started.watcher.tick(15.5)
    assert written(writes) == ["Docker.md", "Hub.md", "Kubernetes.md", "Hub.md"]
    assert stale_notes(started.root) == []


def test_the_start_reads_its_own_writes_back_before_the_first_edit(roadmap):
    clocked = Clocked(roadmap, quiet_period=QUIET)
    clocked.watcher.start(0.0)  # writes every note's blocks
    for rel in ROADMAP:
        assert clocked.watcher.vault.notes[P(rel)].parsed_from((roadmap / rel).read_bytes())


def test_reading_back_its_writes_notices_a_note_changed_since(started):
    started.tick_box("Skills/Kubernetes.md", "pods", at=10.0)
    started.watcher.tick(12.5)  # writes Kubernetes.md and Hub.md
    note = started.root / "Skills/Kubernetes.md"
    note.write_bytes(note.read_bytes() + b"- [ ] services\n")  # right after, event lost
    started.watcher.tick(12.6)
    assert list(started.watcher.debouncer.due(15.1)) == [P("Skills/Kubernetes.md")]


def test_the_event_of_its_own_write_is_dropped_and_the_next_one_is_not(started):
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    started.watcher.tick(12.5)
    started.feed(replace_events(started.root, "Hub.md"), at=13.0)
    assert P("Hub.md") not in started.watcher.debouncer
    started.feed(in_place_events(started.root, "Hub.md"), at=14.0)  # bytes as we wrote them
    assert P("Hub.md") in started.watcher.debouncer


def test_an_edit_after_its_own_write_is_not_taken_for_it(started):
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    started.watcher.tick(12.5)
    hub = started.root / "Hub.md"
    hub.write_bytes(hub.read_bytes() + b"\nA line the user typed.\n")
    started.feed(in_place_events(started.root, "Hub.md"), at=14.0)
    assert P("Hub.md") in started.watcher.debouncer


def test_a_note_being_edited_is_not_written_until_it_is_quiet(started, writes):
    root = started.root
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    hub = root / "Hub.md"
    typed = hub.read_bytes().replace(b"# Hub\n", b"# Hub\n\nTyping here.\n")
    started.save("Hub.md", typed, at=11.0)
    started.watcher.tick(12.5)
    assert written(writes) == ["Docker.md"]  # the hub is still being typed in
    started.watcher.tick(13.5)
    assert written(writes) == ["Docker.md", "Hub.md"]
    assert b"Typing here." in hub.read_bytes()
    assert stale_notes(root) == []


def test_a_note_saved_unchanged_still_counts_as_being_edited(started, writes):
    # An autosave that wrote the same bytes: nothing on disk tells that the note is open
    # and being typed in, only the event does. (A watcher started on the synced vault, so
    # the hub's bytes are not ones it wrote: those would read as its own write's event.)
    root = started.root
    fresh = Clocked(root, quiet_period=QUIET)
    fresh.tick_box("Skills/Docker.md", "compose", at=10.0)
    fresh.save("Hub.md", (root / "Hub.md").read_bytes(), at=11.0)
    fresh.watcher.tick(12.5)
    assert written(writes) == ["Docker.md"]
    fresh.watcher.tick(13.5)
    assert written(writes) == ["Docker.md", "Hub.md"]
    assert stale_notes(root) == []


def test_a_note_found_empty_is_given_one_more_quiet_period(started, writes):
    root = started.root
    hub_before = (root / "Hub.md").read_bytes()
    started.save("Skills/Docker.md", b"", at=10.0)
    started.watcher.tick(12.5)
    assert writes == [] and P("Skills/Docker.md") in started.watcher.debouncer
    started.watcher.tick(15.0)  # still empty a quiet period later: the user emptied it
    assert (root / "Hub.md").read_bytes() != hub_before
    assert stale_notes(root) == []


def test_a_half_written_note_is_read_once_it_is_complete(started):
    root = started.root
    full = (root / "Skills/Docker.md").read_bytes().replace(b"- [ ] compose", b"- [x] compose")
    started.save("Skills/Docker.md", b"", at=10.0)
    started.watcher.tick(12.5)
    (root / "Skills/Docker.md").write_bytes(full)  # the editor finishes, without an event
    started.watcher.tick(15.0)
    assert "2/3 tasks" in block(root, "Skills/Docker.md", "progress")


def test_a_save_between_read_and_write_is_kept_and_the_block_follows(started, writes, monkeypatch):
    root = started.root
    docker = root / "Skills/Docker.md"
    saves = []

    def user_saves(path: Path) -> None:
        if path.name == "Docker.md" and not saves:
            saves.append(path)
            tick_box(root, "Skills/Docker.md", "swarm")

    monkeypatch.setattr(writeback, "before_final_check", user_saves)
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    started.watcher.tick(12.5)
    assert (("Docker.md", Outcome.CONFLICT)) in writes
    assert b"- [x] swarm" in docker.read_bytes()  # the user's save is on disk
    assert P("Skills/Docker.md") in started.watcher.debouncer  # and will be looked at again
    started.feed(in_place_events(root, "Skills/Docker.md"), at=12.6)
    started.watcher.tick(15.1)
    assert b"- [x] compose" in docker.read_bytes() and b"- [x] swarm" in docker.read_bytes()
    assert "3/3 tasks" in block(root, "Skills/Docker.md", "progress")
    assert stale_notes(root) == []


def test_a_deleted_note_leaves_the_hub(started):
    root = started.root
    assert "Kubernetes" in block(root, "Hub.md", "rollup")
    (root / "Skills/Kubernetes.md").unlink()
    started.feed([FileDeletedEvent(str(root / "Skills/Kubernetes.md"))], at=10.0)
    started.watcher.tick(12.5)
    assert "Kubernetes" not in block(root, "Hub.md", "rollup")
    assert stale_notes(root) == []


def test_a_moved_note_is_looked_at_under_both_names(started):
    root = started.root
    (root / "Tools").mkdir()
    os.rename(root / "Skills/Docker.md", root / "Tools/Docker.md")
    started.feed(
        [FileMovedEvent(str(root / "Skills/Docker.md"), str(root / "Tools/Docker.md"))], 10.0
    )
    assert sorted(map(str, started.watcher.debouncer.due(12.5))) == [
        "Skills/Docker.md",
        "Tools/Docker.md",
    ]


def test_a_rescan_finds_a_change_whose_event_was_lost(started, writes):
    root = started.root
    tick_box(root, "Skills/Docker.md", "compose")  # no event reaches the watcher
    started.watcher.rescan(100.0)
    assert list(map(str, started.watcher.debouncer.due(102.5))) == ["Skills/Docker.md"]


def test_a_folder_event_schedules_a_rescan_after_a_quiet_period(started, writes):
    root = started.root
    tick_box(root, "Skills/Docker.md", "compose")
    started.feed([DirCreatedEvent(str(root / "Archive"))], at=10.0)
    started.watcher.tick(12.49)
    assert len(started.watcher.debouncer) == 0
    started.watcher.tick(12.5)  # the rescan touches the note ...
    started.watcher.tick(15.0)  # ... which is handled a quiet period later
    assert "2/3 tasks" in block(root, "Skills/Docker.md", "progress")


def test_a_rename_relinked_and_saved_through_a_temp_file_leaves_every_block_current(started):
    # `mv Docker.md Containers.md`; `[[Docker]]` -> `[[Containers]]` in Kubernetes.md, in
    # place; Containers.md saved through a temp file: a second apart, so the old name is
    # handled while the new one still waits for its quiet period.
    root = started.root
    os.rename(root / "Skills/Docker.md", root / "Skills/Containers.md")
    moved = FileMovedEvent(str(root / "Skills/Docker.md"), str(root / "Skills/Containers.md"))
    started.feed([moved], at=10.0)
    kubernetes = root / "Skills/Kubernetes.md"
    kubernetes.write_bytes(kubernetes.read_bytes().replace(b"[[Docker]]", b"[[Containers]]"))
    started.feed(in_place_events(root, "Skills/Kubernetes.md"), at=11.0)
    containers = root / "Skills/Containers.md"
    (root / "Skills/.Containers.md.swp").write_bytes(containers.read_bytes())
    os.replace(root / "Skills/.Containers.md.swp", containers)
    started.feed(replace_events(root, "Skills/Containers.md"), at=12.0)
    for now in (12.5, 13.5, 14.5, 20.0):
        started.watcher.tick(now)
    assert stale_notes(root) == []
    assert block(root, "Skills/Kubernetes.md", "progress") == (
        "░░░░░░░░░░ 0% · 0/1 tasks · blocked\n\n- Needs: [[Containers]] (in-progress)\n"
    )
    assert block(root, "Skills/Containers.md", "progress").endswith("- Unlocks: [[Kubernetes]]\n")


def corrupt(watcher: Watcher, rel: str, **wrong: object) -> None:
    """Make the watcher's state wrong about one note's progress, as a bug would."""
    state = watcher.state
    notes = dict(state.progress.notes)
    notes[P(rel)] = msgspec.structs.replace(notes[P(rel)], **wrong)
    progress = msgspec.structs.replace(state.progress, notes=MappingProxyType(notes))
    tracked = msgspec.structs.replace(state.now.tracked, progress=progress)
    state.now = msgspec.structs.replace(state.now, tracked=tracked)


def edit_hub(clocked: Clocked, at: float) -> None:
    hub = clocked.root / "Hub.md"
    clocked.save("Hub.md", hub.read_bytes() + b"\nA line the user typed.\n", at)


def test_a_rescan_repairs_a_state_that_drifted_and_the_blocks_written_from_it(started, caplog):
    root = started.root
    corrupt(started.watcher, "Skills/Docker.md", done=3, state=State.DONE)
    edit_hub(started, at=10.0)
    started.watcher.tick(12.5)  # the hub is written from the wrong state
    assert stale_notes(root) == ["Hub.md"]
    with caplog.at_level(logging.INFO, logger="vaultkit"):
        started.watcher.rescan(20.0)
    assert stale_notes(root) == []
    assert caplog.messages == [
        "rescan: the watcher's state differed from the vault on disk "
        "(Skills/Docker.md: its progress); read it again",
        "rescan: updated Hub.md (rollup, next)",
    ]
    fresh = LiveVault(load_vault(root, Config())).now
    assert compare(started.watcher.state.now, fresh) == Comparison(behind=(), drifted=())


def test_a_rescan_of_a_state_that_did_not_drift_says_nothing_and_writes_nothing(
    started, writes, caplog
):
    with caplog.at_level(logging.INFO, logger="vaultkit"):
        started.watcher.rescan(20.0)
    assert caplog.messages == [] and writes == []


def test_a_rescan_that_finds_no_difference_plans_no_note_again(started, monkeypatch):
    # Every block was planned from the state the rescan finds the vault in: planning
    # them all again took seconds on 10,000 notes, every five minutes.
    planned: list[list[str] | None] = []
    plan_sync = api.plan_sync

    def spy(vault: Vault, progress: Progress, notes: list[P] | None = None) -> SyncPlan:
        planned.append(None if notes is None else sorted(map(str, notes)))
        return plan_sync(vault, progress, notes)

    monkeypatch.setattr(api, "plan_sync", spy)
    started.watcher.rescan(300.0)
    assert planned == [[]]
    tick_box(started.root, "Skills/Docker.md", "compose")  # its event is lost
    started.watcher.rescan(600.0)
    started.watcher.tick(602.5)
    assert planned == [[], ["Skills/Docker.md"], ["Hub.md", "Skills/Kubernetes.md"]]
    assert stale_notes(started.root) == []


def test_a_rescan_tells_of_the_notes_that_drifted_in_path_order(started, caplog):
    corrupt(started.watcher, "Skills/Kubernetes.md", done=2)
    corrupt(started.watcher, "Hub.md", done=5)
    corrupt(started.watcher, "Skills/Docker.md", done=3)
    with caplog.at_level(logging.INFO, logger="vaultkit"):
        started.watcher.rescan(20.0)
    assert caplog.messages[0] == (
        "rescan: the watcher's state differed from the vault on disk (Hub.md: its progress; "
        "Skills/Docker.md: its progress; Skills/Kubernetes.md: its progress); read it again"
    )


def test_a_rescan_reads_the_notes_without_interning_their_names(started, monkeypatch):
    """pathlib interns each name of a path it parses, in a table the process keeps: joined
    to the vault's folder as paths, 10,000 notes grew it by a megabyte at the first rescan,
    left among the pages the fresh load freed."""
    interned: list[str] = []
    intern = sys.intern
    monkeypatch.setattr(sys, "intern", lambda text: interned.append(text) or intern(text))
    started.watcher.rescan(300.0)
    assert interned == [".obsidian", "app.json"]  # the vault's settings, read as such


def test_a_rescan_frees_the_load_it_compared_with_at_once(started, monkeypatch):
    # A whole second state of the vault is garbage after each rescan: left to the
    # collector, a watcher of 10,000 notes stayed 20 % larger after its first one.
    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation) or 0)
    started.watcher.rescan(300.0)
    assert collected == [2]


def test_verifying_after_each_batch_reports_a_drift_at_once_and_repairs_it(roadmap, caplog):
    clocked = Clocked(roadmap, quiet_period=QUIET, verify=True)
    clocked.watcher.start(0.0)
    clocked.watcher.tick(0.1)
    corrupt(clocked.watcher, "Skills/Docker.md", done=3, state=State.DONE)
    edit_hub(clocked, at=10.0)
    clocked.watcher.tick(12.5)  # the batch: the hub is written from the wrong state
    with caplog.at_level(logging.INFO, logger="vaultkit"):
        clocked.watcher.tick(12.6)  # idle: its writes are read back, then compared
    assert caplog.messages == [
        "verify: the watcher's state differed from the vault on disk "
        "(Skills/Docker.md: its progress); read it again",
        "verify: updated Hub.md (rollup, next)",
    ]
    assert [r.levelname for r in caplog.records] == ["ERROR", "ERROR"]
    assert stale_notes(roadmap) == []


def test_restoring_the_bytes_it_wrote_is_an_edit_like_any_other(started, writes):
    # Tick a task and let the watcher write; save the note unticked; `cp` the watcher's
    # bytes back: the note is ticked again, and the hub must say so.
    root = started.root
    docker = root / "Skills/Docker.md"
    unticked = docker.read_bytes()
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    started.watcher.tick(12.5)
    started.feed(replace_events(root, "Skills/Docker.md"), at=12.6)  # its own write
    ours = docker.read_bytes()
    started.save("Skills/Docker.md", unticked, at=20.0)
    started.watcher.tick(22.5)
    assert "1/3" in block(root, "Hub.md", "rollup") and stale_notes(root) == []
    with docker.open("r+b") as file:  # as `cp` writes: in place
        file.write(ours)
        file.truncate()
    started.feed(in_place_events(root, "Skills/Docker.md"), at=30.0)
    started.watcher.tick(32.5)
    assert "2/3" in block(root, "Hub.md", "rollup") and stale_notes(root) == []


def test_a_git_checkout_of_the_bytes_it_wrote_is_an_edit_like_any_other(started):
    # `git reset --hard` to a commit holding the watcher's output: git deletes the note
    # and creates it again; the watcher, busy, sees the events once the file is whole.
    root = started.root
    docker = root / "Skills/Docker.md"
    unticked = docker.read_bytes()
    started.tick_box("Skills/Docker.md", "compose", at=10.0)
    started.watcher.tick(12.5)
    ours = docker.read_bytes()
    started.save("Skills/Docker.md", unticked, at=20.0)
    started.watcher.tick(22.5)
    assert "1/3" in block(root, "Hub.md", "rollup") and stale_notes(root) == []
    docker.unlink()
    docker.write_bytes(ours)
    path = str(docker)
    checkout = [FileDeletedEvent(path), FileCreatedEvent(path), *in_place_events(root, path)]
    started.feed(checkout, at=30.0)
    started.watcher.tick(32.5)
    assert "2/3" in block(root, "Hub.md", "rollup") and stale_notes(root) == []


def test_a_note_with_bad_markers_is_logged_once_and_the_rest_is_updated(make_vault, writes, caplog):
    root = make_vault(
        {
            **ROADMAP,
            "Broken.md": (
                "- [[Docker]]\n\n<!-- vaultkit:begin rollup -->\n<!-- vaultkit:begin rollup -->\n"
            ),
        }
    )
    clocked = Clocked(root, quiet_period=QUIET)
    with caplog.at_level(logging.INFO, logger="vaultkit"):
        clocked.watcher.start(0.0)
        clocked.tick_box("Skills/Docker.md", "compose", at=10.0)
        clocked.watcher.tick(12.5)
    skipped = [m for m in caplog.messages if m.startswith("skipped Broken.md: ")]
    assert len(skipped) == 1
    assert "2/3 tasks" in block(root, "Skills/Docker.md", "progress")
    assert "Broken.md" not in written(writes)


def test_an_error_is_logged_for_its_batch_and_watching_goes_on(started, monkeypatch, caplog):
    real_plan = syncing.plan
    failures = []

    def failing_once(*args: object, **kwargs: object) -> syncing.SyncPlan:
        if not failures:
            failures.append(1)
            raise RuntimeError("renderer bug")
        return real_plan(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(syncing, "plan", failing_once)
    with caplog.at_level(logging.INFO, logger="vaultkit"):
        started.tick_box("Skills/Docker.md", "compose", at=10.0)
        started.watcher.tick(12.5)
        started.tick_box("Skills/Docker.md", "swarm", at=20.0)
        started.watcher.tick(22.5)
    assert caplog.messages[0] == "error while updating after changes to Skills/Docker.md"
    assert caplog.records[0].exc_info is not None
    assert "3/3 tasks" in block(started.root, "Skills/Docker.md", "progress")


def test_the_circuit_breaker_stops_a_fight_with_another_program(make_vault, writes, caplog):
    root = make_vault(ROADMAP)
    clocked = Clocked(root, quiet_period=QUIET, write_limit=2)
    clocked.watcher.start(0.0)  # one write to Docker.md
    docker = root / "Skills/Docker.md"
    stale = docker.read_bytes().replace(b"1/3 tasks", b"9/9 tasks")
    with caplog.at_level(logging.INFO, logger="vaultkit"):
        for round_ in range(4):  # another program puts its own text back each time
            now = 10.0 + 10 * round_
            clocked.save("Skills/Docker.md", stale, at=now)
            clocked.watcher.tick(now + QUIET)
    assert written(writes).count("Docker.md") == 2
    trips = [m for m in caplog.messages if m.startswith("not writing Skills/Docker.md")]
    assert trips == [
        "not writing Skills/Docker.md for 60 s: written 2 times in 60 s "
        "(is another program rewriting its blocks?)"
    ]


def test_the_collector_is_on_while_it_watches_though_a_command_starts_with_it_off(
    roadmap, monkeypatch
):
    during: list[bool] = []
    monkeypatch.setattr(watch, "serve", lambda *args: during.append(gc.isenabled()))
    with no_gc():  # as `cli.main` runs every command
        watch.run(roadmap, Config(), WatchOptions(quiet_period=0.2), StopFlag())
    assert during == [True]


@pytest.mark.parametrize("kept", [False, True], ids=["first read", "notes kept"])
def test_a_note_edited_while_the_watcher_starts_is_looked_at_once_it_watches(
    roadmap, monkeypatch, kept
):
    """No event tells of it: the notes whose stat moved since the vault was read are
    looked at again, from the stats the read took (a first read's) or the survey's."""
    monkeypatch.setattr(cache, "RACY_NS", 0)  # every note saved long before
    if kept:
        api.lint(roadmap)
    started = watch._started

    def start_then_edit(*args: object) -> object:
        done = started(*args)  # type: ignore[arg-type]
        docker = roadmap / "Skills" / "Docker.md"
        docker.write_text(docker.read_text(encoding="utf-8") + "\n- [ ] more\n", "utf-8")
        return done

    waiting: list[list[str]] = []
    monkeypatch.setattr(watch, "_started", start_then_edit)
    monkeypatch.setattr(
        watch,
        "serve",
        lambda watcher, *args: waiting.append([p for p in ROADMAP if P(p) in watcher.debouncer]),
    )
    watch.run(roadmap, Config(), WatchOptions(quiet_period=0.2), StopFlag())
    assert waiting == [["Skills/Docker.md"]]


def test_a_watchers_first_start_keeps_every_note_for_the_next_run_and_leaves_no_child(
    roadmap, monkeypatch, note_cache
):
    """The notes the first read parsed are written by a child while the watcher tracks
    them (`NoteCache.write_beside`): it has ended once the watcher watches."""
    monkeypatch.setattr(cache, "RACY_NS", 0)  # every note saved long before
    ending: list[tuple[int, ...]] = []
    monkeypatch.setattr(watch, "serve", lambda *args: ending.append(reaping.ending()))
    watch.run(roadmap, Config(), WatchOptions(quiet_period=0.2), StopFlag())
    assert ending == [()]

    with cache.NoteCache.open(roadmap) as kept:
        assert sorted(kept._rows) == [b"Hub.md", b"Skills/Docker.md", b"Skills/Kubernetes.md"]


def _ending_child(seconds: float) -> int:
    """A forked child that ends after `seconds`, handed to `reaping` as a run's are."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        time.sleep(seconds)
        os._exit(0)
    reaping.later(pid)
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
def test_the_processes_that_shared_its_start_are_reaped_before_it_watches(roadmap, monkeypatch):
    started = watch._started

    def start_sharing_work(*args: object) -> object:
        done = started(*args)  # type: ignore[arg-type]
        _ending_child(0.3)  # as a child that planned half the blocks, still ending
        return done

    ending: list[tuple[int, ...]] = []
    monkeypatch.setattr(watch, "_started", start_sharing_work)
    monkeypatch.setattr(watch, "serve", lambda *args: ending.append(reaping.ending()))
    watch.run(roadmap, Config(), WatchOptions(quiet_period=0.2), StopFlag())
    assert ending == [()]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="no fork, or no /proc")
def test_each_turn_of_the_loop_reaps_the_processes_that_have_ended():
    reaping.reap(wait=True)  # the children of the runs of earlier tests
    pid = _ending_child(0)
    wait_for(lambda: b") Z " in Path(f"/proc/{pid}/stat").read_bytes())

    class OneTurn:
        def next_wakeup(self) -> float:
            return 0.0

        def tick(self, now: float) -> None:
            stop.set()

        def idle(self) -> bool:
            return True

    stop = StopFlag()
    events: queue.Queue[tuple[float, FileSystemEvent]] = queue.Queue()
    assert watch.serve(OneTurn(), events, stop) is False  # type: ignore[arg-type]
    assert reaping.ending() == ()


# --- the real observer -----------------------------------------------------------------


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the vault to reach the expected state")
        time.sleep(0.02)


class Running:
    def __init__(self, root: Path, options: WatchOptions, period_given: bool = True) -> None:
        self.root = root
        self.stop = StopFlag()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(options, period_given), daemon=True)
        self.thread.start()

    def _run(self, options: WatchOptions, period_given: bool) -> None:
        try:
            config = api.read_config(self.root)
            watch.run(self.root, config, options, self.stop, period_given=period_given)
        except BaseException as error:  # surfaced by the test
            self.errors.append(error)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        assert not self.thread.is_alive() and self.errors == []


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """The watcher's log messages, as they come (INFO and up)."""
    logger = logging.getLogger("vaultkit")
    handler, level = Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.messages
    logger.removeHandler(handler)
    logger.setLevel(level)


def logged(lines: list[str], prefix: str) -> Callable[[], bool]:
    return lambda: any(line.startswith(prefix) for line in lines)


@pytest.fixture
def running(make_vault, log_lines) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(
        files: dict[str, str] = ROADMAP, period_given: bool = True, **options: object
    ) -> Running:
        root = make_vault(files)
        # Verifying: after every batch the state is compared with a fresh load.
        chosen = {"quiet_period": 0.2, "verify": True, **options}
        watcher = Running(root, WatchOptions(**chosen), period_given)  # type: ignore[arg-type]
        started.append(watcher)
        wait_for(logged(log_lines, "watching "))  # every block filled, the loop running
        return watcher

    yield start
    for watcher in started:
        watcher.close()
    drift = ("verify: the watcher's state differed", "verify: updated")
    assert [line for line in log_lines if line.startswith(drift)] == []


def test_live_ticking_a_box_updates_note_and_hub_then_nothing_more_is_written(
    running, writes, log_lines
):
    live = running()
    root = live.root
    assert (root / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    assert sorted(written(writes)) == ["Docker.md", "Hub.md", "Kubernetes.md"]  # at start
    writes.clear()
    tick_box(root, "Skills/Docker.md", "compose")
    wait_for(logged(log_lines, "updated Skills/Docker.md (progress), Hub.md (rollup, next)"))
    assert stale_notes(root) == []
    assert "2/3 tasks" in block(root, "Skills/Docker.md", "progress")
    assert sorted(written(writes)) == ["Docker.md", "Hub.md"]
    time.sleep(3 * 0.2 + 0.3)  # a few quiet periods: any write chasing our own would show
    assert sorted(written(writes)) == ["Docker.md", "Hub.md"]
    live.close()
    assert not (root / LOCK_NAME).exists()


def test_live_a_save_between_read_and_write_is_kept(running, writes, monkeypatch):
    live = running()
    root = live.root
    raced = []

    def user_saves(path: Path) -> None:
        if path.name == "Docker.md" and not raced:
            raced.append(path)
            tick_box(root, "Skills/Docker.md", "swarm")

    monkeypatch.setattr(writeback, "before_final_check", user_saves)
    tick_box(root, "Skills/Docker.md", "compose")
    # The "user" saves on the watcher's thread, in place: this thread may read the note
    # half written, so it looks for the text without requiring the block to be whole.
    wait_for(lambda: "3/3 tasks" in (root / "Skills/Docker.md").read_text(encoding="utf-8"))
    assert block(root, "Skills/Docker.md", "progress").startswith("▓▓▓▓▓▓▓▓▓▓ 100% · 3/3 tasks")
    data = (root / "Skills/Docker.md").read_bytes()
    assert b"- [x] compose" in data and b"- [x] swarm" in data
    assert ("Docker.md", Outcome.CONFLICT) in writes
    wait_for(lambda: stale_notes(root) == [])


def test_live_the_banner_comes_first_then_what_the_start_updated(running, log_lines):
    note = "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n\n- [ ] a\n"
    live = running({f"N{i:02d}.md": note for i in range(12)})
    wait_for(lambda: len(log_lines) >= 2)
    named = ", ".join(f"N{i:02d}.md (progress)" for i in range(10))
    assert log_lines[:2] == [
        f"watching {live.root} (inotify, quiet period 0.2 s); Ctrl-C to stop",
        f"updated {named}, and 2 more notes",
    ]


def test_live_a_saved_configuration_is_read_again_and_every_block_follows_it(
    running, log_lines, tmp_path
):
    live = running(period_given=False)
    root = live.root
    assert "[[Kubernetes]]" in block(root, "Hub.md", "rollup")
    del log_lines[:]
    (root / ".vaultkit.toml").write_text(
        'exclude = ["Skills/Kubernetes.md"]\n\n[watch]\nquiet-period = 0.3\n'
    )
    wait_for(logged(log_lines, "updated Hub.md"))
    assert log_lines == [
        "configuration changed: reading the vault again",
        f"watching {root} (inotify, quiet period 0.3 s); Ctrl-C to stop",
        "updated Hub.md (rollup)",
    ]
    assert "[[Kubernetes]]" not in block(root, "Hub.md", "rollup")
    assert (root / "Hub.md").read_bytes() == synced_from_scratch(root, "Hub.md", tmp_path)
    # It goes on watching, with the configuration read.
    tick_box(root, "Skills/Docker.md", "compose")
    wait_for(logged(log_lines, "updated Skills/Docker.md (progress), Hub.md (rollup, next)"))


def test_live_a_configuration_it_cannot_use_is_said_and_the_one_before_kept(running, log_lines):
    root = running().root
    del log_lines[:]
    (root / ".vaultkit.toml").write_text("exclude = [\n")
    wait_for(logged(log_lines, ".vaultkit.toml"))
    assert log_lines == [
        ".vaultkit.toml: invalid TOML: invalid value (at end of document); "
        "still using the configuration read before"
    ]
    tick_box(root, "Skills/Docker.md", "compose")
    wait_for(logged(log_lines, "updated Skills/Docker.md (progress), Hub.md (rollup, next)"))
    # Once fixed, it is read.
    (root / ".vaultkit.toml").write_text('exclude = ["Skills/Kubernetes.md"]\n')
    wait_for(lambda: "[[Kubernetes]]" not in block(root, "Hub.md", "rollup"))
    assert "configuration changed: reading the vault again" in log_lines


def test_live_a_configuration_saved_unchanged_reads_nothing_again(running, log_lines, writes):
    root = running(files={**ROADMAP, ".vaultkit.toml": "exclude = []\n"}).root
    writes.clear()
    del log_lines[:]
    (root / ".vaultkit.toml").write_text("# the same settings\nexclude = []\n")
    time.sleep(1.5)  # more than the quiet period and a look at the files
    assert log_lines == []
    assert writes == []


HELM = "# Helm\n\n- [ ] charts\n"  # no blocks: only the hub shows what it holds


@pytest.mark.parametrize("settled", [False, True], ids=["saved just now", "saved long ago"])
def test_live_a_note_saved_while_the_watcher_starts_is_looked_at_once_it_runs(
    running, monkeypatch, settled
):
    # The observer starts once every block is written: the save before it makes no event.
    if settled:
        monkeypatch.setattr(cache, "RACY_NS", 0)  # the notes' stats are trusted
    real = api.load

    def load_then_save(root: Path, config: Config, found: Survey | None = None) -> Vault:
        vault = real(root, config, found)
        tick_box(root, "Skills/Helm.md", "charts")
        return vault

    monkeypatch.setattr(api, "load", load_then_save)
    hub = HUB.replace("- [[Kubernetes]]\n", "- [[Kubernetes]]\n    - [[Helm]]\n")
    root = running({**ROADMAP, "Hub.md": hub, "Skills/Helm.md": HELM}).root

    wait_for(lambda: stale_notes(root) == [])
    assert "[[Helm]]" in block(root, "Hub.md", "rollup")


def save_as_cp_does(source: Path, target: Path) -> None:
    """`cp SOURCE TARGET` onto an existing file: truncated and written in place."""
    subprocess.run(["cp", str(source), str(target)], check=True)


def test_live_restoring_its_own_bytes_with_cp_updates_the_hub(running, tmp_path):
    root = running().root
    docker = root / "Skills/Docker.md"
    unticked, ours = tmp_path / "unticked.md", tmp_path / "ours.md"
    save_as_cp_does(docker, unticked)
    tick_box(root, "Skills/Docker.md", "compose")
    wait_for(lambda: "2/3" in block(root, "Hub.md", "rollup") and stale_notes(root) == [])
    save_as_cp_does(docker, ours)  # the watcher's bytes
    save_as_cp_does(unticked, docker)
    wait_for(lambda: "1/3" in block(root, "Hub.md", "rollup") and stale_notes(root) == [])
    save_as_cp_does(ours, docker)
    wait_for(lambda: "2/3" in block(root, "Hub.md", "rollup") and stale_notes(root) == [])


def git(root: Path, *args: str) -> None:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    subprocess.run(["git", *identity, *args], cwd=root, check=True, capture_output=True)


# git makes new directories under .git/ as the test commits; watchdog warns about them.
@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")
def test_live_git_reset_to_a_commit_of_its_own_output_updates_the_hub(running, tmp_path):
    root = running().root
    git(root, "init", "-q")
    (root / ".git/info/exclude").write_text(f"{LOCK_NAME}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "blocks filled")
    unticked = tmp_path / "unticked.md"
    save_as_cp_does(root / "Skills/Docker.md", unticked)
    tick_box(root, "Skills/Docker.md", "compose")
    wait_for(lambda: "2/3" in block(root, "Hub.md", "rollup") and stale_notes(root) == [])
    git(root, "commit", "-q", "-m", "compose done, as the watcher wrote it", "Skills/Docker.md")
    save_as_cp_does(unticked, root / "Skills/Docker.md")
    wait_for(lambda: "1/3" in block(root, "Hub.md", "rollup") and stale_notes(root) == [])
    git(root, "reset", "-q", "--hard", "HEAD")  # Docker.md as the watcher wrote it, ticked
    wait_for(lambda: "2/3" in block(root, "Hub.md", "rollup") and stale_notes(root) == [])


def test_live_polling_fallback_when_inotify_is_out_of_watches(running, monkeypatch, caplog):
    def out_of_watches(self: object) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(observe.Observer, "start", out_of_watches)
    with caplog.at_level(logging.INFO, logger="vaultkit"):
        live = running()
        tick_box(live.root, "Skills/Docker.md", "compose")
        wait_for(lambda: "2/3 tasks" in block(live.root, "Skills/Docker.md", "progress"))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "inotify is out of watches (raise fs.inotify.max_user_watches); "
        "polling the vault every 0.2 s instead"
    ]
    assert any(
        m.startswith("watching ") and "(polling, quiet period 0.2 s)" in m for m in caplog.messages
    )


class Collect(FileSystemEventHandler):
    def __init__(self) -> None:
        self.events: queue.Queue[FileSystemEvent] = queue.Queue()

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.events.put(event)


@pytest.mark.parametrize(
    ("method", "code", "reason"),
    [
        ("start", errno.ENOSPC, "inotify is out of watches (raise fs.inotify.max_user_watches)"),
        (
            "schedule",
            errno.EMFILE,
            "inotify is out of instances (raise fs.inotify.max_user_instances)",
        ),
    ],
)
def test_start_observer_falls_back_to_polling(tmp_path, monkeypatch, caplog, method, code, reason):
    def failing(self: object, *args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(observe.Observer, method, failing)
    handler = Collect()
    with caplog.at_level(logging.WARNING, logger="vaultkit"):
        observer = start_observer(handler, tmp_path, polling=False, interval=0.1)
    try:
        assert type(observer) is PollingObserver
        assert caplog.messages == [f"{reason}; polling the vault every 0.1 s instead"]
        (tmp_path / "New.md").write_text("x")
        event = handler.events.get(timeout=5)
        while event.is_directory:
            event = handler.events.get(timeout=5)
        assert (type(event), event.src_path) == (FileCreatedEvent, str(tmp_path / "New.md"))
    finally:
        observer.stop()
        observer.join()


def test_reading_a_note_makes_no_event_and_saving_it_does(tmp_path):
    note = tmp_path / "Note.md"
    note.write_text("- [ ] a\n")
    handler = Collect()
    observer = start_observer(handler, tmp_path, polling=False, interval=0.1)
    try:
        note.read_bytes()  # vaultkit reads every note at start: no events for that
        note.write_text("- [x] a\n")
        seen = [handler.events.get(timeout=5)]
        while not isinstance(seen[-1], FileClosedEvent):  # inotify keeps the order
            seen.append(handler.events.get(timeout=5))
    finally:
        observer.stop()
        observer.join()
    # inotify may merge the `modified` events of one write: their number is not pinned.
    assert {type(event) for event in seen} == {FileModifiedEvent, FileClosedEvent}


def test_polling_on_request_says_nothing(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="vaultkit"):
        observer = start_observer(Collect(), tmp_path, polling=True, interval=0.1)
    observer.stop()
    observer.join()
    assert type(observer) is PollingObserver and caplog.messages == []


# --- one watcher per vault ---------------------------------------------------------------


def test_a_second_lock_on_the_vault_is_refused_with_the_owners_pid(tmp_path):
    with VaultLock(tmp_path), pytest.raises(WatchError) as refused:
        VaultLock(tmp_path).acquire()
    assert (
        str(refused.value) == f"another vaultkit watch is running on this vault (pid {os.getpid()})"
    )
    assert not (tmp_path / LOCK_NAME).exists()
    with VaultLock(tmp_path):  # free again once released
        assert (tmp_path / LOCK_NAME).exists()


def test_a_lock_left_by_a_crashed_watcher_is_taken_over(tmp_path):
    (tmp_path / LOCK_NAME).write_text("999999\n")  # the file stays, the flock died with it
    with VaultLock(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text() == f"{os.getpid()}\n"


def start_cli_watcher(root: Path) -> tuple[subprocess.Popen[str], list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "vaultkit", "watch", str(root), "--quiet-period", "0.2"],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines = []
    while not lines or "watching" not in lines[-1]:
        line = process.stderr.readline()
        assert line, f"the watcher exited: {lines}"
        lines.append(line)
    return process, lines


def test_cli_second_watcher_is_refused_and_ctrl_c_exits_zero(make_vault):
    root = make_vault(ROADMAP)
    first, lines = start_cli_watcher(root)
    try:
        assert re.fullmatch(
            rf"\d\d:\d\d:\d\d watching {re.escape(str(root))} \(inotify, quiet period 0.2 s\); "
            r"Ctrl-C to stop\n",
            lines[-1],
        )
        second = subprocess.run(
            [sys.executable, "-m", "vaultkit", "watch", str(root / "Skills")],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 2
        assert second.stderr == (
            f"vaultkit: error: another vaultkit watch is running on this vault (pid {first.pid})\n"
        )
        tick_box(root, "Skills/Docker.md", "compose")
        wait_for(lambda: "2/3 tasks" in block(root, "Skills/Docker.md", "progress"))
        sent = time.monotonic()
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=5) == 0
        assert time.monotonic() - sent < 1.0
    finally:
        if first.poll() is None:
            first.kill()
    assert not (root / LOCK_NAME).exists()


def test_cli_quiet_period_comes_from_config_unless_given(make_vault, vk, monkeypatch):
    root = make_vault({**ROADMAP, ".vaultkit.toml": "[watch]\nquiet-period = 1.5\n"})
    seen = []
    monkeypatch.setattr(watch, "setup_logging", lambda: None)

    def run(root: Path, config: Config, options: WatchOptions, **given: object) -> None:
        seen.append((root, options, given))

    monkeypatch.setattr(watch, "run", run)
    assert vk("watch", root / "Skills").code == 0
    assert vk("watch", root, "--quiet-period", "0.4", "--polling").code == 0
    # A quiet period from the configuration follows it when it is read again.
    polling = WatchOptions(quiet_period=0.4, polling=True)
    assert seen == [
        (root, WatchOptions(quiet_period=1.5), {"explicit": None, "period_given": False}),
        (root, polling, {"explicit": None, "period_given": True}),
    ]


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("nan", "nan is not a number."),
        ("inf", "inf is not in the range 0.05<=x<=3600."),
        ("1e308", "1e+308 is not in the range 0.05<=x<=3600."),
        ("3600.5", "3600.5 is not in the range 0.05<=x<=3600."),
    ],
)
def test_cli_rejects_a_quiet_period_that_is_not_a_number_or_over_an_hour(
    make_vault, vk, given, why
):
    root = make_vault(ROADMAP)
    result = vk("watch", root, "--quiet-period", given)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"vaultkit: error: Invalid value for '--quiet-period': {why}\n"


def test_cli_takes_a_quiet_period_of_an_hour(make_vault, vk, monkeypatch):
    root = make_vault(ROADMAP)
    seen = []
    monkeypatch.setattr(watch, "setup_logging", lambda: None)
    monkeypatch.setattr(watch, "run", lambda root, config, options, **_: seen.append(options))
    assert vk("watch", root, "--quiet-period", "3600").code == 0
    assert seen == [WatchOptions(quiet_period=3600.0)]


def test_cli_rejects_a_quiet_period_that_is_too_short(make_vault, vk):
    root = make_vault(ROADMAP)
    result = vk("watch", root, "--quiet-period", "0")
    assert result.code == 2
    assert result.err.startswith("vaultkit: error: Invalid value for '--quiet-period'")
