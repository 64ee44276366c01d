"""The real `pre-commit` tool runs vaultkit's hooks in a throwaway git repository.

The hook repository is a commit of this project's files as they are on disk, so the test
checks the working tree, committed or not. pre-commit builds its own virtualenv and
`pip install`s the hook repository into it, which needs the package index (about 20 s the
first time; later tests in this module reuse the environment).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHIPPED = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "vaultkit tests",
    "GIT_AUTHOR_EMAIL": "tests@vaultkit.invalid",
    "GIT_COMMITTER_NAME": "vaultkit tests",
    "GIT_COMMITTER_EMAIL": "tests@vaultkit.invalid",
}


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    return {**keep, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory, env) -> tuple[Path, str]:
    """This project as a one-commit git repository: (its path, the commit)."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in SHIPPED:
        shutil.copy2(PROJECT / name, repo / name)
    shutil.copytree(
        PROJECT / "vaultkit", repo / "vaultkit", ignore=shutil.ignore_patterns("__pycache__")
    )
    git("init", "--quiet", cwd=repo, env=env)
    git("add", "--all", cwd=repo, env=env)
    git("commit", "--quiet", "--message", "vaultkit under test", cwd=repo, env=env)
    return repo, git("rev-parse", "HEAD", cwd=repo, env=env)


def make_repo(root: Path, files: dict[str, str], env: dict[str, str]) -> Path:
    """A git repository holding a vault, every file staged."""
    (root / ".obsidian").mkdir(parents=True)
    (root / ".obsidian" / "app.json").write_text("{}\n")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    git("init", "--quiet", cwd=root, env=env)
    git("add", "--all", cwd=root, env=env)
    return root


