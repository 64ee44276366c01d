"""Managed canvases: JSON Canvas 1.0 out, the user's own work on the canvas kept.

tests/canvas/obsidian-sample.canvas is the sample from obsidianmd/jsoncanvas (MIT, see
tests/canvas/LICENSE): the layout Obsidian itself writes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from watchdog.events import FileClosedEvent, FileModifiedEvent

from vaultkit import canvas
from vaultkit.canvas import PREFIX, Box, merge, note_id
from vaultkit.config import load
from vaultkit.debounce import WatchOptions
from vaultkit.jsoncanvas import CanvasError, dumps, loads
from vaultkit.model import State
from vaultkit.vault import load_vault
from vaultkit.watcher import Watcher
from vaultkit.writeback import Outcome, create

P = PurePosixPath
SAMPLE = Path(__file__).parent / "canvas" / "obsidian-sample.canvas"
EXAMPLE = Path(__file__).resolve().parents[1] / "example-vault"
CONFIG = '[[canvas]]\npath = "Map.canvas"\n'

# A small roadmap: two phases, a chain Linux -> Docker -> Kubernetes, and Linux -> Go.
ROADMAP = {
    ".vaultkit.toml": CONFIG,
    "P1.md": "---\nstart: 2026-01-01\n---\n",
    "P2.md": "---\nstart: 2026-07-01\n---\n",
    "Skills/Linux.md": '---\nphase: "[[P1]]"\n---\n- [x] shell\n',
    "Skills/Docker.md": '---\nphase: "[[P1]]"\nrequires: ["[[Linux]]"]\n---\n- [ ] images\n',
    "Skills/Kubernetes.md": (
        '---\nphase: "[[P2]]"\nrequires: ["[[Docker]]", "[[Linux]]"]\n---\n- [ ] pods\n'
    ),
    "Other/Go.md": "requires:: [[Linux]]\n- [ ] goroutines\n",
}


def spec_problems(document: Mapping[str, Any]) -> Iterator[str]:
    """Everything that breaks JSON Canvas 1.0 (spec-1.0.md): nothing for a valid canvas."""
    required = {"text": ("text",), "file": ("file",), "link": ("url",), "group": ()}
    ids: list[object] = []
    for node in document.get("nodes", []):
        ids.append(node.get("id"))
        if node.get("type") not in required:
            yield f"node {node.get('id')}: type {node.get('type')!r}"
            continue
        for key in ("x", "y", "width", "height"):
            if type(node.get(key)) is not int:
                yield f"node {node.get('id')}: {key} is not an integer"
        for key in ("id", *required[node["type"]]):
            if not isinstance(node.get(key), str):
                yield f"node {node.get('id')}: no {key}"
    nodes = set(ids)
    for edge in document.get("edges", []):
        ids.append(edge.get("id"))
        if not isinstance(edge.get("id"), str):
            yield f"edge without id: {edge}"
        for key in ("fromNode", "toNode"):
            if edge.get(key) not in nodes:
                yield f"edge {edge.get('id')}: {key} {edge.get(key)!r} names no node"
        for key in ("fromSide", "toSide"):
            if key in edge and edge[key] not in ("top", "right", "bottom", "left"):
                yield f"edge {edge.get('id')}: {key} {edge[key]!r}"
    if len(ids) != len(set(ids)):
        yield "ids are not unique"


def boxes(document: Mapping[str, Any], kind: str) -> dict[str, Box]:
    return {
        n["id"]: Box(n["x"], n["y"], n["width"], n["height"])
        for n in document["nodes"]
        if n["type"] == kind
    }


def overlapping(found: Iterable[Box]) -> list[Box]:
    found = list(found)
    return [a for a in found for b in found if a is not b and a.overlaps(b)]


def by_file(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["file"]: n for n in document["nodes"] if n["type"] == "file"}


def read(root: Path, name: str = "Map.canvas") -> dict[str, Any]:
    return json.loads((root / name).read_bytes())


# -- the format ---------------------------------------------------------------------------


def test_obsidians_own_layout_comes_back_byte_for_byte():
    data = SAMPLE.read_bytes()
    assert dumps(loads(data)) == data


def test_a_canvas_is_tab_indented_with_one_node_or_edge_per_line():
    document = {
        "nodes": [{"id": "a", "type": "text", "text": '讀完\n"CAP"', "x": 0, "y": 0}],
        "edges": [],
    }
    assert (
        dumps(document)
        == (
            '{\n\t"nodes":[\n'
            '\t\t{"id":"a","type":"text","text":"讀完\\n\\"CAP\\"","x":0,"y":0}\n'
            '\t],\n\t"edges":[]\n}'
        ).encode()
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"{nodes: []}", "not JSON", id="not JSON"),
        pytest.param(b"[]", "not a JSON object", id="a list"),
        pytest.param(b'{"nodes": {}}', "'nodes' is not a list of objects", id="nodes not a list"),
        pytest.param(b'{"edges": [1]}', "'edges' is not a list of objects", id="edges of numbers"),
        pytest.param(b'{"nodes": [], "x": NaN}', "not JSON", id="NaN"),
        pytest.param(b"\xff{}", "not UTF-8", id="not UTF-8"),
        pytest.param(b"[" * 100_000, "nested too deeply", id="nested past Python's parser"),
    ],
)
def test_a_file_that_is_not_a_canvas_is_refused(data, message):
    with pytest.raises(CanvasError, match=message):
        loads(data)


def test_an_empty_file_is_an_empty_canvas():
    assert loads(b"") == {}


# -- the picture --------------------------------------------------------------------------


def picture(**states: State) -> canvas.Picture:
    """Linux -> Docker -> Kubernetes and Linux -> Go, in two groups (Go in none)."""
    groups = {"Linux": "P1", "Docker": "P1", "Kubernetes": "P2", "Go": None}
    notes = [P(f"{name}.md") for name in groups]
    edges = [(P("Linux.md"), P("Docker.md")), (P("Docker.md"), P("Kubernetes.md"))]
    edges.append((P("Linux.md"), P("Go.md")))
    return canvas.picture(
        notes,
        edges,
        state=lambda path: states.get(path.stem, State.READY),
        group=lambda path: groups[path.stem],
        group_order=lambda name: (0, name, name),
    )


def test_a_fresh_canvas_follows_the_spec_and_overlaps_nothing():
    document = merge(None, picture(Linux=State.DONE))

    assert list(spec_problems(document)) == []
    assert overlapping(boxes(document, "file").values()) == []
    assert overlapping(boxes(document, "group").values()) == []


def test_the_example_vaults_canvas_follows_the_spec_each_note_in_its_phase(vk):
    document = json.loads((EXAMPLE / "Roadmap.canvas").read_bytes())
    cards, groups = boxes(document, "file"), boxes(document, "group")
    assert list(spec_problems(document)) == []
    assert overlapping(cards.values()) == []
    assert overlapping(groups.values()) == []
    status = json.loads(vk("status", EXAMPLE, "--format", "json").out)
    phase_of = {note["path"]: note["group"] for note in status["notes"]}
    phases = {node["label"]: groups[node["id"]] for node in document["nodes"] if "label" in node}
    outside = [
        path
        for path, node in by_file(document).items()
        if phase_of[path] is not None and not phases[phase_of[path]].contains(cards[node["id"]])
    ]
    assert outside == []


def test_columns_follow_the_depth_and_groups_hold_their_notes():
    document = merge(None, picture())
    x = {Path(node["file"]).stem: node["x"] for node in document["nodes"] if "file" in node}
    assert x["Linux"] < x["Docker"] < x["Kubernetes"]
    assert x["Docker"] == x["Go"]
    groups = {n["label"]: Box(n["x"], n["y"], n["width"], n["height"]) for n in document["nodes"]
              if n["type"] == "group"}  # fmt: skip
    files = {Path(n["file"]).stem: boxes(document, "file")[n["id"]] for n in document["nodes"]
             if n["type"] == "file"}  # fmt: skip
    assert sorted(groups) == ["P1", "P2"]
    assert groups["P1"].contains(files["Linux"]) and groups["P1"].contains(files["Docker"])
    assert groups["P2"].contains(files["Kubernetes"])
    assert not any(group.contains(files["Go"]) for group in groups.values())


def test_nodes_are_coloured_by_state_and_edges_run_right_to_left():
    document = merge(None, picture(Linux=State.DONE, Docker=State.IN_PROGRESS))
    colours = {Path(n["file"]).stem: n.get("color") for n in document["nodes"] if "file" in n}
    assert colours == {"Linux": "4", "Docker": "3", "Kubernetes": "5", "Go": "5"}
    edge = document["edges"][0]
    assert edge["fromNode"] == note_id(P("Docker.md"))
    assert (edge["fromSide"], edge["toSide"]) == ("right", "left")
    assert all(item["id"].startswith(PREFIX) for item in document["nodes"] + document["edges"])


def test_a_picture_merged_again_is_the_same_canvas():
    once = merge(None, picture())
    assert merge(json.loads(dumps(once)), picture()) == once
    assert canvas.write_plan(dumps(once), picture()) is None


# -- the user's work ----------------------------------------------------------------------


def test_moves_resizes_and_additions_survive_ten_syncs_and_a_change_of_scope(make_vault, vk):
    root = make_vault(ROADMAP)
    assert vk("sync", root).code == 1
    document = read(root)
    linux = by_file(document)["Skills/Linux.md"]
    linux |= {"x": -900, "y": 1234, "width": 111, "height": 222}  # moved and resized
    mine = [
        {"id": "c0ffee0000000001", "type": "text", "text": "My notes", "x": 5000, "y": 0,
         "width": 250, "height": 60},
        {"id": "c0ffee0000000002", "type": "group", "x": 4900, "y": -100, "width": 600,
         "height": 400, "label": "Mine", "color": "6"},
    ]  # fmt: skip
    document["nodes"] += mine
    my_edge = {"id": "c0ffee0000000003", "fromNode": "c0ffee0000000001", "toNode": linux["id"]}
    document["edges"].append(my_edge)
    (root / "Map.canvas").write_bytes(dumps(document))

    for number in range(10):  # the vault changes between syncs
        (root / f"Skills/New {number}.md").write_text(
            f'---\nphase: "[[P1]]"\nrequires: ["[[Docker]]"]\n---\n- [ ] step {number}\n',
            encoding="utf-8",
        )
        vk("sync", root)
        after = read(root)
        assert list(spec_problems(after)) == []
        assert by_file(after)["Skills/Linux.md"] == linux
        assert [n for n in after["nodes"] if not n["id"].startswith(PREFIX)] == mine
        assert my_edge in after["edges"]
    assert vk("sync", "--check", root).code == 0

    (root / ".vaultkit.toml").write_text(CONFIG + 'folder = "Skills"\n', encoding="utf-8")
    vk("sync", root)
    after = read(root)
    assert "Other/Go.md" not in by_file(after)
    assert by_file(after)["Skills/Linux.md"] == linux
    assert [n for n in after["nodes"] if not n["id"].startswith(PREFIX)] == mine
    assert my_edge in after["edges"]
    assert list(spec_problems(after)) == []


def test_a_new_note_gets_a_free_place_inside_its_group(make_vault, vk):
    root = make_vault(ROADMAP)
    vk("sync", root)
    before = read(root)
    (root / "Skills/Helm.md").write_text(
        '---\nphase: "[[P2]]"\nrequires: ["[[Kubernetes]]"]\n---\n- [ ] charts\n',
        encoding="utf-8",
    )
    vk("sync", root)
    after = read(root)

    group = next(n for n in after["nodes"] if n.get("label") == "P2")
    helm = by_file(after)["Skills/Helm.md"]
    area = Box(group["x"], group["y"], group["width"], group["height"])
    assert area.contains(Box(helm["x"], helm["y"], helm["width"], helm["height"]))
    cards = list(boxes(after, "file").values())
    assert [a for a in cards for b in cards if a is not b and a.overlaps(b)] == []
    old = {n["id"]: n for n in before["nodes"] if n["type"] == "file"}
    assert all(by_file(after)[n["file"]] | {"color": None} == n | {"color": None}
               for n in old.values())  # fmt: skip


def test_a_note_that_leaves_the_scope_loses_its_node_and_edges(make_vault, vk):
    root = make_vault(ROADMAP)
    vk("sync", root)
    (root / "Other/Go.md").unlink()
    assert vk("sync", root).code == 1
    after = read(root)
    assert "Other/Go.md" not in by_file(after)
    assert list(spec_problems(after)) == []


def test_a_canvas_saved_back_in_obsidians_layout_is_not_rewritten(make_vault, vk):
    root = make_vault(ROADMAP)
    vk("sync", root)
    document = read(root)
    # Obsidian writes its own key order and a user node with its random id.
    document["nodes"] = [dict(reversed(list(node.items()))) for node in document["nodes"]]
    document["nodes"].append(
        {"id": "59e896bc8da20699", "type": "text", "text": "x", "x": 9000, "y": 0,
         "width": 250, "height": 160}
    )  # fmt: skip
    saved = dumps(document)
    (root / "Map.canvas").write_bytes(saved)

    result = vk("sync", root)
    assert (result.code, result.err) == (0, "synced 0 notes (0 blocks); 6 unchanged\n")
    assert (root / "Map.canvas").read_bytes() == saved


def test_a_stale_canvas_fails_the_check_and_is_not_written(make_vault, vk):
    root = make_vault(ROADMAP)
    result = vk("sync", "--check", root)
    assert (result.code, result.err) == (
        1,
        "would sync 0 notes (0 blocks) and 1 canvas; 6 unchanged\n",
    )
    assert not (root / "Map.canvas").exists()


def test_a_canvas_that_might_show_a_note_vaultkit_could_not_read_is_refused_not_redrawn(
    make_vault, vk
):
    root = make_vault(ROADMAP)
    vk("sync", root)
    drawn = (root / "Map.canvas").read_bytes()
    (root / "Skills" / "Docker.md").unlink()
    os.mkfifo(root / "Skills" / "Docker.md")  # a note there that cannot be read now

    result = vk("sync", root)

    assert result.code == 1
    assert (
        "Map.canvas: skipped: the vault could not be read whole "
        "(Skills/Docker.md: not a regular file)\n"
    ) in result.err
    assert (root / "Map.canvas").read_bytes() == drawn  # Docker's card is still there


def test_a_canvas_of_a_folder_without_the_unread_note_is_still_drawn(make_vault, vk):
    root = make_vault(ROADMAP | {".vaultkit.toml": CONFIG + 'folder = "Skills"\n'})
    os.mkfifo(root / "Other" / "Unread.md")

    result = vk("sync", root)

    assert "Map.canvas" not in result.err
    assert b'"file":"Skills/Docker.md"' in (root / "Map.canvas").read_bytes()


def test_a_file_that_is_not_a_canvas_is_left_alone(make_vault, vk):
    root = make_vault(ROADMAP | {"Map.canvas": "{not json"})
    result = vk("sync", root)
    assert result.code == 1
    assert "Map.canvas: skipped: not a canvas vaultkit can update: not JSON" in result.err
    assert (root / "Map.canvas").read_text(encoding="utf-8") == "{not json"


def test_a_canvas_nested_too_deeply_is_skipped_with_one_reason(make_vault, vk):
    nested = "[" * 100_000
    root = make_vault(ROADMAP | {"Map.canvas": nested})
    result = vk("sync", root)
    assert result.code == 1
    assert "Map.canvas: skipped: not a canvas vaultkit can update: nested too deeply to read\n" in (
        result.err
    )
    assert (root / "Map.canvas").read_text(encoding="utf-8") == nested


def test_create_never_replaces_a_file(tmp_path):
    target = tmp_path / "Maps" / "Map.canvas"
    assert create(target, b"{}", root=tmp_path).outcome is Outcome.WRITTEN
    assert create(target, b"[]", root=tmp_path).outcome is Outcome.CONFLICT
    assert target.read_bytes() == b"{}"
    assert sorted(p.name for p in target.parent.iterdir()) == ["Map.canvas"]


def test_graph_format_canvas_prints_the_canvas_sync_writes(make_vault, vk):
    root = make_vault(ROADMAP)
    printed = vk("graph", root, "--format", "canvas").out
    vk("sync", root)
    assert printed == (root / "Map.canvas").read_text(encoding="utf-8") + "\n"


def test_graph_format_canvas_takes_the_scope_a_canvas_entry_takes(make_vault, vk):
    scope = 'folder = "Skills"\ntag = "infra"\ngroup-by = "owner"\n'
    files = ROADMAP | {".vaultkit.toml": CONFIG + scope}
    for name in ("Linux", "Docker", "Kubernetes"):
        owner = "ops" if name == "Kubernetes" else "dev"
        files[f"Skills/{name}.md"] = files[f"Skills/{name}.md"].replace(
            "---\n-", f"tags: [infra]\nowner: {owner}\n---\n-"
        )
    files["Skills/Untagged.md"] = "requires:: [[Linux]]\n- [ ] x\n"
    root = make_vault(files)
    args = ("--folder", "Skills", "--tag", "infra", "--group-by", "owner")
    printed = vk("graph", root, "--format", "canvas", *args).out
    vk("sync", root)
    assert printed == (root / "Map.canvas").read_text(encoding="utf-8") + "\n"
    document = read(root)
    assert sorted(node["label"] for node in document["nodes"] if "label" in node) == ["dev", "ops"]
    assert sorted(by_file(document)) == [
        "Skills/Docker.md",
        "Skills/Kubernetes.md",
        "Skills/Linux.md",
    ]


def test_a_canvas_path_through_a_symlink_out_of_the_vault_is_never_written(
    make_vault, vk, tmp_path
):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = make_vault(ROADMAP | {".vaultkit.toml": '[[canvas]]\npath = "Maps/Map.canvas"\n'})
    (root / "Maps").symlink_to(outside)
    result = vk("sync", root)
    assert result.code == 1
    assert (
        "Maps/Map.canvas: skipped: not a canvas vaultkit can update: it leads outside" in result.err
    )
    assert list(outside.iterdir()) == []


def test_create_makes_no_folder_through_a_link_out_of_the_vault(tmp_path):
    root, outside = tmp_path / "vault", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "Maps").symlink_to(outside)
    result = create(root / "Maps" / "Deep" / "Map.canvas", b"{}", root=root)
    assert result.outcome is Outcome.REFUSED
    assert list(outside.iterdir()) == []


def test_watch_keeps_the_canvas_current_and_the_users_moves(make_vault):
    root = make_vault(ROADMAP)
    watcher = Watcher(load_vault(root, load(root)), WatchOptions(quiet_period=2.5))
    watcher.start(0.0)
    watcher.tick(0.1)
    document = read(root)
    assert by_file(document)["Skills/Docker.md"]["color"] == "5"  # ready
    linux = by_file(document)["Skills/Linux.md"] | {"x": -700, "y": 900}
    document["nodes"] = [linux if n["id"] == linux["id"] else n for n in document["nodes"]]
    (root / "Map.canvas").write_bytes(dumps(document))  # the user moved a node in Obsidian

    docker = root / "Skills/Docker.md"
    docker.write_bytes(docker.read_bytes().replace(b"- [ ] images", b"- [x] images"))
    watcher.handle(FileModifiedEvent(str(docker)), 10.0)
    watcher.handle(FileClosedEvent(str(docker)), 10.0)
    watcher.tick(12.5)

    after = read(root)
    assert by_file(after)["Skills/Docker.md"]["color"] == "4"  # done
    assert by_file(after)["Skills/Linux.md"] == linux
    assert by_file(after)["Skills/Kubernetes.md"]["color"] == "5"  # no longer blocked


def test_a_rescan_brings_back_a_canvas_removed_without_an_event(make_vault):
    # The watcher hears only notes: a rescan plans the managed canvases even when the
    # notes are as it holds them.
    root = make_vault(ROADMAP)
    watcher = Watcher(load_vault(root, load(root)), WatchOptions(quiet_period=2.5))
    watcher.start(0.0)
    watcher.tick(0.1)
    kept = (root / "Map.canvas").read_bytes()
    (root / "Map.canvas").unlink()
    watcher.rescan(300.0)
    assert (root / "Map.canvas").read_bytes() == kept


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b'{"nodes":[\n  {"id":"a"\n}', "3:2: VK106 the canvas cannot be read: not JSON: "
         "Expecting ',' delimiter"),
        (b"\xff\xfe{}", "1:1: VK106 the canvas cannot be read: not UTF-8"),
        (b"[1, 2]", "1:1: VK106 the canvas cannot be read: not a JSON object"),
        (b'{"nodes": [1]}', "1:1: VK106 the canvas cannot be read: "
         "'nodes' is not a list of objects"),
    ],
    ids=["cut short", "not UTF-8", "an array", "nodes not objects"],
)  # fmt: skip
def test_lint_reports_a_canvas_it_cannot_read_where_its_json_goes_wrong(
    make_vault, vk, data, found
):
    root = make_vault({"Note.md": "# Note\n"})
    (root / "Map.canvas").write_bytes(data)
    result = vk("lint", root, cwd=root)
    assert (result.code, result.out) == (1, f"Map.canvas:{found}\n")
    (root / "Map.canvas").write_bytes(b'{"nodes": []}\n')  # mended: the next run is clean
    assert (vk("lint", root, cwd=root).code, (root / "Map.canvas").read_bytes()) == (
        0,
        b'{"nodes": []}\n',
    )


def test_lint_reports_a_file_node_whose_file_is_gone_at_its_path(make_vault, vk):
    root = make_vault(ROADMAP)
    vk("sync", root)
    (root / "Other/Go.md").rename(root / "Other/Golang.md")
    result = vk("lint", root, cwd=root)
    line = next(
        number
        for number, text in enumerate((root / "Map.canvas").read_text().splitlines(), 1)
        if '"file":"Other/Go.md"' in text
    )
    col = (root / "Map.canvas").read_text().splitlines()[line - 1].index('"Other/Go.md"') + 1
    message = "VK106 file node names 'Other/Go.md', which is not in the vault"
    assert (result.code, result.out) == (1, f"Map.canvas:{line}:{col}: {message}\n")
    vk("sync", root)
    assert vk("lint", root).code == 0
