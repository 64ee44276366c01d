"""Words that several messages share: counts with their plural, and "did you mean" (pure)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 note`, `3 notes`, `0 notes`; `many` when the plural is not `word` + s."""
    return f"{count} {word}" if count == 1 else f"{count} {many or word + 's'}"


def did_you_mean(word: str, choices: Iterable[str], prefix: str = "") -> str:
    """` (did you mean 'x'?)` for the nearest of `choices` (shown after `prefix`), or ""."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {prefix + close[0]!r}?)" if close else ""
