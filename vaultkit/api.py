"""Run the pipeline: find the vault, read its configuration, index it, compute progress.

Commands call these and only format what comes back. Errors a user can fix are raised as
`ConfigError` or `VaultError`; `cli` turns them into one line and exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from vaultkit import config as config_module
from vaultkit.discover import find_root
from vaultkit.progress import Progress, compute
from vaultkit.vault import Vault, load_vault


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


def open_vault(paths: Iterable[Path], config_path: Path | None = None) -> tuple[Vault, Scope]:
    """The vault that holds the first path (or the current folder), and the reported scope."""
    given = [Path(p) for p in paths]
    for path in given:
        if not path.exists():
            raise VaultError(f"{path}: no such file or folder")
    start = given[0] if given else Path.cwd()
    root = find_root(start.resolve())
    config = config_module.load(root, config_path)
    vault = load_vault(root, config)
    return vault, Scope(tuple(_relative(root, path) for path in given))


def status(vault: Vault) -> Progress:
    return compute(vault)


def _relative(root: Path, path: Path) -> PurePosixPath:
    resolved = path.resolve()
    try:
        return PurePosixPath(resolved.relative_to(root).as_posix())
    except ValueError:
        raise VaultError(f"{path}: not inside the vault at {root}") from None
