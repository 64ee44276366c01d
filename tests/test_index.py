from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath

import pytest

from vaultkit.blocks import EMPTY_SCAN
from vaultkit.index import LinkIndex, Resolution, normalize_heading
from vaultkit.model import (
    EMPTY_MAPPING,
    BlockId,
    FrontmatterState,
    Heading,
    Link,
    Note,
    Span,
)

SPAN = Span(1, 1, 1, 2)
P = PurePosixPath


def make_note(
    path: str, headings: tuple[tuple[int, str], ...] = (), blocks: tuple[str, ...] = ()
) -> Note:
    return Note(
        path=P(path),
        digest="",
        bom=False,
        newline="\n",
        decoded=True,
        frontmatter_state=FrontmatterState.ABSENT,
        frontmatter=EMPTY_MAPPING,
        property_lines={},
        body_line=1,
        headings=tuple(Heading(level, text, SPAN) for level, text in headings),
        block_ids=tuple(BlockId(block, SPAN) for block in blocks),
        links=(),
        tags=(),
        aliases=(),
        fields=(),
        tasks=(),
        malformed_tasks=(),
        conflict_markers=(),
        problems=(),
        blocks=EMPTY_SCAN,
    )


def index_of(*files: str) -> LinkIndex:
    """Paths ending in `.md` (any case) are notes, the rest attachments."""
    notes = {P(f): make_note(f) for f in files if f.lower().endswith(".md")}
    return LinkIndex(notes, [P(f) for f in files if not f.lower().endswith(".md")])


def link(target: str, kind: str = "wiki", headings: tuple[str, ...] = ()) -> Link:
    return Link(target, headings, None, None, False, kind, SPAN)  # type: ignore[arg-type]


def resolved(files: tuple[str, ...], source: str, target: str) -> tuple[str | None, list[str]]:
    result = index_of(*files).resolve_target(target, P(source))
    return (None if result.path is None else str(result.path)), [str(c) for c in result.candidates]


TWINS = ("A/Note.md", "B/Note.md", "B/deep/Note.md", "A/x.md", "B/x.md", "C/x.md")

