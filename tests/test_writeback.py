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
    result = apply(note, OLD, NEW, root=note.parent)

    assert (result.outcome, result.detail, result.path) == (Outcome.WRITTEN, "", note)
    assert note.read_bytes() == NEW
    assert listing(note.parent) == ["Note.md"]


def test_bom_and_missing_final_newline_are_written_as_given(note):
    note.write_bytes(b"\xef\xbb\xbfold")

    assert apply(note, b"\xef\xbb\xbfold", b"\xef\xbb\xbfnew", root=note.parent).written
    assert note.read_bytes() == b"\xef\xbb\xbfnew"


def test_unchanged_bytes_are_not_written(note):
    before = os.stat(note)

    result = apply(note, OLD, OLD, root=note.parent)

    after = os.stat(note)
    assert result.outcome is Outcome.UNCHANGED
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o640, 0o664])
def test_the_mode_is_kept(note, mode):
    os.chmod(note, mode)

    apply(note, OLD, NEW, root=note.parent)

    assert stat.S_IMODE(os.stat(note).st_mode) == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_the_owner_is_kept_when_running_as_root(note):
    os.chown(note, 1234, 5678)

    apply(note, OLD, NEW, root=note.parent)

    info = os.stat(note)
    assert (info.st_uid, info.st_gid) == (1234, 5678)


def test_a_symlinked_note_stays_a_link_and_its_target_in_the_vault_is_updated(note):
    shared = note.parent / "Shared"
    shared.mkdir()
    target = shared / "Real.md"
    target.write_bytes(OLD)
    link = note.parent / "Linked.md"
    link.symlink_to(target)

    result = apply(link, OLD, NEW, root=note.parent)

    assert result.outcome is Outcome.WRITTEN
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == NEW
    assert listing(shared) == ["Real.md"]
    assert listing(note.parent) == ["Linked.md", "Note.md", "Shared"]


def test_a_link_to_a_file_outside_the_vault_is_refused_and_the_file_keeps_its_bytes(tmp_path, note):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "Real.md"
    target.write_bytes(OLD)
    link = note.parent / "Linked.md"
    link.symlink_to(target)

    result = apply(link, OLD, NEW, root=note.parent)

    assert (result.outcome, result.detail) == (
        Outcome.REFUSED,
        f"a link to {target}, outside the vault",
    )
    assert target.read_bytes() == OLD
    assert listing(elsewhere) == ["Real.md"]


def test_a_note_under_a_linked_folder_that_leads_outside_is_refused(tmp_path, note):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "Real.md").write_bytes(OLD)
    (note.parent / "Linked").symlink_to(elsewhere)

    result = apply(note.parent / "Linked" / "Real.md", OLD, NEW, root=note.parent)

    assert result.outcome is Outcome.REFUSED
    assert (elsewhere / "Real.md").read_bytes() == OLD


def test_a_vault_reached_through_a_symlink_is_written(tmp_path, note):
    alias = tmp_path / "alias"
    alias.symlink_to(note.parent)

    assert apply(alias / "Note.md", OLD, NEW, root=alias).written
    assert note.read_bytes() == NEW


def test_a_read_only_note_is_refused_even_for_root(note):
    os.chmod(note, 0o444)

    result = apply(note, OLD, NEW, root=note.parent)

    assert (result.outcome, result.detail) == (Outcome.REFUSED, "read-only: not written")
    assert note.read_bytes() == OLD
    assert stat.S_IMODE(os.stat(note).st_mode) == 0o444
    assert listing(note.parent) == ["Note.md"]


def test_a_hard_linked_note_is_refused_and_both_names_keep_their_bytes(note):
    twin = note.parent / "Twin.md"
    os.link(note, twin)

    result = apply(note, OLD, NEW, root=note.parent)

    assert result.outcome is Outcome.REFUSED
    assert note.read_bytes() == OLD and twin.read_bytes() == OLD
    assert os.stat(note).st_nlink == 2
    assert os.stat(note).st_ino == os.stat(twin).st_ino


def test_a_note_that_changed_since_it_was_read_is_not_written(note):
    note.write_bytes(b"the user's newer text\n")

    result = apply(note, OLD, NEW, root=note.parent)

    assert result.outcome is Outcome.CONFLICT
    assert note.read_bytes() == b"the user's newer text\n"


def test_a_note_that_vanished_is_a_conflict_and_is_not_recreated(note):
    note.unlink()

    result = apply(note, OLD, NEW, root=note.parent)

    assert result.outcome is Outcome.CONFLICT
    assert listing(note.parent) == []


