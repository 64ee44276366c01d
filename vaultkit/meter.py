"""A progress line for long runs at a terminal: `vaultkit: parsing notes 1,234/10,000`.

It appears only once a run has taken `DELAY` seconds (a warm run never shows it), is
redrawn at most every `INTERVAL` seconds on one line of stderr, and is erased when the
work is done, before anything else is printed. `cli` turns it on only when both stdout
and stderr are terminals and `CI` is not set: never in a pipe, in output redirected to a
file (JSON included), or in a CI log.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from vaultkit.vault import PROGRESS

DELAY = 1.0  # seconds of work before the line appears
INTERVAL = 0.1  # seconds between redraws


class Meter:
    """Draws `(what, done, total)` reports as one line with `write`, erased at the end."""

    def __init__(
        self, write: Callable[[str], None], clock: Callable[[], float] | None = None
    ) -> None:
        self._write = write
        self._clock = clock or time.monotonic
        self._start = self._clock()
        self._drawn = float("-inf")
        self._width = 0  # of the line on screen; 0 when none is

    def __call__(self, what: str, done: int, total: int) -> None:
        if done >= total:
            self.erase()
            return
        now = self._clock()
        if now - self._start < DELAY or now - self._drawn < INTERVAL:
            return
        line = f"vaultkit: {what} {done:,}/{total:,}"
        self._write("\r" + line.ljust(self._width))
        self._width = len(line)
        self._drawn = now

    def erase(self) -> None:
        if self._width:
            self._write("\r" + " " * self._width + "\r")
            self._width = 0


def wanted(stdout: TextIO, stderr: TextIO) -> bool:
    """Whether a run may show the line: both streams are terminals and not in CI."""
    return stdout.isatty() and stderr.isatty() and not os.environ.get("CI")


@contextlib.contextmanager
def shown_on(stderr: TextIO) -> Iterator[None]:
    """Show progress (notes parsed, lint rules run) on `stderr` while the block runs."""

    def write(text: str) -> None:
        stderr.write(text)
        stderr.flush()

    meter = Meter(write)
    token = PROGRESS.set(meter)
    try:
        yield
    finally:
        PROGRESS.reset(token)
        meter.erase()
