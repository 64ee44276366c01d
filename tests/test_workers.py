"""Notes parsed by forked worker processes: the same notes as parsed here, in order, however
the workers fare."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from vaultkit import parse, reaping, workers
from vaultkit.cache import whole_stat
from vaultkit.packing import decode

P = PurePosixPath
MAX_SIZE = 1 << 20


def notes_of(sent: list[workers.Sent]) -> list[object]:
    return [
        decode(item) if isinstance(item, bytes) else item for chunk, _ in sent for item in chunk
    ]


def stats_of(sent: list[workers.Sent]) -> list[object]:
    return [stat for _, stats in sent for stat in stats]


@pytest.fixture
def vault(tmp_path: Path) -> tuple[Path, list[PurePosixPath]]:
    paths = [P(f"Skills/S{i:03}.md") for i in range(150)]
    (tmp_path / "Skills").mkdir()
    for i, path in enumerate(paths):
        (tmp_path / path).write_text(f"# S{i}\n\n- [ ] a #t{i} [[S{i + 1:03}]]\n", encoding="utf-8")
    return tmp_path, paths


def parsed_here(root: Path, paths: list[PurePosixPath]) -> list[object]:
    return [parse.parse_note(path, (root / path).read_bytes(), MAX_SIZE) for path in paths]


def test_the_workers_send_every_note_in_order(vault):
    root, paths = vault
    with workers.parsing(root, paths, MAX_SIZE, 2) as (chunks, sent):
        notes = notes_of(list(sent))

    assert [path for chunk in chunks for path in chunk] == paths
    assert notes == parsed_here(root, paths)


def test_workers_are_read_from_in_a_process_with_more_than_1024_files_open(vault):
    # `select.select` takes no file descriptor above 1023: a program that holds many files
    # open (an editor's plugin host, a test run) and loads a vault through the library
    # stopped with "filedescriptor out of range in select()".
    root, paths = vault
    held = []
    try:
        while not held or held[-1] < 1100:
            held.append(os.open(os.devnull, os.O_RDONLY))
        with workers.parsing(root, paths, MAX_SIZE, 2) as (_, sent):
            notes = notes_of(list(sent))
    finally:
        for fd in held:
            os.close(fd)

    assert notes == parsed_here(root, paths)


def test_a_file_that_cannot_be_read_is_sent_as_none(vault):
    root, paths = vault
    (root / paths[3]).unlink()
    with workers.parsing(root, paths, MAX_SIZE, 2) as (_, sending):
        sent = list(sending)
    notes, stats = notes_of(sent), stats_of(sent)

    assert notes[3] is None
    assert notes[:3] + notes[4:] == parsed_here(root, paths[:3] + paths[4:])
    assert stats[3] is None


def test_each_note_is_sent_with_its_files_stat_as_it_was_read(vault):
    root, paths = vault
    with workers.parsing(root, paths, MAX_SIZE, 2) as (_, sent):
        stats = stats_of(list(sent))

    assert stats == [whole_stat(os.stat(root / path)) for path in paths]


def test_what_no_worker_sent_is_parsed_here(vault, monkeypatch):
    root, paths = vault

    def dies_after_taking_one_chunk(root, chunks, max_size, work, sending):  # in the worker
        os.read(work, workers._INDEX)
        os._exit(1)

    monkeypatch.setattr(workers, "_work", dies_after_taking_one_chunk)
    with workers.parsing(root, paths, MAX_SIZE, 2) as (_, sent):
        notes = notes_of(list(sent))

    assert notes == parsed_here(root, paths)


@pytest.mark.parametrize("forks", [0, 1], ids=["none", "one of two"])
def test_with_no_process_to_spare_the_notes_are_parsed_by_fewer_workers_or_here(
    vault, monkeypatch, forks, descriptors
):
    root, paths = vault
    real, made = os.fork, []

    def forking() -> int:
        if len(made) == forks:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        pid = real()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", forking)
    opened = descriptors()
    with workers.parsing(root, paths, MAX_SIZE, 2) as (_, sent):
        notes = notes_of(list(sent))

    assert notes == parsed_here(root, paths)
    assert len(made) == forks
    assert descriptors() == opened  # every pipe closed


def test_leaving_early_stops_every_worker_and_leaves_it_to_be_reaped(vault, forked):
    root, paths = vault
    reaping.reap(wait=True)  # the children of the runs of earlier tests
    with workers.parsing(root, paths, MAX_SIZE, 2) as (_, sent):
        next(sent)

    assert len(forked) == 2
    assert set(reaping.ending()) <= set(forked)  # those not reaped yet: ending, killed
    reaping.reap(wait=True)
    for pid in forked:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped already


@pytest.mark.parametrize("count", [1, 31, 150, 10_000, 1_000_000])
def test_chunks_cover_the_paths_in_order_and_shrink_towards_the_end(count):
    paths = [P(f"n{i}.md") for i in range(count)]

    chunks = workers._chunks(paths, 2)

    assert [path for chunk in chunks for path in chunk] == paths
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True)
    assert len(chunks) <= workers.MAX_CHUNKS
    assert max(sizes) <= max(workers.MAX_CHUNK, -(-count // workers.MAX_CHUNKS))
    assert min(sizes[:-1], default=workers.MIN_CHUNK) >= workers.MIN_CHUNK
