from __future__ import annotations

import json
import logging
import os
from pathlib import Path, PurePosixPath

import pytest

from vaultkit.config import Config
from vaultkit.discover import (
    as_path,
    discover,
    find_root,
    glob_spec,
    is_conflict_copy,
)


def paths(*names: str) -> tuple[PurePosixPath, ...]:
    return tuple(PurePosixPath(name) for name in names)


@pytest.mark.parametrize(
    "rel",
    [
        "Home.md",
        "a/b/c.md",
        "a b/x y.md",
        "學習/Kubernetes 基礎.md",
        "x..y.md",
        "f.d/n.md",
        "b\\s.md",
    ],
)
def test_a_listed_path_is_the_path_its_text_parses_to(tmp_path, rel):
    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / rel).write_text("")

    [listed] = discover(tmp_path, Config()).notes
    parsed = PurePosixPath(rel)

    assert (listed, hash(listed), str(listed), listed.parts) == (
        parsed,
        hash(parsed),
        str(parsed),
        parsed.parts,
    )
    assert (listed.name, listed.parent, listed.suffix) == (
        parsed.name,
        parsed.parent,
        parsed.suffix,
    )


def app_json(filters: object) -> str:
    return json.dumps({"userIgnoreFilters": filters})


# --- find_root -------------------------------------------------------------------------


def test_find_root_climbs_to_the_folder_holding_dot_obsidian(tmp_path):
    (tmp_path / "vault" / ".obsidian").mkdir(parents=True)
    (tmp_path / "vault" / "Projects" / "Alpha").mkdir(parents=True)
    assert find_root(tmp_path / "vault" / "Projects" / "Alpha") == tmp_path / "vault"


def test_find_root_accepts_a_vaultkit_toml_as_the_marker(tmp_path):
    (tmp_path / "notes" / "sub").mkdir(parents=True)
    (tmp_path / "notes" / ".vaultkit.toml").write_text("")
    assert find_root(tmp_path / "notes" / "sub") == tmp_path / "notes"


def test_find_root_starts_from_a_files_folder(tmp_path):
    (tmp_path / "vault" / ".obsidian").mkdir(parents=True)
    (tmp_path / "vault" / "a").mkdir()
    (tmp_path / "vault" / "a" / "Note.md").write_text("x")
    assert find_root(tmp_path / "vault" / "a" / "Note.md") == tmp_path / "vault"


def test_find_root_picks_the_nearest_of_nested_vaults(tmp_path):
    (tmp_path / "outer" / ".obsidian").mkdir(parents=True)
    (tmp_path / "outer" / "inner" / ".obsidian").mkdir(parents=True)
    assert find_root(tmp_path / "outer" / "inner") == tmp_path / "outer" / "inner"


def test_find_root_ignores_a_file_named_dot_obsidian(tmp_path):
    (tmp_path / "plain" / "sub").mkdir(parents=True)
    (tmp_path / "plain" / ".obsidian").write_text("not a folder")
    assert find_root(tmp_path / "plain" / "sub") == tmp_path / "plain" / "sub"


def test_find_root_without_a_marker_is_the_start_itself(tmp_path):
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "Note.md").write_text("x")
    assert find_root(tmp_path / "loose") == tmp_path / "loose"
    assert find_root(tmp_path / "loose" / "Note.md") == tmp_path / "loose"


# --- discover --------------------------------------------------------------------------


def test_discover_splits_notes_and_attachments_and_skips_dot_paths(make_vault):
    root = make_vault(
        {
            "Home.md": "",
            "Projects/Alpha.md": "",
            "Projects/diagram.png": "",
            "Board.canvas": "",
            "Shouty.MD": "",
            ".obsidian/workspace.md": "",
            ".trash/Old.md": "",
            ".git/HEAD": "",
            "Projects/.hidden/Secret.md": "",
            ".DS_Store": "",
            "Projects/.draft.md": "",
        }
    )
    files = discover(root, Config())
    assert files.root == root
    assert files.notes == paths("Home.md", "Projects/Alpha.md", "Shouty.MD")
    assert files.attachments == paths("Board.canvas", "Projects/diagram.png")
    assert files.excluded == frozenset()


