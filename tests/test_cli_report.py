"""`vaultkit status`, `next` and `graph` at the terminal, and their JSON."""

from __future__ import annotations

import gc
import json

import pytest

from vaultkit import api

PLAN = {
    "Phases/P1.md": "---\nstart: 2026-01-01\n---\n",
    "Phases/P2.md": "---\nstart: 2026-07-01\n---\n",
    "Docker.md": '---\nphase: "[[P1]]"\n---\n- [x] install\n- [x] build\n',
    "Kubernetes 基礎.md": (
        '---\nphase: "[[P1]]"\nrequires: ["[[Docker]]"]\n---\n'
        "- [x] pods\n- [ ] services\n- [ ] ingress\n"
    ),
    "Helm.md": '---\nphase: "[[P2]]"\nrequires: ["[[Kubernetes 基礎]]"]\n---\n- [ ] charts\n',
    "MLflow.md": '---\nphase: "[[P2]]"\n---\n- [ ] tracking\n',
    "Hub.md": "hub [[Docker]]\n",
}


@pytest.fixture
def plan(make_vault):
    return make_vault(PLAN)


def test_status_groups_by_phase_in_start_order_with_bars(vk, plan):
    result = vk("status", plan)
    assert result.code == 0
    assert result.out == (
        "P1  2 notes  3/5  ▓▓▓▓▓▓░░░░  60%\n"
        "  Docker           done            2/2  ▓▓▓▓▓▓▓▓▓▓ 100%\n"
        "  Kubernetes 基礎  in-progress     1/3  ▓▓▓░░░░░░░  33%\n"
        "\n"
        "P2  2 notes  0/2  ░░░░░░░░░░   0%\n"
        "  MLflow           ready           0/1  ░░░░░░░░░░   0%\n"
        "  Helm             blocked         0/1  ░░░░░░░░░░   0%  needs Kubernetes 基礎\n"
        "\n"
        "7 notes, 3/7 tasks ▓▓▓▓░░░░░░ 42%: 1 done, 1 in-progress, 1 ready, 1 blocked, "
        "3 untracked\n"
    )


def test_status_json_lists_every_note_with_vault_relative_paths(vk, plan):
    payload = json.loads(vk("status", plan, "--format", "json").out)
    assert payload["schema"] == 1
    assert payload["vault"] == str(plan)
    k8s = next(n for n in payload["notes"] if n["title"] == "Kubernetes 基礎")
    assert k8s == {
        "path": "Kubernetes 基礎.md",
        "title": "Kubernetes 基礎",
        "state": "in-progress",
        "done": 1,
        "total": 3,
        "in_progress": 0,
        "cancelled": 0,
        "percent": 33,
        "group": "P1",
        "requires": ["Docker.md"],
        "blocked_by": [],
        "missing": [],
        "unlocks": ["Helm.md"],
        "start": None,
        "due": None,
    }
    assert [n["path"] for n in payload["notes"]] == [
        "Docker.md",
        "Helm.md",
        "Hub.md",
        "Kubernetes 基礎.md",
        "MLflow.md",
        "Phases/P1.md",
        "Phases/P2.md",
    ]
    assert payload["totals"] == {
        "notes": 7,
        "done": 3,
        "total": 7,
        "percent": 42,
        "states": {
            "done": 1,
            "in-progress": 1,
            "ready": 1,
            "blocked": 1,
            "untracked": 3,
            "dropped": 0,
        },
    }


def test_a_path_narrows_what_status_reports_but_the_whole_vault_is_read(vk, plan):
    payload = json.loads(vk("status", plan / "Helm.md", "--format", "json").out)
    assert [(n["path"], n["state"], n["blocked_by"]) for n in payload["notes"]] == [
        ("Helm.md", "blocked", ["Kubernetes 基礎.md"])
    ]
    folder = json.loads(vk("status", plan / "Phases", "--format", "json").out)
    assert [n["path"] for n in folder["notes"]] == ["Phases/P1.md", "Phases/P2.md"]


def test_next_puts_work_in_progress_first(vk, plan):
    result = vk("next", plan)
    assert (result.code, result.out) == (
        0,
        " 1. Kubernetes 基礎  in-progress     1/3  unlocks 1\n"
        " 2. MLflow           ready           0/1\n",
    )


