"""Helpers for the rule tests: lint a small vault on disk and list what was found."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

import pytest

from vaultkit.config import Config
from vaultkit.linting import run
from vaultkit.progress import compute
from vaultkit.vault import load_vault

Found = tuple[str, int, int, str]


def lint(
    root: Path, config: Config | None = None, paths: Iterable[str] | None = None
) -> list[Found]:
    """(path, line, col, code) of every finding, sorted, through the real pipeline."""
    vault = load_vault(root, config or Config())
    wanted = None if paths is None else [PurePosixPath(p) for p in paths]
    return [(str(d.path), d.line, d.col, d.code) for d in run(vault, compute(vault), wanted)]


@pytest.fixture
def lint_root() -> Callable[..., list[Found]]:
    """lint_root(root, config=None, paths=None): the findings in a vault on disk."""
    return lint


@pytest.fixture
def found(make_vault: Callable[[dict[str, str]], Path]) -> Callable[..., list[Found]]:
    """found(files, code=None, config=None): the findings in a vault made of `files`."""

    def find(
        files: dict[str, str], code: str | None = None, config: Config | None = None
    ) -> list[Found]:
        return [f for f in lint(make_vault(files), config) if code is None or f[3] == code]

    return find
