"""Results of a vault that has not changed since an earlier run, kept between runs.

Every note's progress, the findings of `lint` and the plan of `sync` depend only on the
vault's files and their bytes, the configuration, and vaultkit itself. A run that finds the
vault in the *state* an earlier run saw takes what that run computed instead of computing
it again, without decoding a single note. Each result is kept in the parse cache's file
(`cache.py`, the `results` table), as data that cannot run code (`packing.py`).

What makes a result not apply any more, exactly:

- The state: a sha256 of the files discovery found (every note, attachment, excluded and
  unread path, and why) with the sha256 of every note's and canvas's bytes. A note's is
  known without reading it while its file's stat (size, mtime_ns, ctime_ns, inode) is the
  one the parse cache kept, else its file is read and hashed (`cache.py`). A note edited,
  renamed, added or deleted changes the state, and so does any file name added or removed
  anywhere (it can change where a link resolves); a note touched without a change does not.
- The configuration: its whole value is part of the key each result is kept under.
- vaultkit: a cache file written by another vaultkit (its stamp) starts empty.
- The clock, for what reads it: `lint`'s key holds today's date (VK601 overdue-task).

Only the results of the latest state are kept: keeping one forgets those of any other.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeVar

from vaultkit.cache import NoteCache
from vaultkit.model import Note, VaultFiles
from vaultkit.packing import pack, unpack

if TYPE_CHECKING:
    from vaultkit.vault import Vault

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Memo:
    """What a loaded vault's state lets it recall. It holds for the vault it came with:
    one with other notes or files (`refresh`, `replace`) recalls nothing."""

    root: Path
    state: str
    notes: Mapping[PurePosixPath, Note]
    files: VaultFiles
    kept: Mapping[str, bytes]  # the results kept for this state, by key

    @property
    def paths(self) -> dict[str, PurePosixPath]:
        """The vault's note paths by their text: what a recalled path is made of."""
        return {str(path): path for path in self.files.notes}


def vault_state(files: VaultFiles, digests: Mapping[PurePosixPath, str]) -> str:
    """The state of a vault with these files, each note and canvas with the sha256 of its
    bytes (known from the file's stat when it did not move: `cache.py`)."""
    digest = hashlib.sha256()
    for part in (files.notes, files.attachments, sorted(files.excluded), files.unread):
        digest.update("\0".join(map(str, part)).encode("utf-8", "surrogateescape") + b"\1")
    digest.update(repr(files.problems).encode("utf-8", "surrogateescape"))
    for path, content in digests.items():
        digest.update(f"{path}\0{content}\1".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def recall(vault: Vault, what: str, kind: type[T]) -> T | None:
    """The result `what` kept for this vault as it is now, with its configuration."""
    memo = _memo(vault)
    if memo is None:
        return None
    blob = memo.kept.get(_key(vault, what))
    return None if blob is None else unpack(blob, kind, memo.paths)


def remember(vault: Vault, what: str, value: object) -> None:
    """Keep a result of this vault as it is now, with its configuration, for a later run."""
    memo = _memo(vault)
    blob = None if memo is None else pack(value)
    if memo is None or blob is None:
        return
    cache = NoteCache.open(memo.root)
    if cache is not None:
        with cache:
            cache.remember(memo.state, _key(vault, what), blob)


def paths_digest(paths: Iterable[PurePosixPath] | None) -> str:
    """What a result asked for some notes (None: every note) is kept under."""
    if paths is None:
        return "all"
    text = "\0".join(map(str, paths)).encode("utf-8", "surrogateescape")
    return hashlib.sha256(text).hexdigest()


def _memo(vault: Vault) -> Memo | None:
    memo = vault.memo
    if memo is None or memo.notes is not vault.notes or memo.files is not vault.files:
        return None
    return memo


def _key(vault: Vault, what: str) -> str:
    config = repr(vault.config).encode("utf-8", "surrogateescape")
    return f"{what} {hashlib.sha256(config).hexdigest()}"
