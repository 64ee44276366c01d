"""How the console command ends: its output whole and its results kept, without waiting
for the interpreter to free what the run made (`cli._leave`)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

BROKEN = 3000  # links to missing notes: a JSON report of about 700 KB, beyond any pipe's buffer


def vaultkit(*args: object, stdout: int = subprocess.PIPE) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "vaultkit", *map(str, args)]
    return subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE)


def test_a_report_larger_than_a_pipe_is_printed_whole_and_its_results_kept(
    make_vault, vk, note_cache
):
    root = make_vault({"Plan.md": "".join(f"- [[Gone {n}]]\n" for n in range(BROKEN))})
    process = vaultkit("lint", "--format", "json", root)
    out, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (1, b"")
    report = json.loads(out)
    assert len(report["diagnostics"]) == BROKEN
    assert report == json.loads(vk("lint", "--format", "json", root).out)
    (cache,) = note_cache.rglob("*.sqlite")
    with sqlite3.connect(cache) as db:
        kept = [what for (what,) in db.execute("SELECT what FROM results")]
    assert any(what.startswith("lint ") for what in kept)


def test_a_reader_that_stops_after_the_first_line_ends_the_command_quietly(make_vault):
    root = make_vault({f"Skill {n}.md": "- [ ] learn it\n" for n in range(2000)})
    process = vaultkit("next", "--limit", "2000", root)
    assert process.stdout is not None
    first = process.stdout.readline()
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert first.startswith(b" 1. Skill 0 ")
    assert (process.returncode, err) == (0, b"")
