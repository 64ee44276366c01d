"""Run the pipeline: find the vault, read its configuration, index it, compute progress.

Commands call `open_vault` and only format what comes back; `status`, `lint` and `sync`
are the same commands for Python (re-exported by the package). Errors a user can fix are
raised as `ConfigError` or `VaultError`; `cli` turns them into one line and exit code 2.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from vaultkit import config as config_module
from vaultkit import history as history_module
from vaultkit import schedule
from vaultkit.cache import cache_dir
from vaultkit.config import Config
from vaultkit.discover import find_root
from vaultkit.model import Diagnostic
from vaultkit.progress import Progress, compute
from vaultkit.schedule import GroupForecast
from vaultkit.vault import Vault, load_vault

if TYPE_CHECKING:
    from vaultkit.syncing import SyncReport

StrPath = str | os.PathLike[str]


class VaultError(Exception):
    """The vault cannot be read: a missing path, or a path outside the vault."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What a command reports on: the whole vault, or the notes under some paths."""

    paths: tuple[PurePosixPath, ...]  # vault-relative files or folders; () is everything

    def __contains__(self, path: object) -> bool:
        if not self.paths:
            return True
        if not isinstance(path, PurePosixPath):
            return False
        return any(path == p or p in path.parents or p == PurePosixPath(".") for p in self.paths)

    def notes(self, vault: Vault) -> list[PurePosixPath] | None:
        """The vault's notes in scope; None when that is every note."""
        return [path for path in vault.notes if path in self] if self.paths else None


def open_vault(
    paths: Iterable[Path], config_path: Path | None = None, *, config: Config | None = None
) -> tuple[Vault, Scope]:
    """The vault that holds the first path (or the current folder), and the reported scope.

    Its configuration is `config` if given, else read from `config_path` or the vault.
    """
    given = [Path(p) for p in paths]
    for path in given:
        if not path.exists():
            raise VaultError(f"{path}: no such file or folder")
    start = given[0] if given else Path.cwd()
    root = find_root(start.resolve())
    vault = load_vault(root, config or config_module.load(root, config_path))
    return vault, Scope(tuple(_relative(root, path) for path in given))


def status(path: StrPath = ".", *, config: Config | StrPath | None = None) -> Progress:
    """Every note's progress in the vault that holds `path` (`vaultkit status` as data).

    `config`: a `Config`, or the configuration file to read instead of the vault's own.
    """
    vault, _ = _open(path, config)
    return compute(vault)


def lint(path: StrPath = ".", *, config: Config | StrPath | None = None) -> list[Diagnostic]:
    """The findings `vaultkit lint PATH` reports, sorted, paths relative to the vault.

    The whole vault is read; a `path` inside it narrows which notes are reported.
    """
    from vaultkit import linting  # as in `cli`: only these calls need the rules

    vault, scope = _open(path, config)
    return linting.run(vault, compute(vault), scope.notes(vault))


def sync(
    path: StrPath = ".", *, config: Config | StrPath | None = None, write: bool = True
) -> SyncReport:
    """Fill the managed blocks of the vault that holds `path` (of the notes under it).

    With `write=False` nothing is written (`vaultkit sync --check`); the report's
    `exit_code` is what the command would exit with.
    """
    from vaultkit import syncing

    vault, scope = _open(path, config)
    return syncing.run(vault, compute(vault), scope.notes(vault), write=write)


def _open(path: StrPath, config: Config | StrPath | None) -> tuple[Vault, Scope]:
    if isinstance(config, Config):
        return open_vault([Path(path)], config=config)
    return open_vault([Path(path)], None if config is None else Path(config))


def _relative(root: Path, path: Path) -> PurePosixPath:
    resolved = path.resolve()
    try:
        return PurePosixPath(resolved.relative_to(root).as_posix())
    except ValueError:
        raise VaultError(f"{path}: not inside the vault at {root}") from None


def forecast(
    path: StrPath = ".",
    *,
    today: date | None = None,
    history: bool = False,
    config: Config | StrPath | None = None,
) -> list[GroupForecast]:
    """`vaultkit status`'s forecast: each group with a due date, then the whole vault.

    `today` defaults to the clock's date. With `history`, done tasks without a ✅ date are
    dated by the git commit that ticked them (raises `VaultError` outside a repository).
    """
    vault, _ = _open(path, config)
    return outlook(vault, compute(vault), today or date.today(), history)


def outlook(vault: Vault, progress: Progress, today: date, history: bool) -> list[GroupForecast]:
    """The forecasts of an open vault; `history` reads (and caches) its git history."""
    weeks = vault.config.pace_weeks
    if not history:
        return schedule.forecasts(progress.notes, today, weeks)
    completions = _completions(vault)
    dates = schedule.with_history(vault.notes, progress.notes, vault.config, completions.dates)
    return schedule.forecasts(progress.notes, today, weeks, dates)


def _completions(vault: Vault) -> history_module.Completions:
    folder = cache_dir()
    file = history_module.cache_file(folder, vault.root) if folder is not None else None
    cached = history_module.load_cached(file) if file is not None else None
    try:
        found = history_module.read_history(vault.root, vault.config.task_status, cached)
    except history_module.HistoryError as error:
        raise VaultError(f"--history: {error}") from None
    if file is not None and found is not cached:
        history_module.save_cached(file, found)
    return found
