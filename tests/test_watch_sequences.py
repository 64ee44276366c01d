"""A real `vaultkit watch` ends where a fresh `sync` would, whatever happened to the files.

Each test runs `vaultkit watch` as a subprocess (real inotify) on a copy of the example
vault, drives it with a seeded random sequence of file operations the way editors, file
managers and git make them, waits until the watcher and the files are quiet, and then
checks that `vaultkit sync --check` exits 0, that a fresh `sync` of a copy changes no
byte, and that the watcher logged no error. The watcher runs with
`VAULTKIT_WATCH_VERIFY=1`, so after every batch it also compares its state with a fresh
load of the vault and logs any difference.

A sequence is reproducible from its seed (the operations, not the timing of the batches).
By default a few seeds run; more with, for example:

    VAULTKIT_WATCH_SEQUENCES=200 .venv/bin/python -m pytest tests/test_watch_sequences.py
    VAULTKIT_WATCH_SEED=17 .venv/bin/python -m pytest tests/test_watch_sequences.py
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

EXAMPLE_VAULT = Path(__file__).resolve().parents[1] / "example-vault"
QUIET = 0.3  # the watcher's quiet period: short, so that many batches happen
STILL = 2.0  # files and log unchanged this long: the watcher is done
OPERATIONS = 14  # per sequence, a burst counting as one


def _seeds() -> list[int]:
    if "VAULTKIT_WATCH_SEED" in os.environ:
        return [int(os.environ["VAULTKIT_WATCH_SEED"])]
    return list(range(int(os.environ.get("VAULTKIT_WATCH_SEQUENCES", "3"))))


# --- editing notes as text --------------------------------------------------------------

TASK = re.compile(r"^(\s*[-*] \[)([ x])(\] )", re.MULTILINE)
PROGRESS_BLOCK = "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n"
BLOCK = re.compile(r"<!-- vaultkit:begin progress -->\n.*?<!-- vaultkit:end progress -->\n", re.S)
NEW_NAMES = ["Containers", "Docker", "Helm", "Kafka 進階", "Notes on Rust", "新技能", "Zig"]


def split_frontmatter(text: str) -> tuple[list[str], str]:
    """The front matter's lines (without the fences) and the body; ([], text) if none."""
    if not text.startswith("---\n"):
        return [], text
    end = text.find("\n---\n", 3)
    if end < 0:
        return [], text
    return text[4:end].split("\n"), text[end + 5 :]


def set_key(text: str, key: str, value: list[str] | None) -> str:
    """`text` with the front matter key `key` set to `value` (its lines), or removed."""
    lines, body = split_frontmatter(text)
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith(f"{key}:"):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "-")) or not line):
            continue
        skipping = False
        kept.append(line)
    if value is not None:
        kept.append(f"{key}:" if len(value) > 1 or not value else f"{key}: {value[0]}")
        kept += value if len(value) > 1 or not value else []
    kept = [line for line in kept if line]
    return ("---\n" + "\n".join(kept) + "\n---\n" if kept else "") + body


def link_list(stems: list[str]) -> list[str]:
    return ["", *(f'  - "[[{stem}]]"' for stem in stems)] if stems else ['""']


