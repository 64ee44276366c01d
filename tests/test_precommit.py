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
