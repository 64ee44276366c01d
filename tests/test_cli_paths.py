"""Which vault a command opens and which notes it reports on, the same for every command.

- The vault of a path is the nearest folder at or above it that holds `.obsidian/` or
  `.vaultkit.toml`; a path given with no such folder above it is a vault of its own (a
  folder, or a file's folder). With no path, the current folder is the path, but it must be
  in a vault: vaultkit does not take an arbitrary folder (a home directory) for one.
- No path means the current folder, as in ruff: from a subfolder, `vaultkit lint` and
  `vaultkit lint .` both report that subfolder.
- A path must be a note or a folder with notes (or a vault's root); anything else is a
  one-line error, exit 2.
- Paths in several vaults are each reported against their own vault.
- A configuration error stops every command with exit 2, before it reads a note.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROGRESS = "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n"
HUB = "[[Docker]]\n<!-- vaultkit:begin rollup -->\n<!-- vaultkit:end rollup -->\n"
VAULT = {
    "Hub.md": "See [[Nowhere]].\n" + HUB,
    "Skills/Docker.md": "- [x] build\n- [ ] push\n" + PROGRESS,
    "Skills/Helm.md": '---\nrequires: ["[[Docker]]"]\n---\nSee [[Gone]].\n- [ ] charts\n',
    "Attachments/diagram.png": "png\n",
    "notes.txt": "not a note\n",
    ".trash/Old.md": "- [ ] old\n",
}
COMMANDS = [
    pytest.param(["status"], id="status"),
    pytest.param(["next"], id="next"),
    pytest.param(["graph"], id="graph"),
    pytest.param(["sync"], id="sync"),
    pytest.param(["sync", "--check"], id="sync --check"),
    pytest.param(["lint"], id="lint"),
]


@pytest.fixture
def vault(make_vault):
    return make_vault(VAULT)


def run_watch(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`vaultkit watch` in a subprocess: it returns at once on an error, else it would wait."""
    return subprocess.run(
        [sys.executable, "-m", "vaultkit", "watch", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- a configuration error stops every command ---------------------------------------------

CONFIG_ERRORS = [
    pytest.param(
        "[rules.VK999]\n",
        "vaultkit: error: .vaultkit.toml: 'rules': unknown rule code 'VK999'\n",
        id="unknown rule code",
    ),
    pytest.param(
        '[rules.VK101]\nignore-target = ["Inbox"]\n',
        "vaultkit: error: .vaultkit.toml: [rules.VK101]: unknown option 'ignore-target' for "
        "VK101 (did you mean 'ignore-targets'?)\n",
        id="misspelled rule option",
    ),
    pytest.param(
        'select = ["VK9"]\n',
        "vaultkit: error: .vaultkit.toml: 'select': unknown rule code 'VK9'\n",
        id="select matches no rule",
    ),
]


@pytest.mark.parametrize(("toml", "message"), CONFIG_ERRORS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_configuration_error_stops_every_command(vk, vault, command, toml, message):
    (vault / ".vaultkit.toml").write_text(toml)
    before = (vault / "Skills/Docker.md").read_bytes()

    run = vk(*command, cwd=vault)

    assert (run.code, run.out, run.err) == (2, "", message)
    assert (vault / "Skills/Docker.md").read_bytes() == before


@pytest.mark.parametrize(("toml", "message"), CONFIG_ERRORS)
def test_a_configuration_error_stops_watch_before_it_starts(vault, toml, message):
    (vault / ".vaultkit.toml").write_text(toml)

    run = run_watch(cwd=vault)

    assert (run.returncode, run.stdout, run.stderr) == (2, "", message)
    assert not (vault / ".vaultkit-watch.lock").exists()


# --- no path means the current folder ------------------------------------------------------


@pytest.mark.parametrize("dot", [[], ["."]], ids=["no path", "."])
def test_from_a_subfolder_lint_reports_that_subfolder(vk, vault, dot):
    run = vk("lint", "--select", "VK101", *dot, cwd=vault / "Skills")

    assert run.out == (
        "Helm.md:4:5: VK101 no note or file named 'Gone': Obsidian shows the link unresolved\n"
    )
    assert run.err == "Found 1 finding in 1 note.\n"


@pytest.mark.parametrize("dot", [[], ["."]], ids=["no path", "."])
def test_from_a_subfolder_status_next_and_graph_report_that_subfolder(vk, vault, dot):
    status = json.loads(vk("status", *dot, "--format", "json", cwd=vault / "Skills").out)
    assert [note["path"] for note in status["notes"]] == ["Skills/Docker.md", "Skills/Helm.md"]
    upcoming = json.loads(vk("next", *dot, "--format", "json", cwd=vault / "Skills").out)
    assert [note["path"] for note in upcoming["next"]] == ["Skills/Docker.md"]
    graph = json.loads(vk("graph", *dot, "--format", "json", cwd=vault / "Skills").out)
    assert [node["id"] for node in graph["nodes"]] == ["Skills/Docker.md", "Skills/Helm.md"]


@pytest.mark.parametrize("dot", [[], ["."]], ids=["no path", "."])
def test_from_a_subfolder_sync_writes_that_subfolder(vk, vault, dot):
    hub = (vault / "Hub.md").read_bytes()

    run = vk("sync", *dot, cwd=vault / "Skills")

    assert (run.code, run.err) == (1, "synced 1 note (1 block); 1 unchanged\n")
    assert (vault / "Hub.md").read_bytes() == hub
    assert "1/2 tasks" in (vault / "Skills/Docker.md").read_text()


def test_from_the_vault_root_no_path_is_the_whole_vault(vk, vault):
    run = vk("lint", "--select", "VK101", cwd=vault)

    assert run.out.splitlines() == [
        "Hub.md:1:5: VK101 no note or file named 'Nowhere': Obsidian shows the link unresolved",
        "Skills/Helm.md:4:5: VK101 no note or file named 'Gone': Obsidian shows the link "
        "unresolved",
    ]


# --- a path must be a note or a folder of notes -------------------------------------------


@pytest.mark.parametrize(
    ("path", "message"),
    [
        pytest.param("notes.txt", "notes.txt: not a note (notes are .md files)", id="txt"),
        pytest.param(
            "Attachments/diagram.png",
            "Attachments/diagram.png: not a note (notes are .md files)",
            id="attachment",
        ),
        pytest.param(
            ".trash/Old.md",
            ".trash/Old.md: not a note (Obsidian hides names that start with '.')",
            id="hidden folder",
        ),
        pytest.param("Attachments", "Attachments: no notes in this folder", id="no notes"),
    ],
)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_path_that_is_not_a_note_or_a_folder_of_notes_is_an_error(
    vk, vault, command, path, message
):
    run = vk(*command, path, cwd=vault)

    assert (run.code, run.out, run.err) == (2, "", f"vaultkit: error: {message}\n")


@pytest.mark.parametrize("path", ["Skills/Helm.md", "Skills"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_path_whose_notes_are_all_excluded_is_an_error_not_an_empty_report(
    vk, vault, command, path
):
    (vault / ".vaultkit.toml").write_text('exclude = ["Skills/"]\n', encoding="utf-8")

    run = vk(*command, path, cwd=vault)

    assert (run.code, run.out) == (2, "")
    assert run.err == (
        f"vaultkit: error: {path}: excluded from lint and progress"
        " (`exclude`, or Obsidian's excluded files)\n"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_outside_any_vault_that_is_not_a_note_is_an_error(vk, tmp_path, command):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "hostname").write_text("box\n")

    run = vk(*command, tmp_path / "etc" / "hostname", cwd=tmp_path)

    assert (run.code, run.out) == (2, "")
    assert run.err == (
        f"vaultkit: error: {tmp_path}/etc/hostname: not a note (notes are .md files)\n"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_outside_any_vault_without_notes_is_an_error(vk, tmp_path, command):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("text\n")

    run = vk(*command, "empty", cwd=tmp_path)

    assert (run.code, run.out) == (2, "")
    assert run.err == "vaultkit: error: empty: no notes in this folder\n"


def test_a_new_empty_vault_reports_no_notes_without_a_dangling_colon(vk, make_vault):
    root = make_vault({})

    run = vk("status", cwd=root)

    assert (run.code, run.out) == (0, "0 notes, 0/0 tasks ░░░░░░░░░░ 0%\n")


def test_a_folder_without_a_vault_marker_given_by_path_is_the_vault(vk, tmp_path):
    plain = tmp_path / "plain"
    (plain / "Sub").mkdir(parents=True)
    (plain / "Hub.md").write_text("[[Sub/Note]] [[Missing]]\n")
    (plain / "Sub" / "Note.md").write_text("- [ ] a\n")

    run = vk("lint", "plain", cwd=tmp_path)

    assert run.out == (
        "plain/Hub.md:1:14: VK101 no note or file named 'Missing': Obsidian shows the link "
        "unresolved\n"
    )


# --- with no path, the current folder must be in a vault -----------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_with_no_path_a_folder_outside_any_vault_is_an_error(vk, tmp_path, command):
    (tmp_path / "a.md").write_text("- [ ] a\n")

    run = vk(*command, cwd=tmp_path)

    assert (run.code, run.out) == (2, "")
    assert run.err == (
        f"vaultkit: error: no vault at or above {tmp_path}: no folder there holds .obsidian/ "
        "or .vaultkit.toml (give a folder's path to use it as the vault)\n"
    )


def test_with_no_path_watch_outside_any_vault_is_an_error(tmp_path):
    (tmp_path / "a.md").write_text("- [ ] a\n")

    run = run_watch(cwd=tmp_path)

    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.startswith(f"vaultkit: error: no vault at or above {tmp_path}: ")


# --- paths in several vaults ---------------------------------------------------------------

TWO_VAULTS = {
    "notes/.vaultkit.toml": "",
    "notes/Hub.md": "[[Docker]] [[Nowhere]]\n" + HUB,
    "notes/Docker.md": "- [x] build\n- [ ] push\n" + PROGRESS,
    "docs/.obsidian/app.json": "{}\n",
    "docs/Index.md": "[[Guide]]\n" + HUB.replace("Docker", "Guide"),
    "docs/Guide.md": "[[Hub]]\n- [ ] write\n" + PROGRESS,
}


@pytest.fixture
def repo(tmp_path):
    for rel, text in TWO_VAULTS.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_lint_reports_paths_in_two_vaults_each_against_its_own_vault(vk, repo):
    run = vk(
        "lint", "--select", "VK101", "notes/Hub.md", "docs/Guide.md", "docs/Index.md", cwd=repo
    )

    assert run.out == (
        "docs/Guide.md:1:1: VK101 no note or file named 'Hub': Obsidian shows the link "
        "unresolved\n"
        "notes/Hub.md:1:12: VK101 no note or file named 'Nowhere': Obsidian shows the link "
        "unresolved\n"
    )
    assert (run.code, run.err) == (1, "Found 2 findings in 2 notes.\n")


def test_lint_json_with_paths_in_two_vaults_is_an_error(vk, repo):
    run = vk("lint", "--format", "json", "notes", "docs", cwd=repo)

    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "vaultkit: error: --format json reports on one vault; the paths are in 2: docs, notes\n"
    )


def test_lint_fix_json_with_paths_in_two_vaults_fixes_nothing_before_the_error(vk, repo):
    before = {rel: (repo / rel).read_bytes() for rel in TWO_VAULTS}

    run = vk("lint", "--fix", "--format", "json", "notes", "docs", cwd=repo)

    assert (run.code, run.out) == (2, "")
    assert {rel: (repo / rel).read_bytes() for rel in TWO_VAULTS} == before


def test_sync_writes_the_given_notes_of_each_vault(vk, repo):
    run = vk("sync", "notes/Docker.md", "docs/Guide.md", cwd=repo)

    assert (run.code, run.err) == (1, "synced 2 notes (2 blocks); 0 unchanged\n")
    assert "1/2 tasks" in (repo / "notes/Docker.md").read_text()
    assert "0/1 tasks" in (repo / "docs/Guide.md").read_text()
    assert (repo / "notes/Hub.md").read_text() == TWO_VAULTS["notes/Hub.md"]


def test_sync_whole_vault_syncs_every_note_of_each_vault_a_path_is_in(vk, repo):
    run = vk("sync", "--whole-vault", "notes/Docker.md", "docs/Guide.md", cwd=repo)

    assert (run.code, run.err) == (1, "synced 4 notes (4 blocks); 0 unchanged\n")
    assert "| [[Docker]] | in-progress | 1/2 |" in (repo / "notes/Hub.md").read_text()
    assert "| [[Guide]] | ready | 0/1 |" in (repo / "docs/Index.md").read_text()
    again = vk("sync", "--whole-vault", "--check", "notes/Docker.md", "docs/Guide.md", cwd=repo)
    assert (again.code, again.err) == (0, "would sync 0 notes (0 blocks); 4 unchanged\n")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_fifo_given_as_a_note_is_an_error_not_a_hang(vk, vault, command):
    os.mkfifo(vault / "Skills" / "Pipe.md")

    run = vk(*command, "Skills/Pipe.md", cwd=vault)

    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "vaultkit: error: Skills/Pipe.md: not a note or a folder (a device, FIFO or socket)\n"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_device_given_as_a_vault_is_an_error(vk, tmp_path, command):
    run = vk(*command, "/dev/null", cwd=tmp_path)

    assert (run.code, run.out, run.err) == (
        2,
        "",
        "vaultkit: error: /dev/null: not a note or a folder (a device, FIFO or socket)\n",
    )


def test_watch_given_a_device_as_its_vault_says_so_and_stops(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "vaultkit", "watch", "/dev/null"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (run.returncode, run.stdout, run.stderr) == (
        2,
        "",
        "vaultkit: error: /dev/null: not a note or a folder (a device, FIFO or socket)\n",
    )
