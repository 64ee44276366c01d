"""Managed canvases: what the file of each `[[canvas]]` entry should hold (pure planning).

A canvas shows the dependency graph among the notes in its scope: `folder=` and/or `tag=`
as in blocks, else every note; the notes with progress that are in the graph. Its groups
come from `group-by` (default: the configuration's, `phase`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import msgspec

from vaultkit import canvas
from vaultkit.config import CanvasSpec
from vaultkit.jsoncanvas import CanvasError
from vaultkit.model import path_order
from vaultkit.notefacts import group_of
from vaultkit.progress import Progress, group_sort_key
from vaultkit.summaries.graph import drawn_edges
from vaultkit.summaries.scope import narrowed
from vaultkit.vault import Vault


class CanvasPlan(msgspec.Struct, frozen=True):
    """A canvas file that is out of date: its bytes now (None: no file yet) and after."""

    path: PurePosixPath
    old: bytes | None
    new: bytes


def scope(vault: Vault, progress: Progress, spec: CanvasSpec) -> list[PurePosixPath]:
    """The notes the canvas shows, sorted."""
    found = [path for path in progress.notes if path in progress.graph]
    return sorted(narrowed(vault, found, spec.folder, spec.tag), key=path_order)


def picture_of(
    progress: Progress,
    notes: list[PurePosixPath],
    group: Callable[[PurePosixPath], str | None],
    all_edges: bool = False,
) -> canvas.Picture:
    """The picture of `notes` (in the graph), in the groups `group` gives."""
    return canvas.picture(
        notes,
        drawn_edges(progress.graph, notes, every=all_edges),
        state=lambda path: progress.notes[path].state,
        group=group,
        group_order=lambda name: group_sort_key(progress, name),
    )


def plan(vault: Vault, progress: Progress, spec: CanvasSpec) -> CanvasPlan | None:
    """The canvas's new bytes, or None when the file already shows the graph.

    Raises `OSError` when the file cannot be read, `CanvasError` when it is not a
    canvas vaultkit can merge into.
    """
    path = PurePosixPath(spec.path)
    root = Path(os.path.realpath(vault.root))
    if not Path(os.path.realpath(vault.root / path)).is_relative_to(root):
        raise CanvasError("it leads outside the vault (through a symbolic link)")
    try:
        current: bytes | None = (vault.root / path).read_bytes()
    except FileNotFoundError:
        current = None
    key = spec.group_by or vault.config.group_by
    notes = scope(vault, progress, spec)
    shown = picture_of(progress, notes, lambda note: group_of(vault, note, key), spec.all_edges)
    new = canvas.write_plan(current, shown)
    return None if new is None else CanvasPlan(path, current, new)
