"""linting.py: which rules run, what is reported, and how fixes are applied."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit import linting as lint
from vaultkit.config import Config
from vaultkit.linting import active_rules, apply_edits, check, fix
from vaultkit.progress import compute
from vaultkit.rules import REGISTRY
from vaultkit.rules.base import Edit, NoOptions
from vaultkit.vault import load_vault


@pytest.mark.parametrize(
    ("text", "edits", "expected"),
    [
        pytest.param("tag: a\n", [Edit(1, 1, "tag", "tags")], ("tags: a\n", 1), id="one edit"),
        pytest.param(
            "-[ ] a\n-[ ] b\n",
            [Edit(2, 1, "-[ ]", "- [ ]"), Edit(1, 1, "-[ ]", "- [ ]")],
            ("- [ ] a\n- [ ] b\n", 2),
            id="two lines, any order",
        ),
        pytest.param(
            "雲端 -[ ] x\r\nnext\r\n",
            [Edit(1, 4, "-[ ]", "- [ ]")],
            ("雲端 - [ ] x\r\nnext\r\n", 1),
            id="columns count characters, CRLF kept",
        ),
        pytest.param("tag: a\n", [Edit(1, 1, "alias", "aliases")], ("tag: a\n", 0), id="stale"),
        pytest.param("a\n", [Edit(3, 1, "a", "b")], ("a\n", 0), id="past the end"),
        pytest.param(
            "abcdef\n",
            [Edit(1, 2, "bcd", "X"), Edit(1, 3, "cd", "Y")],
            ("aXef\n", 1),
            id="an overlapping edit waits",
        ),
        pytest.param("a\nb\n", [Edit(2, 1, "", "new\n")], ("a\nnew\nb\n", 1), id="insertion"),
        pytest.param(
            "x\nold\nold 2\ny\n",
            [Edit(2, 1, "old\nold 2\n", "new\n")],
            ("x\nnew\ny\n", 1),
            id="several lines",
        ),
    ],
)
def test_apply_edits(text, edits, expected):
    assert apply_edits(text, edits) == expected


def codes(config):
    return [active.rule.CODE for active in active_rules(config)]


def test_by_default_every_default_on_rule_runs():
    assert codes(Config()) == [rule.CODE for rule in REGISTRY if rule.DEFAULT_ENABLED]


def test_select_takes_prefixes_and_ignore_wins():
    config = Config(select=("VK1", "VK302"), ignore=("VK105", "VK3"))
    assert codes(config) == ["VK101", "VK102", "VK103", "VK104", "VK106"]


def test_a_default_off_rule_runs_only_when_selected(monkeypatch):
    quiet = SimpleNamespace(
        CODE="VK999",
        NAME="quiet",
        SCOPE="note",
        SEVERITY="warning",
        FIXABLE=False,
        DEFAULT_ENABLED=False,
        Options=NoOptions,
    )
    monkeypatch.setattr(lint, "REGISTRY", (*REGISTRY[:1], quiet))
    monkeypatch.setattr(lint, "BY_CODE", {"VK001": REGISTRY[0], "VK999": quiet})
    assert codes(Config()) == ["VK001"]
    assert codes(Config(select=("VK9",))) == ["VK999"]
    assert codes(Config(select=("VK",))) == ["VK001", "VK999"]


def test_paths_narrow_the_report_of_note_and_vault_rules(make_vault):
    root = make_vault(
        {
            "A.md": "requires:: [[B]]\n[[gone]]\n",
            "B.md": "requires:: [[A]]\n[[gone]]\n",
        }
    )
    vault = load_vault(root, Config())
    result = check(vault, compute(vault), [PurePosixPath("B.md")])
    assert [(str(d.path), d.line, d.col, d.code) for d in result.diagnostics] == [
        ("B.md", 1, 12, "VK401"),
        ("B.md", 2, 1, "VK101"),
    ]
    assert result.notes == 1


def test_fix_refuses_a_note_that_changed_since_it_was_read(make_vault):
    root = make_vault({"a.md": "-[ ] a\n"})
    vault = load_vault(root, Config())
    (root / "a.md").write_text("-[ ] a\n-[ ] typed meanwhile\n")
    outcome = fix(vault, compute(vault))
    assert outcome.fixed == 0
    assert dict(outcome.refused) == {PurePosixPath("a.md"): "it changed since it was read"}
    assert (root / "a.md").read_text() == "-[ ] a\n-[ ] typed meanwhile\n"


def test_fix_lints_again_until_nothing_is_left(make_vault):
    """Repairing a task makes the progress block stale, and the next round syncs it."""
    root = make_vault(
        {
            "a.md": "-[x] done\n"
            "<!-- vaultkit:begin progress -->\n"
            "░░░░░░░░░░ 0% · no tasks · untracked\n"
            "<!-- vaultkit:end progress -->\n"
        }
    )
    vault = load_vault(root, Config())
    outcome = fix(vault, compute(vault))
    assert (root / "a.md").read_text() == (
        "- [x] done\n"
        "<!-- vaultkit:begin progress -->\n"
        "▓▓▓▓▓▓▓▓▓▓ 100% · 1/1 tasks · done\n"
        "<!-- vaultkit:end progress -->\n"
    )
    assert (outcome.fixed, outcome.caused) == (1, 1)
    assert check(outcome.vault, outcome.progress).diagnostics == ()


KEYS = ["tags", "Tags", "aliases", "cssclasses", "requires", "tag", "alias", "vaultkit-ignore"]
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.dates(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=6,
)
BODY = st.text(alphabet="-[]x ?#^|!<>%`*1.\n\tab雲", max_size=80)


@settings(max_examples=60, deadline=None)
@given(properties=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4), body=BODY)
def test_lint_never_raises_whatever_the_note_holds(properties, body):
    front = yaml.safe_dump(properties, allow_unicode=True) if properties else ""
    text = f"---\n{front}---\n{body}" if properties else body
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".obsidian").mkdir()
        (root / "a.md").write_text(text, encoding="utf-8")
        (root / "b.md").write_text(body, encoding="utf-8")
        vault = load_vault(root, Config())
        outcome = fix(vault, compute(vault))
        for found in check(outcome.vault, outcome.progress).diagnostics:
            assert found.line >= 1 and found.col >= 1
