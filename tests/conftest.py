"""Fixtures shared by every test: small vaults on disk, and the command line in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

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
