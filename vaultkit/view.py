"""What `status`, `next` and `graph` show: one value, built by `api`, read by the formatters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:  # a view is read by the formatters, which need none of these modules
    from vaultkit.model import NoteProgress
    from vaultkit.progress import Progress
    from vaultkit.schedule import GroupForecast
    from vaultkit.summaries.outline import Outline


class View(msgspec.Struct, frozen=True):
    """The vault root, its progress, and the notes in scope; what else a command asked for."""

    root: Path
    progress: Progress
    notes: tuple[NoteProgress, ...]  # in scope, sorted by path
    colour: bool = False
    limit: int | None = None
    label: Callable[[PurePosixPath], str] = PurePosixPath.__str__  # a node's Mermaid label
    today: date | None = None  # with the forecasts: the day they are made on
    pace_weeks: int = 8  # the window the forecasts measured pace over
    forecasts: tuple[GroupForecast, ...] = ()
    all_edges: bool = False  # pictures (Mermaid, DOT) draw every edge, not the reduction
    # `graph --group-by`: the group each note is drawn in (None: Mermaid and DOT draw no
    # groups, and a canvas those of the configured group-by)
    group: Callable[[PurePosixPath], str | None] | None = None
    outline: Outline | None = None  # the sections of the one note asked about
    first: tuple[NoteProgress, ...] | None = None  # `next`: the notes to work on, listed