def pre_commit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_try_repo_fails_on_a_staged_broken_link_and_names_it(tmp_path, env, hook_repo):
    vault = make_repo(
        tmp_path / "vault",
        {"Hub.md": "See [[Nowhere]] and [[Skills/Docker]].\n", "Skills/Docker.md": "# Docker\n"},
        env,
    )
    run = pre_commit(
        "try-repo", str(hook_repo[0]), "vaultkit-lint", "--files", "Hub.md", cwd=vault, env=env
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "vaultkit lint" in run.stdout and "Failed" in run.stdout
    assert (
        "Hub.md:1:5: VK101 no note or file named 'Nowhere': Obsidian shows the link unresolved"
        in run.stdout
    )


def test_a_staged_canvas_is_linted_too(tmp_path, env, hook_repo):
    card = (
        '{"id":"c1","type":"text","text":"Next: [[Nowhere]]","x":0,"y":0,"width":250,"height":60}'
    )
    vault = make_repo(
        tmp_path / "vault",
        {"Hub.md": "# Hub\n", "Map.canvas": '{\n\t"nodes":[\n\t\t' + card + "\n\t]\n}"},
        env,
    )
    run = pre_commit(
        "try-repo", str(hook_repo[0]), "vaultkit-lint", "--files", "Map.canvas", cwd=vault, env=env
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Map.canvas:3:42: VK101 no note or file named 'Nowhere'" in run.stdout


def config_for(hook_repo: tuple[Path, str]) -> str:
    """A vault's `.pre-commit-config.yaml`, as the README tells users to write it."""
    path, rev = hook_repo
    hooks = "".join(f"      - id: {hook}\n" for hook in ("vaultkit-lint", "vaultkit-sync"))
    return f"repos:\n  - repo: {path}\n    rev: {rev}\n    hooks:\n{hooks}"


def commit(vault: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "--message", "work"], cwd=vault, env=env, capture_output=True, text=True
    )


def test_an_installed_hook_refuses_the_commit_until_the_link_is_fixed(tmp_path, env, hook_repo):
    vault = make_repo(
        tmp_path / "vault",
        {
            ".pre-commit-config.yaml": config_for(hook_repo),
            "Hub.md": "# Hub\n",
            "Notes/Plan.md": "Next: [[Hubb]]\n",
        },
        env,
    )
    install = pre_commit("install", cwd=vault, env=env)
    assert install.returncode == 0, install.stdout + install.stderr

    refused = commit(vault, env)
    assert refused.returncode == 1
    assert "Notes/Plan.md:1:7: VK101 no note or file named 'Hubb'" in refused.stderr

    (vault / "Notes" / "Plan.md").write_text("Next: [[Hub]]\n")
    git("add", "Notes/Plan.md", cwd=vault, env=env)
    accepted = commit(vault, env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "vaultkit lint" in accepted.stderr and "Passed" in accepted.stderr


def test_the_sync_hook_fails_when_it_filled_a_block_and_passes_after(tmp_path, env, hook_repo):
    note = "- [x] build\n<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n"
    vault = make_repo(
        tmp_path / "vault",
        {".pre-commit-config.yaml": config_for(hook_repo), "Docker.md": note},
        env,
    )
    first = pre_commit("run", "vaultkit-sync", "--all-files", cwd=vault, env=env)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert (vault / "Docker.md").read_text() == (
        "- [x] build\n"
        "<!-- vaultkit:begin progress -->\n"
        "▓▓▓▓▓▓▓▓▓▓ 100% · 1/1 tasks · done\n"
        "<!-- vaultkit:end progress -->\n"
    )
    git("add", "Docker.md", cwd=vault, env=env)
    again = pre_commit("run", "--all-files", cwd=vault, env=env)
    assert again.returncode == 0, again.stdout + again.stderr


# --- where the vault sits in the repository ----------------------------------------------


def empty_block(kind: str, params: str = "") -> str:
    return f"<!-- vaultkit:begin {kind}{params} -->\n<!-- vaultkit:end {kind} -->\n"


ROADMAP = {
    "Hub.md": "# Hub\n\n"
    + empty_block("rollup", " folder=Skills")
    + "\n"
    + empty_block("graph", " folder=Skills"),
    "Skills/Docker.md": "# Docker\n\n" + empty_block("progress") + "\n- [x] build\n- [ ] push\n",
    "Skills/Helm.md": '---\nrequires: ["[[Docker]]"]\n---\n# Helm\n\n- [ ] charts\n',
}
README = "# My notes\n\nThe vault is in notes/. See [[Nowhere]], which is not a wikilink here.\n"


def repository(
    root: Path, vaults: dict[str, dict[str, str]], env: dict[str, str], hooks, readme: str = README
) -> Path:
    """A git repository with `.pre-commit-config.yaml` and a README at its top, a vault in
    each named folder ("" is the top itself), the hooks installed, nothing committed."""
    root.mkdir()
    files = {".pre-commit-config.yaml": config_for(hooks), "README.md": readme}
    for folder, notes in vaults.items():
        files[f"{folder}/.obsidian/app.json" if folder else ".obsidian/app.json"] = "{}\n"
        files.update({f"{folder}/{name}" if folder else name: text for name, text in notes.items()})
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    git("init", "--quiet", cwd=root, env=env)
    git("add", "--all", cwd=root, env=env)
    install = pre_commit("install", cwd=root, env=env)
    assert install.returncode == 0, install.stdout + install.stderr
    return root


def snapshot(root: Path, outside: str | None = None) -> dict[str, bytes]:
    """Every file's bytes, or only those not under the folder `outside` (and not git's)."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and ".git" not in path.relative_to(root).parts
        and (outside is None or not path.relative_to(root).as_posix().startswith(f"{outside}/"))
    }


def commit_all(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    git("add", "--all", cwd=root, env=env)
    return commit(root, env)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_vault_in_a_subfolder_is_found_from_the_staged_notes(tmp_path, env, hook_repo):
    repo = repository(tmp_path / "repo", {"notes": ROADMAP}, env, hook_repo)
    outside = snapshot(repo, outside="notes")

    filled = commit(repo, env)  # the blocks are empty: lint finds them stale, sync fills them
    assert filled.returncode == 1
    assert "notes/Hub.md:3:1: VK501 block 'rollup folder=Skills' is out of date" in filled.stderr
    assert "files were modified by this hook" in filled.stderr
    assert "| [[Docker]] | in-progress | 1/2 |" in (repo / "notes/Hub.md").read_text()
    assert "    n1 --> n2\n" in (repo / "notes/Hub.md").read_text()  # folder=Skills, in notes/
    assert snapshot(repo, outside="notes") == outside  # README.md not linted, not touched

    accepted = commit_all(repo, env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    edit(repo / "notes/Skills/Docker.md", "- [ ] push", "- [x] push")
    git("add", "notes/Skills/Docker.md", cwd=repo, env=env)
    ticked = commit(repo, env)  # the hub, not staged, sums the ticked box up
    assert ticked.returncode == 1
    assert "| [[Docker]] | done | 2/2 |" in (repo / "notes/Hub.md").read_text()
    assert commit_all(repo, env).returncode == 0

    edit(repo / "notes/Skills/Helm.md", "- [ ] charts", "- [ ] charts for [[Dockr]]")
    broken = commit_all(repo, env)
    assert broken.returncode == 1
    assert "notes/Skills/Helm.md:6:18: VK101 no note or file named 'Dockr'" in broken.stderr
    assert snapshot(repo, outside="notes") == outside


def test_two_vaults_in_one_repository_are_each_synced_and_checked_whole(tmp_path, env, hook_repo):
    docs = {
        "Index.md": "# Docs\n\n[[Guide]]\n\n" + empty_block("rollup"),
        "Guide.md": "[[Index]]\n\n" + empty_block("progress") + "\n- [ ] write\n",
    }
    repo = repository(tmp_path / "repo", {"notes": ROADMAP, "docs": docs}, env, hook_repo)
    outside = snapshot(repo, outside="notes")
    del outside["docs/Index.md"], outside["docs/Guide.md"]

    assert commit(repo, env).returncode == 1  # fills the blocks of both vaults
    assert "| [[Guide]] | ready | 0/1 |" in (repo / "docs/Index.md").read_text()
    assert "| [[Docker]] | in-progress | 1/2 |" in (repo / "notes/Hub.md").read_text()
    accepted = commit_all(repo, env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    edit(repo / "docs/Guide.md", "- [ ] write", "- [x] write")
    edit(repo / "notes/Skills/Docker.md", "- [ ] push", "- [x] push")
    git("add", "docs/Guide.md", "notes/Skills/Docker.md", cwd=repo, env=env)
    assert commit(repo, env).returncode == 1
    assert "| [[Guide]] | done | 1/1 |" in (repo / "docs/Index.md").read_text()
    assert "| [[Docker]] | done | 2/2 |" in (repo / "notes/Hub.md").read_text()
    assert commit_all(repo, env).returncode == 0

    # `[[Index]]` resolves in docs/ only, `[[Helm]]` in notes/ only: each against its own.
    edit(repo / "docs/Guide.md", "[[Index]]", "[[Index]] [[Helm]]")
    edit(repo / "notes/Hub.md", "# Hub", "# Hub [[Helm]]")
    broken = commit_all(repo, env)
    assert broken.returncode == 1
    assert "docs/Guide.md:1:11: VK101 no note or file named 'Helm'" in broken.stderr
    assert "notes/Hub.md" not in broken.stderr
    assert snapshot(repo, outside="notes") == {
        **outside,
        "docs/Index.md": (repo / "docs/Index.md").read_bytes(),
        "docs/Guide.md": (repo / "docs/Guide.md").read_bytes(),
    }
    assert snapshot(repo)["README.md"] == README.encode()


def test_a_repository_whose_top_is_the_vault(tmp_path, env, hook_repo):
    repo = repository(tmp_path / "repo", {"": ROADMAP}, env, hook_repo, readme="See [[Hub]].\n")

    filled = commit(repo, env)
    assert filled.returncode == 1
    assert "Hub.md:3:1: VK501 block 'rollup folder=Skills' is out of date" in filled.stderr
    assert "    n1 --> n2\n" in (repo / "Hub.md").read_text()
    accepted = commit_all(repo, env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    edit(repo / "Skills/Docker.md", "- [ ] push", "- [x] push")
    git("add", "Skills/Docker.md", cwd=repo, env=env)
    assert commit(repo, env).returncode == 1
    assert "| [[Docker]] | done | 2/2 |" in (repo / "Hub.md").read_text()
    assert commit_all(repo, env).returncode == 0

    edit(repo / "README.md", "[[Hub]]", "[[Hubb]]")  # the README is a note of this vault
    broken = commit_all(repo, env)
    assert broken.returncode == 1
    assert "README.md:1:5: VK101 no note or file named 'Hubb'" in broken.stderr
    assert (repo / ".pre-commit-config.yaml").read_text() == config_for(hook_repo)
