"""The parse cache: unchanged notes are not parsed again, and nothing is written in the vault."""

from __future__ import annotations

import os
import time
from pathlib import Path, PurePosixPath

import pytest

from vaultkit import cache, parse
from vaultkit import vault as vault_module
from vaultkit.cache import NoteCache, cache_dir
from vaultkit.config import Config
from vaultkit.vault import load_vault

P = PurePosixPath

NOTES = {
    "Hub.md": "# Hub\n\n[[Docker]]\n",
    "Skills/Docker.md": "---\ntags: [skill]\n---\n# Docker\n\n- [x] install\n- [ ] compose\n",
    "Skills/Helm.md": "# Helm\n\n- [ ] charts\n",
}


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes parsed from their bytes, in order (the cache's hits are not)."""
    seen: list[str] = []

    def counting(path: PurePosixPath, data: bytes) -> object:
        seen.append(str(path))
        return parse.parse_note(path, data)

    monkeypatch.setattr(vault_module, "parse_note", counting)
    return seen


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_second_load_takes_every_unchanged_note_from_the_cache(make_vault, parsed):
    root = make_vault(NOTES)
    first = load_vault(root, Config())
    assert parsed == ["Hub.md", "Skills/Docker.md", "Skills/Helm.md"]

    again = load_vault(root, Config())

    assert parsed == ["Hub.md", "Skills/Docker.md", "Skills/Helm.md"]  # none parsed again
    assert dict(again.notes) == dict(first.notes)
    assert list(again.notes) == list(first.notes)


def test_an_edited_note_is_parsed_again_and_the_others_are_not(make_vault, parsed):
    root = make_vault(NOTES)
    load_vault(root, Config())
    (root / "Skills/Helm.md").write_text("# Helm\n\n- [x] charts\n", encoding="utf-8")
    parsed.clear()

    vault = load_vault(root, Config())

    assert parsed == ["Skills/Helm.md"]
    assert [task.status for task in vault.notes[P("Skills/Helm.md")].tasks] == ["x"]


def test_a_note_added_or_deleted_since_is_seen(make_vault, parsed):
    root = make_vault(NOTES)
    load_vault(root, Config())
    (root / "Skills/Helm.md").unlink()
    (root / "Skills/Kafka.md").write_text("# Kafka\n", encoding="utf-8")
    parsed.clear()

    vault = load_vault(root, Config())

    assert parsed == ["Skills/Kafka.md"]
    assert list(vault.notes) == [P("Hub.md"), P("Skills/Docker.md"), P("Skills/Kafka.md")]


def test_the_cache_is_written_outside_the_vault(make_vault, note_cache):
    root = make_vault(NOTES)
    before = files_in(root)
    load_vault(root, Config())
    assert files_in(root) == before
    assert [p.suffix for p in note_cache.iterdir()] == [".pickle"]


def test_an_empty_cache_dir_setting_turns_the_cache_off(make_vault, monkeypatch, parsed):
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    root = make_vault(NOTES)
    load_vault(root, Config())
    load_vault(root, Config())
    assert cache_dir() is None
    assert len(parsed) == 6


def test_the_cache_dir_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv("VAULTKIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "vaultkit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "vaultkit"


def test_a_damaged_cache_file_is_ignored_and_replaced(make_vault, note_cache, parsed):
    root = make_vault(NOTES)
    load_vault(root, Config())
    [file] = note_cache.iterdir()
    file.write_bytes(b"not a pickle")
    parsed.clear()

    vault = load_vault(root, Config())

    assert len(parsed) == 3 and len(vault.notes) == 3
    assert len(NoteCache.open(root)._notes) == 3  # written again, whole


def test_a_cache_written_by_other_code_is_not_used(make_vault, monkeypatch, parsed):
    root = make_vault(NOTES)
    load_vault(root, Config())
    monkeypatch.setattr(cache, "stamp", lambda: "another vaultkit")
    parsed.clear()
    load_vault(root, Config())
    assert len(parsed) == 3


def test_a_cache_that_cannot_be_written_is_skipped(make_vault, monkeypatch, tmp_path, parsed):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", str(blocker / "cache"))  # under a file
    root = make_vault(NOTES)
    assert len(load_vault(root, Config()).notes) == 3
    assert len(load_vault(root, Config()).notes) == 3
    assert len(parsed) == 6


def test_status_is_the_same_from_the_cache(make_vault, vk):
    root = make_vault(NOTES)
    cold = vk("status", root, "--format", "json")
    warm = vk("status", root, "--format", "json")
    assert (warm.code, warm.out) == (cold.code, cold.out)


def test_the_cache_of_a_vault_not_opened_for_30_days_is_removed(make_vault, note_cache):
    note_cache.mkdir()
    month_ago = time.time() - 31 * 24 * 3600
    for name in ("gone.pickle", ".gone.pickle.tmp"):
        (note_cache / name).write_bytes(b"old")
        os.utime(note_cache / name, (month_ago, month_ago))
    (note_cache / "recent.pickle").write_bytes(b"new")
    load_vault(make_vault(NOTES), Config())
    assert sorted(p.name for p in note_cache.iterdir()) == [
        NoteCache.open(make_vault(NOTES)).file.name,
        "recent.pickle",
    ]


def test_a_cache_file_others_can_write_is_not_trusted(make_vault, note_cache, parsed):
    root = make_vault(NOTES)
    load_vault(root, Config())
    [file] = note_cache.iterdir()
    file.chmod(0o666)  # unpickling runs code: another user could have put some there
    parsed.clear()
    load_vault(root, Config())
    assert len(parsed) == 3
