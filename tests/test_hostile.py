"""The hostile set: vault contents an attacker, a sync tool or a bad day can leave behind.

Each case builds a vault (and files next to it, outside it), then runs every command as a
real subprocess: `status`, `next`, `graph` in every format, `lint`, `lint --fix`,
`sync --check`, `sync --diff` and `sync`. Every command must finish within 10 s, exit with
a documented code, print no traceback, and leave every byte outside the managed blocks of
the vault's notes as it was: no file outside the vault changes, no file is deleted or
created, no file changes its kind or mode. The worst time and the peak memory of a command
over the set are printed at the end (`pytest tests/test_hostile.py -s`).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from vaultkit.lock import LOCK_NAME
from vaultkit.report import GRAPH_FORMATS

TIMEOUT = 10.0
READING = [["status"], ["next"], *(["graph", "--format", name] for name in sorted(GRAPH_FORMATS))]
WRITING = [["lint"], ["lint", "--fix"], ["sync", "--check"], ["sync", "--diff"], ["sync"]]
# A block's content, markers kept: the only bytes of a note a command may change.
BLOCK = re.compile(rb"(<!-- vaultkit:begin[^\n]*-->)(.*?)(<!-- vaultkit:end)", re.DOTALL)

TASKS = "- [x] done\n- [ ] open\n"
PROGRESS = "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n"
FILLED_PROGRESS = "▓▓▓▓▓░░░░░ 50% · 1/2 tasks · in-progress"


def rollup(scope: str) -> str:
    return f"<!-- vaultkit:begin rollup {scope} -->\n<!-- vaultkit:end rollup -->\n"


# --- the cases -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    build: Callable[[Path, Path], None]  # (vault root, a folder outside the vault)
    then: Callable[[Path, Path], None] | None = None  # checks on the vault after `sync`
    through: str | None = None  # run the commands on this path instead of the root


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def basic(root: Path) -> None:
    write(root, {"Hub.md": "[[Skill]]\n" + rollup("folder=/"), "Skill.md": TASKS + PROGRESS})


def links_and_special_files(root: Path, outside: Path) -> None:
    """Looping links (alone and in a rolled-up folder), links out of the vault (a note,
    a folder, the watch lock), a FIFO, a socket and devices where notes would be."""
    basic(root)
    write(root, {"F/a.md": TASKS, "F/c.md": TASKS, "G/Index.md": rollup("folder=F")})
    write(outside, {"Real.md": TASKS + PROGRESS, "Secret.txt": "secret\n", "Folder/N.md": TASKS})
    os.symlink("self.md", root / "self.md")
    os.symlink("loop.md", root / "F" / "b.md")
    os.symlink("b.md", root / "F" / "loop.md")
    os.symlink(outside / "Real.md", root / "Linked.md")
    os.symlink(outside / "Secret.txt", root / LOCK_NAME)
    os.symlink(outside / "Folder", root / "LinkedFolder")
    os.mkfifo(root / "Fifo.md")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(os.fspath((root / "Sock.md").relative_to(Path.cwd())))
    os.symlink("/dev/zero", root / "Zero.md")
    os.symlink("/dev/null", root / "Null.md")


def no_block_is_written_short(root: Path, outside: Path) -> None:
    """The vault could not be read whole: the blocks that might show what was skipped
    stay as they were."""
    assert (root / "G" / "Index.md").read_text() == rollup("folder=F")
    assert (root / "Hub.md").read_text() == "[[Skill]]\n" + rollup("folder=/")
    assert (root / "Skill.md").read_text() == TASKS + PROGRESS


def names(root: Path, outside: Path) -> None:
    """Names that are not UTF-8, 243-byte names, a folder named x.md, a dangling link, a
    note named `.md`, a note 100 folders deep."""
    basic(root)
    write(root, {os.fsdecode(b"bad\xffname.md"): TASKS + "[[Skill]]\n", "caf\xe9.md": TASKS})
    write(root / os.fsdecode(b"dir\xfe"), {"Inside.md": TASKS})
    write(root, {"n" * 240 + ".md": TASKS + PROGRESS, "進" * 80 + ".md": TASKS + PROGRESS})
    write(root, {"x.md/inside.md": TASKS, ".md": TASKS + PROGRESS, "Empty.md": ""})
    os.symlink(root / "missing.md", root / "Dangling.md")
    write(root.joinpath(*["deep"] * 100), {"Bottom.md": TASKS + PROGRESS})


def readable_names_are_synced(root: Path, outside: Path) -> None:
    hub = (root / "Hub.md").read_text()
    assert "[[Skill]]" in hub and "[[café]]" in hub and "[[Bottom]]" in hub
    assert "bad" not in hub and "Inside" not in hub
    for name in ("n" * 240 + ".md", "進" * 80 + ".md"):
        assert FILLED_PROGRESS in (root / name).read_text()


def contents(root: Path, outside: Path) -> None:
    """A lone CR before a block, CRLF, a BOM, GBK, conflict markers, an alias bomb, deep
    nesting, NUL bytes, markers in code, nested markers, binary, a read-only note."""
    basic(root)
    bomb = "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}]\n" for i in range(9))
    write(
        root,
        {
            "LoneCR.md": "a\rb\n- [x] t\n\n" + PROGRESS + "USER\n",
            "CRLF.md": (TASKS + PROGRESS).replace("\n", "\r\n"),
            "BOM.md": "\ufeff---\ntags: [a]\n---\n" + TASKS + PROGRESS,
            "GBK.md": "任务\n".encode("gbk") + PROGRESS.encode(),
            "Conflict.md": "<<<<<<< HEAD\n- [ ] a\n=======\n- [x] a\n>>>>>>> b\n" + PROGRESS,
            "Bomb.md": "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + bomb + "---\n" + PROGRESS,
            "Deep.md": "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n" + PROGRESS,
            "Nul.md": b"\x00\x00- [ ] a\n" + PROGRESS.encode(),
            "Code.md": "```\n" + PROGRESS + "```\n",
            "Nested.md": PROGRESS.replace("<!-- vaultkit:end", PROGRESS + "<!-- vaultkit:end"),
            "Binary.md": bytes(range(256)) * 4,
            "Locked.md": TASKS + PROGRESS,
        },
    )
    os.chmod(root / "Locked.md", 0o444)


def only_blocks_of_writable_notes_change(root: Path, outside: Path) -> None:
    lone_cr = (root / "LoneCR.md").read_bytes().decode()
    assert lone_cr.startswith("a\rb\n- [x] t\n\n<!-- vaultkit:begin progress -->\n")
    assert lone_cr.endswith("<!-- vaultkit:end progress -->\nUSER\n")
    assert FILLED_PROGRESS in (root / "Skill.md").read_text()
    assert (root / "Locked.md").read_text() == TASKS + PROGRESS


CASES = {
    "links and special files": Case(links_and_special_files, no_block_is_written_short),
    "names": Case(names, readable_names_are_synced),
    "contents": Case(contents, only_blocks_of_writable_notes_change),
    "a vault root that is a symlink": Case(lambda root, outside: basic(root), through="alias"),
}


# --- running a command ---------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str
    seconds: float  # wall-clock
    cpu: float  # user and system time
    peak_kib: int  # the most memory the process held (ru_maxrss)


def run(args: list[str], target: Path, cwd: Path, scratch: Path) -> Ran:
    """`vaultkit ARGS TARGET` as a subprocess, killed after TIMEOUT seconds."""
    out_path, err_path = scratch / "out", scratch / "err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "vaultkit", *args, os.fspath(target)],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        killer = threading.Timer(TIMEOUT, process.kill)
        killer.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
    text = (out_path.read_bytes().decode(errors="replace"), err_path.read_bytes().decode())
    assert seconds < TIMEOUT, f"vaultkit {' '.join(args)} did not finish in {TIMEOUT} s"
    cpu = usage.ru_utime + usage.ru_stime
    return Ran(process.returncode, *text, seconds, cpu, usage.ru_maxrss)


# --- what may change -----------------------------------------------------------------


def snapshot(base: Path, vault: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under `base`, links not followed: its kind, mode and content, with the
    content of managed blocks left out for regular files inside the vault."""
    found: dict[str, tuple[object, ...]] = {}
    for entry in walk(base):
        info = entry.stat(follow_symlinks=False)
        rel = os.fsencode(os.path.relpath(entry.path, base)).decode("utf-8", "backslashreplace")
        kind = stat.S_IFMT(info.st_mode)
        if entry.is_symlink():
            found[rel] = (kind, os.readlink(entry.path))
        elif stat.S_ISREG(info.st_mode):
            data = Path(entry.path).read_bytes()
            if Path(entry.path).is_relative_to(vault):
                data = BLOCK.sub(rb"\1\3", data)
            found[rel] = (kind, stat.S_IMODE(info.st_mode), data)
        else:
            found[rel] = (kind, stat.S_IMODE(info.st_mode))
    return found