def test_a_save_racing_the_write_is_kept(note, monkeypatch):
    seen: list[list[str]] = []

    def user_saves(real: Path) -> None:
        seen.append(listing(real.parent))
        real.write_bytes(b"typed while vaultkit was writing\n")

    monkeypatch.setattr(writeback, "before_final_check", user_saves)

    result = apply(note, OLD, NEW, root=note.parent)

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

    assert apply(note, OLD, NEW, root=note.parent).written
    assert temps == [(NEW, 0o644)]


def test_an_error_before_the_replace_removes_the_temp_file(note, monkeypatch):
    def boom(real: Path) -> None:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(writeback, "before_final_check", boom)

    with pytest.raises(RuntimeError):
        apply(note, OLD, NEW, root=note.parent)
    assert note.read_bytes() == OLD
    assert listing(note.parent) == ["Note.md"]


def test_a_failing_replace_is_a_failed_result_and_leaves_nothing_behind(note, monkeypatch):
    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)

    result = apply(note, OLD, NEW, root=note.parent)

    assert (result.outcome, result.detail) == (Outcome.FAILED, "Permission denied")
    assert note.read_bytes() == OLD
    assert listing(note.parent) == ["Note.md"]


def test_a_folder_that_is_not_a_note_is_refused(tmp_path):
    folder = tmp_path / "Folder.md"
    folder.mkdir()

    result = apply(folder, b"", b"x", root=folder.parent)

    assert (result.outcome, result.detail) == (Outcome.REFUSED, "not a regular file")
    assert folder.is_dir()


def test_a_fifo_in_place_of_the_note_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "Note.md"
    os.mkfifo(fifo)

    result = apply(fifo, OLD, NEW, root=tmp_path)

    assert (result.outcome, result.detail) == (Outcome.REFUSED, "not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("n" * 240 + ".md", id="243 ASCII bytes"),
        pytest.param("進" * 80 + ".md", id="243 bytes of CJK"),
        pytest.param("x" * 251 + ".md", id="254 bytes"),
    ],
)
def test_a_note_with_a_long_name_gets_a_temp_name_within_255_bytes(tmp_path, monkeypatch, name):
    note = tmp_path / name
    note.write_bytes(OLD)
    temps: list[str] = []
    monkeypatch.setattr(
        writeback, "before_final_check", lambda real: temps.extend(listing(real.parent))
    )

    assert apply(note, OLD, NEW, root=tmp_path).written

    assert note.read_bytes() == NEW
    [temp] = [t for t in temps if t != name]
    assert temp.startswith(".") and temp.endswith(".vaultkit-tmp")
    assert len(os.fsencode(temp)) <= 255
    assert listing(tmp_path) == [name]


def editor_appends_before_the_rename(monkeypatch, *texts: bytes) -> None:
    """Delay the rename until an editor has appended `texts` in place, one per rename:
    what `strace -e inject=rename:delay_enter=3000000` lets a real editor do."""
    real_replace = os.replace
    pending = list(texts)

    def delayed_replace(src: object, dst: object) -> None:
        if pending:
            with open(str(dst), "ab") as file:  # an editor saving into the open file
                file.write(pending.pop(0))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", delayed_replace)


def test_an_append_in_place_just_before_the_rename_is_put_back(note, monkeypatch):
    editor_appends_before_the_rename(monkeypatch, b"typed at the last moment\n")

    result = apply(note, OLD, NEW, root=note.parent)

    assert result.outcome is Outcome.CONFLICT
    assert note.read_bytes() == OLD + b"typed at the last moment\n"
    assert listing(note.parent) == ["Note.md"]


def test_the_edit_put_back_keeps_the_mode(note, monkeypatch):
    os.chmod(note, 0o640)
    editor_appends_before_the_rename(monkeypatch, b"more\n")

    apply(note, OLD, NEW, root=note.parent)

    assert note.read_bytes() == OLD + b"more\n"
    assert stat.S_IMODE(os.stat(note).st_mode) == 0o640


def test_a_later_save_wins_over_the_edit_put_back(note, monkeypatch):
    real_replace = os.replace
    calls = []

    def rename_then_user_saves(src: object, dst: object) -> None:
        if not calls:
            with open(str(dst), "ab") as file:
                file.write(b"first\n")
        real_replace(src, dst)
        if not calls:
            Path(str(dst)).write_bytes(b"saved again by the user\n")
        calls.append(dst)

    monkeypatch.setattr(os, "replace", rename_then_user_saves)

    result = apply(note, OLD, NEW, root=note.parent)

    assert result.outcome is Outcome.CONFLICT
    assert note.read_bytes() == b"saved again by the user\n"
    assert len(calls) == 1
    assert listing(note.parent) == ["Note.md"]
