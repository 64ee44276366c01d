"""Links in a canvas's text cards are links: VK101-VK105 check them as in a note.

The canvases here are written the way Obsidian writes them (tab-indented, one node per
line, the card's Markdown in one JSON string with `\\n` for its line breaks), so a finding's
line and column are those of the link's first character in the `.canvas` file as saved.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from vaultkit import jsoncanvas
from vaultkit.cards import text_cards
from vaultkit.config import Config
from vaultkit.jsoncanvas import ESCAPE_RE, dumps
from vaultkit.linting import run
from vaultkit.progress import compute
from vaultkit.vault import load_vault


def canvas(*texts: str, file: str | None = None) -> str:
    """A canvas as Obsidian saves it: a text card per text (then a file card)."""
    nodes: list[dict[str, object]] = [
        {"id": f"card{n}", "type": "text", "text": text, "x": 0, "y": n * 100, "width": 250}
        | {"height": 60}
        for n, text in enumerate(texts)
    ]
    if file is not None:
        nodes.append({"id": "f", "type": "file", "file": file, "x": 300, "y": 0})
        nodes[-1] |= {"width": 400, "height": 400}
    return dumps({"nodes": nodes, "edges": []}).decode("utf-8")


NOTES = {
    "Docker.md": "# Docker\n\n## Build\n\nA paragraph ^para\n",
    "Maps/Same.md": "beside the canvas\n",
    "Other/Same.md": "elsewhere\n",
    "Else/Twin.md": "x\n",
    "More/Twin.md": "x\n",
}


def test_a_broken_link_in_a_card_is_reported_where_the_canvas_file_holds_it(make_vault):
    root = make_vault(NOTES | {"Maps/Plan.canvas": canvas("Plan:\n- [[Docker]] then [[Dokcer]]")})
    found = run(load_vault(root, Config()), compute(load_vault(root, Config())))
    line = (root / "Maps/Plan.canvas").read_text(encoding="utf-8").splitlines()[2]
    assert [(str(d.path), d.line, d.col, d.code) for d in found] == [
        ("Maps/Plan.canvas", 3, line.index("[[Dokcer") + 1, "VK101")
    ]
    assert found[0].message.endswith("(in the text card 'Plan:', line 2)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("[[Dokcer]] ![[gone.png]]", [("VK101", 39), ("VK102", 50)], id="link, embed"),
        pytest.param(
            "[[Docker#Nope]] [[Docker#^nope]]", [("VK103", 39), ("VK104", 55)], id="subpaths"
        ),
        pytest.param("[[Twin]]", [("VK105", 39)], id="ambiguous, no folder wins"),
        pytest.param("[x](Dokcer.md)", [("VK101", 39)], id="a markdown link"),
        pytest.param("\\n 😀 [[Dokcer]]", [("VK101", 44)], id="an escape is two columns"),
        pytest.param("\\ud83d\\ude00 [[Dokcer]]", [("VK101", 52)], id="an escaped pair"),
    ],
)
def test_each_link_rule_checks_cards(found, text, expected):
    # The card's text starts in column 39: `\t\t{"id":"card0","type":"text","text":"`.
    written = canvas("PLACEHOLDER").replace("PLACEHOLDER", text)
    assert [(code, col) for _, _, col, code in found(NOTES | {"Maps/Plan.canvas": written})] == [
        (code, col) for code, col in expected
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[[Docker]] [[docker.md]] [[Docker#Build]] [[Docker#^para]]", id="resolved"),
        pytest.param("[[Same]]", id="the canvas's own folder wins, as Obsidian resolves it"),
        pytest.param("[[#Anything]]", id="a heading of the canvas itself"),
        pytest.param("`[[Dokcer]]`\n\n```\n[[Dokcer]]\n```", id="code"),
    ],
)
def test_links_that_resolve_are_left_alone(found, text):
    assert found(NOTES | {"Maps/Plan.canvas": canvas(text)}) == []


def test_a_card_has_no_prerequisites_so_a_requires_field_is_a_plain_link(found):
    files = NOTES | {"Maps/Plan.canvas": canvas("requires:: [[Dokcer]]")}
    assert [(col, code) for _, _, col, code in found(files)] == [(50, "VK101")]


def test_cards_are_checked_only_when_the_canvas_is_reported_on(make_vault, lint_root):
    root = make_vault(NOTES | {"Maps/Plan.canvas": canvas("[[Dokcer]]")})
    assert lint_root(root, paths=["Docker.md"]) == []
    assert [code for *_, code in lint_root(root)] == ["VK101"]


def test_ignore_targets_and_select_apply_to_cards(found):
    files = NOTES | {"Maps/Plan.canvas": canvas("[[Inbox]] [[Dokcer]]")}
    config = Config(rules={"VK101": {"ignore-targets": ["Inbox"]}})
    assert [(col, code) for _, _, col, code in found(files, config=config)] == [(49, "VK101")]
    assert found(files, config=Config(ignore=("VK101",))) == []


def test_a_file_card_and_a_text_card_are_both_read(found):
    files = NOTES | {"Map.canvas": canvas("[[Dokcer]]", file="Gone.md")}
    assert [(line, code) for _, line, _, code in found(files)] == [(3, "VK101"), (4, "VK106")]


@pytest.mark.parametrize(
    ("text", "at"),
    [
        pytest.param("{not json", (1, 2), id="not JSON"),
        pytest.param('{"nodes":' + "[" * 100_000 + "]" * 100_000 + "}", (1, 1), id="too deep"),
    ],
)
def test_a_canvas_vaultkit_cannot_read_is_no_crash_and_one_finding(found, text, at):
    assert found(NOTES | {"Map.canvas": text}) == [("Map.canvas", *at, "VK106")]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"nodes":[{"type":"text","text":7}]}', id="a card whose text is no string"),
        pytest.param("", id="empty, as Obsidian creates it"),
    ],
)
def test_a_canvas_with_nothing_to_check_is_no_crash_and_no_finding(found, text):
    assert found(NOTES | {"Map.canvas": text}) == []


def test_each_of_many_links_among_escapes_is_reported_where_the_file_holds_it(make_vault):
    # Escapes of each kind before each link, a thousand links in one card: each link's
    # column is looked up, not found by walking the card from its start (which took
    # minutes for a card of 30,000 links).
    text = "".join(f'[[Gone {n}]] {"😀" * (n % 3)}\t"\\é\n' for n in range(1000))
    written = canvas(text).replace("😀", "\\ud83d\\ude00")  # as an escaped pair
    root = make_vault({"Plan.canvas": written})
    found = run(load_vault(root, Config()), compute(load_vault(root, Config())))
    line = written.splitlines()[2]
    columns = [at + 1 for at in range(len(line)) if line.startswith("[[Gone", at)]
    assert len(columns) == 1000
    assert [(d.line, d.col, d.code) for d in found] == [(3, col, "VK101") for col in columns]


def test_a_card_s_escapes_are_read_once_however_many_links_it_holds(make_vault, monkeypatch):
    scans: list[str] = []

    class Counted:
        """`ESCAPE_RE`, counting each time a card's literal is read for escapes."""

        def finditer(self, text: str) -> object:
            scans.append("finditer")
            return ESCAPE_RE.finditer(text)

        def match(self, text: str, at: int = 0) -> object:
            scans.append("match")
            return ESCAPE_RE.match(text, at)

    monkeypatch.setattr(jsoncanvas, "ESCAPE_RE", Counted())
    text = "".join(f"[[Gone {n}]] \\n" for n in range(500))
    root = make_vault({"Plan.canvas": canvas(text)})
    found = run(load_vault(root, Config()), compute(load_vault(root, Config())))
    assert (len(found), scans) == (500, ["finditer"])


