"""VK101-VK105: links checked against the whole vault, the way Obsidian resolves them."""

from __future__ import annotations

import pytest

from vaultkit.config import Config
from vaultkit.linting import run
from vaultkit.progress import compute
from vaultkit.vault import load_vault

TARGETS = {
    "Projects/Project Alpha.md": "# Alpha\n## Plan: Q1\n### Risks\n## Budget\nText ^para-1\n",
    "雲端/Kubernetes 基礎.md": "# 基礎\n## Pod 與 Service\n",
    "Attachments/diagram.png": "",
    "Attachments/Spec v1.2.pdf": "",
}


def links(found, text, code):
    return [(line, col) for _, line, col, _ in found({**TARGETS, "a.md": text}, code)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("See [[Projet Alpha]].\n", [(1, 5)], id="wikilink typo"),
        pytest.param("[[Missing#Plan]] [[Missing#^x]]\n", [(1, 1), (1, 18)], id="subpath, no note"),
        pytest.param("[x](Missing.md) [y](<Other Note.md>)\n", [(1, 1), (1, 17)], id="markdown"),
        pytest.param("| a | [[Missing\\|x]] |\n", [(1, 7)], id="in a table"),
        pytest.param("[[diagram]]\n", [(1, 1)], id="an attachment without extension"),
        pytest.param('---\nup: "[[Missing]]"\n---\n', [(2, 6)], id="a property link"),
        pytest.param("> [!note]\n> see [[Missing]]\n", [(2, 7)], id="in a callout"),
        pytest.param("- [ ] read [[缺少的筆記]]\n", [(1, 12)], id="CJK name"),
    ],
)
def test_vk101_reports_links_obsidian_cannot_resolve(found, text, expected):
    assert links(found, text, "VK101") == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[[project alpha]] [[PROJECT ALPHA.md]]\n", id="any case, .md optional"),
        pytest.param("[[Projects/Project Alpha]]\n", id="a path from the root"),
        pytest.param("[[Kubernetes 基礎]] [[diagram.png]]\n", id="CJK, attachment"),
        pytest.param("[[Spec v1.2.pdf#page=3]]\n", id="a pdf page"),
        pytest.param("[x](Projects/Project%20Alpha.md)\n", id="url-encoded markdown link"),
        pytest.param("[[#Here]]\n\n# Here\n", id="same-note heading"),
        pytest.param("`[[Missing]]`\n\n```\n[[Missing]]\n```\n", id="code"),
        pytest.param("%% [[Missing]] %%\n<!-- [[Missing]] -->\n", id="comments"),
        pytest.param("[site](https://example.com) [m](mailto:a@b.c)\n", id="external links"),
    ],
)
def test_vk101_leaves_resolving_links_alone(found, text):
    assert links(found, text, "VK101") == []


def test_vk101_ignore_targets_option(found):
    config = Config(rules={"VK101": {"ignore-targets": ["inbox"]}})
    result = found({"a.md": "[[Inbox]] [[Outbox]]\n"}, "VK101", config)
    assert result == [("a.md", 1, 11, "VK101")]


def test_vk101_leaves_prerequisites_to_vk402(found):
    result = found({"a.md": "requires:: [[Gone]]\n\n[[Gone]]\n"})
    assert result == [("a.md", 1, 12, "VK402"), ("a.md", 3, 1, "VK101")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("![[Missing]]\n", [(1, 1)], id="a note"),
        pytest.param("x ![[diagram.jpg|300]]\n", [(1, 3)], id="an image with a size"),
        pytest.param("![m](missing.png)\n", [(1, 1)], id="a markdown embed"),
    ],
)
def test_vk102_reports_embeds_of_nothing(found, text, expected):
    assert links(found, text, "VK102") == expected
    assert links(found, text, "VK101") == []


def test_vk102_leaves_existing_embeds_alone(found):
    assert links(found, "![[diagram.png|300]] ![[Project Alpha#Budget]]\n", "VK102") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("[[Project Alpha#Scope]]\n", [(1, 1)], id="no such heading"),
        pytest.param("![[Project Alpha#Scope]]\n", [(1, 1)], id="an embed"),
        pytest.param("[[Project Alpha#Budget#Risks]]\n", [(1, 1)], id="chain out of order"),
        pytest.param("[[#Nowhere]]\n# Here\n", [(1, 1)], id="same note"),
        pytest.param("[[Kubernetes 基礎#Pod 和 Service]]\n", [(1, 1)], id="CJK"),
    ],
)
def test_vk103_reports_missing_headings(found, text, expected):
    assert links(found, text, "VK103") == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[[Project Alpha#plan q1]]\n", id="case and punctuation ignored"),
        pytest.param("[[Project Alpha#Plan: Q1#Risks]]\n", id="a nested chain"),
        pytest.param("[[Kubernetes 基礎#Pod 與 Service]]\n", id="CJK"),
        pytest.param("[[Spec v1.2.pdf#page=3]]\n", id="not a note"),
    ],
)
def test_vk103_leaves_existing_headings_alone(found, text):
    assert links(found, text, "VK103") == []


