"""How long from saving a note to its updated progress block on disk, under `vaultkit watch`;
how long the watcher takes to start beside a cold `lint`; and its memory after many edits.

For each vault size: generate a roadmap vault (`_vaultgen.py`, deterministic), start the
real watcher as a subprocess (`vaultkit watch VAULT --quiet-period 0.25`), wait until it
has filled every block, then make the edits one at a time: tick the first open box of a
random skill note (seeded; untick a box when none is open), saved in place as Obsidian
does, and time until the note's `progress` block on disk changes. It also times the whole
batch: until the watcher logs `updated ...`, which it does once every block that shows
the note (its phase's roll-up, the hub's lists, graphs and timelines) is written. Each
edit waits for that line, so each is measured on an idle watcher. The quiet period is the
floor: a note is only read once it has been quiet that long.

The vault is synced once before anything is timed, as a vault in use is: the start reads
every note, plans every block and writes none. It is timed from launch to the `watching`
line, beside a cold `vaultkit lint` of the same vault (no parse cache for either) in the
same run: medians of `--runs` of each, every watcher started on a fresh copy. The watcher's
resident memory (VmRSS) is read after its start and after the edits.

    python benchmarks/watch_latency.py                      # 1,000 and 10,000 notes, 50 edits
    python benchmarks/watch_latency.py --sizes 1000 --edits 20
    python benchmarks/watch_latency.py --sizes 10000 --edits 1000 --runs 3   # memory
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vaultgen import Layout, generate

PROGRESS = re.compile(
    rb"<!-- vaultkit:begin progress -->\n(.*?)<!-- vaultkit:end progress -->", re.S
)
OPEN_BOX = re.compile(rb"^- \[ \] ", re.M)
DONE_BOX = re.compile(rb"^- \[x\] ", re.M)
POLL = 0.002  # seconds between looks at the edited note


@dataclass(frozen=True)
class Result:
    notes: int
    startup: float  # from launch to "watching" (vault read, every block planned), median
    lint: float  # a cold `vaultkit lint` of the same vault, median
    rss_started: int  # kB, right after "watching"
    rss_edited: int  # kB, after the edits
    latencies: tuple[float, ...]  # save -> the note's own block
    batches: tuple[float, ...]  # save -> every dependent block written
    shutdown: float  # from SIGINT to exit
    exit_code: int


class Watcher:
    """`vaultkit watch` in a subprocess, its stderr lines collected by a thread."""

    def __init__(self, root: Path, quiet: float, cache: str = "") -> None:
        command = [
            sys.executable,
            "-m",
            "vaultkit",
            "watch",
            str(root),
            "--quiet-period",
            str(quiet),
        ]
        # No parse cache (or an empty one): the start is timed parsing every note, as on
        # a first run.
        env = {**os.environ, "VAULTKIT_CACHE_DIR": cache}
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put((time.perf_counter(), line))

    def wait_for_line(self, needle: str, timeout: float) -> float:
        """When the first line holding `needle` was printed (`time.perf_counter`)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"no line with {needle!r} within {timeout} s") from None
            if "error" in line or "warning" in line:
                print(f"  watcher: {line}", end="", file=sys.stderr)
            if needle in line:
                return at

    def stop(self) -> tuple[float, int]:
        sent = time.perf_counter()
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=30)
        return time.perf_counter() - sent, code


def tick_a_box(root: Path, layout: Layout, rng: random.Random) -> tuple[PurePosixPath, bytes]:
    """Tick the first open box of a random skill (untick one when none is open), in place;
    the note and its old block."""
    while True:
        rel = rng.choice(layout.skills)
        data = (root / rel).read_bytes()
        block = PROGRESS.search(data)
        box, mark = OPEN_BOX.search(data), b"- [x] "
        if box is None:
            box, mark = DONE_BOX.search(data), b"- [ ] "
        if box and block:
            break
    ticked = data[: box.start()] + mark + data[box.end() :]
    with open(root / rel, "r+b") as note:  # Obsidian writes in place
        note.truncate(0)
        note.write(ticked)
    return rel, block.group(1)


