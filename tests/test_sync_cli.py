"""`vaultkit sync [PATHS] [--check] [--diff]`: exit codes, output, and what it writes."""

from __future__ import annotations

import pytest

BEGIN = "<!-- vaultkit:begin progress -->"
END = "<!-- vaultkit:end progress -->"
STALE = f"# A\n{BEGIN}\n{END}\n- [x] one\n- [ ] two\n"
FILLED = f"# A\n{BEGIN}\n▓▓▓▓▓░░░░░ 50% · 1/2 tasks · in-progress\n{END}\n- [x] one\n- [ ] two\n"


@pytest.fixture
def vault(make_vault):
    return make_vault(
        {
            "Skills/A.md": STALE,
            "Skills/B.md": STALE,
            "Plain.md": "no blocks\n",
        }
    )


def test_sync_writes_stale_blocks_and_exits_1(vk, vault):
    run = vk("sync", cwd=vault)

    assert (run.code, run.out) == (1, "")
    assert run.err == "synced 2 notes (2 blocks); 1 unchanged\n"
    assert (vault / "Skills/A.md").read_text() == FILLED
    assert (vault / "Skills/B.md").read_text() == FILLED


def test_sync_with_nothing_to_do_exits_0(vk, vault):
    vk("sync", cwd=vault)

    run = vk("sync", cwd=vault)

    assert (run.code, run.out, run.err) == (0, "", "synced 0 notes (0 blocks); 3 unchanged\n")


def test_check_writes_nothing_and_exits_1_when_a_block_is_stale(vk, vault):
    run = vk("sync", "--check", cwd=vault)

    assert (run.code, run.out) == (1, "")
    assert run.err == "would sync 2 notes (2 blocks); 1 unchanged\n"
    assert (vault / "Skills/A.md").read_text() == STALE


def test_diff_prints_a_unified_diff_and_writes_nothing(vk, vault):
    run = vk("sync", "--diff", "Skills/A.md", cwd=vault)

    assert run.code == 1
    assert run.out == (
        "--- a/Skills/A.md\n"
        "+++ b/Skills/A.md\n"
        "@@ -1,5 +1,6 @@\n"
        " # A\n"
        f" {BEGIN}\n"
        "+▓▓▓▓▓░░░░░ 50% · 1/2 tasks · in-progress\n"
        f" {END}\n"
        " - [x] one\n"
        " - [ ] two\n"
    )
    assert run.err == "would sync 1 note (1 block); 0 unchanged\n"
    assert (vault / "Skills/A.md").read_text() == STALE


def test_paths_narrow_what_is_written_but_not_what_is_indexed(vk, make_vault):
    root = make_vault(
        {
            "Hub.md": "[[Docker]]\n<!-- vaultkit:begin rollup -->\n<!-- vaultkit:end rollup -->\n",
            "Docker.md": STALE,
        }
    )

    run = vk("sync", "Hub.md", cwd=root)

    assert (run.code, run.err) == (1, "synced 1 note (1 block); 0 unchanged\n")
    assert (root / "Docker.md").read_text() == STALE
    assert "| [[Docker]] | in-progress | 1/2 |" in (root / "Hub.md").read_text()


def test_a_folder_path_narrows_to_its_notes(vk, vault):
    run = vk("sync", "Skills", cwd=vault)

    assert run.err == "synced 2 notes (2 blocks); 0 unchanged\n"


def test_malformed_markers_are_reported_relative_to_the_current_folder(vk, make_vault):
    root = make_vault({"Notes/Bad.md": f"---\na: 1\n---\n\n{END}\n"})

    run = vk("sync", cwd=root / "Notes")

    assert run.code == 1
    assert run.err.splitlines() == [
        "Bad.md:5:1: VK502 end marker without a begin marker",
        "synced 0 notes (0 blocks); 0 unchanged; 1 skipped",
    ]


def test_a_note_that_is_never_written_is_named_with_the_reason(vk, make_vault):
    root = make_vault({"Note.md": f"---\n- not a mapping\n---\n{BEGIN}\n{END}\n"})

    run = vk("sync", cwd=root)

    assert run.code == 1
    assert run.err.splitlines()[0].startswith("Note.md: skipped: ")
    assert run.err.splitlines()[1] == "synced 0 notes (0 blocks); 0 unchanged; 1 skipped"


def test_a_missing_path_is_a_usage_error(vk, vault):
    run = vk("sync", "Nope.md", cwd=vault)

    assert run.code == 2
    assert run.err.startswith("vaultkit: error: ")
    assert (vault / "Skills/A.md").read_text() == STALE


def test_a_bad_configuration_is_exit_2(vk, vault):
    (vault / ".vaultkit.toml").write_text("selct = []\n")

    run = vk("sync", cwd=vault)

    assert run.code == 2
    assert run.err.startswith("vaultkit: error: ")
    assert "\n" not in run.err.rstrip("\n")
