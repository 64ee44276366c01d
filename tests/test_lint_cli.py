"""`vaultkit lint` and `vaultkit rules` end to end, in-process."""

from __future__ import annotations

import json

import pytest

from vaultkit.rules import REGISTRY

VAULT = {
    "Hub.md": "# Hub\nSee [[Skills/Docker]] and [[Nowhere]].\n",
    "Skills/Docker.md": "---\ntag: [container]\n---\n- [x] build\n-[ ] push\n",
}


def test_findings_go_to_stdout_and_the_summary_to_stderr(make_vault, vk):
    root = make_vault(VAULT)
    result = vk("lint", cwd=root)
    assert result.code == 1
    assert result.out == (
        "Hub.md:2:27: VK101 no note or file named 'Nowhere': Obsidian shows the link unresolved\n"
        "Skills/Docker.md:2:1: VK004 'tag' is deprecated and no longer read: rename it 'tags'\n"
        "Skills/Docker.md:5:1: VK301 '-[ ]' is not a task: write '- [ ]'\n"
    )
    assert result.err == "Found 3 findings in 2 notes (2 fixable with --fix).\n"


def test_a_clean_vault_exits_0(make_vault, vk):
    root = make_vault({"a.md": "[[b]]\n", "b.md": "# B\n"})
    result = vk("lint", root)
    assert (result.code, result.out, result.err) == (0, "", "All checked: 2 notes, no findings.\n")


def test_paths_are_shown_relative_to_the_current_folder(make_vault, vk):
    root = make_vault(VAULT)
    result = vk("lint", "--select", "VK101", root, cwd=root.parent)
    assert result.out.splitlines() == [
        "vault/Hub.md:2:27: VK101 no note or file named 'Nowhere':"
        " Obsidian shows the link unresolved"
    ]


def test_paths_narrow_what_is_reported_not_what_is_indexed(make_vault, vk):
    root = make_vault(
        {
            "a.md": "[[Deep/b]] and [[c]]\n",
            "Deep/b.md": "[[gone]]\n",
            "c.md": "fine\n",
        }
    )
    result = vk("lint", "a.md", cwd=root)
    assert (result.code, result.out) == (0, "")
    assert result.err == "All checked: 1 note, no findings.\n"
    folder = vk("lint", "Deep", cwd=root)
    assert (
        folder.out
        == "Deep/b.md:1:1: VK101 no note or file named 'gone': Obsidian shows the link unresolved\n"
    )


def test_json_output_is_the_schema_with_vault_paths(make_vault, vk):
    root = make_vault(VAULT)
    result = vk("lint", "--format", "json", ".", cwd=root / "Skills")
    payload = json.loads(result.out)
    assert result.code == 1
    assert result.err == ""
    assert payload["schema"] == 1
    assert payload["vault"] == str(root.resolve())
    assert payload["summary"] == {"notes": 1, "canvases": 0, "findings": 2}
    assert [
        (d["path"], d["line"], d["col"], d["code"], d["rule"], d["severity"], d["fixable"])
        for d in payload["diagnostics"]
    ] == [
        ("Skills/Docker.md", 2, 1, "VK004", "deprecated-property", "error", True),
        ("Skills/Docker.md", 5, 1, "VK301", "malformed-task", "error", True),
    ]


def test_github_output_is_workflow_annotations(make_vault, vk):
    root = make_vault(VAULT)
    result = vk("lint", "--format", "github", "--select", "VK301", cwd=root)
    assert result.out == (
        "::error file=Skills/Docker.md,line=5,col=1,title=VK301 malformed-task"
        "::'-[ ]' is not a task: write '- [ ]'\n"
    )


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        pytest.param(["--select", "VK101"], ["VK101"], id="select a code"),
        pytest.param(["--select", "VK0,VK3"], ["VK004", "VK301"], id="select prefixes"),
        pytest.param(["--select", "VK0", "--select", "VK1"], ["VK101", "VK004"], id="repeated"),
        pytest.param(["--ignore", "VK1"], ["VK004", "VK301"], id="ignore a prefix"),
        pytest.param(["--select", "VK0,VK1", "--ignore", "VK004"], ["VK101"], id="both"),
    ],
)
def test_select_and_ignore_take_codes_and_prefixes(make_vault, vk, args, codes):
    root = make_vault(VAULT)
    result = vk("lint", *args, cwd=root)
    assert [line.split()[1] for line in result.out.splitlines()] == codes


