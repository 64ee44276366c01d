"""How long vaultkit takes to read a vault and compute its progress, beside a baseline.

The baseline is the least any tool reading a vault as vaultkit does must spend: read every
note, split its front matter with python-frontmatter, and tokenize the body with a plain
markdown-it-py parser (no plugins), in one process. vaultkit's figure is `load_vault`
(discovery, parsing with its plugin, the link index; worker processes above 1,500 notes)
plus `progress.compute` (the dependency graph and every note's state), and the wall time
of the `vaultkit status` command: cold (no parse cache) and warm (the cache holds every
note, as on any run after the first). All run in the same process, alternately, several
times; the medians and the ratios to the baseline are printed, since these machines are
noisy.

    python benchmarks/load_vault.py                  # 1,000 and 10,000 notes, 5 rounds
    python benchmarks/load_vault.py --sizes 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import frontmatter
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vaultgen import generate

from vaultkit.config import Config
from vaultkit.progress import compute
from vaultkit.vault import load_vault


def baseline(root: Path) -> int:
    """Read, split front matter and tokenize every note; returns the token count."""
    md = MarkdownIt("commonmark")
    tokens = 0
    for path in root.rglob("*.md"):
        _, body = frontmatter.parse(path.read_text(encoding="utf-8"))
        tokens += len(md.parse(body))
    return tokens


def vaultkit_progress(root: Path) -> int:
    vault = load_vault(root, Config())
    return len(compute(vault).notes)


def status_command(root: Path) -> int:
    command = [sys.executable, "-m", "vaultkit", "status", str(root), "--format", "json"]
    return len(subprocess.run(command, check=True, capture_output=True).stdout)


def timed(func: Callable[[Path], int], root: Path) -> float:
    start = time.perf_counter()
    func(root)
    return time.perf_counter() - start


def measure(root: Path, rounds: int, cache: Path) -> dict[str, float]:
    runs: dict[str, list[float]] = {}
    for _ in range(rounds):
        runs.setdefault("baseline", []).append(timed(baseline, root))
        for state, folder in (("cold", ""), ("warm", str(cache))):
            os.environ["VAULTKIT_CACHE_DIR"] = folder  # "" turns the cache off
            if state == "warm":
                vaultkit_progress(root)  # fills the cache (one run is enough)
            runs.setdefault(f"load {state}", []).append(timed(vaultkit_progress, root))
            runs.setdefault(f"status {state}", []).append(timed(status_command, root))
    return {name: statistics.median(times) for name, times in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(
        "notes  baseline  load+compute cold (ratio)  warm (ratio)"
        "  `vaultkit status` cold  warm  (medians, seconds)"
    )
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "vault"
            generate(root, size)
            m = measure(root, args.rounds, Path(folder) / "cache")
        base = m["baseline"]
        print(
            f"{size:>5}  {base:8.2f}  {m['load cold']:17.2f} ({m['load cold'] / base:4.2f})"
            f"  {m['load warm']:5.2f} ({m['load warm'] / base:4.2f})"
            f"  {m['status cold']:22.2f}  {m['status warm']:4.2f}"
        )


if __name__ == "__main__":
    main()
