"""Silencing findings: one table per way, then the three ways through the real pipeline."""

from __future__ import annotations

import pytest

from vaultkit.config import Config
from vaultkit.linting import run
from vaultkit.progress import compute
from vaultkit.suppress import directive_codes, split_codes
from vaultkit.vault import load_vault


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        pytest.param("<!-- vaultkit-disable-next-line VK101 -->", ("VK101",), id="html comment"),
        pytest.param("%% vaultkit-disable-next-line VK101 %%", ("VK101",), id="obsidian comment"),
        pytest.param("<!--vaultkit-disable-next-line VK101-->", ("VK101",), id="no spaces"),
        pytest.param(
            "<!-- vaultkit-disable-next-line VK101, VK2 -->", ("VK101", "VK2"), id="comma"
        ),
        pytest.param(
            "%% vaultkit-disable-next-line VK101 VK302 %%", ("VK101", "VK302"), id="space"
        ),
        pytest.param("<!-- vaultkit-disable-next-line vk101 -->", ("VK101",), id="lower case"),
        pytest.param("<!-- vaultkit-disable-next-line -->", ("VK",), id="no code: every rule"),
        pytest.param("%% vaultkit-disable-next-line %%", ("VK",), id="no code, obsidian comment"),
        pytest.param("   <!-- vaultkit-disable-next-line VK1 -->  ", ("VK1",), id="indented"),
        pytest.param("> <!-- vaultkit-disable-next-line VK101 -->", ("VK101",), id="in a quote"),
        pytest.param("> > %% vaultkit-disable-next-line VK101 %%", ("VK101",), id="in a callout"),
    ],
)
def test_a_directive_line_names_the_codes_it_silences(line, codes):
    assert directive_codes(line, in_frontmatter=False) == codes


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("See [[x]] <!-- vaultkit-disable-next-line VK101 -->", id="after text"),
        pytest.param("<!-- vaultkit-disable-next-line VK101", id="unclosed comment"),
        pytest.param("vaultkit-disable-next-line VK101", id="not a comment"),
        pytest.param("<!-- vaultkit-disable-line VK101 -->", id="another word"),
        pytest.param("# vaultkit-disable-next-line VK101", id="a heading in the body"),
        pytest.param("<!-- vaultkit-disable-next-lines VK101 -->", id="longer word"),
    ],
)
def test_other_lines_are_not_directives(line):
    assert directive_codes(line, in_frontmatter=False) is None


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        pytest.param("# vaultkit-disable-next-line VK003", ("VK003",), id="yaml comment"),
        pytest.param("  #vaultkit-disable-next-line", ("VK",), id="every rule"),
        pytest.param("tags: [a] # vaultkit-disable-next-line VK003", None, id="after a value"),
        pytest.param("<!-- vaultkit-disable-next-line VK003 -->", None, id="html is not yaml"),
    ],
)
def test_in_front_matter_the_directive_is_a_yaml_comment(line, codes):
    assert directive_codes(line, in_frontmatter=True) == codes


def test_codes_split_on_commas_and_spaces_and_are_upper_cased():
    assert split_codes(" VK101,vk2  VK302,,") == ("VK101", "VK2", "VK302")


def findings(root, config=None):
    vault = load_vault(root, config or Config())
    return [(str(d.path), d.line, d.col, d.code) for d in run(vault, compute(vault))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "<!-- vaultkit-disable-next-line VK101 -->\n- [?] see [[missing]]\n",
            [("a.md", 2, 4, "VK302")],
            id="only the code named",
        ),
        pytest.param(
            "%% vaultkit-disable-next-line %%\n- [?] see [[missing]]\n",
            [],
            id="every code",
        ),
        pytest.param(
            "<!-- vaultkit-disable-next-line VK3 -->\n- [?] see [[missing]]\n",
            [("a.md", 2, 11, "VK101")],
            id="a prefix",
        ),
        pytest.param(
            "<!-- vaultkit-disable-next-line VK101 -->\n\n- [?] see [[missing]]\n",
            [("a.md", 3, 4, "VK302"), ("a.md", 3, 11, "VK101")],
            id="only the very next line",
        ),
        pytest.param(
            "<!-- vaultkit-disable-next-line VK101 -->\r- [?] see [[missing]]\r",
            [("a.md", 2, 4, "VK302")],
            id="CR line breaks",
        ),
        pytest.param(
            "<!-- vaultkit-disable-next-line VK101 -->\r\n- [?] see [[missing]]\r\n",
            [("a.md", 2, 4, "VK302")],
            id="CRLF line breaks",
        ),
        pytest.param(
            "---\ntags:\n  # vaultkit-disable-next-line VK201\n  - machine learning\n---\n",
            [],
            id="yaml comment in front matter",
        ),
        pytest.param(
            "---\nvaultkit-ignore: [VK101]\n---\n- [?] see [[missing]]\n",
            [("a.md", 4, 4, "VK302")],
            id="vaultkit-ignore list",
        ),
        pytest.param(
            "---\nvaultkit-ignore: VK101, VK3\n---\n- [?] see [[missing]]\n",
            [],
            id="vaultkit-ignore text",
        ),
    ],
)
def test_silenced_findings_are_left_out(make_vault, text, expected):
    assert findings(make_vault({"a.md": text})) == expected


def test_per_file_ignores_silence_by_glob(make_vault):
    root = make_vault(
        {
            "Templates/daily.md": "[[{{date}}]]\n- [?] x\n",
            "notes/a.md": "[[missing]]\n",
        }
    )
    config = Config(per_file_ignores={"Templates/**": ("VK101",)})
    assert findings(root, config) == [
        ("Templates/daily.md", 2, 4, "VK302"),
        ("notes/a.md", 1, 1, "VK101"),
    ]
