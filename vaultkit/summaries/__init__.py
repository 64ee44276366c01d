"""Render managed blocks: Vault + Progress -> Markdown and Mermaid (pure).

One module per block kind, each with a `format_*` function over plain values and a
`render(ctx)` that gathers those values from the vault, loaded when a block of its kind is
first rendered (a sync after an edit renders a few `progress` blocks). The output depends
only on the vault's content: no clock, no machine, every list sorted, so the same vault
gives the same bytes and a second `sync` changes nothing.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING

from msgspec.structs import replace

from vaultkit.blocks import Block, refuse_conflicts, splice_lines
from vaultkit.lines import split_lines
from vaultkit.model import Record, Span
from vaultkit.progress import Progress
from vaultkit.summaries.scope import Context, context
from vaultkit.vault import Vault

if TYPE_CHECKING:
    from vaultkit.listings import Listings

RENDERERS: Mapping[str, str] = MappingProxyType(  # each kind's module in this package
    {
        "progress": "noteprogress",
        "rollup": "rollup",
        "next": "nextup",
        "graph": "graph",
        "timeline": "timeline",
        "burnup": "burnup",
        "outline": "outline",
    }
)


@functools.cache
def renderer(kind: str) -> Callable[[Context], str]:
    """The `render` of the blocks of `kind` (a key of `RENDERERS`)."""
    module = importlib.import_module(f"{__name__}.{RENDERERS[kind]}")
    found: Callable[[Context], str] = module.render
    return found


def render(
    block: Block,
    note: PurePosixPath,
    vault: Vault,
    progress: Progress,
    blocks: Sequence[Block],
    listings: Listings | None = None,
) -> str:
    """The text between the block's markers: LF line breaks, ending with one.

    `blocks` are the note's own blocks: the links inside them are vaultkit's, not the
    user's, so they are not part of a default scope. `listings`: what `next` blocks scoped
    by folder, tag or group list, when the caller keeps it (else found from `progress`).
    """
    return renderer(block.kind)(context(block, note, vault, progress, blocks, listings))


class Filled(Record, frozen=True):
    """A note's text with every block as a sync would write it."""

    text: str
    stale: tuple[Block, ...]  # the blocks whose text changed, in file order
    blocks: tuple[Block, ...]  # every block, where it is in `text` (as `find_blocks` finds it)


def fill(
    text: str,
    note: PurePosixPath,
    blocks: Sequence[Block],
    vault: Vault,
    progress: Progress,
    listings: Listings | None = None,
) -> Filled:
    """Render each of the note's `blocks` (`render`) and splice it into `text` (the note's
    text), as `splice` would one by one, on the text's lines split once: a block whose
    lines are already what it renders leaves them as they are."""
    if blocks:
        refuse_conflicts(text)
    lines = split_lines(text)
    stale = []
    bodies = []  # each block's new body, from the last block up
    for block in reversed(blocks):  # from the end: earlier lines do not move
        body = render(block, note, vault, progress, blocks, listings)
        if splice_lines(lines, block, body):
            stale.append(block)
        bodies.append(body)
    if not stale:  # the text as it was: every block where it was
        return Filled(text, (), tuple(blocks))
    sizes = [len(split_lines(body)) for body in reversed(bodies)]
    return Filled("".join(lines), tuple(reversed(stale)), _placed(blocks, sizes))


def _placed(blocks: Sequence[Block], sizes: Iterable[int]) -> tuple[Block, ...]:
    """The blocks moved to where they are once each one's body is `sizes` lines long."""
    placed = []
    shift = 0  # how many lines the text above the block grew by
    for block, size in zip(blocks, sizes, strict=True):
        begin = _down(block.begin, shift)
        shift += size - (block.end.line - block.begin.line - 1)
        placed.append(replace(block, begin=begin, end=_down(block.end, shift)))
    return tuple(placed)


def _down(span: Span, lines: int) -> Span:
    return Span(span.line + lines, span.col, span.end_line + lines, span.end_col)