def test_command_line_select_replaces_the_configs_and_ignore_adds_to_it(make_vault, vk):
    root = make_vault({**VAULT, ".vaultkit.toml": 'select = ["VK1"]\nignore = ["VK301"]\n'})
    assert [line.split()[1] for line in vk("lint", cwd=root).out.splitlines()] == ["VK101"]
    result = vk("lint", "--select", "VK0,VK3", cwd=root)
    assert [line.split()[1] for line in result.out.splitlines()] == ["VK004"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--select", "VK1O1"],
            "vaultkit: error: Invalid value for '--select': unknown rule code 'VK1O1'"
            " (did you mean 'VK101'?)\n",
            id="unknown code",
        ),
        pytest.param(
            ["--ignore", "VK1,XY"],
            "vaultkit: error: Invalid value for '--ignore': unknown rule code 'XY'\n",
            id="one bad code among good",
        ),
        pytest.param(
            ["--format", "xml"],
            "vaultkit: error: Invalid value for '--format': 'xml' is not one of"
            " 'github', 'json', 'text'.\n",
            id="unknown format",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(make_vault, vk, args, message):
    root = make_vault(VAULT)
    result = vk("lint", *args, cwd=root)
    assert (result.code, result.out, result.err) == (2, "", message)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        pytest.param(
            'select = ["VK109"]\n',
            "vaultkit: error: .vaultkit.toml: 'select': unknown rule code 'VK109'"
            " (did you mean 'VK106'?)\n",
            id="unknown code in select",
        ),
        pytest.param(
            '[per-file-ignores]\n"Templates/**" = ["VK999"]\n',
            "vaultkit: error: .vaultkit.toml: 'per-file-ignores.Templates/**':"
            " unknown rule code 'VK999'\n",
            id="unknown code in per-file-ignores",
        ),
        pytest.param(
            "[rules.VK101]\nignore-target = []\n",
            "vaultkit: error: .vaultkit.toml: [rules.VK101]: unknown option 'ignore-target'"
            " for VK101 (did you mean 'ignore-targets'?)\n",
            id="unknown option",
        ),
    ],
)
def test_configuration_errors_exit_2_naming_the_file(make_vault, vk, toml, message):
    root = make_vault({**VAULT, ".vaultkit.toml": toml})
    result = vk("lint", cwd=root)
    assert (result.code, result.out, result.err) == (2, "", message)


def test_rule_options_come_from_the_config(make_vault, vk):
    toml = '[rules.VK101]\nignore-targets = ["nowhere"]\n'
    root = make_vault({**VAULT, ".vaultkit.toml": toml})
    assert "VK101" not in vk("lint", cwd=root).out


def test_exit_zero_reports_but_does_not_fail(make_vault, vk):
    root = make_vault(VAULT)
    result = vk("lint", "--exit-zero", cwd=root)
    assert result.code == 0
    assert len(result.out.splitlines()) == 3


def test_excluded_notes_are_not_linted_but_stay_link_targets(make_vault, vk):
    root = make_vault(
        {
            ".obsidian/app.json": '{"userIgnoreFilters": ["Templates/"]}',
            "Templates/Daily.md": "[[{{date}}]]\n",
            "a.md": "[[Daily]]\n",
        }
    )
    result = vk("lint", cwd=root)
    assert (result.code, result.out, result.err) == (0, "", "All checked: 1 note, no findings.\n")


def test_a_conflict_copy_gets_only_its_own_finding(make_vault, vk):
    root = make_vault(
        {
            "Plan.md": "[[Plan]]\n",
            "Plan (Conflicted copy laptop 202405011230).md": "[[gone]]\n-[ ] x\n",
        }
    )
    result = vk("lint", cwd=root)
    assert result.out == (
        "Plan (Conflicted copy laptop 202405011230).md:1:1: VK006"
        " 'Plan (Conflicted copy laptop 202405011230).md' is a sync conflict copy:"
        " merge it and delete it\n"
    )