def test_next_json_and_limit(vk, plan):
    payload = json.loads(vk("next", plan, "--limit", "1", "--format", "json").out)
    assert payload == {
        "schema": 1,
        "vault": str(plan),
        "next": [
            {
                "path": "Kubernetes 基礎.md",
                "title": "Kubernetes 基礎",
                "state": "in-progress",
                "unlocks": ["Helm.md"],
            }
        ],
    }


def test_next_says_so_when_nothing_can_start(vk, make_vault):
    root = make_vault({"a.md": "- [x] done\n"})
    assert vk("next", root).out == (
        "nothing to start: every note in scope is done, blocked or untracked\n"
    )


def test_graph_prints_bare_mermaid_with_clickable_nodes(vk, plan):
    assert vk("graph", plan).out == (
        "flowchart LR\n"
        '    n1["Docker"]\n'
        '    n2["Helm"]\n'
        '    n3["Kubernetes 基礎"]\n'
        "    n1 --> n3\n"
        "    n3 --> n2\n"
        "    classDef vkDone fill:#d3f9d8,stroke:#2f9e44,color:#212529\n"
        "    class n1 vkDone\n"
        "    classDef vkInProgress fill:#fff3bf,stroke:#f08c00,color:#212529\n"
        "    class n3 vkInProgress\n"
        "    classDef vkBlocked fill:#ffe3e3,stroke:#e03131,color:#212529\n"
        "    class n2 vkBlocked\n"
        "    class n1,n2,n3 internal-link\n"
    )


def test_graph_group_by_draws_each_group_as_a_subgraph(vk, plan):
    assert vk("graph", plan, "--group-by", "phase").out.splitlines()[:9] == [
        "flowchart LR",
        '    subgraph g1["P1"]',
        '        n1["Docker"]',
        '        n3["Kubernetes 基礎"]',
        "    end",
        '    subgraph g2["P2"]',
        '        n2["Helm"]',
        "    end",
        "    n1 --> n3",
    ]


def test_graph_folder_and_tag_narrow_the_notes_as_in_a_block(vk, make_vault):
    files = PLAN | {
        "Docker.md": PLAN["Docker.md"].replace("---\n-", "tags: [infra]\n---\n-"),
        "Ops/Helm.md": PLAN["Helm.md"].replace("---\n-", "tags: [infra/k8s]\n---\n-"),
    }
    del files["Helm.md"]
    root = make_vault(files)

    def nodes(*args: str) -> list[str]:
        return [line.strip() for line in vk("graph", root, *args).out.splitlines() if '["' in line]

    assert nodes("--folder", "ops") == ['n1["Helm"]']
    assert nodes("--tag", "infra") == ['n1["Docker"]', 'n2["Helm"]']
    assert nodes("--folder", "Ops", "--tag", "#INFRA") == ['n1["Helm"]']


def test_graph_folder_or_tag_that_no_note_has_is_an_error_not_an_empty_graph(vk, plan):
    folder = vk("graph", plan, "--folder", "Nowhere")
    assert (folder.code, folder.out) == (2, "")
    assert folder.err == "vaultkit: error: --folder 'Nowhere': no note of the vault is in it\n"
    tag = vk("graph", plan, "--tag", "nope")
    assert (tag.code, tag.out) == (2, "")
    assert tag.err == "vaultkit: error: --tag 'nope': no note of the vault has it\n"


def test_graph_json_is_node_link_data_from_prerequisite_to_dependent(vk, plan):
    payload = json.loads(vk("graph", plan, "--format", "json").out)
    assert [(e["source"], e["target"]) for e in payload["links"]] == [
        ("Docker.md", "Kubernetes 基礎.md"),
        ("Kubernetes 基礎.md", "Helm.md"),
    ]
    assert [(n["id"], n["state"]) for n in payload["nodes"]] == [
        ("Docker.md", "done"),
        ("Helm.md", "blocked"),
        ("Kubernetes 基礎.md", "in-progress"),
    ]


