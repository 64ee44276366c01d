"""Reading the vault never hangs and never stops at one bad file: FIFOs, devices, odd names."""

from __future__ import annotations

import os
import threading
from pathlib import Path, PurePosixPath

import pytest

from vaultkit import api, reading, syncing
from vaultkit import vault as vault_module
from vaultkit.config import Config, ConfigError, load
from vaultkit.progress import compute
from vaultkit.reading import CHUNK, NotAFile, read_descriptor, read_file, read_stated
from vaultkit.vault import load_vault


def finishes(call, seconds: float = 10.0):
    """Run `call` in a thread; fail instead of hanging the test run when it blocks."""
    outcome: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as error:
            outcome.append((False, error))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked"
    [(returned, value)] = outcome
    if not returned:
        raise value
    return value


def counted_reads(monkeypatch) -> list[int]:
    """The number of bytes each `os.pread` of `reading` asked for."""
    asked: list[int] = []
    real = os.pread

    def pread(descriptor: int, length: int, offset: int) -> bytes:
        asked.append(length)
        return real(descriptor, length, offset)

    monkeypatch.setattr(reading.os, "pread", pread)
    return asked


@pytest.mark.parametrize("size", [0, 1, 700, CHUNK + 5])
def test_a_file_whose_size_is_as_its_stat_said_is_read_in_one_call(tmp_path, monkeypatch, size):
    path = tmp_path / "note.md"
    path.write_bytes(b"x" * size)
    asked = counted_reads(monkeypatch)
    assert read_file(path) == b"x" * size
    assert asked == [size + 1]


def test_a_file_is_read_with_its_stat_as_it_was_opened(tmp_path):
    path = tmp_path / "note.md"
    path.write_bytes(b"# Note\n")
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_123_456_789))
    data, status = read_stated(path)
    assert data == b"# Note\n"
    assert (status.st_size, status.st_mtime_ns, status.st_ino) == (
        7,
        1_700_000_000_123_456_789,
        os.stat(path).st_ino,
    )


@pytest.mark.parametrize("said", [0, 10, 2_999_999, 3_000_001, 9_000_000])
def test_a_file_that_grew_or_shrank_since_its_stat_is_read_to_its_end(tmp_path, said):
    path = tmp_path / "note.md"
    data = bytes(range(256)) * 11_719 + b"end"  # 3,000,067 bytes, more than two chunks
    path.write_bytes(data)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        assert read_descriptor(descriptor, said) == data
        assert read_descriptor(descriptor) == data
    finally:
        os.close(descriptor)


@pytest.mark.parametrize(
    "make",
    [os.mkfifo, lambda path: os.symlink("/dev/zero", path), lambda path: os.mkdir(path)],
    ids=["fifo", "link to /dev/zero", "folder"],
)
def test_read_file_refuses_what_is_not_a_regular_file_without_blocking(tmp_path, make):
    make(tmp_path / "Note.md")

    with pytest.raises(NotAFile) as refused:
        finishes(lambda: read_file(tmp_path / "Note.md"))
    assert refused.value.strerror == "not a regular file"


def after_discovery(monkeypatch, action) -> None:
    """Run `action` just after discovery lists the files, before any note is read."""
    real_survey = vault_module.survey

    def survey_then_act(root: Path, config: Config, **stats: bool):
        found = real_survey(root, config, **stats)
        action()
        return found

    monkeypatch.setattr(vault_module, "survey", survey_then_act)


def test_a_note_replaced_by_a_fifo_after_discovery_is_not_read(make_vault, monkeypatch):
    root = make_vault({"Home.md": "- [ ] a\n", "Gone.md": "- [ ] b\n"})

    def replace_by_a_fifo() -> None:
        (root / "Gone.md").unlink()
        os.mkfifo(root / "Gone.md")

    after_discovery(monkeypatch, replace_by_a_fifo)

    vault = finishes(lambda: load_vault(root, Config()))

    assert list(vault.notes) == [PurePosixPath("Home.md")]


def test_a_note_deleted_between_discovery_and_the_read_is_left_out(make_vault, monkeypatch):
    root = make_vault({"Home.md": "", "Gone.md": ""})
    after_discovery(monkeypatch, (root / "Gone.md").unlink)

    assert list(load_vault(root, Config()).notes) == [PurePosixPath("Home.md")]


def test_a_fifo_given_as_the_configuration_is_an_error_not_a_hang(make_vault):
    root = make_vault({"Home.md": ""})
    os.mkfifo(root / "vaultkit.toml")

    with pytest.raises(ConfigError) as error:
        finishes(lambda: load(root, root / "vaultkit.toml"))
    assert str(error.value).endswith("cannot read: not a regular file")


def test_a_fifo_as_obsidians_settings_is_ignored(make_vault, caplog):
    root = make_vault({"Home.md": ""})
    os.mkfifo(root / ".obsidian" / "app.json")

    vault = finishes(lambda: load_vault(root, Config()))

    assert list(vault.notes) == [PurePosixPath("Home.md")]
    settings = root / ".obsidian" / "app.json"
    assert caplog.messages == [f"ignoring {settings}: [Errno 22] not a regular file: '{settings}'"]


def test_lint_reports_a_file_name_that_is_not_utf8_and_goes_on(make_vault):
    root = make_vault({"Home.md": "[[Missing]]\n"})
    (root / os.fsdecode(b"bad\xffname.md")).write_text("- [ ] a\n")

    found = [(str(d.path), d.line, d.col, d.code, d.message) for d in api.lint(root)]

    assert found == [
        (
            "Home.md",
            1,
            1,
            "VK101",
            "no note or file named 'Missing': Obsidian shows the link unresolved",
        ),
        ("bad\\xffname.md", 1, 1, "VK005", "file name is not UTF-8: byte 0xff at offset 3"),
    ]


def test_a_note_that_cannot_be_read_makes_the_vault_not_whole(make_vault, refuse_to_read):
    root = make_vault({"Hub.md": ROLLUP, "F/a.md": "- [ ] a\n", "F/Secret.md": "- [x] b\n"})
    refuse_to_read("Secret.md")

    vault = load_vault(root, Config())
    report = syncing.run(vault, compute(vault))

    assert [(str(e.path), e.reason, e.hides_notes) for e in vault.files.unread] == [
        ("F/Secret.md", "could not be read", True)
    ]
    assert [(str(s.path), s.reason) for s in report.plan.skipped] == [
        ("Hub.md", "the vault could not be read whole (F/Secret.md: could not be read)")
    ]
    assert (root / "Hub.md").read_text() == ROLLUP


ROLLUP = "<!-- vaultkit:begin rollup folder=F -->\n<!-- vaultkit:end rollup -->\n"