def test_discover_orders_paths_by_component_like_purepath(make_vault):
    root = make_vault({"a b/x.md": "", "a/x.md": "", "a/y/z.md": "", "a-c.md": "", "B.md": ""})
    files = discover(root, Config())
    assert files.notes == paths("B.md", "a/x.md", "a/y/z.md", "a b/x.md", "a-c.md")
    assert list(files.notes) == sorted(files.notes)


def test_discover_finds_cjk_names(make_vault):
    root = make_vault({"學習/Kubernetes 基礎.md": "", "P2 6–12 個月.md": ""})
    assert discover(root, Config()).notes == paths("P2 6–12 個月.md", "學習/Kubernetes 基礎.md")


def test_discover_does_not_follow_symlinked_folders(make_vault):
    root = make_vault({"real/Note.md": ""})
    os.symlink(root / "real", root / "alias")
    os.symlink(root, root / "real" / "loop")
    assert discover(root, Config()).notes == paths("real/Note.md")


def test_discover_follows_symlinked_files_and_skips_broken_links(make_vault, tmp_path):
    root = make_vault({"Home.md": ""})
    (tmp_path / "outside.md").write_text("x")
    os.symlink(tmp_path / "outside.md", root / "Linked.md")
    os.symlink(tmp_path / "missing.md", root / "Broken.md")
    assert discover(root, Config()).notes == paths("Home.md", "Linked.md")


def unread(files) -> list[tuple[str, str, bool]]:
    return [(str(entry.path), entry.reason, entry.hides_notes) for entry in files.unread]


def test_a_looping_symlink_is_skipped_alone_and_the_rest_of_its_folder_is_found(make_vault, caplog):
    root = make_vault({"F/a.md": "", "F/c.md": "", "F/d.png": "", "Home.md": ""})
    os.symlink("loop.md", root / "F" / "b.md")
    os.symlink("b.md", root / "F" / "loop.md")
    os.symlink("self.md", root / "self.md")

    files = discover(root, Config())

    assert files.notes == paths("F/a.md", "F/c.md", "Home.md")
    assert files.attachments == paths("F/d.png")
    loop = "too many levels of symbolic links"
    assert unread(files) == [
        ("F/b.md", loop, True),
        ("F/loop.md", loop, True),
        ("self.md", loop, True),
    ]
    assert not files.whole
    assert caplog.messages == [
        f"skipped F/b.md: {loop}",
        f"skipped F/loop.md: {loop}",
        f"skipped self.md: {loop}",
    ]


def test_a_looping_symlink_that_is_not_a_note_hides_no_note(make_vault):
    root = make_vault({"Home.md": ""})
    os.symlink("self.png", root / "self.png")

    files = discover(root, Config())

    assert (files.notes, files.attachments) == (paths("Home.md"), ())
    assert unread(files) == [("self.png", "too many levels of symbolic links", False)]
    assert files.whole


def test_a_folder_that_cannot_be_listed_is_skipped_alone(make_vault, monkeypatch):
    root = make_vault({"Locked/Secret.md": "", "Open/Note.md": ""})
    real_scandir = os.scandir

    def scandir(folder):  # simulated: as root, a mode-000 folder can still be listed
        if str(folder).endswith("Locked"):
            raise PermissionError(13, "Permission denied", str(folder))
        return real_scandir(folder)

    monkeypatch.setattr(os, "scandir", scandir)

    files = discover(root, Config())

    assert files.notes == paths("Open/Note.md")
    assert unread(files) == [("Locked", "permission denied", True)]


@pytest.mark.parametrize("make", [os.mkfifo, lambda path: socket_at(path)], ids=["fifo", "socket"])
def test_a_fifo_or_socket_where_a_note_would_be_is_skipped_and_said(make_vault, make, monkeypatch):
    root = make_vault({"Home.md": ""})
    monkeypatch.chdir(root)  # a socket's path must be short
    make("Gone.md")

    files = discover(root, Config())

    assert files.notes == paths("Home.md")
    assert unread(files) == [("Gone.md", "not a regular file", True)]


def socket_at(path: str) -> None:
    import socket

    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.close()