def test_graph_dot_quotes_names_and_labels_states(vk, plan):
    assert vk("graph", plan, "--format", "dot").out == (
        "digraph vaultkit {\n"
        "  rankdir=LR;\n"
        "  node [shape=box, style=rounded];\n"
        '  "Docker.md" [label="Docker\\ndone 2/2", class="done"];\n'
        '  "Helm.md" [label="Helm\\nblocked 0/1", class="blocked"];\n'
        '  "Kubernetes 基礎.md" [label="Kubernetes 基礎\\nin-progress 1/3", class="in-progress"];\n'
        '  "Docker.md" -> "Kubernetes 基礎.md";\n'
        '  "Kubernetes 基礎.md" -> "Helm.md";\n'
        "}\n"
    )


def test_graph_dot_group_by_draws_each_group_as_a_cluster(vk, plan):
    assert vk("graph", plan, "--format", "dot", "--group-by", "phase").out == (
        "digraph vaultkit {\n"
        "  rankdir=LR;\n"
        "  node [shape=box, style=rounded];\n"
        '  subgraph "cluster_1" {\n'
        '    label="P1";\n'
        '    "Docker.md" [label="Docker\\ndone 2/2", class="done"];\n'
        '    "Kubernetes 基礎.md" [label="Kubernetes 基礎\\nin-progress 1/3",'
        ' class="in-progress"];\n'
        "  }\n"
        '  subgraph "cluster_2" {\n'
        '    label="P2";\n'
        '    "Helm.md" [label="Helm\\nblocked 0/1", class="blocked"];\n'
        "  }\n"
        '  "Docker.md" -> "Kubernetes 基礎.md";\n'
        '  "Kubernetes 基礎.md" -> "Helm.md";\n'
        "}\n"
    )