def test_a_note_that_is_not_utf8_is_a_finding_not_a_crash(make_vault, vk):
    root = make_vault({"a.md": "fine\n"})
    (root / "gbk.md").write_bytes("雲端架構".encode("gbk"))
    result = vk("lint", cwd=root)
    assert result.code == 1
    assert [line.split()[:2] for line in result.out.splitlines()] == [["gbk.md:1:1:", "VK005"]]


# -- --fix ----------------------------------------------------------------------------


def test_fix_renames_deprecated_keys_and_repairs_tasks_then_reports_what_is_left(make_vault, vk):
    root = make_vault(VAULT)
    result = vk("lint", "--fix", cwd=root)
    assert (root / "Skills/Docker.md").read_bytes() == (
        b"---\ntags: [container]\n---\n- [x] build\n- [ ] push\n"
    )
    assert result.code == 1
    assert result.out == (
        "Hub.md:2:27: VK101 no note or file named 'Nowhere': Obsidian shows the link unresolved\n"
    )
    assert result.err == "Fixed 2 findings. Found 1 finding in 1 note.\n"


def test_fix_keeps_crlf_and_the_byte_order_mark(make_vault, vk):
    root = make_vault({})
    (root / "crlf.md").write_bytes(b"---\r\nAlias: x\r\n---\r\n* [] todo\r\n")
    (root / "bom.md").write_bytes(b"\xef\xbb\xbf# Plan\r\n1.[x] done\r\n")
    result = vk("lint", "--fix", cwd=root)
    assert (root / "crlf.md").read_bytes() == b"---\r\nAliases: x\r\n---\r\n* [ ] todo\r\n"
    assert (root / "bom.md").read_bytes() == b"\xef\xbb\xbf# Plan\r\n1. [x] done\r\n"
    assert (result.code, result.out) == (0, "")


def test_fix_of_an_empty_block_after_a_lone_cr_writes_only_inside_the_block(make_vault, vk):
    # The note `printf` writes from the same bytes: a lone CR is a line break too.
    root = make_vault({})
    note = root / "n.md"
    note.write_bytes(
        b"a\rb\n- [x] t\n\n<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\nUSER\n"
    )
    result = vk("lint", "--fix", cwd=root)
    assert note.read_bytes() == (
        b"a\rb\n- [x] t\n\n<!-- vaultkit:begin progress -->\n"
        + "▓▓▓▓▓▓▓▓▓▓ 100% · 1/1 tasks · done\n".encode()
        + b"<!-- vaultkit:end progress -->\nUSER\n"
    )
    assert (result.code, result.out, result.err) == (
        0,
        "",
        "Fixed 1 finding. All checked: 1 note, no findings.\n",
    )
    assert vk("sync", "--check", cwd=root).code == 0


STALE = "<!-- vaultkit:begin progress -->\n░░░░░░░░░░ 0% · no tasks · untracked\n"
STALE_BLOCKS = {
    "a.md": f"- [x] one\n-[ ] two\n{STALE}<!-- vaultkit:end progress -->\n",
    "b.md": f"- [x] one\n{STALE}<!-- vaultkit:end progress -->\n",
    "Hub.md": "<!-- vaultkit:begin rollup -->\n<!-- vaultkit:end rollup -->\n",
}


def test_fix_says_it_fixed_as_many_findings_as_lint_listed(make_vault, vk):
    """The repaired task changes two blocks that were already stale: each counts once."""
    root = make_vault(STALE_BLOCKS)
    listed = vk("lint", cwd=root)
    assert listed.err == "Found 4 findings in 3 notes (4 fixable with --fix).\n"
    fixed = vk("lint", "--fix", cwd=root)
    assert (fixed.code, fixed.err) == (0, "Fixed 4 findings. All checked: 3 notes, no findings.\n")
    assert (root / "a.md").read_text().splitlines()[3] == "▓▓▓▓▓░░░░░ 50% · 1/2 tasks · in-progress"
    assert vk("sync", "--check", cwd=root).code == 0