def test_a_folder_named_like_a_note_is_a_folder(make_vault):
    root = make_vault({"x.md/inside.md": "", "Home.md": ""})

    files = discover(root, Config())

    assert files.notes == paths("Home.md", "x.md/inside.md")
    assert files.unread == ()


def test_a_file_name_that_is_not_utf8_is_reported_and_left_out(make_vault):
    root = make_vault({"Home.md": "", "good.png": ""})
    (root / os.fsdecode(b"bad\xffname.md")).write_text("[[Home]]")
    (root / os.fsdecode(b"pic\xfe.png")).write_text("")

    files = discover(root, Config())

    assert (files.notes, files.attachments) == (paths("Home.md"), paths("good.png"))
    assert unread(files) == [
        ("bad\\xffname.md", "file name is not UTF-8: byte 0xff at offset 3", False),
        ("pic\\xfe.png", "file name is not UTF-8: byte 0xfe at offset 3", False),
    ]
    assert [(str(d.path), d.line, d.col, d.code) for d in files.problems] == [
        ("bad\\xffname.md", 1, 1, "VK005")
    ]
    assert files.whole


def test_a_folder_name_that_is_not_utf8_reports_each_note_in_it(make_vault):
    root = make_vault({"Home.md": ""})
    folder = root / os.fsdecode(b"caf\xe9")
    folder.mkdir()
    (folder / "Menu.md").write_text("")

    files = discover(root, Config())

    assert files.notes == paths("Home.md")
    assert [str(d.path) for d in files.problems] == ["caf\\xe9/Menu.md"]


def test_very_deep_folders_are_walked(make_vault):
    root = make_vault({"Home.md": ""})
    deep = root.joinpath(*["d"] * 120)
    deep.mkdir(parents=True)
    (deep / "Deep.md").write_text("")

    files = discover(root, Config())

    assert files.notes == paths("Home.md", "/".join(["d"] * 120) + "/Deep.md")


def test_discover_on_an_empty_folder_finds_nothing(tmp_path):
    files = discover(tmp_path, Config())
    assert (files.notes, files.attachments, files.excluded) == ((), (), frozenset())


def test_discover_on_a_missing_root_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        discover(tmp_path / "nope", Config())


# --- excluded files ----------------------------------------------------------------------

EXCLUSION_VAULT = {
    "Templates/Daily.md": "",
    "Templates.md": "",
    "Templates of mine/A.md": "",
    "templates/lower.md": "",
    "Daily/2024/01-01.md": "",
    "Daily/notes.md": "",
    "Projects/Plan draft.md": "",
    "Projects/Plan.md": "",
    "Projects/figure.png": "",
}


def test_user_ignore_filter_plain_string_is_a_case_insensitive_prefix(make_vault):
    root = make_vault({**EXCLUSION_VAULT, ".obsidian/app.json": app_json(["Templates"])})
    assert discover(root, Config()).excluded == frozenset(
        paths("Templates/Daily.md", "Templates.md", "Templates of mine/A.md", "templates/lower.md")
    )


def test_user_ignore_filter_with_a_slash_excludes_only_the_folder(make_vault):
    root = make_vault({**EXCLUSION_VAULT, ".obsidian/app.json": app_json(["Templates/"])})
    assert discover(root, Config()).excluded == frozenset(
        paths("Templates/Daily.md", "templates/lower.md")
    )


def test_user_ignore_filter_between_slashes_is_a_regex_searched_anywhere(make_vault):
    filters = ["/^Daily/\\d{4}//", "/DRAFT/"]
    root = make_vault({**EXCLUSION_VAULT, ".obsidian/app.json": app_json(filters)})
    assert discover(root, Config()).excluded == frozenset(
        paths("Daily/2024/01-01.md", "Projects/Plan draft.md")
    )


def test_excluded_notes_stay_in_the_note_list(make_vault):
    root = make_vault({**EXCLUSION_VAULT, ".obsidian/app.json": app_json(["Projects/"])})
    files = discover(root, Config())
    assert PurePosixPath("Projects/Plan.md") in files.notes
    assert files.excluded == frozenset(paths("Projects/Plan draft.md", "Projects/Plan.md"))