RESOLUTION_TABLE = [
    # case-insensitive matching
    pytest.param(
        ("Projects/Alpha.md",), "x.md", "alpha", "Projects/Alpha.md", id="lower-case name"
    ),
    pytest.param(
        ("Projects/Alpha.md",), "x.md", "PROJECTS/ALPHA", "Projects/Alpha.md", id="upper path"
    ),
    pytest.param(
        ("Projects/Alpha.md",), "x.md", "Alpha.MD", "Projects/Alpha.md", id="upper extension"
    ),
    pytest.param(("Notes.MD",), "x.md", "Notes", "Notes.MD", id="note with upper-case .MD"),
    # `.md` is optional
    pytest.param(("Note.md",), "x.md", "Note", "Note.md", id=".md left out"),
    pytest.param(("Note.md",), "x.md", "Note.md", "Note.md", id=".md written"),
    # names with dots
    pytest.param(("v1.2 notes.md",), "x.md", "v1.2 notes", "v1.2 notes.md", id="dot in name"),
    pytest.param(("v1.2 notes.md",), "x.md", "v1.2 notes.md", "v1.2 notes.md", id="dot and .md"),
    pytest.param(("Archive.tar.gz",), "x.md", "Archive.tar.gz", "Archive.tar.gz", id="two dots"),
    pytest.param(
        ("Figure 1.png", "Figure 1.png.md"),
        "x.md",
        "Figure 1.png",
        "Figure 1.png",
        id="a name as written beats name.md",
    ),
    # attachments need their extension
    pytest.param(("Figure 1.png",), "x.md", "Figure 1", None, id="attachment without extension"),
    pytest.param(("Figure 1.png",), "x.md", "Figure 1.png", "Figure 1.png", id="attachment"),
    pytest.param(
        ("img/Figure 2.png",), "x.md", "figure 2.PNG", "img/Figure 2.png", id="in a folder"
    ),
    pytest.param(
        ("Report.md", "Report.pdf"), "x.md", "Report", "Report.md", id="bare name is note"
    ),
    pytest.param(("Report.md", "Report.pdf"), "x.md", "Report.pdf", "Report.pdf", id="pdf by ext"),
    # CJK and Unicode
    pytest.param(
        ("學習/Kubernetes 基礎.md",), "x.md", "kubernetes 基礎", "學習/Kubernetes 基礎.md", id="CJK"
    ),
    pytest.param(
        ("P2 6–12 個月.md",), "學習/x.md", "P2 6–12 個月", "P2 6–12 個月.md", id="CJK dash"
    ),
    pytest.param(
        ("學習/Kubernetes 基礎.md",),
        "x.md",
        "學習/Kubernetes 基礎",
        "學習/Kubernetes 基礎.md",
        id="CJK folder path",
    ),
    pytest.param(
        (unicodedata.normalize("NFD", "Café.md"),),
        "x.md",
        unicodedata.normalize("NFC", "Café"),
        unicodedata.normalize("NFD", "Café.md"),
        id="NFD file, NFC link",
    ),
    # partial paths
    pytest.param(
        ("Projects/Alpha/Plan.md", "Archive/Alpha/Plan.md"),
        "x.md",
        "Projects/Alpha/Plan",
        "Projects/Alpha/Plan.md",
        id="full path",
    ),
    pytest.param(
        ("Projects/Alpha/Plan.md", "Archive/Alpha/Plan.md"),
        "x.md",
        "Alpha/Plan",
        "Archive/Alpha/Plan.md",
        id="partial path, shortest first",
    ),
    pytest.param(("ab/Note.md",), "x.md", "b/Note", None, id="partial path matches whole folders"),
    pytest.param(("A/Note.md",), "x.md", "B/Note", None, id="wrong folder"),
    # leading slash: exact path from the root, no fallback
    pytest.param(("A/Note.md", "B/Note.md"), "A/x.md", "/Note", None, id="slash, no fallback"),
    pytest.param(("A/Note.md", "B/Note.md"), "A/x.md", "/B/Note", "B/Note.md", id="slash path"),
    pytest.param(("A/Note.md",), "A/x.md", "/A/Note.md", "A/Note.md", id="slash path with .md"),
    pytest.param(("Note.md",), "A/x.md", "/Note", "Note.md", id="slash, root note"),
    # relative paths
    pytest.param(("Note.md", "A/Note.md"), "A/x.md", "./Note", "A/Note.md", id="./ beats root"),
    pytest.param(
        ("Note.md", "A/Note.md", "A/B/Note.md"), "A/B/x.md", "../Note", "A/Note.md", id="../"
    ),
    pytest.param(("Note.md", "A/Note.md"), "A/B/x.md", "../../Note", "Note.md", id="../../"),
    pytest.param(("Note.md", "A/Note.md"), "A/B/x.md", "./../Note", "A/Note.md", id="./../"),
    pytest.param(("A/sub/Note.md",), "A/x.md", "./sub/Note", "A/sub/Note.md", id="./sub"),
    pytest.param(("Note.md",), "C/x.md", "./Note", None, id="./ never falls back to the name"),
    pytest.param(
        ("Note.md", "X/C/Note.md"),
        "C/x.md",
        "./Note",
        "X/C/Note.md",
        id="./ miss goes on as the path C/Note",
    ),
    pytest.param(("Note.md",), "x.md", "../Note", "Note.md", id="../ above the root stays at root"),
    # empty path: the linking note
    pytest.param(("Home.md",), "Home.md", "", "Home.md", id="[[#Heading]]"),
    pytest.param(("Home.md",), "Home.md", "#Plan", "Home.md", id="subpath only"),
    pytest.param(("Note.md",), "x.md", "Note#Plan#Risks", "Note.md", id="subpath ignored"),
    # unresolved
    pytest.param(("Note.md",), "x.md", "Missing", None, id="missing"),
    pytest.param((), "x.md", "Note", None, id="empty vault"),
]


