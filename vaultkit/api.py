"""Run the pipeline: find the vault, read its configuration, index it, compute progress.

Commands call `open_vault` and only format what comes back; `status`, `lint` and `sync`
are the same commands for Python (re-exported by the package). Errors a user can fix are
raised as `ConfigError` or `VaultError`; `cli` turns them into one line and exit code 2.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING

from vaultkit import config as config_module
from vaultkit import history as history_module
from vaultkit import schedule
from vaultkit.cache import cache_dir
from vaultkit.config import Config
from vaultkit.discover import find_marked_root, find_root
from vaultkit.model import Diagnostic
from vaultkit.progress import Progress, compute
from vaultkit.schedule import GroupForecast
from vaultkit.vault import Vault, load_vault

if TYPE_CHECKING:
    from vaultkit.diagnostics import LintReport
    from vaultkit.syncing import NoteUpdate, SyncPlan, SyncReport
    from vaultkit.writeback import WriteResult

StrPath = str | os.PathLike[str]


class VaultError(Exception):
    """No vault to read: a missing path, a path that is not a note or a folder of notes, or
    no vault at or above the current folder."""


@dataclass(frozen=True, slots=True)
class Selection:
    """What a command reports on: the whole vault, or the notes under some paths."""

    paths: tuple[PurePosixPath, ...]  # vault-relative files or folders; () is everything

    def __contains__(self, path: object) -> bool:
        if not self.paths:
            return True
        if not isinstance(path, PurePosixPath):
            return False
        return any(path == p or p in path.parents or p == PurePosixPath(".") for p in self.paths)

    def notes(self, vault: Vault) -> list[PurePosixPath] | None:
        """The vault's notes in scope; None when that is the whole vault."""
        if not self.paths or PurePosixPath(".") in self.paths:
            return None
        return [path for path in vault.notes if path in self]


def open_vault(
    paths: Iterable[Path], config_path: Path | None = None, *, config: Config | None = None
) -> tuple[Vault, Selection]:
    """The one vault that holds the paths (or the current folder), and the reported scope.

    Raises `VaultError` when the paths are in several vaults; see `open_vaults`.
    """
    opened = open_vaults(paths, config_path, config=config)
    if len(opened) > 1:
        raise VaultError(f"the paths are in {len(opened)} vaults: {_vault_names(opened)}")
    return opened[0]


def open_vaults(
    paths: Iterable[Path],
    config_path: Path | None = None,
    *,
    config: Config | None = None,
    only_vault_notes: bool = False,
) -> list[tuple[Vault, Selection]]:
    """Each vault that holds one of the paths, with the notes under them, in path order.

    No path means the current folder, which must be in a vault (`vault_root`). Each path
    must be a note or a folder with notes; with `only_vault_notes` (the pre-commit hooks,
    which pass every staged Markdown file), a path that is not a note of a marked vault is
    left out instead. A vault's configuration is `config` if given, else read from
    `config_path` or the vault, and checked whole (`read_config`).
    """
    given = [Path(p) for p in paths]
    for path in given:
        if not path.exists():
            raise VaultError(f"{path}: no such file or folder")
    groups = _by_vault(given, only_vault_notes) if given else {vault_root(None): [Path.cwd()]}
    opened = []
    for root in sorted(groups):
        vault = load_vault(root, config or read_config(root, config_path))
        wanted = [path for path in groups[root] if _has_notes(vault, path, only_vault_notes)]
        if wanted or not only_vault_notes:
            opened.append((vault, _scope(root, wanted)))
    return opened


def vault_root(path: Path | None) -> Path:
    """The vault of `path`: the nearest folder at or above it that holds `.obsidian/` or
    `.vaultkit.toml`, failing that the path itself (a file's folder).

    With no path, the vault of the current folder, which must have such a folder above it:
    vaultkit does not take whatever folder it was started in (a home folder) for a vault.
    """
    if path is not None:
        return find_root(path)
    here = Path.cwd()
    root = find_marked_root(here)
    if root is None:
        raise VaultError(
            f"no vault at or above {here}: no folder there holds .obsidian/ or .vaultkit.toml"
            " (give a folder's path to use it as the vault)"
        )
    return root


def read_config(root: Path, config_path: Path | None = None) -> Config:
    """The vault's configuration, with its rule codes and rule options checked.

    Every command reads it through here, so a configuration error stops them all alike,
    not only `lint`. The rules are imported only when the configuration names some.
    """
    config = config_module.load(root, config_path)
    if config.select or config.ignore or config.per_file_ignores or config.rules:
        from vaultkit import linting

        linting.active_rules(config, root)
    return config