def test_config_exclude_globs_mark_notes_excluded(make_vault):
    root = make_vault(EXCLUSION_VAULT)
    config = Config(exclude=("Templates/**", "*draft.md", "Daily/????/*"))
    assert discover(root, config).excluded == frozenset(
        paths("Templates/Daily.md", "Projects/Plan draft.md", "Daily/2024/01-01.md")
    )


def test_user_filters_and_config_globs_add_up(make_vault):
    root = make_vault({**EXCLUSION_VAULT, ".obsidian/app.json": app_json(["Daily/"])})
    files = discover(root, Config(exclude=("Projects",)))
    assert files.excluded == frozenset(
        paths("Daily/2024/01-01.md", "Daily/notes.md", "Projects/Plan draft.md", "Projects/Plan.md")
    )


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        pytest.param("{not json", "not valid JSON", id="invalid JSON"),
        pytest.param('["Templates/"]', None, id="not an object"),
        pytest.param('{"userIgnoreFilters": "Templates/"}', "not a list", id="not a list"),
        pytest.param('{"userIgnoreFilters": null}', None, id="null"),
        pytest.param('{"userIgnoreFilters": ["/[unclosed/"]}', "missing ]", id="bad regex"),
        pytest.param(
            '{"userIgnoreFilters": ["/^(?!Projects)/"]}', "invalid perl operator", id="lookahead"
        ),
        pytest.param('{"userIgnoreFilters": [3, ""]}', "not a string", id="not strings"),
        pytest.param("[" * 100_000 + "]" * 100_000, "nested too deeply", id="nested 100,000 deep"),
        pytest.param(
            '{"userIgnoreFilters": ["Daily/"], "x": "' + "x" * (1 << 20) + '"}',
            "over 1 MiB",
            id="over 1 MiB",
        ),
        pytest.param(b"\xff{}", "can't decode byte 0xff", id="not UTF-8"),
    ],
)
def test_a_malformed_app_json_is_ignored_with_a_warning(make_vault, caplog, text, logged):
    root = make_vault(EXCLUSION_VAULT)
    app = root / ".obsidian" / "app.json"
    app.write_bytes(text) if isinstance(text, bytes) else app.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="vaultkit.discover"):
        files = discover(root, Config())
    assert files.excluded == frozenset()
    assert len(files.notes) == 8
    if logged is None:
        assert caplog.records == []
    else:
        assert [logged in record.getMessage() for record in caplog.records] == [True]


def test_a_filter_that_backtracks_for_hours_in_python_is_searched_in_linear_time(make_vault):
    name = "a" * 60  # `re` tries every way of cutting it into a's and aa's: 2.5e12 ways
    root = make_vault({f"{name}!.md": "", f"{name}.md": "", "b.md": ""})
    (root / ".obsidian" / "app.json").write_text(app_json(["/(a|aa)+\\.md$/"]))
    assert discover(root, Config()).excluded == frozenset(paths(f"{name}.md"))


def test_a_glob_that_backtracks_for_hours_in_python_is_matched_in_linear_time():
    spec = glob_spec(["*a*a*a*a*a*a*b"], "exclude")  # `re` took 8 s over 80 characters
    assert [spec.match_file("a" * 250), spec.match_file("a" * 249 + "b")] == [False, True]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        pytest.param("[[:alpha:]]x", "[[:alpha:]]x", True, id="a class RE2 does not read"),
        pytest.param("[[:alpha:]]x", "ax", False, id="is plain text"),
    ],
)
def test_a_glob_re2_cannot_read_is_read_as_plain_text(pattern, path, matches):
    assert glob_spec([pattern], "exclude").match_file(path) is matches


def test_bad_filter_entries_are_skipped_and_good_ones_kept(make_vault, caplog):
    filters = [7, "/(/", "Daily/"]
    root = make_vault({**EXCLUSION_VAULT, ".obsidian/app.json": app_json(filters)})
    with caplog.at_level(logging.WARNING, logger="vaultkit.discover"):
        files = discover(root, Config())
    assert files.excluded == frozenset(paths("Daily/2024/01-01.md", "Daily/notes.md"))
    assert len(caplog.records) == 2