class Editor:
    """Makes the operations of one sequence: every choice comes from the seeded `rng`."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.made = 0
        self.done: list[str] = []

    def notes(self) -> list[Path]:
        return sorted(
            path
            for path in self.root.rglob("*.md")
            if not any(part.startswith(".") for part in path.relative_to(self.root).parts)
            and path.relative_to(self.root).parts[0] != "Templates"
        )

    def folders(self) -> list[Path]:
        return sorted({path.parent for path in self.notes()} | {self.root})

    def pick(self) -> Path:
        return self.rng.choice(self.notes())

    def stems(self, count: int) -> list[str]:
        return [path.stem for path in self.rng.sample(self.notes(), count)]

    def new_name(self) -> str:
        self.made += 1
        return (
            f"{self.rng.choice(NEW_NAMES)} {self.made}"
            if self.rng.random() < 0.6
            else (self.rng.choice(NEW_NAMES))
        )

    # what a user does to a note's text

    def mutate(self, text: str) -> str:
        change = self.rng.choice(
            [self.toggle_task, self.add_task, self.set_requires, self.set_status,
             self.set_phase, self.toggle_block, self.add_link, self.set_tags]
        )  # fmt: skip
        return change(text)

    def toggle_task(self, text: str) -> str:
        tasks = list(TASK.finditer(text))
        if not tasks:
            return self.add_task(text)
        task = self.rng.choice(tasks)
        flipped = "x" if task.group(2) == " " else " "
        return text[: task.start(2)] + flipped + text[task.end(2) :]

    def add_task(self, text: str) -> str:
        mark = self.rng.choice([" ", "x"])
        return text + ("" if text.endswith("\n") else "\n") + f"- [{mark}] step {self.made}\n"

    def set_requires(self, text: str) -> str:
        return set_key(text, "requires", link_list(self.stems(self.rng.randint(0, 2))) or None)

    def set_status(self, text: str) -> str:
        status = self.rng.choice([None, "done", "dropped", "in-progress", "todo"])
        return set_key(text, "status", None if status is None else [status])

    def set_phase(self, text: str) -> str:
        phases = sorted(path.stem for path in (self.root / "Phases").glob("*.md"))
        phase = self.rng.choice([None, *phases]) if phases else None
        return set_key(text, "phase", None if phase is None else [f'"[[{phase}]]"'])

    def set_tags(self, text: str) -> str:
        tags = self.rng.sample(["MLOps", "container", "Cloud/k8s", "roadmap/phase"], 2)
        return set_key(text, "tags", ["", *(f"  - {tag}" for tag in tags)])

    def toggle_block(self, text: str) -> str:
        if BLOCK.search(text):
            return BLOCK.sub("", text, count=1)
        return text + "\n" + PROGRESS_BLOCK

    def add_link(self, text: str) -> str:
        return text + f"\nSee [[{self.stems(1)[0]}]].\n"

    def new_note(self) -> str:
        text = f"# Made {self.made}\n\n" + PROGRESS_BLOCK + "\n- [ ] first\n- [x] second\n"
        for _ in range(self.rng.randint(1, 3)):
            text = self.mutate(text)
        return text

    # how programs save, move and delete files

    def save(self, path: Path, text: str, how: str | None = None) -> None:
        how = how or self.rng.choice(["in place", "temp file", "sed -i", "unlink and create"])
        data = text.encode("utf-8")
        if how == "in place":
            with path.open("r+b") as file:
                file.write(data)
                file.truncate()
        elif how in ("temp file", "sed -i"):
            temp = path.parent / (f".{path.name}.tmp" if how == "temp file" else "sedX1b2c3")
            temp.write_bytes(data)
            os.replace(temp, path)
        else:
            path.unlink()
            path.write_bytes(data)
        self.done.append(f"save {self.rel(path)} ({how})")

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def create(self) -> None:
        path = self.rng.choice(self.folders()) / f"{self.new_name()}.md"
        if not path.exists():
            path.write_text(self.new_note(), encoding="utf-8")
            self.done.append(f"create {self.rel(path)}")

    def edit(self) -> None:
        path = self.pick()
        self.save(path, self.mutate(path.read_text(encoding="utf-8")))

    def rename(self, folder: Path | None = None) -> None:
        path = self.pick()
        target = (folder or path.parent) / (
            f"{self.new_name()}.md" if folder is None else path.name
        )
        if target.exists():
            return
        path.rename(target)
        self.done.append(f"rename {self.rel(path)} -> {self.rel(target)}")
        if self.rng.random() < 0.7:  # as Obsidian does: the links follow the note
            self.relink(path.stem, target.stem)

    def relink(self, old: str, new: str) -> None:
        written = re.compile(r"\[\[" + re.escape(old) + r"(?=[]|#])")
        for note in self.notes():
            text = note.read_text(encoding="utf-8")
            if written.search(text):
                self.pause()
                self.save(note, written.sub(lambda _: f"[[{new}", text))

    def move(self) -> None:
        self.rename(folder=self.rng.choice(self.folders()))

    def delete(self) -> None:
        path = self.pick()
        path.unlink()
        self.done.append(f"delete {self.rel(path)}")

    def rename_folder(self) -> None:
        folders = [folder for folder in self.folders() if folder != self.root]
        folder = self.rng.choice(folders)
        target = folder.with_name(f"{folder.name} {self.rng.randint(1, 99)}")
        if not target.exists():
            folder.rename(target)
            self.done.append(f"rename folder {self.rel(folder)} -> {self.rel(target)}")

    def burst(self) -> None:
        """A hundred changes at once, as `git checkout` of another branch makes them."""
        self.done.append("burst of 100:")
        for _ in range(100):
            roll = self.rng.random()
            if roll < 0.7:
                path = self.pick()
                self.save(path, self.mutate(path.read_text(encoding="utf-8")), "unlink and create")
            elif roll < 0.85:
                self.create()
            elif len(self.notes()) > 20:
                self.delete()

    def pause(self) -> None:
        time.sleep(self.rng.choice([0, 0, 0.05, QUIET / 2, QUIET * 1.5, QUIET * 4]))

    def run(self, count: int) -> None:
        kinds: list[tuple[Callable[[], None], float]] = [
            (self.create, 2), (self.edit, 8), (self.rename, 2), (self.move, 1.5),
            (self.delete, 1), (self.rename_folder, 0.4), (self.burst, 0.4),
        ]  # fmt: skip
        for _ in range(count):
            operation = self.rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            operation()
            self.pause()


# --- the watcher as a user runs it -------------------------------------------------------


class WatchProcess:
    def __init__(self, root: Path, log: Path) -> None:
        self.log = log
        env = {**os.environ, "VAULTKIT_WATCH_VERIFY": "1"}
        with log.open("w") as sink:
            command = ["watch", str(root), "--quiet-period", str(QUIET)]
            self.process = subprocess.Popen(
                [sys.executable, "-m", "vaultkit", *command],
                stdout=sink, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip
        wait_until(lambda: "watching " in self.text() or self.process.poll() is not None, 60)
        assert self.process.poll() is None, self.text()

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def fingerprint(root: Path, log: Path) -> tuple[object, ...]:
    files = []
    for path in sorted(root.rglob("*")):
        try:
            stat = path.stat()
        except OSError:  # gone meanwhile: the next look sees it
            continue
        files.append((str(path), stat.st_mtime_ns, stat.st_size))
    return (log.stat().st_size, tuple(files))


def wait_until_still(root: Path, log: Path, still: float = STILL, timeout: float = 120) -> None:
    """Until no file and no log line changed for `still` seconds (the watcher is idle)."""
    last, since = fingerprint(root, log), time.monotonic()
    deadline = since + timeout
    while time.monotonic() - since < still and time.monotonic() < deadline:
        time.sleep(0.1)
        now = fingerprint(root, log)
        if now != last:
            last, since = now, time.monotonic()


def written_files(root: Path) -> dict[str, bytes]:
    """The notes and canvases, the files `sync` writes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.suffix in (".md", ".canvas")
    }


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "vault"
    shutil.copytree(EXAMPLE_VAULT, root)
    yield root


