"""Paths on the command line -> the vaults that hold them, loaded, and what each command
reports on in each (a `Selection`).

A path is a note or a folder of notes (for `lint`, a canvas too); no path means the vault
of the current folder. A path that names nothing vaultkit can read raises `VaultError`,
which `cli` turns into one line and exit code 2.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from vaultkit import config as config_module
from vaultkit.config import Config
from vaultkit.discover import find_marked_root, find_root
from vaultkit.vault import Vault, load_vault

# Where `open_vaults` puts each vault it opens when the process ends as soon as the command
# is done (`cli.entry` gives a list, and ends the process with `os._exit`): the vaults then
# live on until it ends, not freed object by object as the command returns, which took a
# cold `lint` of 10,000 notes 30 ms, and frees nothing the process's end does not.
OUTLIVING: ContextVar[list[object] | None] = ContextVar("outliving", default=None)


class VaultError(Exception):
    """No vault to read: a missing path, a path that is not a note or a folder of notes, or
    no vault at or above the current folder."""


@dataclass(frozen=True, slots=True)
class Selection:
    """What a command reports on: the whole vault, or the notes under some paths."""

    paths: tuple[PurePosixPath, ...]  # vault-relative files or folders; () is everything
    _texts: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_texts", frozenset(map(str, self.paths)))

    def __contains__(self, path: object) -> bool:
        if not self.paths:
            return True
        if not isinstance(path, PurePosixPath):
            return False
        if "." in self._texts:
            return True
        text = str(path)
        while True:  # the path, then each folder above it
            if text in self._texts:
                return True
            text, slash, _ = text.rpartition("/")
            if not slash:
                return False

    def notes(self, vault: Vault) -> list[PurePosixPath] | None:
        """The vault's notes in scope; None when that is the whole vault."""
        if not self.paths or PurePosixPath(".") in self.paths:
            return None
        return [path for path in vault.notes if path in self]

    def files(self, vault: Vault) -> list[PurePosixPath] | None:
        """The vault's notes and canvases in scope (what `lint` reads); None when that is
        the whole vault."""
        notes = self.notes(vault)
        return None if notes is None else notes + self.canvases(vault)

    def canvases(self, vault: Vault) -> list[PurePosixPath]:
        """The vault's canvases in scope."""
        return [path for path in _canvases(vault) if path in self]


def _canvases(vault: Vault) -> list[PurePosixPath]:
    return [path for path in vault.files.attachments if path.suffix.lower() == ".canvas"]


def open_vault(
    paths: Iterable[Path], config_path: Path | None = None, *, config: Config | None = None
) -> tuple[Vault, Selection]:
    """The one vault that holds the paths (or the current folder), and the reported scope.

    Raises `VaultError` when the paths are in several vaults; see `open_vaults`.
    """
    opened = open_vaults(paths, config_path, config=config)
    if len(opened) > 1:
        raise VaultError(f"the paths are in {len(opened)} vaults: {vault_names(opened)}")
    return opened[0]


def open_vaults(
    paths: Iterable[Path],
    config_path: Path | None = None,
    *,
    config: Config | None = None,
    only_vault_notes: bool = False,
    canvases: bool = False,
) -> list[tuple[Vault, Selection]]:
    """Each vault that holds one of the paths, with the notes under them, in path order.

    No path means the current folder, which must be in a vault (`vault_root`). Each path
    must be a note or a folder with notes; with `only_vault_notes` (the pre-commit hooks,
    which pass every staged Markdown file), a path that is not a note of a marked vault is
    left out instead. With `canvases` (`lint`), a path may name a canvas, and a folder
    may hold only canvases. A vault's configuration is `config` if given, else read from
    `config_path` or the vault, and checked whole (`read_config`).
    """
    given = [Path(p) for p in paths]
    for path in given:
        if not path.exists():
            raise VaultError(f"{path}: no such file or folder")
    groups = (
        _by_vault(given, only_vault_notes, canvases) if given else {vault_root(None): [Path.cwd()]}
    )
    opened = []
    for root in sorted(groups):
        vault = load_vault(root, config or read_config(root, config_path))
        if (outliving := OUTLIVING.get()) is not None:
            outliving.append(vault)
        files = _Files([*vault.files.notes, *(_canvases(vault) if canvases else ())])
        wanted = [path for path in groups[root] if _has_notes(vault, files, path, only_vault_notes)]
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
        if _special(path):
            raise VaultError(SPECIAL.format(path))
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


