"""Many notes parsed at once, by worker processes forked from this one.

A forked worker starts with everything this process has: the parsers already imported and
the paths to parse, so nothing is sent to it. The paths are cut into chunks, smaller towards
the end (notes differ in cost, and costly ones sit together in their folders: with equal
chunks one worker still parsed its last while the others waited); each worker takes the
next chunk from one pipe whenever it is done with one, and sends its notes back on a pipe of
its own, encoded as the cache keeps them (`packing.encode`: cheaper than pickling the
notes, on both sides). The chunks come back in order. A chunk that no
worker sent (a worker killed, or failing) is parsed here: the notes are always all there.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import select
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import NoReturn

from vaultkit import reaping
from vaultkit.cache import Stat
from vaultkit.model import Note
from vaultkit.nogc import no_gc

# What a worker sends of a chunk: of each note, the note encoded, the note itself when it
# cannot be encoded, or None when its file cannot be read (it is then not a note); and the
# file's stat as it was read (`cache.whole_stat`; None for a file not read).
Sent = tuple[list[bytes | Note | None], list[Stat | None]]

CHUNKS_PER_WORKER = 4  # a chunk is the rest's share of a worker divided by this
MIN_CHUNK = 32  # notes: smaller chunks cost more in messages than they save at the end
# ... and at most this many, so what a worker sends of one fits its pipe (`PIPE_SIZE`): it
# goes on with the next chunk while this process is busy with an earlier one.
MAX_CHUNK = 256
# Each chunk is a 4-byte index in a pipe, all written before any worker reads: a pipe
# holds one page (4 KiB) at least.
MAX_CHUNKS = 1024
_INDEX = 4  # bytes of a chunk's index in the pipe of work
_LENGTH = 8  # bytes of the length before each chunk sent back
PIPE_SIZE = 1 << 20  # bytes a worker's pipe holds (Linux's default upper limit)


@contextlib.contextmanager
def parsing(
    root: Path, paths: Sequence[PurePosixPath], max_size: int, workers: int
) -> Iterator[tuple[list[Sequence[PurePosixPath]], Iterator[Sent]]]:
    """`workers` forked processes parsing the notes at `paths`, started at once: the chunks
    the paths are cut into, and what is sent of each one's notes (`parse_chunk`), chunk by
    chunk in order. Leaving the block stops the workers."""
    chunks = _chunks(paths, workers)
    work, handed = os.pipe()
    os.write(handed, b"".join(i.to_bytes(_INDEX, "little") for i in range(len(chunks))))
    os.close(handed)  # a worker sees the end of the work once every index is taken
    pids: list[int] = []
    received = _Received()
    try:
        for _ in range(workers):
            try:
                pids.append(_fork(root, chunks, max_size, work, received))
            except OSError:  # no process or pipe to spare: parsed by fewer, or here
                break
        yield chunks, _in_order(received, root, chunks, max_size)
    finally:
        os.close(work)
        received.close()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # done already, or what it does is of no use now
            reaping.later(pid)


def _fork(
    root: Path, chunks: list[Sequence[PurePosixPath]], max_size: int, work: int, received: _Received
) -> int:
    """A worker, started: it sends what it parses on a pipe of its own, read by `received`."""
    stream, sending = os.pipe()
    _widen(stream)
    try:
        pid = os.fork()
    except OSError:
        os.close(stream)
        os.close(sending)
        raise
    if pid == 0:  # pragma: no cover - the child: coverage does not follow it
        received.close()  # the other workers' pipes, as this process had them
        os.close(stream)
        _work(root, chunks, max_size, work, sending)
    os.close(sending)
    received.add(stream)
    return pid


def _widen(stream: int) -> None:
    """Let a worker's pipe hold a whole chunk's notes where the system allows (Linux):
    a worker then goes on with its next chunk at once, instead of waiting while this
    process decodes and keeps an earlier one before reading more."""
    with contextlib.suppress(AttributeError, OSError):  # no such call, or not allowed
        fcntl.fcntl(stream, fcntl.F_SETPIPE_SZ, PIPE_SIZE)


def _in_order(
    received: _Received, root: Path, chunks: list[Sequence[PurePosixPath]], max_size: int
) -> Iterator[Sent]:
    """Each chunk as a worker sent it, in order; parsed here when no worker will."""
    for index, chunk in enumerate(chunks):
        sent = received.get(index)
        yield parse_chunk(root, chunk, max_size) if sent is None else sent


def _chunks(paths: Sequence[PurePosixPath], workers: int) -> list[Sequence[PurePosixPath]]:
    """`paths` cut into chunks that get smaller as fewer notes are left (guided scheduling)."""
    least = max(MIN_CHUNK, -(-len(paths) // MAX_CHUNKS))
    chunks = []
    start = 0
    while start < len(paths):
        size = max(least, min(MAX_CHUNK, (len(paths) - start) // (workers * CHUNKS_PER_WORKER)))
        chunks.append(paths[start : start + size])
        start += size
    return chunks


class _Received:
    """The chunks the workers send, read from their pipes as they are wanted."""

    def __init__(self) -> None:
        self._open: dict[int, bytearray] = {}  # each worker's pipe, and what came of it
        self._done: dict[int, Sent] = {}  # by index

    def add(self, stream: int) -> None:
        self._open[stream] = bytearray()

    def get(self, index: int) -> Sent | None:
        """The chunk `index` as a worker sent it; None when no worker will send it."""
        while index not in self._done and self._open:
            waiting = select.poll()  # not `select.select`: no descriptor above 1023
            for stream in self._open:
                waiting.register(stream, select.POLLIN)
            for stream, _ in waiting.poll():
                self._read(stream)
        return self._done.pop(index, None)

    def close(self) -> None:
        for stream in self._open:
            os.close(stream)
        self._open.clear()

    def _read(self, stream: int) -> None:
        data = os.read(stream, 1 << 20)
        if not data:  # the worker is done, or gone
            del self._open[stream]
            os.close(stream)
            return
        buffer = self._open[stream]
        buffer += data
        while len(buffer) >= _LENGTH:
            end = _LENGTH + int.from_bytes(buffer[:_LENGTH], "little")
            if len(buffer) < end:
                break
            index, sent = pickle.loads(buffer[_LENGTH:end])
            del buffer[:end]
            self._done[index] = sent


def _work(
    root: Path, chunks: list[Sequence[PurePosixPath]], max_size: int, work: int, sending: int
) -> NoReturn:  # pragma: no cover - forked
    """In a worker: parse the chunks whose indexes it takes from `work`, send each, and
    leave at once (no cleanup of the parent's: its open files, buffers and exit handlers
    are the parent's own)."""
    status = 1
    try:
        # Each index was written whole before any worker started: a read of its size
        # returns all of it, or nothing once every one is taken.
        while taken := os.read(work, _INDEX):
            index = int.from_bytes(taken, "little")
            blob = pickle.dumps((index, parse_chunk(root, chunks[index], max_size)), protocol=5)
            _write_all(sending, len(blob).to_bytes(_LENGTH, "little"))
            _write_all(sending, blob)
        status = 0
    except BaseException:  # whatever went wrong, the parent parses what was not sent
        pass
    finally:
        os._exit(status)


def _write_all(stream: int, data: bytes) -> None:  # pragma: no cover - in a worker
    view = memoryview(data)
    while view:
        view = view[os.write(stream, view) :]


def parse_chunk(root: Path, paths: Sequence[PurePosixPath], max_size: int) -> Sent:
    """Each note encoded for the cache, or as itself when it cannot be; None for one whose
    file cannot be read; and each file's stat as it was read."""
    from vaultkit.packing import encode
    from vaultkit.vault import read_and_parse

    sent: list[bytes | Note | None] = []
    stats: list[Stat | None] = []
    folder = os.fspath(root)
    with no_gc():  # a parse leaves no cycles behind: each note is freed without it
        for path in paths:
            read = read_and_parse(folder, path, max_size)
            if read is None:
                sent.append(None)
                stats.append(None)
                continue
            note, stat = read
            blob = encode(note)
            sent.append(note if blob is None else blob)
            stats.append(stat)
    return sent, stats
