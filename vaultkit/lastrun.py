"""What the last run that trusted every stat saw, and which notes moved since.

A run that could trust the stat of every note and canvas (`cache.file_stat`) keeps, beside
its mark (`cache.py`), its *base*: every note's name, stat and the sha256 of its bytes,
the size cap, a digest of the rest of what its mark covers (attachments, exclusions, what
was unread, the canvases' stats), and the digest of the names part of its state
(`results.Seen.names`). A later run whose mark differs compares its notes' names and stats
with the base's: a note whose stat is the base's has the base's bytes (as a row of the
cache would say), so only the notes that moved (edited, touched, renamed, added, or saved
too recently to be trusted) are read and hashed, and only those whose bytes changed are
parsed (`vault.py`).

The base is kept until a run trusts every stat again, or the cache's rows are written by a
run that compared every row (the size cap may have changed what a row holds). A base that
is not what `pack` makes is no base.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence

from vaultkit.cache import Stat

DIGEST_BYTES = 32  # a sha256


class Base:
    """The notes of the last run that trusted every stat, in its path order."""

    __slots__ = ("cap", "digests", "names", "rest", "seen", "stats")

    def __init__(
        self,
        cap: int,
        rest: str,
        seen: str,
        names: Sequence[str],
        stats: Sequence[Stat],
        digests: Sequence[str],
    ) -> None:
        self.cap = cap  # the size cap above which a note was only skimmed
        self.rest = rest  # the digest of the rest of its mark (`vault._rest`)
        self.seen = seen  # `Seen.names` of its state
        self.names = names  # the notes' paths as text
        self.stats = stats  # each one's stat
        self.digests = digests  # the sha256 of each one's bytes, in hex

    def moved(
        self, names: Sequence[str], stats: Sequence[Stat | None], limit: int
    ) -> tuple[list[int], list[int | None] | None] | None:
        """The indexes of the notes among `names` (with these `stats`, None when not
        trusted) whose stat is not the base's, or that the base does not hold; and where
        each note is in the base (None: not there), or None when `names` are the base's.
        None when more than `limit` (or an eighth of the notes) moved."""
        limit = max(limit, len(names) // 8)
        if names == self.names:
            moved = [
                i
                for i, (now, then) in enumerate(zip(stats, self.stats, strict=True))
                if now != then
            ]
            return (moved, None) if len(moved) <= limit else None
        where = dict(zip(self.names, range(len(self.names)), strict=True))
        found = [where.get(name) for name in names]
        moved = [
            i
            for i, (index, stat) in enumerate(zip(found, stats, strict=True))
            if index is None or stat != self.stats[index]
        ]
        return (moved, found) if len(moved) <= limit else None


def pack(base: Base) -> bytes | None:
    """The base as the cache keeps it; None when a stat does not fit in 64 bits."""
    names = "\0".join(base.names).encode("utf-8", "surrogateescape")
    try:
        times = array("q", [part for stat in base.stats for part in stat[:3]])
        inodes = array("Q", [stat[3] for stat in base.stats])
    except OverflowError:
        return None
    header = f"{sys.byteorder} {base.cap} {base.rest} {base.seen} {len(base.names)} {len(names)}\n"
    digests = bytes.fromhex("".join(base.digests))
    return b"".join((header.encode("ascii"), names, times.tobytes(), inodes.tobytes(), digests))


def unpack(blob: object) -> Base | None:
    """The base `pack` made; None when `blob` is not one."""
    if not isinstance(blob, bytes):
        return None
    line, _, data = blob.partition(b"\n")
    fields = line.decode("ascii", "replace").split(" ")
    if len(fields) != 6 or fields[0] != sys.byteorder or not all(map(str.isdigit, fields[4:])):
        return None
    _, cap, rest, seen, count, size = fields
    if not (_is_digest(rest) and _is_digest(seen)):
        return None
    notes, names_size = int(count), int(size)
    times_end = names_size + 24 * notes
    if len(data) != times_end + (8 + DIGEST_BYTES) * notes or not cap.lstrip("-").isdigit():
        return None
    text = data[:names_size].decode("utf-8", "surrogateescape")
    names = tuple(text.split("\0")) if notes else ()
    times, inodes = array("q"), array("Q")
    times.frombytes(data[names_size:times_end])
    inodes.frombytes(data[times_end : times_end + 8 * notes])
    if len(names) != notes or times.itemsize != 8 or inodes.itemsize != 8:
        return None
    stats = list(zip(times[0::3], times[1::3], times[2::3], inodes, strict=True))
    hexed = data[times_end + 8 * notes :].hex()
    digests = [hexed[i : i + 64] for i in range(0, len(hexed), 64)]
    return Base(int(cap), rest, seen, names, stats, digests)


def _is_digest(text: str) -> bool:
    return len(text) == 64 and all(char in "0123456789abcdef" for char in text)