def test_app_json_with_a_byte_order_mark_is_read(make_vault):
    root = make_vault(EXCLUSION_VAULT)
    (root / ".obsidian" / "app.json").write_bytes(b"\xef\xbb\xbf" + app_json(["Daily/"]).encode())
    assert len(discover(root, Config()).excluded) == 2


# --- globs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("Templates/**", "Templates/Daily.md", True),
        ("Templates/**", "Templates/a/b/c.md", True),
        ("Templates/**", "Templates.md", False),
        ("Templates/**", "Other/Templates/x.md", False),
        ("Templates", "Templates/x.md", True),
        ("Templates", "Other/Templates/x.md", True),
        ("Templates/", "Templates/x.md", True),
        ("Templates", "Templates.md", False),
        ("templates/**", "Templates/x.md", False),
        ("*.excalidraw.md", "Drawings/Plan.excalidraw.md", True),
        ("*.excalidraw.md", "Plan.excalidraw.md", True),
        ("Daily/*.md", "Daily/2024-01-01.md", True),
        ("Daily/*.md", "Daily/2024/01-01.md", False),
        ("**/scratch.md", "scratch.md", True),
        ("**/scratch.md", "a/b/scratch.md", True),
        ("**/scratch.md", "a/b/myscratch.md", False),
        ("Projects/**/Plan.md", "Projects/Plan.md", True),
        ("Projects/**/Plan.md", "Projects/a/b/Plan.md", True),
        ("/Inbox/*", "Inbox/x.md", True),
        ("Log ?.md", "Log 1.md", True),
        ("Log ?.md", "Log 12.md", False),
        ("Log [0-9].md", "Log 7.md", True),
        ("Log [!0-9].md", "Log x.md", True),
        ("Log [!0-9].md", "Log 7.md", False),
        ("Log [z-a].md", "Log [z-a].md", True),
        ("Log [z-a].md", "Log z.md", False),
        ("學習/*", "學習/Kubernetes 基礎.md", True),
        ("a+b (1).md", "a+b (1).md", True),
        ("", "anything.md", False),
        ("Old\\", "Old\\/x.md", True),
        ("Old\\", "Old/x.md", False),
        ("!", "!", False),
        ("Old\\\\", "Old\\/x.md", True),
    ],
)
def test_a_config_glob_matches_as_a_gitignore_line(pattern, path, matches):
    assert glob_spec([pattern], "exclude").match_file(path) is matches


@pytest.mark.parametrize("toml", ['exclude = ["Old\\\\"]', '[per-file-ignores]\n"!" = ["VK101"]'])
def test_a_glob_a_gitignore_could_not_hold_is_read_without_an_error(make_vault, vk, toml):
    root = make_vault({".vaultkit.toml": toml, "Old\\/Plan.md": "[[Gone]]\n", "Now.md": "x\n"})
    ran = vk("lint", "--format", "json", root)
    found = [d["path"] for d in json.loads(ran.out)["diagnostics"]]
    assert (ran.code, found) == ((0, []) if "exclude" in toml else (1, ["Old\\/Plan.md"]))


def test_a_later_negated_glob_takes_a_path_back():
    spec = glob_spec(["Templates/**", "!Templates/Keep.md"], "exclude")
    assert [spec.match_file(p) for p in ("Templates/Daily.md", "Templates/Keep.md")] == [
        True,
        False,
    ]


# --- conflict copies -------------------------------------------------------------------


CONFLICT_NAMES = [
    ("Plan (Conflicted copy Work-Laptop 202405011230).md", True),
    ("Projects/Plan (Conflicted copy My Mac mini 202405011230).md", True),
    ("學習/筆記 (Conflicted copy iPhone 202401020304).md", True),
    ("Plan (conflicted copy laptop 202405011230).MD", True),
    ("Plan.sync-conflict-20240501-123000-ABCDEFG.md", True),
    ("Daily/2024-05-01.sync-conflict-20240501-123000-XYZ1234.md", True),
    ("Plan.md", False),
    ("Plan (Conflicted copy).md", False),
    ("Plan (Conflicted copy Laptop 2024).md", False),
    ("Plan (Conflicted copy Laptop 202405011230).png", False),
    ("Plan.sync-conflict-20240501-123000-ABCDEFG.png", False),
    ("sync-conflict notes.md", False),
    ("PLAN.SYNC-CONFLICT-20240501-123000-ABCDEFG.MD", True),
]