def _by_vault(given: Iterable[Path], only_vault_notes: bool) -> dict[Path, list[Path]]:
    groups: dict[Path, list[Path]] = {}
    for path in given:
        root = find_marked_root(path) if only_vault_notes else find_root(path)
        if root is None:
            continue  # in no vault: a README beside the vault, for the hooks
        why = _why_not_a_note(root, path) if path.is_file() else None
        if why is not None:
            if only_vault_notes:
                continue
            raise VaultError(f"{path}: not a note ({why})")
        groups.setdefault(root, []).append(path)
    return groups


def _why_not_a_note(root: Path, path: Path) -> str | None:
    """Why a file cannot be a note, known before the vault is read (see `discover`)."""
    if path.suffix.lower() != ".md":
        return "notes are .md files"
    if any(part.startswith(".") for part in _relative(root, path).parts):
        return "Obsidian hides names that start with '.'"
    return None


def _has_notes(vault: Vault, path: Path, only_vault_notes: bool) -> bool:
    """Whether `path` is a note of the vault, a folder with notes, or the root of a vault
    (a new one may have no notes yet; a folder taken for a vault must have some)."""
    rel = _relative(vault.root, path)
    notes = vault.files.notes
    if rel in notes or any(rel in note.parents for note in notes):
        return True
    if rel == PurePosixPath(".") and find_marked_root(vault.root) == vault.root:
        return True
    if only_vault_notes:
        return False
    if path.is_file():
        raise VaultError(f"{path}: not a note of the vault at {vault.root}")
    raise VaultError(f"{path}: no notes in this folder")


def _scope(root: Path, paths: Iterable[Path]) -> Selection:
    relative = tuple(_relative(root, path) for path in paths)
    return Selection(() if PurePosixPath(".") in relative else relative)


def _vault_names(opened: Iterable[tuple[Vault, Selection]]) -> str:
    return ", ".join(os.path.relpath(vault.root) for vault, _ in opened)


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
    vault, scope = _open(path, config)
    return sync_vault(vault, scope.notes(vault), write=write)


def sync_vault(
    vault: Vault, notes: Iterable[PurePosixPath] | None, *, write: bool = True
) -> SyncReport:
    """`vaultkit sync` on an open vault: the blocks of `notes` (None: every note)."""
    from vaultkit import syncing

    return syncing.run(vault, compute(vault), notes, write=write)


def load(root: Path, config: Config) -> Vault:
    """The vault at `root` read with `config`: what `watch` starts from."""
    return load_vault(root, config)


def plan_sync(
    vault: Vault, progress: Progress, notes: Iterable[PurePosixPath] | None = None
) -> SyncPlan:
    """What `vaultkit sync` would write into `notes` (None: every note), nothing written.

    The progress is given: `watch` keeps its own up to date between edits.
    """
    from vaultkit import syncing

    return syncing.plan(vault, progress, notes)


def write_planned(vault: Vault, update: NoteUpdate) -> WriteResult:
    """Write one update of a plan, as `vaultkit sync` does (compare-and-swap)."""
    from vaultkit import syncing

    return syncing.write_update(vault.root, update)


@dataclass(frozen=True, slots=True)
class Linted:
    """`vaultkit lint` on one vault: what it reports, and the notes `--fix` left alone."""

    report: LintReport  # paths relative to the vault
    refused: Mapping[PurePosixPath, str]  # with `fix`: notes that were not written, and why


def lint_vault(
    vault: Vault,
    scope: Selection,
    *,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    fix: bool = False,
) -> Linted:
    """`vaultkit lint` on an open vault: `select` replaces the configuration's rules when
    given, `ignore` adds to its own; with `fix`, the safe fixes are written first."""
    from vaultkit import linting
    from vaultkit.diagnostics import LintReport

    config = replace(vault.config, select=select or vault.config.select)
    vault = replace(vault, config=replace(config, ignore=config.ignore + ignore))
    notes = scope.notes(vault)
    progress, fixed, caused, refused = compute(vault), 0, 0, {}
    if fix:
        outcome = linting.fix(vault, progress, notes)
        vault, progress, refused = outcome.vault, outcome.progress, dict(outcome.refused)
        fixed, caused = outcome.fixed, outcome.caused
    result = linting.check(vault, progress, notes)
    report = LintReport(
        vault.root, result.diagnostics, result.notes, frozenset(result.fixes), fixed, caused
    )
    return Linted(report, MappingProxyType(refused))


def _open(path: StrPath, config: Config | StrPath | None) -> tuple[Vault, Selection]:
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