@pytest.mark.parametrize("seed", _seeds())
def test_after_random_file_operations_every_block_is_what_a_fresh_sync_writes(
    vault, tmp_path, vk, seed
):
    log = tmp_path / "watch.log"
    watcher = WatchProcess(vault, log)
    editor = Editor(vault, random.Random(seed))
    try:
        editor.run(OPERATIONS)
        wait_until_still(vault, log)
        # On a loaded machine a batch can take longer than `STILL`: give it time, then
        # make sure nothing was still to come.
        wait_until(lambda: vk("sync", "--check", vault).code == 0, 60)
        wait_until_still(vault, log)
        check = vk("sync", "--check", vault)
    finally:
        watcher.stop()
    story = f"seed {seed}:\n  " + "\n  ".join(editor.done) + "\nwatcher:\n" + watcher.text()
    assert check.code == 0, check.err + vk("sync", "--diff", vault).out + story
    fresh = tmp_path / "fresh"
    shutil.copytree(vault, fresh, ignore=shutil.ignore_patterns(".vaultkit-watch.lock"))
    vk("sync", fresh)
    assert written_files(fresh) == written_files(vault), story
    problems = [
        line for line in watcher.text().splitlines() if re.search(r"error|warning|Traceback", line)
    ]
    assert problems == [], story
