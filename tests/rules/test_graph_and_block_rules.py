"""VK401-VK402 the dependency graph and VK501-VK502 managed blocks."""

from __future__ import annotations

import os

from vaultkit.config import Config
from vaultkit.linting import check, run
from vaultkit.progress import compute
from vaultkit.rules.base import Edit
from vaultkit.vault import load_vault


def messages(root, code):
    vault = load_vault(root, Config())
    return [
        (str(d.path), d.line, d.col, d.message)
        for d in run(vault, compute(vault))
        if d.code == code
    ]


def test_vk401_names_the_loop_in_every_note_of_it(make_vault):
    root = make_vault(
        {
            "A.md": '---\nrequires: ["[[C]]"]\n---\n',
            "B.md": "requires:: [[A]]\n",
            "C.md": '---\nrequires: ["[[Other]]", "[[B]]"]\n---\n',
            "Other.md": "",
        }
    )
    assert messages(root, "VK401") == [
        ("A.md", 2, 13, "dependency cycle: 'A' requires 'C' requires 'B' requires 'A'"),
        ("B.md", 1, 12, "dependency cycle: 'B' requires 'A' requires 'C' requires 'B'"),
        ("C.md", 2, 26, "dependency cycle: 'C' requires 'B' requires 'A' requires 'C'"),
    ]


def ring(size: int) -> dict[str, str]:
    """`size` notes, each requiring the next, the last the first."""
    return {f"N{n:04d}.md": f"requires:: [[N{(n + 1) % size:04d}]]\n" for n in range(size)}


def test_vk401_names_a_loop_of_twelve_notes_whole(make_vault):
    found = messages(make_vault(ring(12)), "VK401")
    names = " requires ".join(f"'N{n:04d}'" for n in (*range(12), 0))
    assert (len(found), found[0]) == (12, ("N0000.md", 1, 12, f"dependency cycle: {names}"))


def test_vk401_names_twelve_notes_of_a_longer_loop_then_how_many_more(make_vault):
    found = messages(make_vault(ring(3000)), "VK401")
    names = " requires ".join(f"'N{n:04d}'" for n in range(2990, 3002))
    names = names.replace("'N3000'", "'N0000'").replace("'N3001'", "'N0001'")
    assert len(found) == 3000
    assert found[2990] == (
        "N2990.md",
        1,
        12,
        f"dependency cycle: {names} requires 2,988 more notes, the last requiring 'N2990'",
    )


def test_vk401_a_note_that_requires_itself(make_vault):
    root = make_vault({"Sub/A.md": "requires:: [[A]]\n"})
    assert messages(root, "VK401") == [
        ("Sub/A.md", 1, 12, "dependency cycle: 'Sub/A' requires 'Sub/A'"),
    ]


def test_vk401_is_quiet_for_a_chain(make_vault):
    root = make_vault({"A.md": "requires:: [[B]]\n", "B.md": "requires:: [[C]]\n", "C.md": ""})
    assert messages(root, "VK401") == []


def test_vk402_says_whether_the_prerequisite_is_missing_or_not_a_note(make_vault):
    root = make_vault(
        {
            "A.md": '---\nrequires: ["[[Gone]]", "[[spec.pdf]]", "[[B]]"]\n---\n',
            "B.md": "",
            "spec.pdf": "",
        }
    )
    assert messages(root, "VK402") == [
        ("A.md", 2, 13, "prerequisite 'Gone' does not resolve to a note"),
        ("A.md", 2, 25, "prerequisite 'spec.pdf' is 'spec.pdf', which is not a note"),
    ]


STALE = (
    "# Docker\n- [x] build\n- [ ] push\n"
    "<!-- vaultkit:begin progress -->\nold\n<!-- vaultkit:end progress -->\n"
)


def test_vk501_offers_the_synced_block_as_its_fix(make_vault):
    root = make_vault({"Docker.md": STALE})
    vault = load_vault(root, Config())
    result = check(vault, compute(vault))
    assert [(str(d.path), d.line, d.col, d.code) for d in result.diagnostics] == [
        ("Docker.md", 4, 1, "VK501")
    ]
    assert list(result.fixes.values()) == [
        Edit(
            4,
            1,
            "<!-- vaultkit:begin progress -->\nold\n<!-- vaultkit:end progress -->",
            "<!-- vaultkit:begin progress -->\n"
            "▓▓▓▓▓░░░░░ 50% · 1/2 tasks · in-progress\n"
            "<!-- vaultkit:end progress -->",
        )
    ]


def stale_blocks(root):
    """Each VK501 finding as (path, line, column, message), and the fixes offered."""
    vault = load_vault(root, Config())
    result = check(vault, compute(vault))
    found = [(str(d.path), d.line, d.col, d.message) for d in result.diagnostics]
    return found, list(result.fixes.values())


def test_vk501_offers_no_fix_for_a_read_only_note_and_says_why(make_vault):
    root = make_vault({"Docker.md": STALE})
    (root / "Docker.md").chmod(0o444)
    why = "block 'progress' is out of date; sync refuses the note: read-only: not written"
    assert stale_blocks(root) == ([("Docker.md", 4, 1, why)], [])


def test_vk501_offers_no_fix_for_a_hard_linked_note_and_says_why(make_vault):
    root = make_vault({"Docker.md": STALE})
    os.link(root / "Docker.md", root / "Docker copy.md")
    why = (
        "block 'progress' is out of date; sync refuses the note: "
        "the note has 2 hard links; replacing it would split them"
    )
    assert stale_blocks(root) == ([("Docker copy.md", 4, 1, why), ("Docker.md", 4, 1, why)], [])


def test_vk501_offers_no_fix_for_a_link_to_a_note_outside_the_vault(make_vault, tmp_path):
    outside = tmp_path / "elsewhere" / "Docker.md"
    outside.parent.mkdir()
    outside.write_text(STALE)
    root = make_vault({"Hub.md": ""})
    (root / "Docker.md").symlink_to(outside)
    why = (
        "block 'progress' is out of date; sync refuses the note: "
        f"a link to {outside.resolve()}, outside the vault"
    )
    assert stale_blocks(root) == ([("Docker.md", 4, 1, why)], [])


def test_vk502_reports_markers_and_then_no_block_is_stale(make_vault, lint_root):
    root = make_vault(
        {
            "a.md": "<!-- vaultkit:begin progress -->\nold\n",
            "b.md": "<!-- vaultkit:begin rollup grup-by=phase -->\n<!-- vaultkit:end rollup -->\n",
        }
    )
    assert lint_root(root) == [("a.md", 1, 1, "VK502"), ("b.md", 1, 1, "VK502")]


def test_markers_in_code_are_not_blocks(make_vault, lint_root):
    text = "```\n<!-- vaultkit:begin progress -->\n```\n    <!-- vaultkit:end progress -->\n"
    assert lint_root(make_vault({"a.md": text})) == []
