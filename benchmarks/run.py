"""vaultkit's speed goals on generated vaults, as one table of ratios to the parse floor.

The floor is the least a tool reading a vault as vaultkit does must spend: read every
note, split its front matter with python-frontmatter and tokenize the body with a plain
markdown-it-py parser, on two processes (the machines these numbers are for have two
cores). Each row is a whole `vaultkit` command run as a subprocess (interpreter start and
imports included) on a vault from `_vaultgen.py`, synced first as a vault in use is:

- cold: the parse cache empty (a first run, or after vaultkit was upgraded);
- warm: the cache filled by an earlier run, nothing changed since;
- one note edited: a task ticked or unticked in one note just before the run;
- watch, start: `vaultkit watch` from launch to its `watching` line, no parse cache;
- chains: 20,000 notes whose prerequisites form chains 2,000 deep, beside chains 2 deep;
- one hard note: a 50-note vault holding one note that is hard on a Markdown parser
  (`_vaultgen.PATHOLOGICAL`: 200,000 tasks, 20 MB of `[[`, of `#t `, of `*_`, a 19 MB
  line of `word [[link]] #tag`), or a canvas of one text card of 15,000 links or of
  100,000 cards;
- watch, memory: one watcher on the main vault, its resident memory after the start and
  after `--edits` boxes ticked one at a time (each waits for the watcher's `updated` line),
  measured once, after the rounds.

Rounds alternate between rows; each figure is the median of the rounds, beside the
floor's median of the same rounds. A goal that compares a row with another (the floor, a
cold `lint`) takes each round's ratio of the two, measured minutes apart at most, and
judges their median: the machine's drift over a run moves both rows of a round alike.
Nine rounds by default: on a 2-core virtual machine one command's time moves by a fifth
from one run to the next, and the median of five rounds' ratios of the same code moved
from 0.82 to 1.04 between runs.
The `× floor` column is the ratio of the medians. Peak memory is the largest resident
size of the command's process (`wait4`, or the watcher's VmHWM), the worker processes a
cold run starts each below it. vaultkit's modules are compiled to bytecode first, as installing
it does. Each row says the issue's goal for it and whether it was met. Where
markdownlint-cli2 or obsidiantools are installed (on PATH, or in the Python given with
`--obsidiantools-python`), they are timed on the same vault.

    python benchmarks/run.py                       # 10,000 notes, 9 rounds, 1,000 edits
    python benchmarks/run.py --notes 2000 --rounds 5 --only lint
    python benchmarks/run.py --skip chains hard --edits 100

To add a row: write a function `(Bench) -> Sample` that times one run and add a `Row`
to `ROWS` (or to `rows()` when it depends on what is installed). A row that needs its own
vault gets one from `Bench.vault(name, make)`, made once per benchmark run.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import frontmatter
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vaultgen import (
    Layout,
    generate,
    generate_chains,
    pathological_note,
    write_hard_canvas,
)

OPEN_BOX = re.compile(rb"^- \[ \] ", re.M)
DONE_BOX = re.compile(rb"^- \[x\] ", re.M)
CHAIN_NOTES, DEEP, SHALLOW = 20_000, 2_000, 2
HARD_NOTE_VAULT = 50  # notes beside the hard one
# 200,000 tasks are 3.6 MB; the others are the sizes that took minutes before.
HARD_SIZES = {"tasks": 3_600_000, "one-line": 19_000_000}
HARD_SIZE = 20_000_000
HARD_NAMES = {
    "tasks": "200,000 tasks",
    "open-links": "20 MB of `[[`",
    "hashes": "20 MB of `#t `",
    "one-line": "a 19 MB line of `word [[link]] #tag`",
    "emphasis": "20 MB of `*_`",
}
# Canvases, by kind: how many text cards, and how many links each holds. The one card
# took minutes before, and is read (200 kB); the many cards are 20 MB, as the hard notes are.
HARD_CANVASES = {"canvas-card": (1, 15_000), "canvas-cards": (100_000, 10)}
HARD_NAMES["canvas-card"] = "a canvas card of 15,000 links (under the size cap)"
HARD_NAMES["canvas-cards"] = "a 20 MB canvas of 100,000 cards"
QUIET = 0.25  # the watcher's quiet period in these runs


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mb: float | None = None  # None: not measured (the floor runs in this process)
    before_mb: float | None = None  # a watcher's resident memory before its edits
    warm: float | None = None  # seconds of the same command run again right after


@dataclass
class Bench:
    """One benchmark run: a synced roadmap vault, its parse cache, and vaults made on demand."""

    folder: Path
    layout: Layout
    cache: Path  # VAULTKIT_CACHE_DIR of the warm runs
    edits: int = 1000  # boxes ticked under the watcher whose memory is measured
    chain_notes: int = CHAIN_NOTES  # in each vault of prerequisite chains
    obsidiantools: str | None = None  # a Python that has obsidiantools
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

    @property
    def empty_cache(self) -> Path:
        """VAULTKIT_CACHE_DIR of the cold runs, emptied before each."""
        return self.folder / "cold-cache"

    def cold(self, *args: str | Path) -> Sample:
        """`vaultkit ARGS` with an empty parse cache."""
        shutil.rmtree(self.empty_cache, ignore_errors=True)
        return self.vaultkit(*args, cache=self.empty_cache)


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
        return bench.cold(*args, bench.root)

    return measure


def warm(*args: str) -> Callable[[Bench], Sample]:
    """The command run twice, the second run timed: the rows before it in a round change
    the vault (an edited note, blocks the watcher brings up to date at its start)."""

    def measure(bench: Bench) -> Sample:
        bench.vaultkit(*args, bench.root)
        return bench.vaultkit(*args, bench.root)

    return measure


def one_note_edited(*args: str) -> Callable[[Bench], Sample]:
    """Tick the first open box of one skill note (another note each round, its first done
    box unticked when it has no open one), then run, and run again: the second run is the
    warm time of the same vault, which the first is judged against (`over_warm`). Each
    round's vault is one no run saw: going back to an earlier state would measure recalling
    that state's results (vaultkit keeps two states' results), not an edit."""

    def measure(bench: Bench) -> Sample:
        skills = bench.layout.skills
        note = bench.root / skills[(len(skills) // 2 + bench.rounds_done) % len(skills)]
        data = note.read_bytes()
        ticked = OPEN_BOX.sub(b"- [x] ", data, count=1)
        note.write_bytes(ticked if ticked != data else DONE_BOX.sub(b"- [ ] ", data, count=1))
        edited = bench.vaultkit(*args, bench.root)
        again = bench.vaultkit(*args, bench.root)  # warm: the same vault, its results kept
        return Sample(edited.seconds, edited.peak_mb, warm=again.seconds)

    return measure


def watch_start(root: Path, cache: Path | None = None) -> Sample:
    """`vaultkit watch` from launch to `watching`, with an empty parse cache in `cache`
    (None: none at all); its peak memory."""
    from watch_latency import Watcher

    if cache is not None:
        shutil.rmtree(cache, ignore_errors=True)
    launched = time.perf_counter()
    watcher = Watcher(root, QUIET, "" if cache is None else str(cache))
    try:
        seconds = watcher.wait_for_line("watching", timeout=1800) - launched
        peak = _status_kb(watcher.process.pid, "VmHWM")
    finally:
        watcher.stop()
    return Sample(seconds, peak / 1024)


def watch_edits(bench: Bench) -> Sample:
    """One watcher: its resident memory after the start and after `bench.edits` edits."""
    from watch_latency import Watcher, tick_a_box, wait_for_block

    rng = random.Random(1)
    watcher = Watcher(bench.root, QUIET)
    try:
        watcher.wait_for_line("watching", timeout=1800)
        started = _status_kb(watcher.process.pid, "VmRSS")
        began = time.perf_counter()
        for _ in range(bench.edits):
            rel, old = tick_a_box(bench.root, bench.layout, rng)
            wait_for_block(bench.root / rel, old)
            watcher.wait_for_line(f"updated {rel} ", timeout=60)
        seconds = time.perf_counter() - began
        edited = _status_kb(watcher.process.pid, "VmRSS")
    finally:
        watcher.stop()
    return Sample(seconds, edited / 1024, started / 1024)


def _status_kb(pid: int, key: str) -> int:
    """A line of /proc/PID/status in kB: VmRSS (resident now) or VmHWM (its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {key} for pid {pid}")


def chains(depth: int, *args: str, warmed: bool = False) -> Callable[[Bench], Sample]:
    """A command on `bench.chain_notes` notes in prerequisite chains `depth` long."""

    def measure(bench: Bench) -> Sample:
        notes = bench.chain_notes
        root = bench.vault(f"chains-{depth}", lambda r: generate_chains(r, notes, depth))
        if not warmed:
            return bench.cold(*args, root)
        cache = bench.folder / f"cache-chains-{depth}"
        if not cache.exists():
            bench.vaultkit("status", root, cache=cache)  # fills it
        return bench.vaultkit(*args, root, cache=cache)

    return measure


def _hard_vault(kind: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        generate(root, HARD_NOTE_VAULT)
        if kind in HARD_CANVASES:
            write_hard_canvas(root / "Big.canvas", *HARD_CANVASES[kind])
        else:
            size = HARD_SIZES.get(kind, HARD_SIZE)
            (root / "Big.md").write_bytes(pathological_note(kind, size))
        env = {**os.environ, "VAULTKIT_CACHE_DIR": ""}
        command = [sys.executable, "-m", "vaultkit", "sync", str(root)]
        subprocess.run(command, env=env, capture_output=True, check=False)  # blocks filled

    return make


def hard_note(kind: str, *args: str) -> Callable[[Bench], Sample]:
    """A command, or the watcher's start (no `args`), on a vault holding one hard note."""

    def measure(bench: Bench) -> Sample:
        root = bench.vault(f"hard-{kind}", _hard_vault(kind))
        return bench.cold(*args, root) if args else watch_start(root, bench.empty_cache)

    return measure


def markdownlint(bench: Bench) -> Sample:
    return run(["markdownlint-cli2", "**/*.md"], cwd=bench.root)


def obsidiantools(bench: Bench) -> Sample:
    code = (
        "import sys, pathlib, obsidiantools.api as o;"
        " o.Vault(pathlib.Path(sys.argv[1])).connect().gather()"
    )
    return run([bench.obsidiantools or sys.executable, "-c", code, str(bench.root)])


# --- the goals -------------------------------------------------------------------------------


class Figure(NamedTuple):
    """A row's medians: seconds and peak memory, and a watcher's memory before its edits."""

    seconds: float
    peak_mb: float | None
    before_mb: float | None = None
    over_warm: float | None = None  # the median of each run's seconds over its warm run's
    each: tuple[float, ...] = ()  # the seconds of each round, in turn


# What a goal says of a row given every row's figures: the measure and whether it is met,
# or None when the row it is compared with was not measured.
Judge = Callable[[Figure, Mapping[str, Figure]], tuple[str, bool] | None]


@dataclass(frozen=True)
class Goal:
    text: str
    judge: Judge


def over_warm(plus: float) -> Goal:
    """At most `plus` seconds over the same command run warm right after, on the same
    vault (the median of the paired differences: the machine's drift from one row to the
    next, as much as the difference itself, is left out)."""

    def judge(own: Figure, figures: Mapping[str, Figure]) -> tuple[str, bool] | None:
        if own.over_warm is None:
            return None
        return f"{own.over_warm:+.2f} s", own.over_warm <= plus

    return Goal(f"≤ warm + {plus:g} s (run again right after)", judge)


def times(limit: float, of: str = "floor") -> Goal:
    """At most `limit` times the row `of`: the median of the ratios of the rounds, each
    row over the row `of` measured in the same round (the machine's drift from one round
    to the next is left out, as `over_warm` leaves it out)."""

    def judge(own: Figure, figures: Mapping[str, Figure]) -> tuple[str, bool] | None:
        if of not in figures:
            return None
        ratio = paired(own, figures[of])
        return f"{ratio:.2f}×", ratio <= limit

    return Goal(f"≤ {limit:g}× {of}", judge)


def paired(own: Figure, base: Figure) -> float:
    """The median of `own`'s seconds over `base`'s, round by round (the ratio of their
    medians when they were not measured in the same rounds)."""
    if len(own.each) != len(base.each) or not own.each:
        return own.seconds / base.seconds
    rounds = zip(own.each, base.each, strict=True)
    return statistics.median(mine / theirs for mine, theirs in rounds)


def memory_times(limit: float, of: str) -> Goal:
    """Peak memory at most `limit` times the row `of`'s."""

    def judge(own: Figure, figures: Mapping[str, Figure]) -> tuple[str, bool] | None:
        theirs = figures[of].peak_mb if of in figures else None
        if own.peak_mb is None or theirs is None:
            return None
        return f"{own.peak_mb / theirs:.2f}× memory", own.peak_mb <= limit * theirs

    return Goal(f"memory ≤ {limit:g}× that", judge)


def within(seconds: float, megabytes: float) -> Goal:
    """At most `seconds` and `megabytes` of peak memory, on any machine."""

    def judge(own: Figure, figures: Mapping[str, Figure]) -> tuple[str, bool] | None:
        peak = own.peak_mb or 0.0
        return "", own.seconds <= seconds and peak <= megabytes

    text = (
        f"≤ {megabytes:g} MB" if seconds == float("inf") else f"≤ {seconds:g} s, {megabytes:g} MB"
    )
    return Goal(text, judge)


def growth(limit: float) -> Goal:
    """A watcher's memory after its edits at most `limit` above what it was after its start."""

    def judge(own: Figure, figures: Mapping[str, Figure]) -> tuple[str, bool] | None:
        if own.peak_mb is None or own.before_mb is None:
            return None
        grown = own.peak_mb / own.before_mb - 1
        return f"{grown:+.1%}", grown <= limit

    return Goal(f"≤ +{limit:.0%} after its start", judge)


@dataclass(frozen=True)
class Row:
    name: str
    measure: Callable[[Bench], Sample]
    goals: tuple[Goal, ...] = ()
    once: bool = False  # measured once, after the rounds (it changes the vault)


PEAK = within(float("inf"), 500)  # peak memory on the main vault
LINT_COLD = "lint, cold"


def chain_rows(command: str, warmed: bool) -> list[Row]:
    """`command` on chains 2 deep, and on chains 2,000 deep against them."""
    state = "warm" if warmed else "cold"
    shallow = f"{command}, {state}, chains {SHALLOW} deep"
    return [
        Row(shallow, chains(SHALLOW, command, warmed=warmed)),
        Row(
            f"{command}, {state}, chains {DEEP:,} deep",
            chains(DEEP, command, warmed=warmed),
            (times(2, shallow), memory_times(2, shallow)),
        ),
    ]


HARD_ROWS = [
    Row(
        f"{what}, hard note: {HARD_NAMES[kind]}",
        hard_note(kind, *args),
        (within(5, 500),),
    )
    for kind in HARD_NAMES
    for what, args in (("lint, cold", ("lint",)), ("watch start", ()))
]
ROWS: list[Row] = [
    Row(LINT_COLD, cold("lint"), (times(1.0), PEAK)),
    # Beside the cold lint it is compared with, under the same load.
    Row(
        "watch, start",
        lambda bench: watch_start(bench.root, bench.empty_cache),
        (times(1.0, LINT_COLD), PEAK),
    ),
    Row("lint, warm", warm("lint"), (times(0.15), PEAK)),
    Row("status, warm", warm("status"), (times(0.15), PEAK)),
    Row("next, warm", warm("next"), (times(0.15), PEAK)),
    Row("sync --check, warm", warm("sync", "--check"), (times(0.15), PEAK)),
    *(
        Row(
            f"{name}, one note edited",
            one_note_edited(*args),
            (over_warm(0.1), PEAK),
        )
        for name, args in (
            ("lint", ("lint",)),
            ("status", ("status",)),
            ("next", ("next",)),
            ("sync --check", ("sync", "--check")),
        )
    ),
    Row("status, cold", cold("status"), (PEAK,)),
    *chain_rows("lint", warmed=False),
    *chain_rows("status", warmed=True),
    *HARD_ROWS,
    Row("watch, memory after edits", watch_edits, (growth(0.10),), once=True),
]


def rows(obsidiantools_python: str | None = None) -> list[Row]:
    """Every row, with those for other tools that are installed (timed once: they are
    slow, and before the edits, on the vault the other rows saw)."""
    found = list(ROWS)
    if obsidiantools_python or importlib.util.find_spec("obsidiantools") is not None:
        found.insert(-1, Row("obsidiantools (for comparison)", obsidiantools, once=True))
    if shutil.which("markdownlint-cli2"):
        found.insert(-1, Row("markdownlint-cli2 (for comparison)", markdownlint, once=True))
    return found


# --- the run ---------------------------------------------------------------------------------


def compile_vaultkit() -> None:
    """Write vaultkit's bytecode beside its sources, as installing it does (`pip install`
    compiles every module). An editable install run with PYTHONDONTWRITEBYTECODE set
    would compile every module again on each run, which no installed copy does."""
    spec = importlib.util.find_spec("vaultkit")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("vaultkit is not installed in this Python")
    for folder in spec.submodule_search_locations:
        compileall.compile_dir(folder, quiet=1)


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
    for row in chosen:
        samples[row.name] = []
    for _ in range(rounds):
        samples["floor"].append(floor(bench))
        for row in chosen:
            if not row.once:
                samples[row.name].append(row.measure(bench))
        bench.rounds_done += 1
    for row in chosen:
        if row.once:
            samples[row.name].append(row.measure(bench))
    return samples


def table(samples: dict[str, list[Sample]], chosen: list[Row], bench: Bench, rounds: int) -> str:
    notes, chain_notes = bench.layout.total, bench.chain_notes
    figures = {name: _figure(runs) for name, runs in samples.items()}
    base = figures["floor"].seconds
    lines = [
        f"{notes:,} notes, median of {rounds} rounds (a goal against another row: the"
        f" median of the rounds' ratios); floor {base:.2f} s; chains:"
        f" {chain_notes:,} notes; hard notes: one in a vault of {HARD_NOTE_VAULT}",
        "",
        "| what | time | × floor | peak memory | goal | measured | met |",
        "|---|---:|---:|---:|---|---:|:-:|",
        f"| floor | {base:.2f} s | 1.00 | | | | |",
    ]
    for row in chosen:
        own = figures[row.name]
        memory = f"{own.peak_mb:.0f} MB" if own.peak_mb is not None else ""
        if own.before_mb is not None:
            memory = f"{own.before_mb:.0f} MB → {memory}"
        judged = [(goal.text, goal.judge(own, figures)) for goal in row.goals]
        shown = [(text, found) for text, found in judged if found is not None]
        met = "yes" if all(ok for _, (_, ok) in shown) else "**no**"
        lines.append(
            f"| {row.name} | {own.seconds:.2f} s | {own.seconds / base:.2f} | {memory} "
            f"| {'; '.join(text for text, _ in shown)} "
            f"| {'; '.join(found for _, (found, _) in shown if found)} | {met if shown else ''} |"
        )
    return "\n".join(lines)


def _figure(runs: list[Sample]) -> Figure:
    peaks = [s.peak_mb for s in runs if s.peak_mb is not None]
    befores = [s.before_mb for s in runs if s.before_mb is not None]
    overs = [s.seconds - s.warm for s in runs if s.warm is not None]
    return Figure(
        statistics.median(s.seconds for s in runs),
        max(peaks, default=None),
        max(befores, default=None),
        statistics.median(overs) if overs else None,
        tuple(s.seconds for s in runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--edits", type=int, default=1000, help="under the watcher, once")
    parser.add_argument("--chain-notes", type=int, default=CHAIN_NOTES)
    parser.add_argument("--only", nargs="+", metavar="WORD", help="rows whose name has a word")
    parser.add_argument("--skip", nargs="+", metavar="WORD", help="rows whose name has a word")
    parser.add_argument("--obsidiantools-python", metavar="PYTHON", help="one that has it")
    args = parser.parse_args()
    chosen = [
        row
        for row in rows(args.obsidiantools_python)
        if (not args.only or any(w in row.name for w in args.only))
        and not (args.skip and any(w in row.name for w in args.skip))
    ]
    compile_vaultkit()
    with tempfile.TemporaryDirectory(prefix="vaultkit-bench-") as folder:
        bench = prepare(Path(folder), args.notes)
        bench.edits, bench.obsidiantools = args.edits, args.obsidiantools_python
        bench.chain_notes = args.chain_notes
        samples = measure(bench, chosen, args.rounds)
        print(table(samples, chosen, bench, args.rounds))


if __name__ == "__main__":
    main()