def walk(folder: Path) -> Iterator[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        for entry in entries:
            yield entry
            if entry.is_dir(follow_symlinks=False):
                yield from walk(Path(entry.path))


# --- the test ------------------------------------------------------------------------

MEASURED: list[tuple[float, float, int, str]] = []


@pytest.fixture(scope="module", autouse=True)
def report_worst() -> Iterator[None]:
    yield
    if MEASURED:
        slowest = max(MEASURED)
        busiest = max(MEASURED, key=lambda measured: measured[1])
        biggest = max(MEASURED, key=lambda measured: measured[2])
        print(
            f"\nhostile set: {len(MEASURED)} runs; slowest {slowest[0]:.2f} s ({slowest[3]}); "
            f"most CPU {busiest[1]:.2f} s ({busiest[3]}); "
            f"peak memory {biggest[2] / 1024:.0f} MiB ({biggest[3]})"
        )


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_every_command_survives_the_hostile_vault(tmp_path, case: Case, monkeypatch, request):
    base = tmp_path / "case"
    root, outside = base / "vault", base / "outside"
    (root / ".obsidian").mkdir(parents=True)
    outside.mkdir()
    monkeypatch.chdir(base)
    case.build(root, outside)
    target = root
    if case.through:
        target = base / case.through
        target.symlink_to(root)
    before = snapshot(base, root)

    for args in READING + WRITING:
        ran = run(args, target, base, tmp_path)
        shown = f"vaultkit {' '.join(args)}: exit {ran.code}\n{ran.err}"
        label = f"{' '.join(args)}, {request.node.callspec.id}"
        MEASURED.append((ran.seconds, ran.cpu, ran.peak_kib, label))
        assert "Traceback" not in ran.err and "internal error" not in ran.err, shown
        assert ran.code in ((0,) if args in READING else (0, 1)), shown
        assert snapshot(base, root) == before, shown

    if case.then:
        case.then(root, outside)


def test_the_watcher_reads_past_a_note_replaced_by_a_fifo_and_stops_on_ctrl_c(tmp_path):
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    basic(root)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "vaultkit", "watch", os.fspath(root), "--quiet-period", "0.2"],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert watcher.stderr is not None
    guard = threading.Timer(6 * TIMEOUT, watcher.kill)  # a hang fails instead of blocking
    guard.start()
    try:
        while "watching" not in (line := watcher.stderr.readline()):
            assert line, "the watcher exited"
        (root / "Skill.md").unlink()
        os.mkfifo(root / "Skill.md")  # as if a note were replaced by a FIFO
        while "Skill.md" not in (line := watcher.stderr.readline()):
            assert line, "the watcher exited"
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(TIMEOUT) == 0
    finally:
        guard.cancel()
        watcher.kill()
    assert "Traceback" not in watcher.stderr.read()
    assert stat.S_ISFIFO(os.lstat(root / "Skill.md").st_mode)