@pytest.mark.parametrize(("files", "source", "target", "expected"), RESOLUTION_TABLE)
def test_resolution_table(files, source, target, expected):
    files = (*files, source) if source.endswith(".md") else files
    assert resolved(files, source, target)[0] == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("A/x.md", ["A/Note.md", "B/Note.md", "B/deep/Note.md"], id="A: own folder"),
        pytest.param("B/x.md", ["B/Note.md", "B/deep/Note.md", "A/Note.md"], id="B: own tree"),
        pytest.param("B/deep/x.md", ["B/deep/Note.md", "A/Note.md", "B/Note.md"], id="B/deep"),
        pytest.param("C/x.md", ["A/Note.md", "B/Note.md", "B/deep/Note.md"], id="C: short, a-z"),
    ],
)
def test_same_name_in_several_folders_orders_candidates_like_obsidian(source, expected):
    assert resolved(TWINS, source, "Note") == (expected[0], expected)


def test_one_index_resolves_a_link_again_from_each_folder_as_from_the_first():
    index = index_of(*TWINS, "A/Sub/Other.md", "B/Sub/Other.md")
    asked = [
        (source, target)
        for target in ("Note", "./Note", "../Note", "B/Note", "/B/Note", "Sub/Other", "x", "Nope")
        for source in ("A/x.md", "B/x.md", "C/x.md", "B/deep/Note.md", "A/x.md")
    ]
    first = [index.resolve_target(target, P(source)) for source, target in asked]
    again = [index.resolve_target(target, P(source)) for source, target in reversed(asked)]
    fresh = [
        index_of(*TWINS, "A/Sub/Other.md", "B/Sub/Other.md").resolve_target(target, P(source))
        for source, target in asked
    ]
    assert first == fresh == again[::-1]
    assert [str(r.path) for r in first[:4]] == [
        "A/Note.md",
        "B/Note.md",
        "A/Note.md",
        "B/deep/Note.md",
    ]


def test_same_name_from_the_root_prefers_the_shortest_path():
    files = ("Zeta/Note.md", "Alpha/Sub/Note.md", "Beta/Note.md", "x.md")
    assert resolved(files, "x.md", "Note") == (
        "Beta/Note.md",
        ["Beta/Note.md", "Zeta/Note.md", "Alpha/Sub/Note.md"],
    )


def test_a_root_note_wins_over_the_linking_notes_folder_and_is_not_ambiguous():
    files = ("Note.md", "A/Note.md", "A/x.md")
    assert resolved(files, "A/x.md", "Note") == ("Note.md", ["Note.md"])
    assert resolved(files, "A/x.md", "A/Note") == ("A/Note.md", ["A/Note.md"])


def test_a_unique_bare_name_has_one_candidate():
    result = index_of("Deep/Down/Note.md", "x.md").resolve_target("Note", P("x.md"))
    assert result == Resolution(P("Deep/Down/Note.md"), (P("Deep/Down/Note.md"),))
    assert result.ambiguous is False


def test_ambiguous_resolution_lists_every_match_with_the_pick_first():
    result = index_of(*TWINS).resolve_target("Note", P("C/x.md"))
    assert result.ambiguous is True
    assert result.path == result.candidates[0] == P("A/Note.md")


@pytest.mark.parametrize(
    ("source", "target", "picked", "tie_break"),
    [
        pytest.param("C/x.md", "Note", "A/Note.md", True, id="none nearby: shortest path"),
        pytest.param("x.md", "x", "A/x.md", True, id="from the root: alphabetical"),
        pytest.param("B/y.md", "Note", "B/Note.md", True, id="two under the folder"),
        pytest.param("A/y.md", "Note", "A/Note.md", False, id="one in the folder"),
        pytest.param("B/deep/y.md", "Note", "B/deep/Note.md", False, id="one in a subfolder"),
        pytest.param("C/y.md", "x", "C/x.md", False, id="one beside, two elsewhere"),
    ],
)
def test_a_tie_break_is_a_pick_the_linking_notes_folder_does_not_make(
    source, target, picked, tie_break
):
    result = index_of(*TWINS).resolve_target(target, P(source))
    assert (str(result.path), result.ambiguous, result.tie_break) == (picked, True, tie_break)


def test_unresolved_is_none_without_candidates():
    assert index_of("x.md").resolve_target("Missing", P("x.md")) == Resolution(None, ())


def test_empty_target_from_an_unknown_source_is_unresolved():
    assert index_of("x.md").resolve_target("", P("gone.md")) == Resolution(None, ())


# Markdown links: URL-decoded by the parser, then resolved exactly like wikilinks (that is
# what Obsidian does): a path without `./` is a path from the root first, then a suffix
# match where the linking note's folder comes first.


