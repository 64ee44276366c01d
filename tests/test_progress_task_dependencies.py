"""A task that waits (⛔) on an open task of another note blocks its note, like a prerequisite."""

from __future__ import annotations

from pathlib import PurePosixPath

from vaultkit.config import Config
from vaultkit.model import State, TaskWait
from vaultkit.progress import compute, track
from vaultkit.vault import load_vault, refresh

P = PurePosixPath
FILES = {
    "Docker.md": "- [ ] Write the Dockerfile 🆔 dockerfile\n- [ ] other\n",
    "Kubernetes.md": "intro\n\n- [ ] Deploy the image ⛔ dockerfile\n",
}


def test_a_task_waiting_on_another_notes_open_task_blocks_the_note(make_vault):
    progress = compute(load_vault(make_vault(FILES), Config()))
    item = progress.notes[P("Kubernetes.md")]
    assert (item.state, item.blocked_by) == (State.BLOCKED, (P("Docker.md"),))
    assert item.waiting == (
        TaskWait(3, "Deploy the image", P("Docker.md"), 1, "Write the Dockerfile"),
    )
    assert progress.notes[P("Docker.md")].state is State.READY


def test_ticking_the_task_waited_on_unblocks_the_note_also_when_computed_from_before(make_vault):
    root = make_vault(FILES)
    vault = load_vault(root, Config())
    before = track(vault)
    (root / "Docker.md").write_text("- [x] Write the Dockerfile 🆔 dockerfile\n- [ ] other\n")
    after = refresh(vault, [P("Docker.md")])
    for progress in (track(after, before).progress, compute(after)):
        item = progress.notes[P("Kubernetes.md")]
        assert (item.state, item.blocked_by, item.waiting) == (State.READY, (), ())


def test_a_cancelled_task_waited_on_blocks_nothing(make_vault):
    files = {**FILES, "Docker.md": "- [-] Write the Dockerfile 🆔 dockerfile\n"}
    item = compute(load_vault(make_vault(files), Config())).notes[P("Kubernetes.md")]
    assert item.state is State.READY


def test_a_task_waiting_on_a_task_of_its_own_note_does_not_block_the_note(make_vault):
    files = {"a.md": "- [ ] first 🆔 one\n- [ ] second ⛔ one\n"}
    item = compute(load_vault(make_vault(files), Config())).notes[P("a.md")]
    assert (item.state, item.blocked_by, item.waiting) == (State.READY, (), ())


def test_a_note_already_started_stays_in_progress_while_a_task_waits(make_vault):
    files = {**FILES, "Kubernetes.md": "- [x] Read the docs\n- [ ] Deploy ⛔ dockerfile\n"}
    item = compute(load_vault(make_vault(files), Config())).notes[P("Kubernetes.md")]
    assert (item.state, item.blocked_by) == (State.IN_PROGRESS, (P("Docker.md"),))


def test_a_waited_on_task_joins_the_open_prerequisites_once(make_vault):
    files = {
        **FILES,
        "Kubernetes.md": '---\nrequires: ["[[Docker]]"]\n---\n- [ ] Deploy ⛔ dockerfile\n',
    }
    item = compute(load_vault(make_vault(files), Config())).notes[P("Kubernetes.md")]
    assert (item.state, item.blocked_by) == (State.BLOCKED, (P("Docker.md"),))
