"""A lint run's result: recalled when an earlier run linted the same notes of the vault as
it is now (`results.py`), else computed by running the rules (`linting.py`, loaded only
then) and kept for a later run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING

import msgspec

from vaultkit import clock
from vaultkit.model import Diagnostic, Edit
from vaultkit.nogc import no_gc
from vaultkit.results import paths_digest, recall, remember, together

if TYPE_CHECKING:
    from vaultkit.progress import Progress
    from vaultkit.vault import Vault


class LintResult(msgspec.Struct, frozen=True):
    diagnostics: tuple[Diagnostic, ...]  # sorted, silenced ones left out
    notes: int  # how many notes were checked
    fixes: Mapping[Diagnostic, Edit]  # the fix `--fix` would apply, for findings that have one
    silenced: tuple[Diagnostic, ...] = ()  # found, but silenced by the user


def check(
    vault: Vault, progress: Progress | None, paths: Iterable[PurePosixPath] | None = None
) -> LintResult:
    """Lint the notes at `paths` (note paths; None for every note) against the whole vault,
    with its `progress` (None: computed when needed).

    Recalled when an earlier run linted the same notes of the vault as it is now (and on
    the same day: VK601 reads the clock).
    """
    wanted = None if paths is None else sorted(set(paths), key=lambda path: path.parts)
    what = f"lint {clock.today()} {paths_digest(wanted)}"
    kept = recall(vault, what, Kept)
    if kept is not None:
        return LintResult(kept.diagnostics, kept.notes, MappingProxyType(dict(kept.fixes)))
    # The rules loaded, the progress tracked, the findings kept: thousands of objects made
    # (hundreds of classes and functions among them), none of them garbage.
    with together(vault), no_gc():
        from vaultkit import linting  # the rules, loaded only when they run

        result = linting._check(vault, progress, wanted, what)
        fixes = tuple(result.fixes.items())
        remember(vault, what, Kept(result.diagnostics, result.notes, fixes, result.silenced))
    return result


class Kept(msgspec.Struct, frozen=True):
    """A `LintResult` as data."""

    diagnostics: tuple[Diagnostic, ...]
    notes: int
    fixes: tuple[tuple[Diagnostic, Edit], ...]
    silenced: tuple[Diagnostic, ...]
