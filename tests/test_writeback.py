"""writeback.apply on the real file system: every write hazard of WRITE-SAFETY.md rows 8-10."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from vaultkit import writeback
from vaultkit.writeback import Outcome, apply

OLD = b"# Note\r\n<!-- vaultkit:begin progress -->\r\nold\r\n<!-- vaultkit:end progress -->\r\n"
NEW = b"# Note\r\n<!-- vaultkit:begin progress -->\r\nnew\r\n<!-- vaultkit:end progress -->\r\n"


@pytest.fixture
def note(tmp_path: Path) -> Path:
    path = tmp_path / "vault" / "Note.md"
    path.parent.mkdir()
    path.write_bytes(OLD)
    return path


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_new_bytes_are_written_exactly(note):
    result = apply(note, OLD, NEW)

    assert (result.outcome, result.detail, result.path) == (Outcome.WRITTEN, "", note)
    assert note.read_bytes() == NEW
    assert listing(note.parent) == ["Note.md"]


def test_bom_and_missing_final_newline_are_written_as_given(note):
    note.write_bytes(b"\xef\xbb\xbfold")

    assert apply(note, b"\xef\xbb\xbfold", b"\xef\xbb\xbfnew").written
    assert note.read_bytes() == b"\xef\xbb\xbfnew"


def test_unchanged_bytes_are_not_written(note):
    before = os.stat(note)

    result = apply(note, OLD, OLD)

    after = os.stat(note)
    assert result.outcome is Outcome.UNCHANGED
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o640, 0o664])
def test_the_mode_is_kept(note, mode):
    os.chmod(note, mode)

    apply(note, OLD, NEW)

    assert stat.S_IMODE(os.stat(note).st_mode) == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_the_owner_is_kept_when_running_as_root(note):
    os.chown(note, 1234, 5678)

    apply(note, OLD, NEW)

    info = os.stat(note)
    assert (info.st_uid, info.st_gid) == (1234, 5678)


def test_a_symlinked_note_stays_a_link_and_its_target_is_updated(tmp_path, note):
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    target = elsewhere / "Real.md"
    target.write_bytes(OLD)
    link = note.parent / "Linked.md"
    link.symlink_to(target)

    result = apply(link, OLD, NEW)

    assert result.outcome is Outcome.WRITTEN
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == NEW
    assert listing(elsewhere) == ["Real.md"]
    assert listing(note.parent) == ["Linked.md", "Note.md"]


def test_a_hard_linked_note_is_refused_and_both_names_keep_their_bytes(note):
    twin = note.parent / "Twin.md"
    os.link(note, twin)

    result = apply(note, OLD, NEW)

    assert result.outcome is Outcome.REFUSED
    assert note.read_bytes() == OLD and twin.read_bytes() == OLD
    assert os.stat(note).st_nlink == 2
    assert os.stat(note).st_ino == os.stat(twin).st_ino


def test_a_note_that_changed_since_it_was_read_is_not_written(note):
    note.write_bytes(b"the user's newer text\n")

    result = apply(note, OLD, NEW)

    assert result.outcome is Outcome.CONFLICT
    assert note.read_bytes() == b"the user's newer text\n"


def test_a_note_that_vanished_is_a_conflict_and_is_not_recreated(note):
    note.unlink()

    result = apply(note, OLD, NEW)

    assert result.outcome is Outcome.CONFLICT
    assert listing(note.parent) == []


def test_a_save_racing_the_write_is_kept(note, monkeypatch):
    seen: list[list[str]] = []

    def user_saves(real: Path) -> None:
        seen.append(listing(real.parent))
        real.write_bytes(b"typed while vaultkit was writing\n")

    monkeypatch.setattr(writeback, "before_final_check", user_saves)

    result = apply(note, OLD, NEW)

    assert result.outcome is Outcome.CONFLICT
    assert note.read_bytes() == b"typed while vaultkit was writing\n"
    assert listing(note.parent) == ["Note.md"]
    [during] = seen
    assert len(during) == 2 and during[1] == "Note.md"
    assert during[0].startswith(".Note.md.") and during[0].endswith(".vaultkit-tmp")


def test_the_temp_file_is_beside_the_note_and_already_holds_the_new_bytes(note, monkeypatch):
    temps: list[tuple[bytes, int]] = []

    def look(real: Path) -> None:
        for name in listing(real.parent):
            if name.endswith(".vaultkit-tmp"):
                path = real.parent / name
                temps.append((path.read_bytes(), stat.S_IMODE(os.stat(path).st_mode)))

    os.chmod(note, 0o644)
    monkeypatch.setattr(writeback, "before_final_check", look)

    assert apply(note, OLD, NEW).written
    assert temps == [(NEW, 0o644)]


def test_an_error_before_the_replace_removes_the_temp_file(note, monkeypatch):
    def boom(real: Path) -> None:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(writeback, "before_final_check", boom)

    with pytest.raises(RuntimeError):
        apply(note, OLD, NEW)
    assert note.read_bytes() == OLD
    assert listing(note.parent) == ["Note.md"]


def test_a_failing_replace_is_a_failed_result_and_leaves_nothing_behind(note, monkeypatch):
    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)

    result = apply(note, OLD, NEW)

    assert (result.outcome, result.detail) == (Outcome.FAILED, "Permission denied")
    assert note.read_bytes() == OLD
    assert listing(note.parent) == ["Note.md"]


def test_a_folder_that_is_not_a_note_is_refused(tmp_path):
    folder = tmp_path / "Folder.md"
    folder.mkdir()

    result = apply(folder, b"", b"x")

    assert (result.outcome, result.detail) == (Outcome.REFUSED, "not a regular file")
    assert folder.is_dir()
