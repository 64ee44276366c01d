"""`vaultkit status --history` on a vault with thousands of commits, beside plain `status`.

A generated vault (`_vaultgen.py`) goes into a git repository, and then thousands of
commits each tick one task in one note, the way a person commits a vault day by day
(written with `git fast-import`, backdated one a day). Then, each as a subprocess:

- baseline: `vaultkit status --today ...` with a warm parse cache: what the forecast costs
  without history;
- cold history: the same with `--history` and no history kept yet (every commit read);
- warm history: again, nothing new (the kept history is used as it is);
- one new commit: a task ticked and committed, then `--history` (only that commit read).

Medians of the rounds, and each as a ratio to the baseline of the same rounds: wall time,
and CPU time (the command and the git it runs), which a busy machine disturbs less.

    python benchmarks/history.py                       # 1,000 notes, 3,000 commits
    python benchmarks/history.py --notes 2000 --commits 10000 --rounds 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vaultgen import generate

OPEN_BOX = re.compile(r"^- \[ \] ", re.M)
TODAY = "2026-11-28"
ENV = {"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com"}
ENV |= {"GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.com"}


def git(root: Path, *args: str, data: bytes | None = None) -> None:
    subprocess.run(
        ["git", "-C", str(root), *args],
        input=data,
        env={**os.environ, **ENV},
        check=True,
        capture_output=True,
    )


def build(root: Path, notes: int, commits: int, seed: int) -> None:
    """The vault, then one commit of it and `commits` commits ticking one task each."""
    layout = generate(root, notes, seed)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the plan")
    rng = random.Random(seed)
    texts = {path: (root / path).read_text(encoding="utf-8") for path in layout.skills}
    start = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC) - dt.timedelta(days=commits)
    stream = []
    for number in range(commits):
        path = rng.choice(layout.skills)
        text = texts[path]
        match = OPEN_BOX.search(text)
        text = text[: match.start()] + "- [x] " + text[match.end() :] if match else text + "\n"
        texts[path] = text
        blob = text.encode()
        when = int((start + dt.timedelta(days=number)).timestamp())
        message = f"tick {path.stem}".encode()
        stream += [
            b"commit refs/heads/main\n",
            b"committer Ann <ann@example.com> %d +0000\n" % when,
            b"data %d\n%s\n" % (len(message), message),
            b"from refs/heads/main^0\n" if number == 0 else b"",
            b'M 100644 inline "%s"\n' % str(path).encode(),
            b"data %d\n%s\n" % (len(blob), blob),
        ]
    git(root, "fast-import", "--quiet", data=b"".join(stream))
    git(root, "reset", "-q", "--hard", "main")
    for path, text in texts.items():
        assert (root / path).read_text(encoding="utf-8") == text


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the command and what it ran (git included)."""
    started = time.perf_counter()
    with subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as run:
        _, status, usage = os.wait4(run.pid, 0)
        run.returncode = os.waitstatus_to_exitcode(status)
    if run.returncode:
        raise SystemExit(f"{' '.join(args)} exited {run.returncode}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def one_new_commit(root: Path) -> None:
    for path in sorted(root.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        match = OPEN_BOX.search(text)
        if match:
            path.write_text(text[: match.start()] + "- [x] " + text[match.end() :], "utf-8")
            git(root, "commit", "-q", "-am", f"tick {path.stem}")
            return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    vaultkit = shutil.which("vaultkit") or str(Path(sys.executable).with_name("vaultkit"))
    with tempfile.TemporaryDirectory(prefix="vaultkit-history-") as tmp:
        root = Path(tmp) / "vault"
        started = time.perf_counter()
        build(root, args.notes, args.commits, seed=1)
        made = time.perf_counter() - started
        print(f"{args.notes} notes, {args.commits} commits ({made:.1f} s to make)")
        cache = Path(tmp) / "cache"
        env = {**os.environ, "VAULTKIT_CACHE_DIR": str(cache)}
        status = [vaultkit, "status", str(root), "--today", TODAY, "--format", "json"]
        subprocess.run(status, env=env, check=True, capture_output=True)  # warm the parse cache
        rows: dict[str, list[tuple[float, float]]] = {
            key: [] for key in ("baseline", "cold", "warm", "new")
        }
        for _ in range(args.rounds):
            for kept in cache.glob("vaultkit-parse-cache/history-*.json"):
                kept.unlink()
            rows["baseline"].append(timed(status, env))
            rows["cold"].append(timed([*status, "--history"], env))
            rows["warm"].append(timed([*status, "--history"], env))
            one_new_commit(root)
            subprocess.run(status, env=env, check=True, capture_output=True)
            rows["new"].append(timed([*status, "--history"], env))
    base_wall = statistics.median(wall for wall, _ in rows["baseline"])
    base_cpu = statistics.median(cpu for _, cpu in rows["baseline"])
    print("\n| run | wall, median | ratio | CPU, median | ratio |\n|---|---:|---:|---:|---:|")
    names = {
        "baseline": "`status` (warm parse cache), baseline",
        "cold": "`status --history`, nothing kept yet",
        "warm": "`status --history`, nothing new",
        "new": "`status --history`, one new commit",
    }
    for key, label in names.items():
        wall = statistics.median(w for w, _ in rows[key])
        cpu = statistics.median(c for _, c in rows[key])
        ratios = f"{wall:.2f} s | {wall / base_wall:.2f} | {cpu:.2f} s | {cpu / base_cpu:.2f}"
        print(f"| {label} | {ratios} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