def test_graph_graphml_names_nodes_by_path(vk, plan):
    out = vk("graph", plan, "--format", "graphml").out
    assert out.startswith("<graphml ")
    assert '<edge source="Docker.md" target="Kubernetes &#22522;&#30990;.md" />' in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("status", "/no/such/vault"),
            "vaultkit: error: Invalid value for '[PATH]': Path '/no/such/vault' does not exist.\n",
            id="missing path",
        ),
        pytest.param(
            ("graph", "--format", "png"),
            "vaultkit: error: Invalid value for '--format': 'png' is not one of "
            "'canvas', 'dot', 'graphml', 'json', 'mermaid'.\n",
            id="unknown format",
        ),
        pytest.param(
            ("next", "--limit", "0"),
            "vaultkit: error: Invalid value for '--limit': 0 is not in the range x>=1.\n",
            id="bad limit",
        ),
        pytest.param(
            ("stauts",),
            "vaultkit: error: No such command 'stauts'. Did you mean 'status'?\n",
            id="typo",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(vk, plan, args, message):
    result = vk(*args, cwd=plan)
    assert (result.code, result.out, result.err) == (2, "", message)


def test_a_configuration_error_is_one_line_and_exit_2(vk, make_vault):
    root = make_vault({".vaultkit.toml": "group_by = 'phase'\n", "a.md": "- [ ] a\n"})
    result = vk("status", root)
    assert result.code == 2
    assert result.err == (
        "vaultkit: error: .vaultkit.toml: unknown key 'group_by' (did you mean 'group-by'?)\n"
    )


def test_status_counts_one_note_in_the_singular(vk, make_vault):
    root = make_vault({"Solo.md": "- [x] one\n- [ ] two\n"})
    assert vk("status", root).out == (
        "(no group)  1 note  1/2  ▓▓▓▓▓░░░░░  50%\n"
        "  Solo  in-progress     1/2  ▓▓▓▓▓░░░░░  50%\n"
        "\n"
        "1 note, 1/2 tasks ▓▓▓▓▓░░░░░ 50%: 1 in-progress\n"
    )


def test_status_names_a_prerequisite_that_does_not_exist_as_not_found(vk, make_vault):
    root = make_vault(
        {
            "Docker.md": "- [ ] build\n",
            "Helm.md": '---\nrequires: ["[[Ghost]]", "[[Docker]]"]\n---\n- [ ] charts\n',
        }
    )
    assert vk("status", root).out == (
        "(no group)  2 notes  0/2  ░░░░░░░░░░   0%\n"
        "  Docker  ready           0/1  ░░░░░░░░░░   0%\n"
        "  Helm    blocked         0/1  ░░░░░░░░░░   0%  needs Docker, Ghost (not found)\n"
        "\n"
        "2 notes, 0/2 tasks ░░░░░░░░░░ 0%: 1 ready, 1 blocked\n"
    )
    helm = json.loads(vk("status", root, "--format", "json").out)["notes"][1]
    assert (helm["state"], helm["requires"], helm["blocked_by"], helm["missing"]) == (
        "blocked",
        ["Docker.md"],
        ["Docker.md", "Ghost"],
        ["Ghost"],
    )


def test_status_says_a_prerequisite_in_a_loop_does_not_block(vk, make_vault):
    root = make_vault(
        {
            "Ansible.md": '---\nrequires: ["[[Terraform]]"]\n---\n- [ ] playbooks\n',
            "Terraform.md": '---\nrequires: ["[[Ansible]]"]\n---\n- [ ] modules\n',
        }
    )
    assert vk("status", root).out == (
        "(no group)  2 notes  0/2  ░░░░░░░░░░   0%\n"
        "  Ansible    ready           0/1  ░░░░░░░░░░   0%  needs Terraform (loop, not blocking)\n"
        "  Terraform  ready           0/1  ░░░░░░░░░░   0%  needs Ansible (loop, not blocking)\n"
        "\n"
        "2 notes, 0/2 tasks ░░░░░░░░░░ 0%: 2 ready\n"
    )


def test_status_names_the_task_a_note_waits_on(vk, make_vault):
    root = make_vault(
        {
            "Docker.md": "- [ ] Write the Dockerfile 🆔 dockerfile\n",
            "Kubernetes.md": "- [ ] Deploy ⛔ dockerfile\n",
        }
    )
    assert vk("status", root).out == (
        "(no group)  2 notes  0/2  ░░░░░░░░░░   0%\n"
        "  Docker      ready           0/1  ░░░░░░░░░░   0%\n"
        "  Kubernetes  blocked         0/1  ░░░░░░░░░░   0%"
        "  needs Docker (task 'Write the Dockerfile')\n"
        "\n"
        "2 notes, 0/2 tasks ░░░░░░░░░░ 0%: 1 ready, 1 blocked\n"
    )
    notes = json.loads(vk("status", root, "--format", "json").out)["notes"]
    assert notes[1]["blocked_by"] == ["Docker.md"]
    assert notes[1]["waiting"] == [
        {
            "line": 1,
            "task": "Deploy",
            "on": "Docker.md",
            "on_line": 1,
            "on_task": "Write the Dockerfile",
        }
    ]


def test_status_json_gives_done_dates_and_the_dates_of_open_tasks(vk, make_vault):
    root = make_vault(
        {
            "Dated.md": (
                "- [x] a ✅ 2026-03-14\n- [x] b ✅ 2026-03-14\n- [x] c ✅ 2026-03-02\n- [x] d\n"
                "- [ ] e 📅 2026-04-01\n- [ ] f ⏳ 2026-03-20\n- [ ] g\n"
            ),
            "Plain.md": "- [x] a\n- [ ] b\n",
        }
    )
    dated, plain = json.loads(vk("status", root, "--format", "json").out)["notes"]
    assert dated["done_dates"] == {"2026-03-02": 1, "2026-03-14": 2}
    assert dated["dated_tasks"] == [
        {"line": 5, "task": "e", "due": "2026-04-01", "scheduled": None},
        {"line": 6, "task": "f", "due": None, "scheduled": "2026-03-20"},
    ]
    # A note without such metadata reads exactly as before.
    assert sorted(plain) == sorted(
        [
            "path",
            "title",
            "state",
            "done",
            "total",
            "in_progress",
            "cancelled",
            "percent",
            "group",
            "requires",
            "blocked_by",
            "missing",
            "unlocks",
            "start",
            "due",
        ]
    )


def test_a_command_runs_with_the_garbage_collector_off_and_turns_it_back_on(vk, plan, monkeypatch):
    during: list[bool] = []
    shown = api.next_shown

    def next_shown(*args, **kwargs):
        during.append(gc.isenabled())
        return shown(*args, **kwargs)

    monkeypatch.setattr(api, "next_shown", next_shown)
    assert vk("next", plan).code == 0
    assert during == [False]
    assert gc.isenabled()
