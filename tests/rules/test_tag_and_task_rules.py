"""VK201-VK203 tags and VK301-VK302 tasks."""

from __future__ import annotations

import pytest

from vaultkit.config import Config
from vaultkit.linting import run
from vaultkit.progress import compute
from vaultkit.vault import load_vault


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("---\ntags: [a b]\n---\n", [(2, 8)], id="a space in a flow list"),
        pytest.param("---\ntags:\n  - ok\n  - machine learning\n---\n", [(4, 5)], id="block"),
        pytest.param("---\ntags: [2024, '#1984']\n---\n", [(2, 8), (2, 15)], id="digits only"),
        pytest.param("---\ntags: my tag\n---\n", [(2, 7)], id="one text with a space"),
        pytest.param("---\nTAGS: [雲端 架構]\n---\n", [(2, 8)], id="CJK, key in capitals"),
    ],
)
def test_vk201_reports_front_matter_tags_obsidian_drops(found, text, expected):
    assert found({"a.md": text}, "VK201") == [
        ("a.md", line, col, "VK201") for line, col in expected
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("---\ntags: [y2024, area/sub, '#quoted', 雲端架構, a_b-c]\n---\n", id="valid"),
        pytest.param("---\ntags: a, b\n---\n", id="one text with a comma is VK003's"),
        pytest.param("---\nkeywords: [a b]\n---\n", id="not the tags property"),
        pytest.param("#1984 is not a tag in the body either\n", id="body"),
    ],
)
def test_vk201_leaves_readable_tags_alone(found, text):
    assert found({"a.md": text}, "VK201") == []


def test_vk202_reports_the_casings_used_less_often(make_vault):
    root = make_vault(
        {
            "a.md": "---\ntags: [Kubernetes]\n---\n#kubernetes #MLOps\n",
            "b.md": "#Kubernetes #Kubernetes #mlops\n",
            "c.md": "#area/Cloud #Area/cloud\n",
        }
    )
    vault = load_vault(root, Config())
    found = [(str(d.path), d.line, d.col, d.message) for d in run(vault, compute(vault))]
    assert found == [
        ("a.md", 4, 1, "tag '#kubernetes' is written '#Kubernetes' in 3 other places"),
        ("b.md", 1, 25, "tag '#mlops' is written '#MLOps' in 1 other place"),
        ("c.md", 1, 1, "tag '#area/Cloud' is written '#Area/cloud' in 1 other place"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("例如 #標籤。然後\n", [(1, 7)], id="a full stop inside"),
        pytest.param("#實戰：構建\n", [(1, 4)], id="a colon at a line start"),
        pytest.param("例如 #tag。\n", [(1, 8)], id="a full stop at the end"),
        pytest.param("學 #Docker，然後 #K8s！\n", [(1, 10), (1, 18)], id="two tags"),
        pytest.param("#「引用」\n", [(1, 2)], id="a bracket first"),
        pytest.param("日本語 #タグ、です\n", [(1, 8)], id="an ideographic comma"),
        pytest.param("- [ ] 任務 #待辦（今天）\n", [(1, 13)], id="in a task"),
        pytest.param("> [!note]\n> 見 #筆記」\n", [(2, 8)], id="in a callout"),
        pytest.param("---\ntitle: x\n---\n說明 #標籤；\n", [(4, 7)], id="below front matter"),
        pytest.param("x #tag｡\n", [(1, 7)], id="a half-width ideographic stop"),
    ],
)
def test_vk203_reports_full_width_punctuation_inside_a_tag(found, text, expected):
    assert found({"a.md": text}, "VK203") == [
        ("a.md", line, col, "VK203") for line, col in expected
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("例如 #標籤 。然後\n", id="a space before the stop"),
        pytest.param("例如 #標籤,然後\n", id="an ascii comma ends the tag"),
        pytest.param("例如 #標籤\u3000。\n", id="an ideographic space ends the tag"),
        pytest.param("中文#標籤。\n", id="no tag without a space before it"),
        pytest.param("例如 `#標籤。`\n", id="in code"),
        pytest.param("---\ntags: [實戰：構建]\n---\n", id="front matter: written on purpose"),
        pytest.param("#ジョン・スミス\n", id="a middle dot inside a name"),
        pytest.param("#範囲〜三\n", id="a wave dash"),
        pytest.param("#工具－鏈／子 #全角＿線\n", id="full-width twins of -/_"),
    ],
)
def test_vk203_leaves_tags_without_full_width_punctuation_alone(found, text):
    assert found({"a.md": text}, "VK203") == []


def test_vk203_says_what_obsidian_reads_and_what_was_meant(make_vault):
    root = make_vault({"a.md": "例如 #標籤。然後 #「引用」\n"})
    vault = load_vault(root, Config())
    messages = [d.message for d in run(vault, compute(vault)) if d.code == "VK203"]
    assert messages == [
        "Obsidian reads the tag '標籤。然後', not '標籤': put a space before the full-width '。'",
        "Obsidian reads the tag '「引用」', full-width '「' included: "
        "only a space or ASCII punctuation ends a tag",
    ]


def test_vk202_counts_only_linted_notes(make_vault, lint_root):
    root = make_vault(
        {
            ".obsidian/app.json": '{"userIgnoreFilters": ["Templates"]}',
            "Templates/t.md": "#Book #Book\n",
            "a.md": "#book\n",
        }
    )
    assert lint_root(root) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("-[ ] a\n", [(1, 1)], id="no space after the marker"),
        pytest.param("- [] a\n", [(1, 1)], id="empty brackets"),
        pytest.param("* [x]done\n", [(1, 1)], id="no space after the brackets"),
        pytest.param("> -[ ] quoted\n", [(1, 3)], id="in a quote"),
        pytest.param("1.[ ] numbered\n", [(1, 1)], id="ordered"),
    ],
)
def test_vk301_reports_would_be_tasks(found, text, expected):
    assert found({"a.md": text}, "VK301") == [
        ("a.md", line, col, "VK301") for line, col in expected
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("- [ ] a\n- [x] b\n1. [/] c\n", id="tasks"),
        pytest.param("```\n-[ ] in code\n```\n", id="code"),
        pytest.param("- [link](x.md) is a link\n", id="a markdown link"),
        pytest.param("-[[Note]] a wikilink\n\n[[Note]]\n", id="a wikilink after a dash"),
    ],
)
def test_vk301_leaves_other_lines_alone(found, text):
    assert found({"a.md": text, "Note.md": ""}, "VK301") == []


def test_vk302_reports_characters_outside_the_status_map(found):
    text = "- [ ] a\n- [x] b\n- [X] c\n- [/] d\n- [-] e\n- [>] f\n- [?] g\n  - [!] h\n"
    assert found({"a.md": text}, "VK302") == [("a.md", 7, 4, "VK302"), ("a.md", 8, 6, "VK302")]


def test_vk302_follows_the_configured_status_map(found):
    config = Config(task_status={" ": "todo", "x": "done", "?": "todo"})
    assert found({"a.md": "- [?] g\n- [/] h\n"}, "VK302", config) == [("a.md", 2, 4, "VK302")]
