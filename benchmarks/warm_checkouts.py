"""Warm runs of two checkouts of vaultkit on one vault, interleaved: medians and ratios.

Each checkout's `vaultkit` package (a folder holding it, e.g. `git archive main vaultkit |
tar -x -C /tmp/main`) runs `vaultkit COMMAND VAULT` with its own parse cache, filled by two
runs first; then every command runs once per checkout per round, alternately, so both see
the same load. The first checkout is the baseline of the ratios.

    python benchmarks/warm_checkouts.py --vault /tmp/v10k main=/tmp/main here=.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = ("lint", "status", "next", "sync --check")


def timed(folder: Path, cache: Path, command: str, vault: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(folder), "VAULTKIT_CACHE_DIR": str(cache)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "vaultkit", *command.split(), str(vault)],
        env=env,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vault", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("checkouts", nargs="+", metavar="NAME=FOLDER")
    args = parser.parse_args()
    folders = {
        name: Path(path).resolve() for name, path in (c.split("=", 1) for c in args.checkouts)
    }
    for folder in folders.values():  # bytecode first, as installing the package does
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(folder / "vaultkit")], check=True
        )
    with tempfile.TemporaryDirectory() as scratch:
        caches = {name: Path(scratch) / name for name in folders}
        for command in COMMANDS:
            for name, folder in folders.items():
                for _ in range(2):
                    timed(folder, caches[name], command, args.vault)
            times: dict[str, list[float]] = {name: [] for name in folders}
            for _ in range(args.rounds):
                for name, folder in folders.items():
                    times[name].append(timed(folder, caches[name], command, args.vault))
            medians = {name: statistics.median(found) for name, found in times.items()}
            base = next(iter(medians.values()))
            shown = "  ".join(f"{n} {m:.3f} s ({m / base:.2f}x)" for n, m in medians.items())
            print(f"{command:14} {shown}", flush=True)


if __name__ == "__main__":
    main()
