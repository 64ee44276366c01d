"""VK001-VK006: front matter, encodings and conflicts, through the real pipeline."""

from __future__ import annotations

import pytest

from vaultkit.config import Config


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("---\n- a\n- b\n---\n", [("a.md", 2, 1, "VK001")], id="a list, not a mapping"),
        pytest.param("---\ntitle: [a\n---\n", [("a.md", 3, 1, "VK001")], id="unclosed flow list"),
        pytest.param("---\nstatus: todo\nstatus: done\n---\n", [("a.md", 3, 1, "VK002")], id="dup"),
    ],
)
def test_parse_problems_are_reported_by_their_rules(found, text, expected):
    assert found({"a.md": text}) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("# Title\n\n---\n\nafter a rule\n", id="a thematic break in the body"),
        pytest.param("---\nkey: value\n", id="no closing line: not front matter"),
        pytest.param("---\n---\nempty front matter\n", id="empty front matter"),
    ],
)
def test_front_matter_left_alone(found, text):
    assert found({"a.md": text}) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("---\ntags: a, b\n---\n", [(2, 7)], id="tags as one text with a comma"),
        pytest.param("---\nTags: a, b\n---\n", [(2, 7)], id="the key in another case"),
        pytest.param("---\ntags:\n  - #x\n---\n", [(3, 5)], id="a commented-out item"),
        pytest.param(
            "---\ntags:\n  - a\n  -   #b  \n  - '#c'\n---\n", [(4, 7)], id="the # in the list"
        ),
        pytest.param("---\ntags: #x\n---\n", [(2, 7)], id="an unquoted # comments out the value"),
        pytest.param("---\naliases:\n- #Docs\n---\n", [(3, 3)], id="a commented-out alias"),
        pytest.param("---\naliases: 5\n---\n", [(2, 1)], id="a number"),
        pytest.param("---\ncssclasses: {a: b}\n---\n", [(2, 1)], id="a mapping"),
        pytest.param("---\ntags: [[a, b]]\n---\n", [(2, 1)], id="a nested list item"),
        pytest.param("---\nrequires: [[Docker]]\n---\n", [(2, 11)], id="unquoted link"),
        pytest.param(
            '---\nrequires:\n  - [[Docker]]\n  - "[[b]]"\n---\n', [(3, 5)], id="unquoted item"
        ),
        pytest.param("---\nrequires: [Docker, b]\n---\n", [(2, 12), (2, 20)], id="plain text"),
        pytest.param("---\nrequires: Docker\n---\n", [(2, 11)], id="one plain text"),
        pytest.param("---\nrequires: 3\n---\n", [(2, 1)], id="a number for a link"),
    ],
)
def test_vk003_reports_the_wrong_shape(found, text, expected):
    assert found({"a.md": text, "b.md": "", "Docker.md": ""}, "VK003") == [
        ("a.md", line, col, "VK003") for line, col in expected
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("---\ntags: one-tag\n---\n", id="one tag as text"),
        pytest.param("---\ntags: [a, b]\n---\n", id="flow list"),
        pytest.param("---\ntags:\n  - a\n  - '#b'\n---\n", id="block list, quoted #"),
        pytest.param("---\ntags:\n---\n", id="empty"),
        pytest.param("---\ntags:\n  - \n---\n", id="a template's empty tag item"),
        pytest.param("---\ntags:\n  -\n  - a\n---\n", id="an empty item among tags"),
        pytest.param("---\naliases:\n- \ncssclasses:\n- \n---\n", id="empty alias and class"),
        pytest.param("---\ntags: [a, ]\n---\n", id="a trailing comma in a flow list"),
        pytest.param("---\ntags: # the usual ones\n  - a\n---\n", id="a comment after the key"),
        pytest.param("---\ntags:\n  - a # why\n  # - old\n---\n", id="comments beside items"),
        pytest.param("---\naliases: |\n  - #x\n---\n", id="a # inside block text"),
        pytest.param("---\naliases: Docker, the tool\n---\n", id="an alias may hold a comma"),
        pytest.param('---\nrequires: "[[b]]"\n---\n', id="one quoted link"),
        pytest.param('---\nrequires: ["[[b]]", "[[Docker|D]]"]\n---\n', id="quoted links"),
        pytest.param("---\nrequires:\n---\n", id="no prerequisites"),
        pytest.param("---\nrelated: [[b]]\n---\n", id="not a dependency property"),
    ],
)
def test_vk003_leaves_the_right_shapes_alone(found, text):
    assert found({"a.md": text, "b.md": "", "Docker.md": ""}, "VK003") == []


def test_vk003_checks_the_configured_dependency_properties(found):
    config = Config(requires=("needs",))
    files = {"a.md": "---\nneeds: [b]\nrequires: [c]\n---\n", "b.md": ""}
    assert found(files, "VK003", config) == [("a.md", 2, 9, "VK003")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("---\ntag: a\n---\n", [(2, 1)], id="tag"),
        pytest.param("---\nalias: [A]\n---\n", [(2, 1)], id="alias"),
        pytest.param("---\ncssclass: wide\n---\n", [(2, 1)], id="cssclass"),
        pytest.param("---\nx: 1\nTAG: a\nAlias: b\n---\n", [(3, 1), (4, 1)], id="any case"),
    ],
)
def test_vk004_reports_deprecated_keys(found, text, expected):
    assert found({"a.md": text}, "VK004") == [
        ("a.md", line, col, "VK004") for line, col in expected
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("---\ntags: a\naliases: [A]\ncssclasses: wide\n---\n", id="the plurals"),
        pytest.param("tag: a\n", id="in the body"),
        pytest.param("---\ntagline: a\n---\n", id="a longer key"),
    ],
)
def test_vk004_leaves_other_keys_alone(found, text):
    assert found({"a.md": text}, "VK004") == []


def test_vk006_reports_each_git_conflict_once_outside_code(found):
    text = (
        "```\n<<<<<<< HEAD\n=======\n>>>>>>> x\n```\n"
        "<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n"
        "<<<<<<< HEAD\nc\n=======\nd\n>>>>>>> x\n"
    )
    assert found({"a.md": text}, "VK006") == [("a.md", 6, 1, "VK006"), ("a.md", 11, 1, "VK006")]


@pytest.mark.parametrize(
    "name",
    [
        "Plan (Conflicted copy laptop 202405011230).md",
        "Plan.sync-conflict-20240501-123000-ABCDEFG.md",
    ],
)
def test_vk006_reports_sync_conflict_copies(found, name):
    assert found({name: "- [?] x [[gone]]\n", "Plan.md": ""}) == [(name, 1, 1, "VK006")]
