"""Text progress bars and terminal widths, shared by every renderer."""

from __future__ import annotations

FILLED = "▓"
EMPTY = "░"
BAR_WIDTH = 10


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """`▓▓▓▓▓▓░░░░` for 6 of 10. Rounds down, so only a finished note shows a full bar."""
    filled = done * width // total if total > 0 else 0
    return FILLED * filled + EMPTY * (width - filled)


# Characters whose width wcwidth gives as one column, whatever its Unicode version: printable
# ASCII, Latin-1 and Latin Extended-A, and the dashes and quotes of General Punctuation.
NARROW = ((0x20, 0x7E), (0xA0, 0x17F), (0x2010, 0x2027))
# And as two: Hiragana, Katakana, CJK ideographs (and Extension A), Hangul syllables, and
# the fullwidth forms. What titles are mostly written in; a test compares every one.
WIDE = (
    (0x3041, 0x3096),
    (0x30A1, 0x30FA),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3),
    (0xFF01, 0xFF60),
)


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide (CJK) characters and emoji take two,
    combining and zero-width characters none (a control character counts as none)."""
    if text.isascii() and text.isprintable():
        return len(text)  # one column each (wcwidth, the library, is not even imported)
    counted = _counted(text)
    if counted is not None:
        return counted  # nor for text of narrow and wide characters alone: most titles
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(ch), 0) for ch in text)


def _counted(text: str) -> int | None:
    """The width of text made only of `NARROW` and `WIDE` characters; None for any other."""
    width = 0
    for char in text:
        code = ord(char)
        if any(low <= code <= high for low, high in NARROW):
            width += 1
        elif any(low <= code <= high for low, high in WIDE):
            width += 2
        else:
            return None
    return width


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal columns."""
    return text + " " * max(0, width - display_width(text))