def _by_vault(
    given: Iterable[Path], only_vault_notes: bool, canvases: bool
) -> dict[Path, list[Path]]:
    groups: dict[Path, list[Path]] = {}
    for path in given:
        if _special(path):
            if only_vault_notes:
                continue
            raise VaultError(SPECIAL.format(path))
        root = find_marked_root(path) if only_vault_notes else find_root(path)
        if root is None:
            continue  # in no vault: a README beside the vault, for the hooks
        why = _why_not_a_note(root, path, canvases) if path.is_file() else None
        if why is not None:
            if only_vault_notes:
                continue
            raise VaultError(f"{path}: not a note ({why})")
        groups.setdefault(root, []).append(path)
    return groups


SPECIAL = "{}: not a note or a folder (a device, FIFO or socket)"


def _special(path: Path) -> bool:
    """Whether the path names something that is neither a folder nor a regular file: read
    as a note it could block forever (a FIFO), taken for a vault it cannot be walked."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # missing, or a broken link: reported as such elsewhere
    return not stat.S_ISDIR(mode) and not stat.S_ISREG(mode)


def _why_not_a_note(root: Path, path: Path, canvases: bool) -> str | None:
    """Why a file cannot be a note (or, with `canvases`, a canvas), known before the vault
    is read (see `discover`)."""
    if path.suffix.lower() != ".md" and not (canvases and path.suffix.lower() == ".canvas"):
        return "notes are .md files"
    if any(part.startswith(".") for part in _relative(root, path).parts):
        return "Obsidian hides names that start with '.'"
    return None


class _Files:
    """The files of a vault a path given on the command line may name or hold."""

    def __init__(self, listed: list[PurePosixPath]) -> None:
        self.listed = listed  # the notes, and with `canvases` the canvases too

    @functools.cached_property
    def known(self) -> frozenset[PurePosixPath]:
        return frozenset(self.listed)

    def under(self, rel: PurePosixPath) -> list[PurePosixPath]:
        """The file `rel`, or the files in the folder `rel` and below it."""
        if rel == PurePosixPath("."):
            return self.listed
        if rel in self.known:
            return [rel]
        folder = f"{rel}/"
        return [path for path in self.listed if str(path).startswith(folder)]


def _has_notes(vault: Vault, files: _Files, path: Path, only_vault_notes: bool) -> bool:
    """Whether `path` is a note of the vault, a folder with notes, or the root of a vault
    (a new one may have no notes yet; a folder taken for a vault must have some); a canvas
    or a folder with canvases too when `files` holds them. A path given whose notes are all
    excluded is an error (the hooks' paths are left to `lint`, which skips them)."""
    rel = _relative(vault.root, path)
    under = files.under(rel)
    if under and (only_vault_notes or rel == PurePosixPath(".")):
        return True
    if any(note not in vault.files.excluded for note in under):
        return True
    if under:
        why = "`exclude`, or Obsidian's excluded files"
        raise VaultError(f"{path}: excluded from lint and progress ({why})")
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


def vault_names(opened: Iterable[tuple[Vault, Selection]]) -> str:
    return ", ".join(os.path.relpath(vault.root) for vault, _ in opened)


def _relative(root: Path, path: Path) -> PurePosixPath:
    resolved = path.resolve()
    try:
        return PurePosixPath(resolved.relative_to(root).as_posix())
    except ValueError:
        raise VaultError(f"{path}: not inside the vault at {root}") from None
