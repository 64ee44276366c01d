"""Every command on notes that are hard on a parser, and on deep prerequisite chains.

Two tables, each figure the median of several rounds of a whole `vaultkit` command run as
a subprocess with no parse cache (the worst case: every note parsed), with the peak
resident memory of its process (`wait4`):

- One hard note (`_vaultgen.PATHOLOGICAL`: 200,000 tasks, 20 MB of `[[`, of `#t `, of
  `*_`, a 19 MB line of `word [[link]] #tag`) in a 50-note roadmap vault, and the same
  kinds of text just under `max-note-size`, the largest that is parsed rather than read
  line by line. Beside it, the parse floor of that note alone: python-frontmatter and a
  plain markdown-it-py parser, stopped after `--floor-limit` seconds. The last column
  is `vaultkit watch` from launch to its `watching` line (`run.watch_start`).
- 20,000 notes whose prerequisites form chains 2,000 deep, beside the same number of
  notes in chains 2 deep, with the floor of each vault (read, python-frontmatter and
  markdown-it-py on two processes, as in `run.py`) and the ratio deep / shallow.

    python benchmarks/scale.py                          # both tables, 3 rounds
    python benchmarks/scale.py --rounds 1 --only tasks deep
    python benchmarks/scale.py --no-cap                 # without the notes at the cap
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vaultgen import PATHOLOGICAL, generate, generate_chains, pathological_note
from run import Sample, _tokenize, run, watch_start

from vaultkit.config import DEFAULT_MAX_NOTE_SIZE

# 200,000 tasks are 3.6 MB; the others are the sizes that took minutes before.
SIZES = {"tasks": 3_600_000, "one-line": 19_000_000}
DEFAULT_SIZE = 20_000_000
COMMANDS = (
    ("status",),
    ("lint",),
    ("next",),
    ("sync", "--check"),
    ("sync",),
    ("graph",),
)
CHAIN_NOTES, DEEP, SHALLOW = 20_000, 2_000, 2


def vaultkit(root: Path, args: tuple[str, ...], folder: Path) -> Sample:
    """One command with an empty parse cache."""
    env = {
        **os.environ,
        "VAULTKIT_CACHE_DIR": str(folder / f"cache-{time.monotonic_ns()}"),
    }
    env.pop("CI", None)
    return run([sys.executable, "-m", "vaultkit", *args, str(root)], env=env)


FLOOR_NOTE = """
import sys, frontmatter
from markdown_it import MarkdownIt
_, body = frontmatter.parse(open(sys.argv[1], encoding="utf-8").read())
MarkdownIt("commonmark").parse(body)
"""


def note_floor(note: Path, limit: float) -> str:
    """Seconds to parse the note with python-frontmatter and markdown-it-py, or '> limit'."""
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-c", FLOOR_NOTE, str(note)], timeout=limit, check=True)
    except subprocess.TimeoutExpired:
        return f"> {limit:.0f} s"
    return f"{time.perf_counter() - start:.2f} s"


def vault_floor(root: Path) -> float:
    """Read, split front matter and tokenize every note on two processes (`run.floor`)."""
    start = time.perf_counter()
    paths = sorted(root.rglob("*.md"))
    with ProcessPoolExecutor(max_workers=2) as pool:
        sum(pool.map(_tokenize, [paths[0::2], paths[1::2]]))
    return time.perf_counter() - start


def medians(samples: list[Sample]) -> tuple[float, float]:
    peaks = [s.peak_mb for s in samples if s.peak_mb is not None]
    return statistics.median(s.seconds for s in samples), max(peaks, default=0.0)


def rounds_of(root: Path, args: tuple[str, ...], folder: Path, rounds: int) -> tuple[float, float]:
    return medians([vaultkit(root, args, folder) for _ in range(rounds)])


def hard_notes(
    folder: Path, notes: list[tuple[str, int]], rounds: int, limit: float
) -> Iterator[str]:
    """The table's lines, each row as soon as it is measured."""
    commands = [" ".join(c) for c in COMMANDS]
    yield ("| note | parse floor of the note | " + " | ".join(commands) + " | watch start |")
    yield "|---|---:|" + "---:|" * (len(COMMANDS) + 1)
    for kind, size in notes:
        root = folder / f"{kind}-{size}"
        generate(root, 50)
        note = root / "Big.md"
        note.write_bytes(pathological_note(kind, size))
        vaultkit(root, ("sync",), folder)  # the blocks filled, as in a vault in use
        cells = [note_floor(note, limit)]
        for args in COMMANDS:
            seconds, peak = rounds_of(root, args, folder, rounds)
            cells.append(f"{seconds:.2f} s, {peak:.0f} MB")
        seconds, peak = medians([watch_start(root) for _ in range(rounds)])
        cells.append(f"{seconds:.2f} s, {peak:.0f} MB")
        size_mb = note.stat().st_size / 1e6
        yield f"| {kind} ({size_mb:.2f} MB) | " + " | ".join(cells) + " |"


def chains(folder: Path, rounds: int) -> list[str]:
    found: dict[int, list[tuple[float, float]]] = {}
    floors: dict[int, float] = {}
    for depth in (SHALLOW, DEEP):
        root = folder / f"chains-{depth}"
        generate_chains(root, CHAIN_NOTES, depth)
        floors[depth] = statistics.median(vault_floor(root) for _ in range(rounds))
        found[depth] = [rounds_of(root, args, folder, rounds) for args in COMMANDS]
    lines = [
        f"| {CHAIN_NOTES:,} notes | chains {SHALLOW} deep | chains {DEEP:,} deep"
        " | deep / shallow |",
        "|---|---:|---:|---:|",
        f"| parse floor | {floors[SHALLOW]:.2f} s | {floors[DEEP]:.2f} s |"
        f" {floors[DEEP] / floors[SHALLOW]:.2f} |",
    ]
    for args, (t1, m1), (t2, m2) in zip(COMMANDS, found[SHALLOW], found[DEEP], strict=True):
        lines.append(
            f"| {' '.join(args)} | {t1:.2f} s, {m1:.0f} MB | {t2:.2f} s, {m2:.0f} MB |"
            f" {t2 / t1:.2f} time, {m2 / m1:.2f} memory |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--floor-limit", type=float, default=60.0, help="seconds")
    parser.add_argument("--only", nargs="+", metavar="WORD", help="notes by kind, or 'deep'")
    parser.add_argument("--no-cap", action="store_true", help="not the notes at the cap")
    args = parser.parse_args()
    kinds = [k for k in PATHOLOGICAL if not args.only or k in args.only]
    notes = [(kind, SIZES.get(kind, DEFAULT_SIZE)) for kind in kinds]
    if not args.no_cap:
        notes += [(kind, DEFAULT_MAX_NOTE_SIZE) for kind in kinds]
    with tempfile.TemporaryDirectory(prefix="vaultkit-scale-") as name:
        folder = Path(name)
        if notes:
            print(f"One hard note in a 50-note vault, no parse cache, median of {args.rounds}:\n")
            for line in hard_notes(folder, notes, args.rounds, args.floor_limit):
                print(line, flush=True)
            print()
        if not args.only or "deep" in args.only:
            print(f"Prerequisite chains, no parse cache, median of {args.rounds}:\n")
            print("\n".join(chains(folder, args.rounds)))


if __name__ == "__main__":
    main()
