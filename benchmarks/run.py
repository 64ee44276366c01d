"""vaultkit's commands on generated vaults, as one table of ratios to the parse floor.

The floor is the least a tool reading a vault as vaultkit does must spend: read every
note, split its front matter with python-frontmatter and tokenize the body with a plain
markdown-it-py parser, on two processes (the machines these numbers are for have two
cores). Each row is a whole `vaultkit` command run as a subprocess (interpreter start and
imports included) on a vault from `_vaultgen.py`, synced first as a vault in use is:

- cold: the parse cache empty (a first run, or after vaultkit was upgraded);
- warm: the cache filled by an earlier run, nothing changed since;
- one note edited: a task ticked or unticked in one note just before the run.

Rounds alternate between rows; each figure is the median of the rounds, beside the
floor's median of the same rounds. Peak memory is the largest resident size of the
command's process (`wait4`), the worker processes a cold run starts each below it. Where
markdownlint-cli2 or obsidiantools are installed, they are timed on the same vault.

    python benchmarks/run.py                       # 10,000 notes, 3 rounds
    python benchmarks/run.py --notes 2000 --rounds 5 --only lint

To add a row: write a function `(Bench) -> Sample` that times one run and add a `Row`
to `ROWS` (or to `rows()` when it depends on what is installed). A row that needs its own
vault gets one from `Bench.vault(name, make)`, made once per benchmark run.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vaultgen import Layout, generate

OPEN_BOX = re.compile(rb"^- \[ \] ", re.M)
DONE_BOX = re.compile(rb"^- \[x\] ", re.M)


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mb: float | None = None  # None: not measured (the floor runs in this process)


@dataclass
class Bench:
    """One benchmark run: a synced roadmap vault, its parse cache, and vaults made on demand."""

    folder: Path
    layout: Layout
    cache: Path  # VAULTKIT_CACHE_DIR of the warm runs
    vaults: dict[str, Path] = field(default_factory=dict)
    rounds_done: int = 0

    @property
    def root(self) -> Path:
        return self.layout.root

    def vault(self, name: str, make: Callable[[Path], object]) -> Path:
        """The vault `name`, made by `make(root)` the first time it is asked for."""
        if name not in self.vaults:
            root = self.folder / "vaults" / name
            make(root)
            self.vaults[name] = root
        return self.vaults[name]

    def vaultkit(self, *args: str | Path, cache: Path | None = None) -> Sample:
        """`vaultkit ARGS` with this parse cache (default: the warm one): time and memory."""
        env = {**os.environ, "VAULTKIT_CACHE_DIR": str(cache or self.cache)}
        env.pop("CI", None)
        return run([sys.executable, "-m", "vaultkit", *map(str, args)], env=env)


def run(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Sample:
    """Run a command to its end, its output discarded; wall time and peak memory."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)}: exit {process.returncode}")
    return Sample(seconds, usage.ru_maxrss / 1024)  # KiB on Linux


# --- the floor -------------------------------------------------------------------------------


def _tokenize(paths: list[Path]) -> int:
    md = MarkdownIt("commonmark")
    tokens = 0
    for path in paths:
        _, body = frontmatter.parse(path.read_text(encoding="utf-8"))
        tokens += len(md.parse(body))
    return tokens


def floor(bench: Bench) -> Sample:
    """Read, split front matter and tokenize every note, on two processes."""
    start = time.perf_counter()
    paths = sorted(bench.root.rglob("*.md"))
    with ProcessPoolExecutor(max_workers=2) as pool:
        sum(pool.map(_tokenize, [paths[0::2], paths[1::2]]))
    return Sample(time.perf_counter() - start)


# --- the rows --------------------------------------------------------------------------------


def cold(*args: str) -> Callable[[Bench], Sample]:
    def measure(bench: Bench) -> Sample:
        empty = bench.folder / "cold-cache"
        shutil.rmtree(empty, ignore_errors=True)
        return bench.vaultkit(*args, bench.root, cache=empty)

    return measure


