"""Notes' text as it is on disk now, read once and only when asked (few rules need it).

Lint rules read lines through it (a suppression comment, the marker on a task line), and
VK501 reads the text a note's blocks are compared in. Positions count lines as `lines.py`
does and columns in the text without its byte-order mark.
"""

from __future__ import annotations

import codecs
from pathlib import PurePosixPath

from vaultkit.lines import lines_of
from vaultkit.vault import Vault


def decode(data: bytes) -> str:
    """A note's text as positions count it: strict UTF-8, a byte-order mark left out."""
    return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")


class Source:
    """The text of a vault's notes (and canvases), read from disk on first use and kept for
    one run."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._texts: dict[PurePosixPath, tuple[str | None, bool]] = {}
        self._lines: dict[PurePosixPath, tuple[str, ...]] = {}

    def text(self, path: PurePosixPath) -> str | None:
        """The note's text (byte-order mark left out); None when it is not UTF-8 or gone."""
        return self._read(path)[0]

    def parsed_text(self, path: PurePosixPath) -> str | None:
        """The note's text when the file still holds the bytes it was parsed from."""
        text, unchanged = self._read(path)
        return text if unchanged else None

    def line(self, path: PurePosixPath, number: int) -> str:
        """One 1-based line without its line break; "" past the end."""
        if path not in self._lines:
            self._lines[path] = tuple(lines_of(self.text(path) or ""))
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def _read(self, path: PurePosixPath) -> tuple[str | None, bool]:
        if path not in self._texts:
            try:
                data = self.vault.read_bytes(path)
                note = self.vault.notes.get(path)  # None for a canvas (VK106)
                self._texts[path] = (decode(data), note is not None and note.parsed_from(data))
            except (OSError, UnicodeDecodeError):
                self._texts[path] = (None, False)
        return self._texts[path]
