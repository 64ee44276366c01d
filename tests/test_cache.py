"""The parse cache: unchanged notes are not parsed again, the cache is data that cannot run
code, any problem with it means "no cache" and one warning, and its cleanup removes only
what vaultkit wrote."""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import pickle
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

import pytest

from vaultkit import api, cache, halves, parse, reaping
from vaultkit import vault as vault_module
from vaultkit.cache import FOLDER, NoteCache, cache_dir
from vaultkit.config import Config
from vaultkit.vault import load_vault

P = PurePosixPath

NOTES = {
    "Hub.md": "# Hub\n\n[[Docker]]\n",
    "Skills/Docker.md": "---\ntags: [skill]\n---\n# Docker\n\n- [x] install\n- [ ] compose\n",
    "Skills/Helm.md": "# Helm\n\n- [ ] charts\n",
}
ALL = ["Hub.md", "Skills/Docker.md", "Skills/Helm.md"]
DAY = 24 * 3600


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes parsed from their bytes, in order (the cache's hits are not)."""
    seen: list[str] = []

    def counting(path: PurePosixPath, data: bytes, max_size: int) -> object:
        seen.append(str(path))
        return parse.parse_note(path, data, max_size)

    monkeypatch.setattr(vault_module, "parse_note", counting)
    return seen


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose bytes were read (by name)."""
    seen: list[str] = []
    real = vault_module.read_file

    def reading(path: Path | str) -> bytes:
        seen.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(vault_module, "read_file", reading)
    return seen


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if every note was saved long before the run: stats are trusted at once (a stat
    taken in the same instant as a write is otherwise not, and the note is hashed)."""
    monkeypatch.setattr(cache, "RACY_NS", 0)


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """`logged.messages`: the warnings, as `vaultkit` prints them on stderr."""
    caplog.set_level(logging.WARNING, logger="vaultkit")
    return caplog


def cache_file(note_cache: Path, root: Path) -> Path:
    files = list((note_cache / FOLDER).iterdir())
    assert [f.name for f in files] == [NoteCache.open(root).file.name]
    return files[0]


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; a symbolic link as where it points."""
    return {
        str(p.relative_to(folder)): os.fsencode(os.readlink(p))
        if p.is_symlink()
        else p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() or p.is_symlink()
    }


def age(path: Path, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then), follow_symlinks=False)


# --- what is taken from the cache -------------------------------------------------------


def test_a_second_load_takes_every_unchanged_note_from_the_cache(make_vault, parsed, settled):
    root = make_vault(NOTES)
    first = load_vault(root, Config())
    assert parsed == ALL

    again = load_vault(root, Config())

    assert parsed == ALL  # none parsed again
    assert dict(again.notes) == dict(first.notes)
    assert list(again.notes) == list(first.notes)


def test_after_one_edit_only_that_note_is_read_and_parsed_and_no_other_row(
    make_vault, read, parsed, settled, monkeypatch
):
    root = make_vault(NOTES)
    load_vault(root, Config())  # every stat trusted: the base is kept
    rows: list[str] = []
    monkeypatch.setattr(cache, "_read_rows", lambda db: rows.append("every row") or {})
    (root / "Skills/Helm.md").write_text("# Helm\n\n- [x] charts\n", encoding="utf-8")
    read.clear()
    parsed.clear()

    vault = load_vault(root, Config())

    assert rows == []
    assert [name for name in read if name.endswith(".md")] == ["Helm.md"]
    assert parsed == ["Skills/Helm.md"]
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    assert dict(vault.notes) == dict(load_vault(root, Config()).notes)


def test_a_first_read_takes_no_notes_stat_in_its_survey_and_later_runs_do(
    make_vault, monkeypatch, settled
):
    """With no note kept, each note's stat is the one its file was read with: the survey
    takes the canvases' alone. Once notes are kept, the survey's stats are compared."""
    root = make_vault({**NOTES, "Map.canvas": "{}"})
    surveys = []
    real = vault_module.survey

    def recorded(*args: object, **kwargs: bool) -> object:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        surveys.append(sorted(found.stats))
        return found

    monkeypatch.setattr(vault_module, "survey", recorded)
    load_vault(root, Config())
    load_vault(root, Config())
    assert surveys == [["Map.canvas"], ["Hub.md", "Map.canvas", *ALL[1:]]]


def test_a_first_read_keeps_each_notes_stat_as_a_survey_would_take_it(
    make_vault, note_cache, settled
):
    root = make_vault(NOTES)
    os.utime(root / "Hub.md", ns=(1_700_000_000_000_000_000, 1_700_000_000_123_456_789))
    load_vault(root, Config())
    with sqlite3.connect(cache_file(note_cache, root)) as db:
        rows = db.execute("SELECT path, size, mtime_ns, ctime_ns, inode FROM notes").fetchall()
    stats = {name: os.stat(root / name) for name in ALL}
    assert sorted(rows) == [
        (os.fsencode(name), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        for name, st in stats.items()
    ]
    assert stats["Hub.md"].st_mtime_ns == 1_700_000_000_123_456_789


def test_the_lint_after_a_first_read_finds_the_vault_and_its_findings_by_its_mark_alone(
    make_vault, settled, monkeypatch
):
    """No row compared, no note read: the first read left the mark of every note's stat."""
    root = make_vault({**NOTES, "Hub.md": "# Hub\n\n[[Nowhere]]\n"})
    first = api.lint_paths([root])[0].report.diagnostics

    def compared(*args: object) -> None:
        raise AssertionError("the vault was not found by its mark")

    monkeypatch.setattr(vault_module, "_since_base", compared)
    monkeypatch.setattr(vault_module, "_parse_with", compared)
    assert api.lint_paths([root])[0].report.diagnostics == first
    assert [(d.path, d.line, d.code) for d in first] == [(P("Hub.md"), 3, "VK101")]


def test_a_note_whose_stat_is_unchanged_is_not_even_read(make_vault, read, settled):
    root = make_vault(NOTES)
    load_vault(root, Config())
    read.clear()
    load_vault(root, Config())
    assert [name for name in read if name.endswith(".md")] == []


def test_a_note_saved_in_the_instant_of_the_run_is_hashed_next_time(make_vault, read, parsed):
    # A second save in the same clock tick can keep size and mtime: such a stat is no proof.
    root = make_vault(NOTES)
    load_vault(root, Config())
    read.clear()
    load_vault(root, Config())
    assert read == ["Hub.md", "Docker.md", "Helm.md"]
    assert parsed == ALL  # read and hashed, not parsed


def test_an_edited_note_is_parsed_again_and_the_others_are_not(make_vault, parsed, settled):
    root = make_vault(NOTES)
    load_vault(root, Config())
    (root / "Skills/Helm.md").write_text("# Helm\n\n- [x] charts\n", encoding="utf-8")
    parsed.clear()

    vault = load_vault(root, Config())

    assert parsed == ["Skills/Helm.md"]
    assert [task.status for task in vault.notes[P("Skills/Helm.md")].tasks] == ["x"]


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(make_vault, parsed, settled):
    root = make_vault(NOTES)
    note = root / "Skills/Helm.md"
    before = note.stat()
    load_vault(root, Config())
    note.write_text("# Helm\n\n- [/] charts\n", encoding="utf-8")  # same size
    os.utime(note, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime put back
    parsed.clear()

    vault = load_vault(root, Config())

    assert parsed == ["Skills/Helm.md"]  # the inode's change time moved: hashed, parsed
    assert [task.status for task in vault.notes[P("Skills/Helm.md")].tasks] == ["/"]


def test_a_note_touched_without_change_is_hashed_once_then_known_by_stat(
    make_vault, parsed, read, settled
):
    root = make_vault(NOTES)
    load_vault(root, Config())
    (root / "Skills/Helm.md").touch()
    read.clear()

    load_vault(root, Config())
    assert [name for name in read if name.endswith(".md")] == ["Helm.md"]
    read.clear()
    load_vault(root, Config())

    assert [name for name in read if name.endswith(".md")] == []
    assert parsed == ALL  # parsed only by the first load


def test_a_renamed_note_is_parsed_under_its_new_path_and_the_old_one_forgotten(
    make_vault, parsed, settled
):
    root = make_vault(NOTES)
    load_vault(root, Config())
    (root / "Skills/Helm.md").rename(root / "Skills/Helm 3.md")
    parsed.clear()

    vault = load_vault(root, Config())

    assert parsed == ["Skills/Helm 3.md"]
    assert vault.notes[P("Skills/Helm 3.md")].path == P("Skills/Helm 3.md")
    with NoteCache.open(root) as kept:
        assert (
            kept.same_bytes(P("Skills/Helm.md"), vault.notes[P("Skills/Helm 3.md")].digest, False)
            is None
        )


def test_a_note_added_or_deleted_since_is_seen(make_vault, parsed, settled):
    root = make_vault(NOTES)
    load_vault(root, Config())
    (root / "Skills/Helm.md").unlink()
    (root / "Skills/Kafka.md").write_text("# Kafka\n", encoding="utf-8")
    parsed.clear()

    vault = load_vault(root, Config())

    assert parsed == ["Skills/Kafka.md"]
    assert list(vault.notes) == [P("Hub.md"), P("Skills/Docker.md"), P("Skills/Kafka.md")]


def test_a_name_added_elsewhere_changes_what_an_unchanged_note_links_to(
    make_vault, vk, parsed, settled
):
    root = make_vault({"Hub.md": "# Hub\n\n[[Kafka]]\n", "Skills/Docker.md": "# Docker\n"})
    assert "VK101" in vk("lint", root).out
    (root / "Skills/Kafka.md").write_text("# Kafka\n", encoding="utf-8")
    parsed.clear()

    warm = vk("lint", root, "--format", "json")

    assert parsed == ["Skills/Kafka.md"]  # Hub.md from the cache, its link resolved anew
    assert "VK101" not in warm.out and warm.code == 0


def test_a_cache_written_by_another_vaultkit_is_not_used_but_made_anew(
    make_vault, monkeypatch, parsed, settled, logged
):
    root = make_vault(NOTES)
    load_vault(root, Config())
    monkeypatch.setattr(cache, "stamp", lambda: "another vaultkit")
    parsed.clear()

    load_vault(root, Config())
    once, parsed[:] = list(parsed), []
    load_vault(root, Config())

    assert once == ALL
    assert parsed == []  # kept by this vaultkit the first time
    assert logged.messages == []


def test_the_stamp_covers_the_source_and_every_parser_and_codec():
    cache.stamp.cache_clear()
    stamp = cache.stamp()
    assert len(stamp) == 64
    assert stamp == cache.stamp()


def test_a_changed_configuration_gives_the_findings_of_a_cold_run(make_vault, vk, note_cache):
    root = make_vault({**NOTES, "Hub.md": "# Hub\n\n[[Docker]] [[Nowhere]]\n"})
    vk("lint", root)
    (root / ".vaultkit.toml").write_text('[rules.VK101]\nignore-targets = ["Nowhere"]\n')

    warm = vk("lint", root, "--format", "json")
    os.environ["VAULTKIT_CACHE_DIR"] = ""
    cold = vk("lint", root, "--format", "json")

    assert (warm.code, warm.out) == (cold.code, cold.out)
    assert "VK101" not in warm.out


def test_front_matter_values_come_back_as_the_same_types(make_vault, settled):
    root = make_vault(
        {
            "a.md": "---\nday: 2024-02-29\nat: 2024-02-29T10:20:30+08:00\nnaive: 2024-02-29 10:20\n"
            "big: 123456789012345678901234567890\nraw: !!binary aGk=\nset: !!set {a, b}\n"
            "pairs: !!pairs [x: 1]\nnan: .nan\nnested: {list: [1, 2.5, null, true]}\n---\n"
        }
    )
    cold = load_vault(root, Config()).notes[P("a.md")]
    warm = load_vault(root, Config()).notes[P("a.md")]
    front = dict(warm.frontmatter)

    assert front.pop("nan") != front.pop("nan", None)  # NaN, as parsed
    assert front == {k: v for k, v in cold.frontmatter.items() if k != "nan"}
    assert type(front["day"]) is datetime.date and type(front["at"]) is datetime.datetime
    assert front["at"].utcoffset() == datetime.timedelta(hours=8)
    assert (front["raw"], front["set"], front["pairs"]) == (b"hi", {"a", "b"}, [("x", 1)])
    assert type(warm.frontmatter).__name__ == "mappingproxy"


def test_a_notes_blocks_come_back_from_the_cache(make_vault, parsed, settled):
    text = (
        '# Hub\n\n<!-- vaultkit:begin rollup folder="Skills and tools" -->\n'
        "<!-- vaultkit:end rollup -->\n\n<!-- vaultkit:begin nope -->\n"
    )
    root = make_vault({"Hub.md": text})
    cold = load_vault(root, Config()).notes[P("Hub.md")].blocks
    warm = load_vault(root, Config()).notes[P("Hub.md")].blocks

    assert parsed == ["Hub.md"]
    assert warm == cold
    assert [(b.kind, dict(b.params), b.begin.line) for b in warm.blocks] == [
        ("rollup", {"folder": "Skills and tools"}, 3)
    ]
    assert [p.span.line for p in warm.problems] == [6]
    assert type(warm.blocks[0].params).__name__ == "mappingproxy"


def test_status_is_the_same_from_the_cache(make_vault, vk):
    root = make_vault(NOTES)
    cold = vk("status", root, "--format", "json")
    warm = vk("status", root, "--format", "json")
    assert (warm.code, warm.out) == (cold.code, cold.out)


# --- where it is kept --------------------------------------------------------------------


def test_the_cache_is_one_file_in_vaultkits_folder_outside_the_vault(make_vault, note_cache):
    root = make_vault(NOTES)
    before = files_in(root)
    load_vault(root, Config())
    assert files_in(root) == before
    file = cache_file(note_cache, root)
    assert file.parent == note_cache / "vaultkit-parse-cache"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700


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


def test_a_relative_xdg_cache_home_is_ignored_as_the_xdg_spec_says(monkeypatch, tmp_path):
    """Else the cache would be made in whatever folder vaultkit runs in: inside the vault."""
    monkeypatch.delenv("VAULTKIT_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache_dir() == tmp_path / "home" / ".cache" / "vaultkit"


def test_a_cache_that_cannot_be_written_is_skipped_with_a_warning(
    make_vault, monkeypatch, tmp_path, parsed, logged
):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", str(blocker / "cache"))  # under a file
    root = make_vault(NOTES)
    assert len(load_vault(root, Config()).notes) == 3
    assert len(parsed) == 3
    assert len(logged.messages) == 1 and "not using the parse cache" in logged.messages[0]


def test_two_runs_at_once_share_the_cache(make_vault, settled, parsed):
    # `watch` and a pre-commit run: both read, both write, each write is whole.
    root = make_vault(NOTES)
    first, second = NoteCache.open(root), NoteCache.open(root)
    notes = load_vault(root, Config()).notes
    for kept in (first, second):
        for path, note in notes.items():
            kept.keep(path, None, note, parsed=True, skimmed=False)
    first.save(notes)
    second.save(notes)
    first.close()
    second.close()
    parsed.clear()
    assert load_vault(root, Config()).notes == notes
    assert parsed == []  # hashed (no stat was kept), not parsed


def test_notes_written_in_batches_while_parsing_are_seen_only_once_the_save_commits(
    make_vault, settled, parsed, monkeypatch
):
    monkeypatch.setattr(cache, "WRITE_BATCH", 2)
    root = make_vault(NOTES)
    with monkeypatch.context() as off:
        off.setenv("VAULTKIT_CACHE_DIR", "")
        notes = load_vault(root, Config()).notes
    writer = NoteCache.open(root)
    for path in (P("Hub.md"), P("Skills/Docker.md")):
        writer.keep(path, None, notes[path], parsed=True, skimmed=False)  # a batch: written
    with NoteCache.open(root) as reader:
        assert not reader.holds(P("Hub.md"))  # not committed yet
    writer.keep(P("Skills/Helm.md"), None, notes[P("Skills/Helm.md")], parsed=True, skimmed=False)
    writer.save(list(notes))
    writer.close()
    parsed.clear()

    assert load_vault(root, Config()).notes == notes
    assert parsed == []  # every note kept: hashed (no stat was kept), not parsed


def test_every_so_many_notes_written_are_committed_and_the_mark_forgotten_with_the_first(
    make_vault, settled, monkeypatch
):
    monkeypatch.setattr(cache, "WRITE_BATCH", 1)
    monkeypatch.setattr(cache, "COMMIT_EVERY", 2)
    root = make_vault(NOTES)
    notes = load_vault(root, Config()).notes  # every stat trusted: the mark is kept
    with NoteCache.open(root) as reader:
        assert reader._db.execute("SELECT key FROM meta WHERE key = 'mark'").fetchall() != []
    writer = NoteCache.open(root)
    writer.keep(P("Hub.md"), None, notes[P("Hub.md")], parsed=True, skimmed=False)
    with NoteCache.open(root) as reader:
        assert reader._db.execute("SELECT key FROM meta WHERE key = 'mark'").fetchall() != []
    writer.keep(P("Skills/Helm.md"), None, notes[P("Skills/Helm.md")], parsed=True, skimmed=False)

    with NoteCache.open(root) as reader:  # two written: committed
        assert reader._db.execute("SELECT key FROM meta WHERE key = 'mark'").fetchall() == []
        assert reader._rows[b"Hub.md"].stat is None  # as this run keeps it
        assert reader._rows[b"Skills/Helm.md"].stat is None
        assert reader._rows[b"Skills/Docker.md"].stat is not None  # not written yet
    writer.save(list(notes))
    writer.close()


def test_a_batch_of_notes_is_written_before_the_save(make_vault, settled, monkeypatch):
    monkeypatch.setattr(cache, "WRITE_BATCH", 2)
    root = make_vault(NOTES)
    notes = load_vault(root, Config()).notes
    writer = NoteCache.open(root)
    statements: list[str] = []
    writer._db.set_trace_callback(statements.append)
    writer.keep(P("Hub.md"), None, notes[P("Hub.md")], parsed=True, skimmed=False)
    assert statements == []
    writer.keep(P("Skills/Helm.md"), None, notes[P("Skills/Helm.md")], parsed=True, skimmed=False)
    assert statements[:2] == [f"PRAGMA cache_size = -{cache.WRITE_CACHE_KIB}", "BEGIN IMMEDIATE"]
    assert sum(s.startswith("INSERT OR REPLACE INTO blobs") for s in statements) == 2
    writer.save(notes)
    assert statements[-1] == "COMMIT"
    writer.close()


def test_a_cache_another_vaultkit_is_writing_is_not_written_this_run(
    make_vault, settled, parsed, monkeypatch, note_cache
):
    monkeypatch.setattr(cache, "WRITE_BATCH", 1)
    monkeypatch.setattr(cache, "BUSY_TIMEOUT", 0.05)
    root = make_vault(NOTES)
    load_vault(root, Config())
    (root / "Skills/Helm.md").write_text("# Helm\n\n- [x] charts\n", encoding="utf-8")
    (root / "Hub.md").write_text("# Hub\n\n[[Helm]]\n", encoding="utf-8")
    other = sqlite3.connect(cache_file(note_cache, root), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another vaultkit, writing
    parsed.clear()

    vault = load_vault(root, Config())

    other.execute("ROLLBACK")
    other.close()
    assert parsed == ["Hub.md", "Skills/Helm.md"]
    assert [link.target for link in vault.notes[P("Hub.md")].links] == ["Helm"]
    parsed.clear()
    load_vault(root, Config())
    assert parsed == ["Hub.md", "Skills/Helm.md"]  # not kept: parsed again


# --- a watcher's first read: the cache written by a child while the watcher goes on ---------


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch, forked: list[int]) -> list[int]:
    """The children forked, by pid; a child can share the work however busy the machine."""
    monkeypatch.setattr(halves, "_core_free", lambda cores: True)
    if not halves.can_fork():
        pytest.skip("this machine gives the run one core, or no fork")
    return forked


@pytest.fixture
def written_here(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The notes' writes this process made (`NoteCache._write`), each as its count of rows."""
    writes: list[int] = []
    real = NoteCache._write

    def writing(self: NoteCache, keys: object, forget: tuple[str, ...]) -> None:
        writes.append(len(self._new))
        real(self, keys, forget)  # type: ignore[arg-type]

    monkeypatch.setattr(NoteCache, "_write", writing)
    return writes


def marked_rows(note_cache: Path, root: Path) -> tuple[list[bytes], list[str]]:
    """The notes' paths kept in the cache file, and the keys of its `meta` rows."""
    with sqlite3.connect(cache_file(note_cache, root)) as db:
        paths = sorted(path for (path,) in db.execute("SELECT path FROM notes"))
        keys = sorted(key for (key,) in db.execute("SELECT key FROM meta"))
    return paths, keys


def test_a_watchers_first_read_is_kept_by_a_child_and_the_next_run_reads_no_note(
    make_vault, note_cache, settled, forks, written_here, parsed, read
):
    root = make_vault(NOTES)
    vault, _ = vault_module.load_surveyed(root, Config(), beside=True)
    assert len(forks) == 1 and reaping.ending() == (forks[0],)
    reaping.reap(wait=True)

    assert written_here == []  # every row was written by the child
    assert marked_rows(note_cache, root) == (
        [b"Hub.md", b"Skills/Docker.md", b"Skills/Helm.md"],
        ["base", "mark", "stamp"],
    )
    parsed.clear()
    read.clear()
    assert load_vault(root, Config()).notes == vault.notes
    assert (parsed, read) == ([], [])  # every stat the base's: no note read, none parsed


def test_a_watchers_first_read_writes_nothing_to_the_cache_while_it_parses(
    make_vault, note_cache, settled, forks, monkeypatch
):
    monkeypatch.setattr(cache, "WRITE_BATCH", 1)  # else a row is written with each note
    root = make_vault(NOTES)
    real = NoteCache.write_beside
    before: list[tuple[list[bytes], list[str]]] = []

    def writing_beside(self: NoteCache) -> None:
        before.append(marked_rows(note_cache, root))
        real(self)

    monkeypatch.setattr(NoteCache, "write_beside", writing_beside)
    vault_module.load_surveyed(root, Config(), beside=True)
    reaping.reap(wait=True)

    assert before == [([], ["stamp"])]
    assert marked_rows(note_cache, root)[0] == [b"Hub.md", b"Skills/Docker.md", b"Skills/Helm.md"]


def test_where_no_child_can_be_forked_a_watchers_first_read_is_kept_here(
    make_vault, note_cache, settled, written_here, monkeypatch
):
    monkeypatch.setattr(halves, "can_fork", lambda: False)
    root = make_vault(NOTES)
    vault_module.load_surveyed(root, Config(), beside=True)

    assert reaping.ending() == ()
    assert written_here == [3]
    assert marked_rows(note_cache, root) == (
        [b"Hub.md", b"Skills/Docker.md", b"Skills/Helm.md"],
        ["base", "mark", "stamp"],
    )


def test_with_no_process_to_spare_a_watchers_first_read_is_kept_here(
    make_vault, note_cache, settled, forks, written_here, monkeypatch
):
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    root = make_vault(NOTES)
    vault_module.load_surveyed(root, Config(), beside=True)

    assert reaping.ending() == ()
    assert written_here == [3]
    assert marked_rows(note_cache, root)[0] == [b"Hub.md", b"Skills/Docker.md", b"Skills/Helm.md"]


def test_a_ctrl_c_that_reaches_the_child_before_it_starts_writing_is_ignored(
    make_vault, note_cache, settled, forks, monkeypatch
):
    """A terminal sends Ctrl-C to the watcher and to its child alike: the watcher stops,
    and the child, which ignores it, writes every note."""
    real = os.fork
    writing = NoteCache._write_held

    def slow_to_start(self: NoteCache, *args: object) -> None:
        time.sleep(0.2)  # the Ctrl-C is sent meanwhile
        writing(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(NoteCache, "_write_held", slow_to_start)

    def forked_then_interrupted() -> int:
        pid = real()
        if pid:
            time.sleep(0.05)  # the child runs Python again: its own handler would raise
            os.kill(pid, signal.SIGINT)
        return pid

    monkeypatch.setattr(os, "fork", forked_then_interrupted)
    root = make_vault(NOTES)
    vault_module.load_surveyed(root, Config(), beside=True)
    reaping.reap(wait=True)

    assert len(forks) == 1
    assert marked_rows(note_cache, root) == (
        [b"Hub.md", b"Skills/Docker.md", b"Skills/Helm.md"],
        ["base", "mark", "stamp"],
    )


def test_a_child_that_cannot_write_the_cache_leaves_it_as_it_was_and_the_read_whole(
    make_vault, note_cache, settled, forks, parsed, monkeypatch
):
    """Another vaultkit holds the write lock all along: the child gives up, and the notes
    are parsed again next time."""
    monkeypatch.setattr(cache, "BUSY_TIMEOUT", 0.05)
    root = make_vault(NOTES)
    NoteCache.open(root).close()  # the file, made
    other = sqlite3.connect(cache_file(note_cache, root), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    vault, _ = vault_module.load_surveyed(root, Config(), beside=True)
    reaping.reap(wait=True)
    other.execute("ROLLBACK")
    other.close()

    assert sorted(map(str, vault.notes)) == ALL
    assert marked_rows(note_cache, root) == ([], ["stamp"])
    parsed.clear()
    load_vault(root, Config())
    assert parsed == ALL


# --- the cache is data, and any problem with it means no cache and one warning -----------


def warm_cache(make_vault, note_cache) -> tuple[Path, Path]:
    root = make_vault(NOTES)
    load_vault(root, Config())
    return root, cache_file(note_cache, root)


def test_a_damaged_cache_file_is_ignored_then_replaced(make_vault, note_cache, parsed, logged):
    root, file = warm_cache(make_vault, note_cache)
    data = bytearray(file.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # the header (vaultkit's) kept, the pages not
    file.write_bytes(bytes(data))
    parsed.clear()

    vault = load_vault(root, Config())

    assert len(parsed) == 3 and len(vault.notes) == 3
    assert len(logged.messages) == 1 and "malformed" in logged.messages[0]
    parsed.clear()
    load_vault(root, Config())
    load_vault(root, Config())
    assert len(parsed) == 3  # the first made it again, whole; the second used it
    assert len(logged.messages) == 1


def test_a_file_that_is_not_vaultkits_is_left_alone(make_vault, note_cache, parsed, logged):
    root, file = warm_cache(make_vault, note_cache)
    file.write_bytes(b"my notes, not a cache")
    parsed.clear()

    load_vault(root, Config())
    load_vault(root, Config())

    assert file.read_bytes() == b"my notes, not a cache"
    assert len(parsed) == 6
    assert (
        logged.messages
        == [f"not using the parse cache {file}: not a vaultkit cache (remove it to cache again)"]
        * 2
    )


def test_a_pickle_planted_at_the_cache_path_never_runs(make_vault, note_cache, tmp_path, parsed):
    root, file = warm_cache(make_vault, note_cache)
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    file.write_bytes(pickle.dumps(Payload()))
    (note_cache / "vaultkit").mkdir()  # where older vaultkits kept a pickle per vault
    (note_cache / "vaultkit" / f"{file.stem}.pickle").write_bytes(pickle.dumps(Payload()))
    parsed.clear()

    assert len(load_vault(root, Config()).notes) == 3

    assert not marker.exists() and len(parsed) == 3


def test_a_row_that_does_not_decode_is_parsed_from_its_file_and_forgotten(
    make_vault, note_cache, parsed, logged, settled, vk
):
    root, file = warm_cache(make_vault, note_cache)
    with sqlite3.connect(file) as db:  # what vaultkit writes, but not a note
        db.execute("UPDATE blobs SET note = ? WHERE path = ?", (b"\x81\xa4path\x05", b"Hub.md"))
    db.close()
    parsed.clear()

    result = vk("status", root)
    once, parsed[:] = list(parsed), []
    vk("status", root)

    assert result.code == 0 and once == ["Hub.md"]
    assert logged.messages == [
        f"the note kept for 'Hub.md' in the parse cache {file} is not one vaultkit wrote:"
        " read from its file instead"
    ]
    assert parsed == ["Hub.md"]  # forgotten, so parsed and kept again, without a warning


def test_a_note_kept_anew_by_another_vaultkit_meanwhile_is_parsed_from_its_file(
    make_vault, note_cache, parsed, settled, vk
):
    root, file = warm_cache(make_vault, note_cache)
    vk("status", root)  # its results kept: the next load reads the notes only when wanted
    vault = load_vault(root, Config())
    with sqlite3.connect(file) as db:  # another vaultkit kept Hub.md as parsed from other bytes
        db.execute("UPDATE notes SET digest = ? WHERE path = ?", ("0" * 64, b"Hub.md"))
    db.close()
    parsed.clear()

    hub, helm = vault.notes[P("Hub.md")], vault.notes[P("Skills/Helm.md")]

    assert parsed == ["Hub.md"]
    assert (hub.title, helm.title) == ("Hub", "Helm")


def test_notes_read_from_the_cache_one_by_one_are_those_a_cold_load_parses(
    make_vault, note_cache, parsed, settled, vk
):
    # Past a quarter of them, the rest are read at once.
    root = make_vault({f"n{number:03d}.md": f"# N{number}\n\n[[n000]]\n" for number in range(80)})
    vk("status", root)
    vault = load_vault(root, Config())
    parsed.clear()

    warm = {path: vault.notes[path] for path in vault.notes}

    assert parsed == []
    os.environ["VAULTKIT_CACHE_DIR"] = ""
    assert warm == dict(load_vault(root, Config()).notes)


def test_a_stat_of_the_wrong_type_is_not_trusted(make_vault, note_cache, parsed, settled):
    root, file = warm_cache(make_vault, note_cache)
    with sqlite3.connect(file) as db:
        db.execute("UPDATE notes SET size = CAST(size AS TEXT)")
    db.close()
    parsed.clear()
    assert len(load_vault(root, Config()).notes) == 3
    assert parsed == []  # hashed instead, and the same bytes


def test_a_cache_file_others_can_write_is_not_used(make_vault, note_cache, parsed, logged):
    root, file = warm_cache(make_vault, note_cache)
    file.chmod(0o666)
    parsed.clear()
    load_vault(root, Config())
    assert len(parsed) == 3
    assert logged.messages == [
        f"not using the parse cache {file}: a file others can write, or another user's"
    ]


def test_a_cache_folder_others_can_write_is_not_used(make_vault, note_cache, parsed, logged):
    root, file = warm_cache(make_vault, note_cache)
    file.parent.chmod(0o777)  # as `VAULTKIT_CACHE_DIR=/tmp` would give, made by someone else
    parsed.clear()
    load_vault(root, Config())
    assert len(parsed) == 3
    assert logged.messages == [
        f"not using the parse cache {file}: {file.parent}: a folder others"
        " can write, or another user's"
    ]


def test_a_cache_not_used_is_warned_of_once_when_every_stat_is_trusted(
    make_vault, note_cache, parsed, logged, settled
):
    root, file = warm_cache(make_vault, note_cache)
    file.parent.chmod(0o777)
    parsed.clear()

    load_vault(root, Config())

    assert len(parsed) == 3
    assert len(logged.messages) == 1


def test_a_cache_file_of_another_user_is_not_used(
    make_vault, note_cache, parsed, logged, monkeypatch
):
    root, file = warm_cache(make_vault, note_cache)
    if os.geteuid() == 0:
        os.chown(file, 65534, -1)  # really another user's (nobody)
    else:  # a test cannot give a file away: vaultkit is told it runs as another user
        uid = os.getuid() + 1
        monkeypatch.setattr(os, "getuid", lambda: uid)
    parsed.clear()
    load_vault(root, Config())
    assert len(parsed) == 3 and len(logged.messages) == 1
    assert "another user's" in logged.messages[0]


def test_a_symlink_at_the_cache_path_is_not_followed(
    make_vault, note_cache, tmp_path, parsed, logged
):
    root, file = warm_cache(make_vault, note_cache)
    elsewhere = tmp_path / "elsewhere.sqlite"
    file.rename(elsewhere)
    file.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    (root / "Skills/Helm.md").write_text("# Helm 3\n", encoding="utf-8")
    parsed.clear()

    load_vault(root, Config())

    assert len(parsed) == 3 and elsewhere.read_bytes() == before
    assert len(logged.messages) == 1 and "symbolic links" in logged.messages[0]


def test_a_symlinked_cache_folder_is_not_followed(make_vault, note_cache, tmp_path, logged):
    root, file = warm_cache(make_vault, note_cache)
    file.parent.rename(tmp_path / "planted")
    file.parent.symlink_to(tmp_path / "planted")
    load_vault(root, Config())
    assert len(logged.messages) == 1 and "not a directory" in logged.messages[0].lower()


def test_a_fifo_at_the_cache_path_does_not_hang_a_command(make_vault, note_cache):
    root, file = warm_cache(make_vault, note_cache)
    file.unlink()
    os.mkfifo(file)
    run = subprocess.run(  # a separate process: a hang fails the test instead of stopping it
        [sys.executable, "-m", "vaultkit", "status", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0
    assert run.stderr == f"not using the parse cache {file}: not a regular file\n"


def test_a_huge_sparse_cache_file_is_not_read(make_vault, note_cache, parsed, logged):
    root, file = warm_cache(make_vault, note_cache)
    with open(file, "r+b") as out:
        out.truncate(3 << 30)  # 3 GiB, almost none of it on disk
    parsed.clear()
    load_vault(root, Config())
    assert len(parsed) == 3
    assert logged.messages == [f"not using the parse cache {file}: larger than 1024 MiB"]


# --- cleanup: only what vaultkit wrote ---------------------------------------------------


def other_vaults_cache(note_cache: Path, tmp_path: Path) -> Path:
    """The cache file of another vault, written by vaultkit."""
    other = tmp_path / "other-vault"
    (other / ".obsidian").mkdir(parents=True)
    (other / "a.md").write_text("# A\n", encoding="utf-8")
    load_vault(other, Config())
    return NoteCache.open(other).file


def test_the_cache_of_a_vault_not_opened_for_30_days_is_removed(make_vault, note_cache, tmp_path):
    old = other_vaults_cache(note_cache, tmp_path)
    age(old, 31)
    recent = other_vaults_cache(note_cache, tmp_path / "2")
    age(recent, 29)
    root = make_vault(NOTES)

    load_vault(root, Config())

    assert not old.exists() and recent.exists()
    assert sorted(p.name for p in old.parent.iterdir()) == sorted(
        [recent.name, NoteCache.open(root).file.name]
    )


def test_a_cache_in_use_is_kept_fresh_for_the_cleanup(make_vault, note_cache, settled):
    root, file = warm_cache(make_vault, note_cache)
    age(file, 20)
    load_vault(root, Config())  # nothing to write, still a use
    assert time.time() - file.stat().st_mtime < DAY


USERS_FILES = (".bashrc", ".gitconfig", "model.pickle", ".gitignore", ".vaultkit.toml")


@pytest.mark.parametrize(
    "command",
    [["status"], ["lint"], ["lint", "--fix"], ["sync"], ["sync", "--check"], ["next"], ["graph"]],
)
def test_the_users_files_in_the_cache_dir_survive_every_command(
    make_vault, note_cache, tmp_path, vk, command
):
    mine = other_vaults_cache(note_cache, tmp_path)
    age(mine, 90)
    note_cache.mkdir(exist_ok=True)
    for name in USERS_FILES:  # old files of the user's, beside vaultkit's folder
        (note_cache / name).write_text(f"the user's {name}\n")
        age(note_cache / name, 90)
    lookalikes = {  # in vaultkit's folder, named as it names files, yet not its own
        "0" * 32 + ".sqlite": b"SQLite format 3\0" + b"\0" * 84,  # another application's
        "1" * 32 + ".sqlite": b"a text file\n",
    }
    for name, data in lookalikes.items():
        (mine.parent / name).write_bytes(data)
        age(mine.parent / name, 90)
    (mine.parent / ("2" * 32 + ".sqlite")).symlink_to(mine)  # a link to an old cache of its own
    kept = files_in(note_cache)

    result = vk(*command, make_vault(NOTES))

    assert result.code in (0, 1)
    assert not mine.exists()  # vaultkit's own old cache went
    assert (
        files_in(note_cache).items()
        >= {k: v for k, v in kept.items() if not k.endswith(mine.name)}.items()
    )


def test_a_cache_dir_inside_the_vault_keeps_the_vaults_files(make_vault, monkeypatch, vk):
    root = make_vault({**NOTES, ".gitignore": "vaultkit-parse-cache/\n"})
    (root / ".vaultkit.toml").write_text("")
    for name in (".gitignore", ".vaultkit.toml"):
        age(root / name, 90)
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", str(root))
    vk("status", root)
    vk("lint", root)
    assert (root / ".gitignore").read_text() == "vaultkit-parse-cache/\n"
    assert (root / ".vaultkit.toml").exists()


# --- a warm run answers as a cold one ----------------------------------------------------

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _vaultgen import generate  # noqa: E402

READS = (
    ("lint", "--format", "json"),
    ("status", "--format", "json"),
    ("next",),
    ("graph",),
    ("sync", "--diff"),
    ("sync", "--check"),
)


def answers(vk, root: Path) -> list[tuple[int, str]]:
    return [(run.code, run.out) for run in (vk(*command, root) for command in READS)]


def edit_some(layout) -> None:
    root = layout.root
    skill = root / layout.skills[3]
    skill.write_text(skill.read_text(encoding="utf-8").replace("- [ ]", "- [x]", 1))
    (root / layout.skills[5]).touch()
    (root / layout.skills[7]).rename(root / layout.skills[7].with_name("Renamed.md"))
    (root / layout.references[0]).unlink()
    (root / "Notes/New.md").write_text(f"# New\n\n[[{layout.skills[9].stem}]] [[Renamed]]\n")


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "worker-processes"])
def test_a_warm_run_gives_the_findings_and_blocks_of_a_cold_one(
    tmp_path, note_cache, monkeypatch, vk, workers, settled
):
    if workers:
        monkeypatch.setattr(vault_module, "PARALLEL_THRESHOLD", 100)
    layout = generate(tmp_path / "vault", 200)
    twin = generate(tmp_path / "twin", 200)  # the same bytes, synced without a cache
    monkeypatch.chdir(tmp_path)

    def cold(root: Path) -> list[tuple[int, str]]:
        monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
        try:
            return answers(vk, root)
        finally:
            monkeypatch.setenv("VAULTKIT_CACHE_DIR", str(note_cache))

    answers(vk, layout.root)  # fills the cache
    assert answers(vk, layout.root) == answers(vk, layout.root)  # the results recalled
    assert answers(vk, layout.root) == cold(layout.root)
    edit_some(layout)
    edit_some(twin)
    assert answers(vk, layout.root) == cold(layout.root)

    vk("sync", layout.root)
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    vk("sync", twin.root)
    assert files_in(layout.root) == files_in(twin.root)


# --- large results kept in slices ------------------------------------------------------------

RECORD = ("names and digests", b"names\0")
STATE = {RECORD[0]: RECORD[1] + b"digests"}  # a state's record row: states alike are kept


def slices_of(value: bytes) -> list[bytes]:
    return [value[start : start + cache.SLICE] for start in range(0, len(value), cache.SLICE)]


def large(seed: int, size: int = 5 * cache.SLICE + 100) -> bytes:
    """`size` bytes, their `SLICE`s unlike one another (a slice is kept once, by digest)."""
    return b"".join(hashlib.sha256(f"{seed} {n}".encode()).digest() for n in range(size // 32 + 1))[
        :size
    ]


def kept_rows(root: Path) -> tuple[dict[tuple[str, str], bytes], set[str]]:
    """The `results` rows as written, by state and what; the digests of the parts kept."""
    with NoteCache.open(root, notes=False) as kept, kept._db as db:
        rows = {(s, w): v for s, w, v in db.execute("SELECT state, what, value FROM results")}
        parts = {digest for (digest,) in db.execute("SELECT digest FROM parts")}
    return rows, parts


def test_a_large_result_is_kept_as_the_digests_of_its_slices_and_recalled_whole(tmp_path):
    value = large(1)
    with NoteCache.open(tmp_path) as kept:
        assert kept.remember("s1", {"layout": value, "small": b"x" * 100}, RECORD)
    with NoteCache.open(tmp_path, notes=False) as kept:
        assert kept.result("s1", "layout") == value
        assert kept.recall("s1") == {"layout": value, "small": b"x" * 100}

    rows, parts = kept_rows(tmp_path)
    digests = [hashlib.sha256(piece).hexdigest() for piece in slices_of(value)]
    assert len(digests) == 6
    assert rows[("s1", "layout")] == b"slices\0" + bytes.fromhex("".join(digests))
    assert rows[("s1", "small")] == b"x" * 100
    assert parts == set(digests)


def test_the_record_row_keeps_its_start_whole_for_other_runs_to_compare_in_sql(tmp_path):
    digests = large(2)
    record = RECORD[1] + digests
    with NoteCache.open(tmp_path) as kept:
        assert kept.remember("s1", {RECORD[0]: record, "layout": b"x"}, RECORD)
        [other] = kept.others("s2", *RECORD)
        assert kept.recall("s1") == {RECORD[0]: record, "layout": b"x"}

    sliced = [hashlib.sha256(piece).hexdigest() for piece in slices_of(digests)]
    assert other.record == b"names\0slices\0" + bytes.fromhex("".join(sliced))
    assert cache.record_slices(other.record) == (b"names\0", sliced)
    assert kept_rows(tmp_path)[1] == set(sliced)


def test_a_record_smaller_than_a_slice_is_kept_whole(tmp_path):
    record = RECORD[1] + large(2, size=cache.SLICED_FROM - 1)
    with NoteCache.open(tmp_path) as kept:
        assert kept.remember("s1", {RECORD[0]: record, "layout": b"x"}, RECORD)
        assert [other.record for other in kept.others("s2", *RECORD)] == [record]
    assert cache.record_slices(record) is None


def test_a_result_edited_in_one_slice_writes_that_slice_alone_beside_the_others_kept(tmp_path):
    before = large(3)
    after = before[:100] + b"!" + before[101:]
    with NoteCache.open(tmp_path) as kept:
        kept.remember("s1", {**STATE, "layout": before, "status": b"x"}, RECORD)
        kept.remember("s2", {**STATE, "layout": after}, RECORD)  # only s1 holds "status"
        assert (kept.result("s1", "layout"), kept.result("s2", "layout")) == (before, after)
    assert len(kept_rows(tmp_path)[1]) == 7  # six slices, and the one edited

    with NoteCache.open(tmp_path) as kept:
        kept.remember("s3", {**STATE, "layout": after, "status": b"y"}, RECORD)  # all they held
    rows, parts = kept_rows(tmp_path)
    assert set(rows) == {("s3", RECORD[0]), ("s3", "layout"), ("s3", "status")}
    assert parts == {hashlib.sha256(piece).hexdigest() for piece in slices_of(after)}


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param("DELETE FROM parts WHERE rowid = 3", id="a slice missing"),
        pytest.param("UPDATE parts SET value = x'90' WHERE rowid = 3", id="a slice damaged"),
        pytest.param(
            "UPDATE results SET value = substr(value, 1, 40) WHERE what = 'layout'",
            id="the digests cut short",
        ),
    ],
)
def test_a_result_with_a_slice_not_as_its_digest_names_is_not_recalled(tmp_path, damage):
    with NoteCache.open(tmp_path) as kept:
        kept.remember("s1", {"layout": large(4), "small": b"x"}, RECORD)
        kept._db.execute(damage)
    with NoteCache.open(tmp_path, notes=False) as kept:
        assert kept.result("s1", "layout") is None
        assert kept.recall("s1") == {"small": b"x"}


def test_the_cache_overwrites_deleted_rows_only_where_that_writes_no_more_pages(tmp_path):
    with NoteCache.open(tmp_path) as kept:
        assert kept._db.execute("PRAGMA secure_delete").fetchone() == (2,)  # FAST
