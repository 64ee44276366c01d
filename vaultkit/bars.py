"""Text progress bars and terminal widths, shared by every renderer."""

from __future__ import annotations

FILLED = "▓"
EMPTY = "░"
BAR_WIDTH = 10


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """`▓▓▓▓▓▓░░░░` for 6 of 10. Rounds down, so only a finished note shows a full bar."""
    filled = done * width // total if total > 0 else 0
    return FILLED * filled + EMPTY * (width - filled)


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide (CJK) characters and emoji take two,
    combining and zero-width characters none (a control character counts as none)."""
    if text.isascii() and text.isprintable():
        return len(text)  # one column each (wcwidth, the library, is not even imported)
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(ch), 0) for ch in text)


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal columns."""
    return text + " " * max(0, width - display_width(text))
