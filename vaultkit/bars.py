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
NARROW = "\x20-\x7e\xa0-\u017f\u2010-\u2027"
# And as two: Hiragana, Katakana, CJK ideographs (and Extension A), Hangul syllables, and
# the fullwidth forms. What titles are mostly written in; a test compares every one.
WIDE = "\u3041-\u3096\u30a1-\u30fa\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff60"


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
    import re  # compiled on the first text that is not plain ASCII

    if re.fullmatch(f"[{NARROW}{WIDE}]*", text) is None:
        return None
    return len(text) + len(re.findall(f"[{WIDE}]", text))


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal columns."""
    return text + " " * max(0, width - display_width(text))
