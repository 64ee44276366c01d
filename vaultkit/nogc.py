"""The cyclic garbage collector paused while thousands of objects are made, none garbage."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector off: it would scan every object made so far, again and
    again, while thousands of notes are decoded (three times the decoding itself)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