def test_vk104_reports_missing_blocks_ignoring_case(found):
    text = "[[Project Alpha#^PARA-1]] [[Project Alpha#^para-2]] [[#^mine]]\ntext ^Mine\n"
    assert links(found, text, "VK104") == [(1, 27)]


def test_vk105_says_which_file_obsidian_opens(make_vault):
    """The shortest path wins the tie-break; a path that matches one file is fine."""
    root = make_vault(
        {
            "Skills/Docker.md": "",
            "Projects/Docker.md": "",
            "Hub.md": "[[Docker]] [[Skills/Docker]]\n",
        }
    )
    vault = load_vault(root, Config())
    found = [(str(d.path), d.line, d.col, d.message) for d in run(vault, compute(vault))]
    assert found == [
        (
            "Hub.md",
            1,
            1,
            "'Docker' matches 2 files: Obsidian opens 'Skills/Docker.md', not 'Projects/Docker.md'",
        ),
    ]


# Obsidian's help vault has `Obsidian Sync/Security and privacy.md` and `Obsidian
# Publish/Security and privacy.md`; each folder's notes link to their own.
TWINS = {
    "Obsidian Sync/Security and privacy.md": "",
    "Obsidian Publish/Security and privacy.md": "",
    "A/one/Note.md": "",
    "A/two/Note.md": "",
    "A/Near.md": "",
    "A/sub/Near.md": "",
    "B/Near.md": "",
    "C/Far.md": "",
    "D/Far.md": "",
}


@pytest.mark.parametrize(
    ("source", "text", "expected"),
    [
        pytest.param("Hub.md", "x [[Security and privacy]]\n", [(1, 3)], id="from the root"),
        pytest.param("Other/x.md", "[[Far]]\n", [(1, 1)], id="from an unrelated folder"),
        pytest.param(
            "Obsidian Publish/Deep/Intro.md",
            "[[Security and privacy]]\n",
            [(1, 1)],
            id="a note in the parent folder is no nearer",
        ),
        pytest.param("A/x.md", "[[Note]]\n", [(1, 1)], id="two under the folder"),
        pytest.param("A/x.md", "[[Near]]\n", [(1, 1)], id="beside and below"),
        pytest.param("Hub.md", "[x](Far.md)\n", [(1, 1)], id="a markdown link"),
        pytest.param("Hub.md", "---\nsee: '[[Far]]'\n---\n", [(2, 7)], id="a property link"),
    ],
)
def test_vk105_reports_a_pick_that_falls_to_a_tie_break(found, source, text, expected):
    assert found({**TWINS, source: text}, "VK105") == [
        (source, line, col, "VK105") for line, col in expected
    ]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        pytest.param(
            "Obsidian Sync/Set up.md", "[[Security and privacy]]\n", id="the same folder's note"
        ),
        pytest.param("C/x.md", "[[Far]] [x](Far.md)\n", id="beside the linking note"),
        pytest.param("A/sub/x.md", "[[Near]]\n", id="the only one under a subfolder"),
        pytest.param("Hub.md", "[[C/Far]] [[/D/Far]]\n", id="a path that picks one"),
    ],
)
def test_vk105_leaves_a_pick_made_by_the_linking_notes_folder_alone(found, source, text):
    assert found({**TWINS, source: text}, "VK105") == []


def test_vk105_names_twelve_of_many_other_files_then_how_many_more(make_vault):
    # Obsidian opens the one with the shortest path, then the first in order: 'F00/X.md'.
    files = {f"F{n:02d}/X.md": "" for n in range(15)}
    root = make_vault({**files, "Hub.md": "[[X]]\n"})
    vault = load_vault(root, Config())
    found = [d.message for d in run(vault, compute(vault)) if d.code == "VK105"]
    others = ", ".join(f"'F{n:02d}/X.md'" for n in range(1, 13))
    assert found == [
        f"'X' matches 15 files: Obsidian opens 'F00/X.md', not {others} and 2 more files"
    ]