@pytest.mark.parametrize(
    ("max_size", "expected"),
    [
        pytest.param(
            99,
            [
                (
                    1,
                    1,
                    "VK007",
                    "the canvas's text cards hold 100 bytes, over max-note-size (99):"
                    " their links are not checked",
                ),
            ],
            id="over: one finding, no card read",
        ),
        pytest.param(
            100,
            [
                (
                    3,
                    39,
                    "VK101",
                    "no note or file named 'Gone': Obsidian shows the link unresolved"
                    f" (in the text card '[[Gone]]{'x' * 31}…', line 1)",
                )
            ],
            id="at the cap: read",
        ),
    ],
)
def test_the_cards_of_a_canvas_are_read_up_to_max_note_size_bytes_of_text(
    make_vault, max_size, expected
):
    texts = ["[[Gone]]" + "x" * 42, "[[Docker]]" + "é" * 20]  # 50 bytes each
    root = make_vault(NOTES | {"Plan.canvas": canvas(*texts, "no link here")})
    vault = load_vault(root, Config(max_note_size=max_size))
    found = [(d.line, d.col, d.code, d.message) for d in run(vault, compute(vault))]
    assert found == expected


def test_a_card_with_a_lone_surrogate_escape_still_has_its_links_checked(found):
    text = '{"nodes":[{"id":"1","type":"text","text":"\\ud800 [[Dokcer]]"}]}'
    assert found(NOTES | {"Map.canvas": text}) == [("Map.canvas", 1, text.index("[[") + 1, "VK101")]


def test_a_card_names_its_link_lines_and_its_first_line():
    cards = text_cards(
        PurePosixPath("Map.canvas"),
        canvas("\n  A long first line that goes on and on past forty characters\n[[X]]"),
        Config().max_note_size,
    )
    (card,) = cards
    assert card.title == "A long first line that goes on and on p…"
    assert [link.span.line for link in card.note.links] == [3]
    assert list(card.lines.values()) == [3]


def test_lint_takes_a_canvas_or_a_folder_of_canvases_as_its_path(make_vault, vk):
    root = make_vault(NOTES | {"Maps/Plan.canvas": canvas("[[Dokcer]]"), "Boards/Ok.canvas": ""})
    expected = "Maps/Plan.canvas:3:39: VK101 no note or file named 'Dokcer'"
    for path in ("Maps/Plan.canvas", "Maps"):
        run = vk("lint", path, cwd=root)
        assert (run.code, run.out.startswith(expected), run.err) == (
            1,
            True,
            "Found 1 finding in 1 canvas.\n",
        )
    clean = vk("lint", "Boards/Ok.canvas", cwd=root)
    assert (clean.code, clean.err) == (0, "All checked: 1 canvas, no findings.\n")
    assert vk("lint", "Docker.md", cwd=root).err == "All checked: 1 note, no findings.\n"
    assert vk("status", "Maps/Plan.canvas", cwd=root).err == (
        "vaultkit: error: Maps/Plan.canvas: not a note (notes are .md files)\n"
    )