def test_fix_counts_a_stale_block_that_the_repaired_task_made_right_again(make_vault, vk):
    block = "<!-- vaultkit:begin progress -->\n▓▓▓▓▓░░░░░ 50% · 1/2 tasks · in-progress\n"
    text = f"- [x] one\n-[ ] two\n{block}<!-- vaultkit:end progress -->\n"
    root = make_vault({"a.md": text})
    assert vk("lint", cwd=root).err == "Found 2 findings in 1 note (2 fixable with --fix).\n"
    result = vk("lint", "--fix", cwd=root)
    assert result.err == "Fixed 2 findings. All checked: 1 note, no findings.\n"
    assert (root / "a.md").read_text() == text.replace("-[ ]", "- [ ]")


def test_fix_counts_apart_the_stale_blocks_its_own_fixes_caused(make_vault, vk):
    block = "<!-- vaultkit:begin progress -->\n▓▓▓▓▓▓▓▓▓▓ 100% · 1/1 tasks · done\n"
    root = make_vault({"a.md": f"- [x] one\n-[ ] two\n{block}<!-- vaultkit:end progress -->\n"})
    assert vk("lint", cwd=root).err == "Found 1 finding in 1 note (1 fixable with --fix).\n"
    result = vk("lint", "--fix", cwd=root)
    assert result.err == (
        "Fixed 1 finding, and 1 more that the fixes caused. All checked: 1 note, no findings.\n"
    )


def test_fix_leaves_a_deprecated_key_when_the_plural_exists(make_vault, vk):
    text = "---\ntags: [a]\ntag: b\n---\n"
    root = make_vault({"a.md": text})
    result = vk("lint", "--fix", cwd=root)
    assert (root / "a.md").read_text() == text
    assert (
        result.out
        == "a.md:3:1: VK004 'tag' is deprecated and no longer read: merge it into 'tags'\n"
    )
    assert result.err == "Found 1 finding in 1 note.\n"


def test_fix_skips_silenced_findings(make_vault, vk):
    text = "<!-- vaultkit-disable-next-line VK301 -->\n-[ ] keep\n-[ ] fix\n"
    root = make_vault({"a.md": text})
    vk("lint", "--fix", cwd=root)
    assert (root / "a.md").read_text() == text.replace("-[ ] fix", "- [ ] fix")


def test_fix_only_touches_the_notes_in_paths(make_vault, vk):
    root = make_vault({"a.md": "-[ ] a\n", "b.md": "-[ ] b\n"})
    vk("lint", "--fix", "a.md", cwd=root)
    assert (root / "a.md").read_text() == "- [ ] a\n"
    assert (root / "b.md").read_text() == "-[ ] b\n"


# -- vaultkit rules -------------------------------------------------------------------


def test_rules_lists_every_rule(vk):
    result = vk("rules")
    assert result.code == 0
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == [rule.CODE for rule in REGISTRY]


def test_rules_code_prints_its_documentation(vk):
    result = vk("rules", "vk301")
    assert result.code == 0
    assert result.out.startswith("VK301 malformed-task: a line that tries to be a task")
    assert (
        "```markdown fails at=2:1\n- [x] Install kubectl\n-[ ] Create a kind cluster\n```"
        in result.out
    )


def test_rules_with_the_first_characters_of_a_code_lists_the_rules_they_start(vk):
    result = vk("rules", "vk1")
    assert result.code == 0
    codes = [line.split()[0] for line in result.out.splitlines()[1:]]
    assert codes == [rule.CODE for rule in REGISTRY if rule.CODE.startswith("VK1")]
    assert codes[:2] == ["VK101", "VK102"]


def test_rules_with_an_unknown_code_exits_2_with_a_suggestion(vk):
    result = vk("rules", "VK3O1")
    assert (result.code, result.out) == (2, "")
    assert result.err == "vaultkit: error: unknown rule 'VK3O1' (did you mean 'VK301'?)\n"


def test_a_note_named_with_a_line_break_is_one_line_of_output_not_a_made_up_finding(make_vault, vk):
    name = "x.md\nHub.md:1:1: VK000 everything is fine.md"
    root = make_vault({"Hub.md": "# Hub\n", name: "# X\n\n[[Nowhere]]\n"})

    result = vk("lint", cwd=root)

    assert result.out == (
        "x.md\\nHub.md:1:1: VK000 everything is fine.md:3:1: VK101 no note or file named "
        "'Nowhere': Obsidian shows the link unresolved\n"
    )
