"""The text cards of a canvas, read as notes: their links count as Obsidian counts them.

Obsidian parses the Markdown of each text card of a `.canvas` file as it parses a note,
keeps the result in its canvas index, and reports those links with the notes' own: a note
linked from a card lists the canvas among its backlinks, renaming the note rewrites the
link in the card, and a link to no file shows unresolved in the card. Each link resolves
with the canvas as the linking file (`[[Note]]` prefers a `Note.md` beside the canvas).
The graph view and the unresolved-links count read only notes, so they leave card links
out (README, "A Canvas that stays current").

So the link rules (VK101 to VK105) check a card's links as they check a note's. Each card
becomes a `Note` at the canvas's path whose links carry their place in the `.canvas` file
itself: the line of the card's `"text"` value and the column of the link's first character
as written there, escapes counted as written (`\\n` is two columns), so an editor jumps
straight to it. Pure: the canvas's path and text in, notes out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from types import MappingProxyType

from msgspec.structs import replace

from vaultkit.jsoncanvas import CanvasError, Escapes, Written, loads, node_strings
from vaultkit.lines import line_starts, lines_of
from vaultkit.model import EMPTY_MAPPING, Diagnostic, Link, Note, Record, Span

TITLE_WIDTH = 40  # characters of a card's first line that a finding quotes


class Card(Record, frozen=True):
    """A text card as a note (at the canvas's path, its links placed in the canvas file),
    which line of the card's own text each link is on (by the link's place in the file),
    and the card's first line, which is how a user finds it on the canvas."""

    note: Note
    lines: Mapping[tuple[int, int], int]
    title: str

    def described(self, found: Diagnostic) -> Diagnostic:
        """A finding about one of the card's links, saying which card and line it is on."""
        line = self.lines.get((found.line, found.col))
        if line is None:
            return found
        where = f" (in the text card {self.title!r}, line {line})"
        return replace(found, message=found.message + where)


def text_cards(path: PurePosixPath, text: str, max_size: int) -> tuple[Card, ...]:
    """The text cards of the canvas at `path` (its text), in order; none for a file that
    is not a canvas vaultkit can read. When the cards that may hold a link hold more than
    `max_size` bytes of text between them (`max-note-size`: they are read as notes, and
    are not read line by line as a note that large is), one card instead, with no link and
    the VK007 finding that says so."""
    try:
        document = loads(text.encode("utf-8"))
    except CanvasError:
        return ()
    nodes = document.get("nodes", [])
    # Every kind of link is written with a `[`: a card without one needs no parse, and a
    # canvas without such a card no walk to find where its cards are written.
    linking = [_links(node) for node in nodes]
    if not any(linking):
        return ()
    size = sum(_size(node["text"]) for node, wanted in zip(nodes, linking, strict=True) if wanted)
    if size > max_size:
        return (_oversized(path, size, max_size),)
    places = node_strings(text)
    return tuple(
        _card(path, written["text"])
        for wanted, written in zip(linking, places, strict=False)
        if wanted and "text" in written
    )


def _links(node: Mapping[str, object]) -> bool:
    """Whether the node is a text card that may hold a link."""
    text = node.get("text")
    return node.get("type") == "text" and isinstance(text, str) and "[" in text


def _size(text: str) -> int:
    """A card's text in bytes, as `_card` parses it."""
    return len(text.encode("utf-8", "replace"))


def _oversized(path: PurePosixPath, size: int, max_size: int) -> Card:
    """A card that stands for the text cards of a canvas too large to read: no link, and
    VK007's finding at the top of the file."""
    from vaultkit.parse import parse_note

    message = (
        f"the canvas's text cards hold {size:,} bytes, over max-note-size ({max_size:,}):"
        " their links are not checked"
    )
    note = replace(parse_note(path, b""), problems=(Diagnostic(path, 1, 1, "VK007", message),))
    return Card(note, MappingProxyType({}), "")


def _card(path: PurePosixPath, text: Written) -> Card:
    """One card. Its note's properties and fields are dropped: Obsidian reads no dependency
    keys from a card, so none of its links is a prerequisite (which VK101 leaves to VK402)."""
    # A lone surrogate (`\ud800`, valid JSON) becomes one `?`: the columns stay as written.
    from vaultkit.parse import parse_note  # the parsers: imported when a card is read

    note = parse_note(path, text.value.encode("utf-8", "replace"))
    starts = line_starts(text.value)
    escapes = text.escapes()
    links = tuple(_placed(link, text, starts, escapes) for link in note.links)
    lines = {
        (new.span.line, new.span.col): old.span.line
        for new, old in zip(links, note.links, strict=True)
    }
    note = replace(note, links=links, frontmatter=EMPTY_MAPPING, fields=())
    return Card(note, MappingProxyType(lines), _title(text.value))


def _title(text: str) -> str:
    """The first line with something on it, shortened to `TITLE_WIDTH` characters."""
    first = next((line.strip() for line in lines_of(text) if line.strip()), "")
    return first if len(first) <= TITLE_WIDTH else first[: TITLE_WIDTH - 1] + "…"


def _placed(link: Link, text: Written, starts: list[int], escapes: Escapes) -> Link:
    span = link.span
    line, col = text.position(starts[span.line - 1] + span.col - 1, escapes)
    end_line, end_col = text.position(starts[span.end_line - 1] + span.end_col - 1, escapes)
    return replace(link, span=Span(line, col, end_line, end_col))