def test_markdown_link_path_is_a_root_path_before_a_relative_one():
    index = index_of("sub/Note.md", "A/sub/Note.md", "A/x.md")
    assert index.resolve(link("sub/Note.md", "markdown"), P("A/x.md")).path == P("sub/Note.md")


def test_markdown_link_prefers_a_match_under_the_linking_notes_folder():
    index = index_of("A/sub/Note.md", "B/sub/Note.md", "A/x.md")
    result = index.resolve(link("sub/Note.md", "markdown"), P("A/x.md"))
    assert result == Resolution(P("A/sub/Note.md"), (P("A/sub/Note.md"), P("B/sub/Note.md")))


def test_markdown_link_with_dot_dot_is_relative():
    index = index_of("Note.md", "A/Note.md", "A/B/x.md")
    assert index.resolve(link("../Note.md", "markdown"), P("A/B/x.md")).path == P("A/Note.md")


def test_markdown_link_to_a_heading_in_the_same_note():
    index = index_of("Home.md")
    assert index.resolve(link("", "markdown", ("Plan",)), P("Home.md")).path == P("Home.md")


def test_property_links_resolve_like_wikilinks():
    index = index_of(*TWINS)
    assert index.resolve(link("Note", "property"), P("B/x.md")) == index.resolve(
        link("Note", "wiki"), P("B/x.md")
    )


def test_excluded_style_notes_and_attachments_are_all_targets():
    index = LinkIndex({P("Templates/Daily.md"): make_note("Templates/Daily.md")}, [P("a.png")])
    assert P("Templates/Daily.md") in index
    assert P("a.png") in index
    assert P("b.png") not in index


def test_an_index_of_10000_notes_resolves_by_name():
    notes = {
        P(f"Folder {i % 100}/Note {i}.md"): make_note(f"Folder {i % 100}/Note {i}.md")
        for i in range(10_000)
    }
    attachments = [P(f"Attachments/img {i}.png") for i in range(2_000)]
    index = LinkIndex(notes, attachments)
    assert index.resolve_target("note 9999", P("x.md")).path == P("Folder 99/Note 9999.md")


# --- headings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("Plan: Q1", "plan q1"),
        ("Plan Q1", "plan q1"),
        ("Plan:Q1", "plan q1"),
        ("  Plan   Q1  ", "plan q1"),
        ("Plan\tQ1", "plan q1"),
        ("Line\nbreak", "line break"),
        ("What's new?", "what's new"),
        ("a-b_c", "a-b_c"),
        ("C++ / Rust", "c rust"),
        ("[[Link]] text", "link text"),
        ("#tag ^id", "tag id"),
        ('!"#$%&()*+,.:;<=>?@^`{|}~/[]\\', ""),
        ("計畫：Q1", "計畫：q1"),
        ("Kubernetes 基礎（上）", "kubernetes 基礎（上）"),
        ("Straße", "straße"),
        ("ÉTÉ", "été"),
    ],
)
def test_normalize_heading(text, normalized):
    assert normalize_heading(text) == normalized


HEADED = make_note(
    "Plan.md",
    headings=((1, "Plan: Q1"), (2, "Risks"), (1, "Other"), (2, "Details"), (3, "Deep")),
    blocks=("abc-1", "XYZ"),
)


def headed_index() -> LinkIndex:
    return LinkIndex({HEADED.path: HEADED}, [P("doc.pdf")])


@pytest.mark.parametrize(
    ("chain", "found"),
    [
        ((), True),
        (("Plan Q1",), True),
        (("plan: q1",), True),
        (("PLAN:Q1",), True),
        (("Plan",), False),
        (("Risks",), True),
        (("Plan: Q1", "Risks"), True),
        (("Plan Q1", "Risks", "Deep"), True),
        (("Other", "Details", "Deep"), True),
        (("Risks", "Plan: Q1"), False),
        (("Plan: Q1", "Other"), False),
        (("Details", "Risks"), False),
        (("Deep", "Deep"), False),
        # lenient like Obsidian: a shallower heading in between does not end the chain
        (("Plan: Q1", "Details"), True),
        (("Risks", "Deep"), True),
    ],
)
def test_has_heading_follows_the_nested_chain(chain, found):
    assert headed_index().has_heading(P("Plan.md"), chain) is found


