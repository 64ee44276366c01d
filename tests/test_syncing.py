"""Planning and writing blocks on real vaults: the write-safety fixtures, byte for byte."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vaultkit import linting, syncing, writeback
from vaultkit.blocks import find_blocks
from vaultkit.config import Config
from vaultkit.model import Diagnostic
from vaultkit.progress import Progress, compute
from vaultkit.summaries import fill
from vaultkit.vault import Vault, load_vault
from vaultkit.writeback import Outcome

P = PurePosixPath
BEGIN = "<!-- vaultkit:begin progress -->"
END = "<!-- vaultkit:end progress -->"
RENDERED = "▓▓▓▓▓░░░░░ 50% · 1/2 tasks · in-progress\n"  # for TASKS below
TASKS = "- [x] one\n- [ ] two\n"


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def opened(root: Path, config: Config | None = None) -> tuple[Vault, Progress]:
    vault = load_vault(root, config or Config())
    return vault, compute(vault)


def synced(root: Path, paths: list[str] | None = None) -> syncing.SyncReport:
    vault, progress = opened(root)
    return syncing.run(vault, progress, None if paths is None else [P(p) for p in paths])


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "vault"


# -- what gets written ---------------------------------------------------------------------


def test_a_stale_block_is_planned_with_old_and_new_bytes(root):
    text = f"# Note\n\n{BEGIN}\nold\n{END}\n\n{TASKS}"
    make(root, {"Note.md": text, "Other.md": "plain\n"})

    plan = syncing.plan(*opened(root))

    [update] = plan.updates
    assert (update.path, update.kinds) == (P("Note.md"), ("progress",))
    assert update.old == text.encode()
    assert update.new == f"# Note\n\n{BEGIN}\n{RENDERED}{END}\n\n{TASKS}".encode()
    assert [(b.kind, b.begin.line) for b in update.stale] == [("progress", 3)]
    assert (plan.notes, plan.unchanged, plan.blocks) == (2, 1, 1)


def test_sync_writes_the_block_and_a_second_sync_changes_nothing(root):
    make(root, {"Note.md": f"{BEGIN}\n{END}\n{TASKS}"})

    first = synced(root)
    second = synced(root)

    assert (root / "Note.md").read_text() == f"{BEGIN}\n{RENDERED}{END}\n{TASKS}"
    assert [r.outcome for r in first.results] == [Outcome.WRITTEN]
    assert (first.exit_code, second.exit_code) == (1, 0)
    assert second.plan.updates == ()


def test_crlf_note_gets_crlf_in_the_block_and_every_other_byte_is_kept(root):
    data = f"---\r\ntags: [x]\r\n---\r\n{BEGIN}\r\n{END}\r\n- [x] one\r\n- [ ] two\r\n".encode()
    make(root, {"Note.md": data})

    synced(root)

    assert (root / "Note.md").read_bytes() == (
        f"---\r\ntags: [x]\r\n---\r\n{BEGIN}\r\n"
        "▓▓▓▓▓░░░░░ 50% · 1/2 tasks · in-progress\r\n"
        f"{END}\r\n- [x] one\r\n- [ ] two\r\n"
    ).encode()


def test_a_bom_is_kept(root):
    make(root, {"Note.md": b"\xef\xbb\xbf# Title\n" + f"{BEGIN}\n{END}\n{TASKS}".encode()})

    synced(root)

    assert (root / "Note.md").read_bytes() == (
        b"\xef\xbb\xbf# Title\n" + f"{BEGIN}\n{RENDERED}{END}\n{TASKS}".encode()
    )


def test_after_a_bom_front_matter_is_body_text_as_in_obsidian_and_the_block_is_filled(root):
    data = b"\xef\xbb\xbf---\nstatus: done\n---\n" + f"{BEGIN}\n{END}\n".encode()
    make(root, {"Note.md": data})

    synced(root)

    assert (root / "Note.md").read_bytes() == (
        b"\xef\xbb\xbf---\nstatus: done\n---\n"
        + f"{BEGIN}\n░░░░░░░░░░ 0% · no tasks · untracked\n{END}\n".encode()
    )


def test_a_note_without_a_final_newline_keeps_it_that_way(root):
    make(root, {"Note.md": f"{TASKS}{BEGIN}\n{END}"})

    synced(root)

    assert (root / "Note.md").read_text() == f"{TASKS}{BEGIN}\n{RENDERED}{END}"


def test_markers_in_fenced_and_indented_code_are_never_filled(root):
    text = (
        f"How to use it:\n\n```markdown\n{BEGIN}\n{END}\n```\n\n"
        f"Or indented:\n\n    {BEGIN}\n    {END}\n\n{TASKS}"
    )
    make(root, {"Docs.md": text})

    report = synced(root)

    assert report.plan.updates == ()
    assert (root / "Docs.md").read_text() == text


def test_only_the_real_block_changes_beside_a_documented_one(root):
    text = f"```\n{BEGIN}\nexample\n{END}\n```\n\n{BEGIN}\n{END}\n{TASKS}"
    make(root, {"Docs.md": text})

    synced(root)

    assert (root / "Docs.md").read_text() == (
        f"```\n{BEGIN}\nexample\n{END}\n```\n\n{BEGIN}\n{RENDERED}{END}\n{TASKS}"
    )


def test_several_blocks_in_one_note_are_all_filled(root):
    text = (
        f"{BEGIN}\n{END}\n\n"
        f"<!-- vaultkit:begin next folder=/ -->\n<!-- vaultkit:end next -->\n{TASKS}"
    )
    make(root, {"Hub.md": text, "A.md": "- [ ] a\n"})

    [update] = syncing.plan(*opened(root)).updates

    assert update.kinds == ("progress", "next")
    assert update.new.decode() == (
        f"{BEGIN}\n{RENDERED}{END}\n\n<!-- vaultkit:begin next folder=/ -->\n"
        "1. [[A]] · ready · 0/1 tasks\n<!-- vaultkit:end next -->\n" + TASKS
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_filled_blocks_are_where_find_blocks_finds_them_in_the_filled_text(root, newline):
    text = newline.join(
        [
            "---",
            "a: 1",
            "---",
            BEGIN,
            "three",
            "old",
            "lines",
            END,
            "<!-- vaultkit:begin next folder=/ -->",
            "<!-- vaultkit:end next -->",
            BEGIN.replace("progress", "outline"),
            "# not a heading of the note",
            "<!-- vaultkit:end outline -->",
            "# Heading",
            TASKS,
        ]
    )
    make(root, {"Hub.md": text, "A.md": "- [ ] a\n", "B.md": "- [ ] b\n"})
    vault, progress = opened(root)
    note = vault.notes[P("Hub.md")]

    filled = fill(text, note.path, note.blocks.blocks, vault, progress)

    assert [(b.begin.line, b.end.line) for b in note.blocks.blocks] == [(4, 8), (9, 10), (11, 13)]
    assert [(b.begin.line, b.end.line) for b in filled.blocks] == [(4, 6), (7, 10), (11, 18)]
    assert filled.blocks == find_blocks(filled.text, note.body_line).blocks


def test_a_note_ending_in_an_open_html_block_without_a_final_line_break_gets_its_outline(root):
    end = "- a\n\n> - <!--\n> "  # no final line break: markdown-it-py read past the end
    begin = BEGIN.replace("progress", "outline")
    make(root, {"Note.md": f"# T\n\n{begin}\n<!-- vaultkit:end outline -->\n\n{end}"})

    report = synced(root)

    assert [str(update.path) for update in report.synced] == ["Note.md"]
    assert (root / "Note.md").read_text(encoding="utf-8") == (
        f"# T\n\n{begin}\n| Section | Done | Progress |\n| --- | ---: | --- |\n"
        "| [[#T]] | no tasks | |\n| **Total** | no tasks | |\n\n"
        f"<!-- vaultkit:end outline -->\n\n{end}"
    )


# -- never written -------------------------------------------------------------------------

NEVER_WRITTEN = [
    pytest.param(
        "Note.md", f"---\n- a list\n- not a mapping\n---\n{BEGIN}\n{END}\n", id="list front matter"
    ),
    pytest.param("Note.md", f"---\nkey: [unclosed\n---\n{BEGIN}\n{END}\n", id="broken YAML"),
    pytest.param(
        "Note.md",
        f"{BEGIN}\n{END}\n<<<<<<< HEAD\n- [x] a\n=======\n- [ ] a\n>>>>>>> theirs\n",
        id="git conflict markers",
    ),
    pytest.param(
        "Note.sync-conflict-20240501-123000-ABCDEFG.md",
        f"{BEGIN}\n{END}\n{TASKS}",
        id="syncthing conflict copy",
    ),
    pytest.param(
        "Note (Conflicted copy laptop 202405011230).md",
        f"{BEGIN}\n{END}\n{TASKS}",
        id="obsidian sync conflict copy",
    ),
    pytest.param("Note.md", f"{BEGIN}\n{END}\n中文\n".encode("gbk"), id="GBK, not UTF-8"),
]


@pytest.mark.parametrize(("name", "content"), NEVER_WRITTEN)
def test_unsafe_notes_are_skipped_and_never_written(root, name, content):
    make(root, {name: content})
    before = (root / name).read_bytes()

    report = synced(root)

    assert [skip.path for skip in report.plan.skipped] == [P(name)]
    assert report.plan.updates == ()
    assert report.exit_code == 1
    assert (root / name).read_bytes() == before


def test_a_conflict_copy_without_markers_is_not_a_sync_matter(root):
    make(root, {"Note.sync-conflict-20240501-123000-ABCDEFG.md": TASKS})

    report = synced(root)

    assert (report.plan.skipped, report.exit_code) == ((), 0)


def test_malformed_markers_are_vk502_at_file_lines_and_the_note_is_not_written(root):
    text = (
        f"---\na: 1\n---\n{BEGIN}\n{END}\n\n"
        "<!-- vaultkit:begin rollup bad=1 -->\n<!-- vaultkit:end rollup -->\n"
    )
    make(root, {"Note.md": text})

    report = synced(root)

    assert [(str(p.path), p.line, p.col, p.code) for p in report.plan.problems] == [
        ("Note.md", 7, 1, "VK502")
    ]
    assert report.plan.updates == () and report.exit_code == 1
    assert (root / "Note.md").read_text() == text


def test_a_note_changed_after_the_vault_was_read_is_skipped(root):
    make(root, {"Note.md": f"{BEGIN}\n{END}\n{TASKS}"})
    vault, progress = opened(root)
    (root / "Note.md").write_text(f"{BEGIN}\n{END}\n- [ ] typed meanwhile\n")

    plan = syncing.plan(vault, progress)

    assert [skip.path for skip in plan.skipped] == [P("Note.md")]
    assert plan.updates == ()


def test_notes_outside_the_paths_are_not_planned(root):
    make(root, {"A.md": f"{BEGIN}\n{END}\n{TASKS}", "B.md": f"{BEGIN}\n{END}\n{TASKS}"})

    report = synced(root, ["B.md"])

    assert [u.path for u in report.plan.updates] == [P("B.md")]
    assert (root / "A.md").read_text() == f"{BEGIN}\n{END}\n{TASKS}"
    assert report.plan.notes == 1


def test_excluded_notes_are_never_planned(root):
    make(
        root,
        {
            ".obsidian/app.json": '{"userIgnoreFilters": ["Templates/"]}',
            "Templates/Hub.md": f"{BEGIN}\n{END}\n",
            "Drafts/Hub.md": f"{BEGIN}\n{END}\n",
        },
    )

    vault, progress = opened(root, Config(exclude=("Drafts/**",)))
    plan = syncing.plan(vault, progress)

    assert (plan.updates, plan.notes) == ((), 0)


# -- writing: the hazards of WRITE-SAFETY.md through a whole sync ---------------------------


def test_a_save_racing_the_write_wins_and_sync_reports_it(root, monkeypatch):
    make(root, {"Note.md": f"{BEGIN}\n{END}\n{TASKS}"})
    typed = f"{BEGIN}\n{END}\n{TASKS}- [ ] typed during the sync\n"
    monkeypatch.setattr(writeback, "before_final_check", lambda real: real.write_text(typed))

    report = synced(root)

    assert [r.outcome for r in report.results] == [Outcome.CONFLICT]
    assert (root / "Note.md").read_text() == typed
    assert report.exit_code == 1
    assert report.summary() == "synced 0 notes (0 blocks); 0 unchanged; 1 skipped"
    assert sorted(os.listdir(root)) == [".obsidian", "Note.md"]


@pytest.mark.parametrize("mode", [0o644, 0o600])
def test_the_note_keeps_its_mode(root, mode):
    make(root, {"Note.md": f"{BEGIN}\n{END}\n{TASKS}"})
    os.chmod(root / "Note.md", mode)

    synced(root)

    assert stat.S_IMODE(os.stat(root / "Note.md").st_mode) == mode
    assert (root / "Note.md").read_text() == f"{BEGIN}\n{RENDERED}{END}\n{TASKS}"


def test_a_symlinked_note_stays_a_link_and_its_target_in_the_vault_is_updated(root):
    make(root, {".shared/Real.md": f"{BEGIN}\n{END}\n{TASKS}"})  # hidden: the link is the note
    (root / "Linked.md").symlink_to(root / ".shared" / "Real.md")

    report = synced(root)

    assert [r.outcome for r in report.results] == [Outcome.WRITTEN]
    assert (root / "Linked.md").is_symlink()
    assert (root / ".shared/Real.md").read_text() == f"{BEGIN}\n{RENDERED}{END}\n{TASKS}"


def test_a_symlinked_note_whose_file_is_outside_the_vault_is_reported_and_left(tmp_path, root):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Real.md").write_text(f"{BEGIN}\n{END}\n{TASKS}")
    make(root, {})
    (root / "Linked.md").symlink_to(outside / "Real.md")

    report = synced(root)

    assert [(r.outcome, r.detail) for r in report.results] == [
        (Outcome.REFUSED, f"a link to {outside / 'Real.md'}, outside the vault")
    ]
    assert report.exit_code == 1
    assert (outside / "Real.md").read_text() == f"{BEGIN}\n{END}\n{TASKS}"


def test_a_hard_linked_note_is_refused(root):
    make(root, {"Note.md": f"{BEGIN}\n{END}\n{TASKS}"})
    os.link(root / "Note.md", root / "Twin.md")

    report = synced(root, ["Note.md"])

    assert [r.outcome for r in report.results] == [Outcome.REFUSED]
    assert (root / "Note.md").read_text() == f"{BEGIN}\n{END}\n{TASKS}"
    assert os.stat(root / "Note.md").st_nlink == 2
    assert report.exit_code == 1


# -- findings for lint ---------------------------------------------------------------------


def block_findings(root: Path) -> list[Diagnostic]:
    return [d for d in linting.run(*opened(root)) if d.code in ("VK501", "VK502")]


def test_stale_blocks_are_vk501_at_the_begin_marker_and_vanish_after_sync(root):
    make(
        root,
        {
            "Hub.md": f"---\na: 1\n---\nText\n   {BEGIN}\n{END}\n{TASKS}",
            "Bad.md": f"{END}\n",
            "Fresh.md": f"{BEGIN}\n▓▓▓▓▓▓▓▓▓▓ 100% · 1/1 tasks · done\n{END}\n- [x] a\n",
        },
    )

    found = block_findings(root)
    synced(root)
    after = block_findings(root)

    assert [(str(d.path), d.line, d.col, d.code) for d in found] == [
        ("Bad.md", 1, 1, "VK502"),
        ("Hub.md", 5, 4, "VK501"),
    ]
    assert [(str(d.path), d.code) for d in after] == [("Bad.md", "VK502")]


# -- properties ----------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "\n",
        "\r\n",
        " ",
        "x",
        "中文",
        "# H",
        "- [ ] t",
        "- [x] d",
        "```",
        "    ",
        "> ",
        "<!--",
        "-->",
        "|",
        "---",
    ]
)
AROUND = st.lists(PIECES, max_size=20).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=AROUND, after=AROUND, newline=st.sampled_from(["\n", "\r\n"]))
def test_sync_changes_only_block_interiors_and_is_idempotent(before, after, newline):
    head = f"{before}{newline}{newline}{BEGIN}{newline}"
    tail = f"{END}{newline}{newline}{after}"
    text = head + "stale" + newline + tail
    with tempfile.TemporaryDirectory() as tmp:
        root = make(Path(tmp) / "vault", {"Note.md": text})
        first = synced(root)
        assume(first.plan.skipped == () and first.plan.problems == () and first.plan.updates)
        after_first = (root / "Note.md").read_bytes().decode()
        second = synced(root)

        assert after_first.startswith(head) and after_first.endswith(tail)
        assert "stale" not in after_first[len(head) : len(after_first) - len(tail)]
        assert second.plan.updates == ()
        assert (root / "Note.md").read_bytes().decode() == after_first


def test_an_empty_note_is_left_alone(root):
    make(root, {"Note.md": b""})

    report = synced(root)

    assert (report.plan.updates, report.plan.skipped, report.exit_code) == ((), (), 0)
    assert (root / "Note.md").read_bytes() == b""


# -- a vault that could not be read whole ----------------------------------------------

ROLLUP_F = "<!-- vaultkit:begin rollup folder=F -->\n<!-- vaultkit:end rollup -->\n"
ROLLUP_G = "<!-- vaultkit:begin rollup folder=G -->\n<!-- vaultkit:end rollup -->\n"


def test_a_block_that_might_show_a_skipped_note_is_refused_not_written_short(root):
    make(root, {"Hub.md": ROLLUP_F, "F/a.md": TASKS, "F/c.md": TASKS})
    os.symlink("b.md", root / "F" / "b.md")

    report = synced(root)

    assert [(s.path, s.reason) for s in report.plan.skipped] == [
        (
            P("Hub.md"),
            "the vault could not be read whole (F/b.md: too many levels of symbolic links)",
        )
    ]
    assert report.exit_code == 1
    assert (root / "Hub.md").read_text() == ROLLUP_F


def test_a_block_scoped_to_another_folder_is_still_written(root):
    make(root, {"Hub.md": ROLLUP_G, "F/a.md": TASKS, "G/c.md": TASKS})
    os.symlink("b.md", root / "F" / "b.md")

    report = synced(root)

    assert report.plan.skipped == ()
    assert [u.path for u in report.synced] == [P("Hub.md")]
    assert "[[c]]" in (root / "Hub.md").read_text()


def test_a_block_already_current_is_not_reported_for_a_skipped_note(root):
    make(root, {"Hub.md": ROLLUP_F, "F/a.md": TASKS})
    synced(root)
    os.symlink("b.md", root / "F" / "b.md")

    report = synced(root)

    assert (report.plan.skipped, report.plan.updates, report.exit_code) == ((), (), 0)


def test_a_note_named_with_bytes_that_are_not_utf8_is_left_out_of_blocks(root):
    rollup = "<!-- vaultkit:begin rollup folder=/ -->\n<!-- vaultkit:end rollup -->\n"
    make(root, {"Hub.md": rollup, "a.md": TASKS, os.fsdecode(b"bad\xffname.md"): TASKS})

    report = synced(root)

    assert [u.path for u in report.synced] == [P("Hub.md")]
    assert "bad" not in (root / "Hub.md").read_text()
    assert (root / os.fsdecode(b"bad\xffname.md")).read_text() == TASKS