def resident_kb(pid: int) -> int:
    """The process's resident memory now (VmRSS), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def sync(root: Path) -> None:
    env = {**os.environ, "VAULTKIT_CACHE_DIR": ""}
    command = [sys.executable, "-m", "vaultkit", "sync", str(root)]
    subprocess.run(command, env=env, capture_output=True, check=False)


def cold_lint(root: Path) -> float:
    env = {**os.environ, "VAULTKIT_CACHE_DIR": ""}
    command = [sys.executable, "-m", "vaultkit", "lint", str(root)]
    started = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=False)
    return time.perf_counter() - started


def wait_for_block(path: Path, old: bytes, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        found = PROGRESS.search(path.read_bytes())
        if found and found.group(1) != old:
            return
        time.sleep(POLL)
    raise TimeoutError(f"{path.name}: progress block not updated within {timeout} s")


def measure(notes: int, edits: int, quiet: float, seed: int, runs: int) -> Result:
    with tempfile.TemporaryDirectory(prefix=f"vaultkit-bench-{notes}-") as folder:
        pristine = Path(folder) / "generated"
        layout = generate(pristine, notes, seed)
        sync(pristine)  # blocks current, as in a vault in use: the start reads, plans, writes none
        lints, starts = [], []
        for run in range(runs):
            lints.append(cold_lint(pristine))
            root = Path(folder) / f"vault{run}"
            shutil.copytree(pristine, root)
            launched = time.perf_counter()
            watcher = Watcher(root, quiet)
            try:
                watcher.wait_for_line("watching", timeout=1800)
                starts.append(time.perf_counter() - launched)
                if run < runs - 1:
                    continue
                rss_started = resident_kb(watcher.process.pid)
                latencies, batches = _edit(root, layout, watcher, edits, random.Random(seed))
                rss_edited = resident_kb(watcher.process.pid)
            finally:
                shutdown, code = watcher.stop()
    return Result(
        notes, statistics.median(starts), statistics.median(lints), rss_started, rss_edited,
        tuple(latencies), tuple(batches), shutdown, code,
    )  # fmt: skip


def _edit(
    root: Path, layout: Layout, watcher: Watcher, edits: int, rng: random.Random
) -> tuple[list[float], list[float]]:
    latencies, batches = [], []
    for _ in range(edits):
        rel, old = tick_a_box(root, layout, rng)
        saved = time.perf_counter()
        wait_for_block(root / rel, old)
        latencies.append(time.perf_counter() - saved)
        batches.append(watcher.wait_for_line(f"updated {rel} ", timeout=60) - saved)
    return latencies, batches


def percentile(values: tuple[float, ...], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(results: list[Result], quiet: float, edits: int, seed: int) -> str:
    cpus = os.cpu_count()
    lines = [
        "vaultkit watch: save -> updated progress block on disk",
        f"quiet period {quiet} s (the baseline), {edits} edits per vault, seed {seed}, "
        f"{cpus} CPUs, Python {sys.version.split()[0]}",
        "",
        "the note's own block:",
        f"{'notes':>7} {'start':>8} {'p50':>8} {'p95':>8} {'max':>8} {'baseline':>9} "
        f"{'p95 - baseline':>15} {'Ctrl-C':>8} {'exit':>5}",
    ]
    for r in results:
        p50, p95 = percentile(r.latencies, 50), percentile(r.latencies, 95)
        lines.append(
            f"{r.notes:>7} {r.startup:>7.1f}s {p50:>7.3f}s {p95:>7.3f}s {max(r.latencies):>7.3f}s "
            f"{quiet:>8.3f}s {p95 - quiet:>+14.3f}s {r.shutdown:>7.2f}s {r.exit_code:>5}"
        )
    lines += ["", "the start beside a cold `lint` (medians), and the watcher's memory:"]
    lines.append(
        f"{'notes':>7} {'start':>8} {'lint':>8} {'ratio':>6} {'RSS start':>10} "
        f"{'RSS after':>10} {'growth':>7}"
    )
    for r in results:
        growth = r.rss_edited / r.rss_started - 1
        lines.append(
            f"{r.notes:>7} {r.startup:>7.1f}s {r.lint:>7.1f}s {r.startup / r.lint:>6.2f} "
            f"{r.rss_started / 1024:>8.0f}MB {r.rss_edited / 1024:>8.0f}MB {growth:>+7.1%}"
        )
    lines += ["", "every block that shows it (the `updated ...` line):"]
    lines.append(f"{'notes':>7} {'p50':>8} {'p95':>8} {'max':>8}")
    for r in results:
        p50, p95 = percentile(r.batches, 50), percentile(r.batches, 95)
        lines.append(f"{r.notes:>7} {p50:>7.3f}s {p95:>7.3f}s {max(r.batches):>7.3f}s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--quiet-period", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1, help="starts and lints per size")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        print(f"{size} notes ...", file=sys.stderr)
        results.append(measure(size, args.edits, args.quiet_period, args.seed, args.runs))
    print(report(results, args.quiet_period, args.edits, args.seed))


if __name__ == "__main__":
    main()
