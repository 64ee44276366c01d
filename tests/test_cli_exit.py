"""How the console command ends: its output whole and its results kept, without waiting
for the interpreter to free what the run made (`cli._leave`)."""

from __future__ import annotations

import json
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from vaultkit import opening

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


def run_with(root: Path, redirect: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """`vaultkit ARGS` in the vault `root`, with a `redirect` such as `>&-` (standard
    output closed when it starts), its other output captured."""
    command = " ".join(shlex.quote(arg) for arg in (sys.executable, "-m", "vaultkit", *args))
    return subprocess.run(
        ["bash", "-c", f"exec {command} {redirect}"], cwd=root, capture_output=True
    )


@pytest.mark.parametrize(
    ("redirect", "args"),
    [
        pytest.param(">&-", ("lint",), id="stdout closed"),
        pytest.param("<&-", ("lint",), id="stdin closed"),
        pytest.param("2>&-", ("lint", "Gone.md"), id="stderr closed, on an error"),
        pytest.param(">&- 2>&-", ("status",), id="both closed"),
    ],
)
def test_a_run_started_with_a_standard_descriptor_closed_ends_as_with_it_open(
    make_vault, redirect, args
):
    root = make_vault({"Plan.md": "[[Gone]]\n- [ ] learn it\n"})
    before = run_with(root, "", *args)
    ran = run_with(root, redirect, *args)

    out = b"" if ">&-" in redirect.split() else before.stdout
    err = b"" if "2>&-" in redirect.split() else before.stderr
    assert (ran.returncode, ran.stdout, ran.stderr) == (before.returncode, out, err)
    assert (before.returncode, bool(before.stdout or before.stderr)) != (0, False)


def test_sync_started_with_its_output_closed_writes_the_blocks(make_vault):
    skill = "- [x] learn it\n<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n"
    root = make_vault({"Skill.md": skill})

    ran = run_with(root, ">&- 2>&-", "sync")

    assert (ran.returncode, ran.stdout, ran.stderr) == (1, b"", b"")  # 1: it changed a note
    assert (root / "Skill.md").read_text() != skill
    assert run_with(root, "", "sync", "--check").returncode == 0


def test_the_vaults_a_command_opens_are_kept_for_the_process_to_end_with(make_vault):
    """The console script gives `OUTLIVING` a list (`cli.entry`): a vault freed object by
    object as the command returns cost a cold `lint` of 10,000 notes 30 ms."""
    root = make_vault({"Hub.md": "# Hub\n", "Skills/Docker.md": "- [ ] install\n"})
    outliving: list[object] = []
    token = opening.OUTLIVING.set(outliving)
    try:
        opened = opening.open_vaults([root / "Hub.md", root / "Skills"])
    finally:
        opening.OUTLIVING.reset(token)
    assert [vault for vault, _ in opened] == outliving
    assert len(outliving) == 1 and outliving[0] is opened[0][0]


def test_a_vault_opened_outside_the_console_script_is_not_kept(make_vault):
    root = make_vault({"Hub.md": "# Hub\n"})
    assert opening.OUTLIVING.get() is None  # `api` calls and tests: nothing kept
    opening.open_vaults([root])
    assert opening.OUTLIVING.get() is None