@pytest.mark.parametrize(("path", "conflict"), CONFLICT_NAMES)
def test_is_conflict_copy(path, conflict):
    assert is_conflict_copy(PurePosixPath(path)) is conflict


def test_conflict_copies_are_discovered_as_notes(make_vault):
    root = make_vault({"Plan.md": "", "Plan (Conflicted copy Laptop 202405011230).md": ""})
    notes = discover(root, Config()).notes
    assert [is_conflict_copy(path) for path in notes] == [True, False]


def test_discover_is_deterministic(make_vault):
    files = {f"f{i % 7}/n{i}.md": "" for i in range(60)} | {f"img{i}.png": "" for i in range(9)}
    root = make_vault(files)
    assert discover(root, Config()) == discover(root, Config())


def test_discover_root_is_kept_as_given(make_vault):
    root = make_vault({"a.md": ""})
    relative = Path(os.path.relpath(root))
    assert discover(relative, Config()).root == relative


@pytest.mark.parametrize("rel", ["Hub.md", "Notes/x y/Z.MD", "ü/階段 1.md", "a/b/c/d.canvas"])
def test_a_listed_path_is_the_path_its_text_makes_hash_and_order_too(rel):
    listed, parsed = as_path(rel), PurePosixPath(rel)

    assert listed == parsed and hash(listed) == hash(parsed) and {listed: 1}[parsed] == 1
    assert (str(listed), os.fspath(listed), listed.parts, listed.parent, listed.name) == (
        rel,
        rel,
        parsed.parts,
        parsed.parent,
        parsed.name,
    )
    assert sorted([PurePosixPath("a b.md"), listed, PurePosixPath("b")]) == sorted(
        [PurePosixPath("a b.md"), parsed, PurePosixPath("b")]
    )


def test_more_globs_than_re2_can_match_at_once_are_a_configuration_error(make_vault, vk):
    globs = ", ".join(f'"Folder {n}/*a*b*c?"' for n in range(20_000))
    root = make_vault({".vaultkit.toml": f"exclude = [{globs}]\n", "Note.md": "x\n"})
    ran = vk("lint", root)
    assert (ran.code, ran.out) == (2, "")
    assert ran.err == (
        "vaultkit: error: 'exclude': 20,000 patterns are more than can be matched at once;"
        " merge some (`**`, `*`, `[...]`)\n"
    )


FILTERS_VAULT = {
    "Daily/2024-01-01.md": "",
    "Daily/notes.md": "",
    "Archive/Old.md": "",
    "Projects/Plan.excalidraw.md": "",
    "Projects/Plan.md": "",
    "Folder 7/x.md": "",
}
MANY_FILTERS = [
    *(f"/^Folder {n}\\//" for n in range(1000, 3000)),  # none of these folders is there
    *(f"Nowhere {n}/" for n in range(2000)),
    "/\\.excalidraw\\.md$/",
    "archive/",
    "/^daily\\/\\d{4}-/",
]


def test_thousands_of_filters_exclude_what_each_alone_would(make_vault):
    root = make_vault({**FILTERS_VAULT, ".obsidian/app.json": app_json(MANY_FILTERS)})
    assert discover(root, Config()).excluded == frozenset(
        paths("Archive/Old.md", "Daily/2024-01-01.md", "Projects/Plan.excalidraw.md")
    )


def test_expressions_re2_cannot_join_into_one_are_searched_each_alone(make_vault, monkeypatch):
    import re2

    real = re2.compile

    def one_at_a_time(pattern: str, options: object = None) -> object:
        if "|(?:" in pattern:
            raise re2.error(b"pattern too large - compile failed")
        return real(pattern, options)

    monkeypatch.setattr(re2, "compile", one_at_a_time)
    root = make_vault({**FILTERS_VAULT, ".obsidian/app.json": app_json(MANY_FILTERS)})
    assert discover(root, Config()).excluded == frozenset(
        paths("Archive/Old.md", "Daily/2024-01-01.md", "Projects/Plan.excalidraw.md")
    )
