"""VK403 task-dependency: ids nobody has, ids given twice, and tasks waiting in a loop."""

from __future__ import annotations

import pytest

from vaultkit.config import Config
from vaultkit.linting import run
from vaultkit.progress import compute
from vaultkit.vault import load_vault


def messages(root):
    vault = load_vault(root, Config())
    return [
        (str(d.path), d.line, d.col, d.message)
        for d in run(vault, compute(vault))
        if d.code == "VK403"
    ]


def test_vk403_a_dependency_on_an_id_no_task_has(make_vault):
    root = make_vault({"a.md": "- [ ] first 🆔 one\n- [ ] second ⛔ one,tow\n"})
    assert messages(root) == [("a.md", 2, 14, "no task has the id 'tow' that this one waits on")]


def test_vk403_ids_are_vault_wide_so_a_dependency_across_notes_is_fine(make_vault):
    root = make_vault(
        {
            "Docker.md": "- [x] Write the Dockerfile 🆔 dockerfile ✅ 2026-03-01\n",
            "Kubernetes.md": "- [ ] Deploy it [dependsOn:: dockerfile]\n",
        }
    )
    assert messages(root) == []


def test_vk403_an_id_given_to_two_tasks_is_reported_at_each(make_vault):
    root = make_vault({"a.md": "- [ ] one 🆔 x\n", "b/c.md": "text\n\n- [ ] two [id:: x]\n"})
    assert messages(root) == [
        ("a.md", 1, 11, "the id 'x' is also given to 'b/c.md' line 3"),
        ("b/c.md", 3, 11, "the id 'x' is also given to 'a.md' line 1"),
    ]


def test_vk403_tasks_that_wait_on_each_other_in_a_loop(make_vault):
    root = make_vault(
        {
            "a.md": "- [ ] design 🆔 d ⛔ r\n",
            "b.md": "- [ ] review 🆔 r ⛔ d\n- [ ] unrelated ⛔ d\n",
        }
    )
    loop = "tasks wait on each other in a loop: 'design' waits on 'review' waits on 'design'"
    assert messages(root) == [("a.md", 1, 18, loop), ("b.md", 1, 18, loop)]


def test_vk403_a_task_that_depends_on_itself_is_a_loop(make_vault):
    root = make_vault({"a.md": "- [ ] chase my tail 🆔 me ⛔ me\n"})
    assert messages(root) == [
        (
            "a.md",
            1,
            26,
            "tasks wait on each other in a loop: 'chase my tail' waits on 'chase my tail'",
        )
    ]


def test_vk403_the_tasks_plugins_sample_vault_ids(make_vault):
    root = make_vault(
        {
            "Edit Task Modal samples.md": (
                "- [/] #task Task with every field set 🆔 y3yryw ⛔ c5mw2c,2ypqea 🔺\n"
                "- [ ] #task Sample 1 🆔 c5mw2c\n"
                "- [ ] #task Sample 2 🆔 2ypqea\n"
                "- [ ] #task Sample 3 ⛔ y3yryw\n"
            )
        }
    )
    assert messages(root) == []


def test_vk403_a_loop_of_three_reads_in_the_direction_of_waiting(make_vault):
    root = make_vault({"a.md": "- [ ] A 🆔 a ⛔ b\n- [ ] B 🆔 b ⛔ c\n- [ ] C 🆔 c ⛔ a\n"})
    loop = "tasks wait on each other in a loop: 'A' waits on 'B' waits on 'C' waits on 'A'"
    assert messages(root) == [("a.md", 1, 13, loop), ("a.md", 2, 13, loop), ("a.md", 3, 13, loop)]


@pytest.mark.parametrize(
    ("tasks", "tail"),
    [
        pytest.param(13, "'a.md' line 13", id="twelve others: named whole"),
        pytest.param(14, "'a.md' line 13 and 1 more task", id="thirteen others"),
        pytest.param(5000, "'a.md' line 13 and 4,987 more tasks", id="4,999 others"),
    ],
)
def test_vk403_an_id_given_to_many_tasks_names_twelve_others(make_vault, tasks, tail):
    root = make_vault({"a.md": "".join(f"- [ ] T{n} 🆔 same\n" for n in range(tasks))})
    found = messages(root)
    others = ", ".join(f"'a.md' line {n}" for n in range(2, 13))
    assert len(found) == tasks
    assert found[0] == ("a.md", 1, 10, f"the id 'same' is also given to {others}, {tail}")


def task_loop(size: int) -> str:
    """`size` tasks, each waiting on the one before it, the first on the last."""
    return "".join(f"- [ ] T{n} 🆔 t{n} ⛔ t{(n - 1) % size}\n" for n in range(size))


@pytest.mark.parametrize(
    ("size", "tail"),
    [
        pytest.param(12, " waits on 'T0'", id="twelve: named whole"),
        pytest.param(13, " waits on 1 more task, the last waiting on 'T0'", id="thirteen"),
        pytest.param(5000, " waits on 4,988 more tasks, the last waiting on 'T0'", id="5,000"),
    ],
)
def test_vk403_names_twelve_tasks_of_a_loop_then_how_many_more(make_vault, size, tail):
    found = messages(make_vault({"a.md": task_loop(size)}))
    names = " waits on ".join(f"'T{n}'" for n in (0, *range(size - 1, size - 12, -1)))
    assert len(found) == size
    assert found[0][3] == f"tasks wait on each other in a loop: {names}{tail}"


def test_vk403_reads_the_dataview_keys_in_any_case_as_the_plugin_does(make_vault):
    root = make_vault({"a.md": "- [ ] one [Id:: x]\n- [ ] two [DependsOn:: y]\n"})
    assert messages(root) == [("a.md", 2, 11, "no task has the id 'y' that this one waits on")]
