"""How long vaultkit takes to read a vault and compute its progress, beside a baseline.

The baseline is the least any tool reading a vault as vaultkit does must spend: read every
note, split its front matter with python-frontmatter, and tokenize the body with a plain
markdown-it-py parser (no plugins), in one process. vaultkit's figure is `load_vault`
(discovery, parsing with its plugin, the link index; worker processes above 1,500 notes)
plus `progress.compute` (the dependency graph and every note's state), and the wall time
of the `vaultkit status` command. Both run in the same process, alternately, several
times; the medians and their ratio are printed, since these machines are noisy.

    python benchmarks/load_vault.py                  # 1,000 and 10,000 notes, 5 rounds
    python benchmarks/load_vault.py --sizes 1000 --rounds 3
"""

from __future__ import annotations

import argparse
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


def measure(root: Path, rounds: int) -> dict[str, float]:
    runs: dict[str, list[float]] = {"baseline": [], "load+compute": [], "status": []}
    for _ in range(rounds):
        runs["baseline"].append(timed(baseline, root))
        runs["load+compute"].append(timed(vaultkit_progress, root))
        runs["status"].append(timed(status_command, root))
    return {name: statistics.median(times) for name, times in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("notes   baseline  load+compute  ratio  `vaultkit status`  (medians, seconds)")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "vault"
            generate(root, size)
            medians = measure(root, args.rounds)
        ratio = medians["load+compute"] / medians["baseline"]
        print(
            f"{size:>6}  {medians['baseline']:8.2f}  {medians['load+compute']:12.2f}"
            f"  {ratio:5.2f}  {medians['status']:17.2f}"
        )


if __name__ == "__main__":
    main()
