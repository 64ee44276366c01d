"""Fixtures shared by every test: small vaults on disk, and the command line in-process."""

from __future__ import annotations

import gc
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from vaultkit import vault as vault_module
from vaultkit.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
EXAMPLE_VAULT = Path(__file__).resolve().parents[1] / "example-vault"


@pytest.fixture(autouse=True)
def note_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's parse cache in its own folder (subprocesses inherit it), never ~/.cache."""
    folder = tmp_path / "note-cache"
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def make_vault(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write `{relative path: text}` into a fresh vault folder (with `.obsidian/`)."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "vault"
        (root / ".obsidian").mkdir(parents=True, exist_ok=True)
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text), encoding="utf-8", newline="")
        return root

    return make


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def vk(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run `vaultkit ARGS...` in-process, the way the console script does."""

    def run(*args: str | Path, cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def refuse_to_read(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """`refuse_to_read(name)`: reading the vault's files named `name` fails from then on as
    a note of mode 000 does (simulated: as root, such a note can still be read), however
    the vault reads them."""

    def refuse(name: str) -> None:
        read_file, read_stated = vault_module.read_file, vault_module.read_stated

        def refused(path: Path | str) -> None:
            if Path(path).name == name:
                raise PermissionError(13, "Permission denied", str(path))

        def read(path: Path | str) -> bytes:
            refused(path)
            return read_file(path)

        def stated(path: Path | str) -> tuple[bytes, os.stat_result]:  # as a first read reads
            refused(path)
            return read_stated(path)

        monkeypatch.setattr(vault_module, "read_file", read)
        monkeypatch.setattr(vault_module, "read_stated", stated)

    return refuse


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The children `os.fork` made from here on, by pid."""
    pids: list[int] = []
    real = os.fork

    def forking() -> int:
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", forking)
    return pids


@pytest.fixture
def descriptors() -> Callable[[], list[str]]:
    """`descriptors()`: the file descriptors this process has open, once the files earlier
    tests left to the cyclic collector are closed (Linux's `/proc/self/fd`)."""
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("no /proc/self/fd to list the open files in")

    def listed() -> list[str]:
        gc.collect()
        return sorted(os.listdir("/proc/self/fd"))

    return listed
