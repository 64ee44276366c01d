"""Text progress bars and terminal widths, shared by every renderer."""

from __future__ import annotations

import unicodedata

FILLED = "▓"
EMPTY = "░"
BAR_WIDTH = 10


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """`▓▓▓▓▓▓░░░░` for 6 of 10. Rounds down, so only a finished note shows a full bar."""
    filled = done * width // total if total > 0 else 0
    return FILLED * filled + EMPTY * (width - filled)


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide (CJK) characters take two."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal columns."""
    return text + " " * max(0, width - display_width(text))