def warm(*args: str) -> Callable[[Bench], Sample]:
    def measure(bench: Bench) -> Sample:
        return bench.vaultkit(*args, bench.root)

    return measure


def one_note_edited(*args: str) -> Callable[[Bench], Sample]:
    """Tick the first open box of one skill note (untick it the next round), then run."""

    def measure(bench: Bench) -> Sample:
        note = bench.root / bench.layout.skills[len(bench.layout.skills) // 2]
        data = note.read_bytes()
        if bench.rounds_done % 2 == 0:
            data = OPEN_BOX.sub(b"- [x] ", data, count=1)
        else:
            data = DONE_BOX.sub(b"- [ ] ", data, count=1)
        note.write_bytes(data)
        return bench.vaultkit(*args, bench.root)

    return measure


def markdownlint(bench: Bench) -> Sample:
    return run(["markdownlint-cli2", "**/*.md"], cwd=bench.root)


def obsidiantools(bench: Bench) -> Sample:
    code = "import sys, obsidiantools.api as o; o.Vault(sys.argv[1]).connect().gather()"
    return run([sys.executable, "-c", code, str(bench.root)])


@dataclass(frozen=True)
class Row:
    name: str
    measure: Callable[[Bench], Sample]


ROWS: list[Row] = [
    Row("lint, cold", cold("lint")),
    Row("lint, warm", warm("lint")),
    Row("status, warm", warm("status")),
    Row("next, warm", warm("next")),
    Row("sync --check, warm", warm("sync", "--check")),
    Row("lint, one note edited", one_note_edited("lint")),
    Row("status, cold", cold("status")),
]


def rows() -> list[Row]:
    """Every row, with those for other tools that are installed."""
    found = list(ROWS)
    if shutil.which("markdownlint-cli2"):
        found.append(Row("markdownlint-cli2 (for comparison)", markdownlint))
    if importlib.util.find_spec("obsidiantools") is not None:
        found.append(Row("obsidiantools (for comparison)", obsidiantools))
    return found


# --- the run ---------------------------------------------------------------------------------


def prepare(folder: Path, notes: int) -> Bench:
    """A synced vault and a warm cache that trusts every note's stat."""
    layout = generate(folder / "vault", notes)
    bench = Bench(folder, layout, folder / "cache")
    bench.vaultkit("sync", layout.root)
    time.sleep(2.5)  # a note written within two seconds of a run is hashed, not trusted
    bench.vaultkit("lint", layout.root)  # stores the stats, now trusted
    return bench


def measure(bench: Bench, chosen: list[Row], rounds: int) -> dict[str, list[Sample]]:
    samples: dict[str, list[Sample]] = {"floor": []}
    for _ in range(rounds):
        samples["floor"].append(floor(bench))
        for row in chosen:
            samples.setdefault(row.name, []).append(row.measure(bench))
        bench.rounds_done += 1
    return samples


def table(samples: dict[str, list[Sample]], notes: int, rounds: int) -> str:
    base = statistics.median(s.seconds for s in samples["floor"])
    lines = [
        f"{notes:,} notes, median of {rounds} rounds; floor {base:.2f} s",
        "",
        "| what | time | × floor | peak memory |",
        "|---|---:|---:|---:|",
    ]
    for name, runs in samples.items():
        seconds = statistics.median(s.seconds for s in runs)
        peaks = [s.peak_mb for s in runs if s.peak_mb is not None]
        memory = f"{max(peaks):.0f} MB" if peaks else ""
        lines.append(f"| {name} | {seconds:.2f} s | {seconds / base:.2f} | {memory} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="+", metavar="WORD", help="rows whose name has a word")
    args = parser.parse_args()
    chosen = [r for r in rows() if not args.only or any(w in r.name for w in args.only)]
    with tempfile.TemporaryDirectory(prefix="vaultkit-bench-") as folder:
        bench = prepare(Path(folder), args.notes)
        samples = measure(bench, chosen, args.rounds)
    print(table(samples, args.notes, args.rounds))


if __name__ == "__main__":
    main()