def test_has_heading_does_not_look_into_attachments():
    assert headed_index().has_heading(P("doc.pdf"), ("page=3",)) is True


def test_has_heading_in_an_unknown_file_is_false():
    assert headed_index().has_heading(P("Missing.md"), ("Plan",)) is False


@pytest.mark.parametrize(
    ("block", "found"),
    [("abc-1", True), ("ABC-1", True), ("xyz", True), ("XYZ", True), ("abc", False), ("", False)],
)
def test_has_block_ignores_case(block, found):
    assert headed_index().has_block(P("Plan.md"), block) is found


def test_has_block_does_not_look_into_attachments_and_unknown_files_have_none():
    index = headed_index()
    assert (index.has_block(P("doc.pdf"), "x"), index.has_block(P("Nope.md"), "x")) == (True, False)


def test_with_notes_swaps_in_new_contents_for_the_same_files():
    index = index_of("Docker.md", "img.png")
    swapped = index.with_notes({P("Docker.md"): make_note("Docker.md", ((2, "Compose"),))})
    assert swapped.has_heading(P("Docker.md"), ("Compose",))
    assert not index.has_heading(P("Docker.md"), ("Compose",))
    assert swapped.resolve_target("img.png", P("Docker.md")).path == P("img.png")


def test_with_notes_refuses_a_different_set_of_notes():
    index = index_of("Docker.md")
    with pytest.raises(ValueError, match="same notes"):
        index.with_notes({P("Helm.md"): make_note("Helm.md")})


FILE_NAMES = [
    "Note.md",
    "a/Note.md",
    "b/c/NOTE.md",
    "ab/note.md.md",
    "ΟΔΟΣ.md",  # a capital sigma lowers to a final sigma at the end of a word
    "x/ΣΟΦΙΑ.md",
    "Cafe\u0301.md",  # NFC composes the accent: found as "café.md"
    "\u0301lone.md",  # a combining accent first: nothing to compose with
    "x/Figure 1.PNG",
    "Figure 1.png",
    "İstanbul.md",  # lowers to two characters
]


@pytest.mark.parametrize(
    "name",
    [
        "note.md",
        "note.md.md",
        "οδος.md",
        "σοφια.md",
        "café.md",
        "\u0301lone.md",
        "figure 1.png",
        "i̇stanbul.md",
        "ote.md",
        "missing.md",
        "a/note.md",
        "note\0.md",
    ],
)
def test_a_name_finds_the_files_whose_own_lowered_names_are_it(name):
    notes = {P(path): make_note(path) for path in FILE_NAMES if path.endswith(".md")}
    attachments = [P(path) for path in FILE_NAMES if not path.endswith(".md")]
    index = LinkIndex(notes, attachments)
    each = [
        path
        for path in (*index._notes, *index._listed)  # the index's order of files
        if unicodedata.normalize("NFC", str(path)).lower().rpartition("/")[2] == name
    ]
    assert index._files(name) == each


def test_names_several_files_share_are_found_in_the_order_of_the_files():
    notes = {P(path): make_note(path) for path in ("b/Note.md", "a/note.md", "Other.md")}
    index = LinkIndex(notes, [P("x/NOTE.md")])
    assert index._files("note.md") == [P("b/Note.md"), P("a/note.md"), P("x/NOTE.md")]
    assert index._files("other.md") == [P("Other.md")]
    assert LinkIndex({}, [])._files("") == []


def test_the_files_a_shared_name_may_open_are_ordered_once_for_every_folder(monkeypatch):
    from vaultkit import index as index_module

    ranked: list[str] = []
    real = index_module._rank

    def counted(item: tuple[str, PurePosixPath]) -> tuple[int, str, str]:
        ranked.append(item[0])
        return real(item)

    monkeypatch.setattr(index_module, "_rank", counted)
    files = [PurePosixPath(f"F{n:02d}/X.md") for n in range(50)]
    index = LinkIndex({}, files)
    opened = [index.resolve_target("X", PurePosixPath(f"F{n:02d}/Note.md")).path for n in range(50)]
    assert opened == files  # each folder's own X.md
    assert len(ranked) == 50  # one sort of the 50 files, not one for each of 50 folders
