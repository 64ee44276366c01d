"""The watch lock is vaultkit's own file: anything else at its path is refused, untouched."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from vaultkit.lock import LOCK_NAME, VaultLock, WatchError

SECRET = b"someone else's file\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "outside.txt"
    path.write_bytes(SECRET)
    return path


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    path = tmp_path / "vault"
    path.mkdir()
    return path


def refusal(vault: Path) -> str:
    with pytest.raises(WatchError) as refused:
        VaultLock(vault).acquire()
    return str(refused.value)


def test_a_symlink_at_the_lock_path_is_refused_and_its_target_kept(vault, outside):
    (vault / LOCK_NAME).symlink_to(outside)

    assert refusal(vault) == (
        f"the lock file {vault / LOCK_NAME} is a symbolic link: not vaultkit's; "
        "remove it if it is not yours"
    )
    assert outside.read_bytes() == SECRET
    assert os.readlink(vault / LOCK_NAME) == str(outside)


def test_a_dangling_symlink_at_the_lock_path_creates_nothing(vault, tmp_path):
    (vault / LOCK_NAME).symlink_to(tmp_path / "created-by-the-link")

    assert "is a symbolic link" in refusal(vault)
    assert not (tmp_path / "created-by-the-link").exists()
    assert (vault / LOCK_NAME).is_symlink()


def test_a_hard_link_to_a_file_elsewhere_is_refused_and_kept(vault, outside):
    os.link(outside, vault / LOCK_NAME)

    assert "has 2 hard links" in refusal(vault)
    assert outside.read_bytes() == SECRET
    assert (vault / LOCK_NAME).exists()


def test_a_file_that_holds_more_than_a_pid_is_refused_and_kept(vault):
    (vault / LOCK_NAME).write_bytes(SECRET)

    assert "holds more than a pid" in refusal(vault)
    assert (vault / LOCK_NAME).read_bytes() == SECRET


def test_a_fifo_at_the_lock_path_is_refused_without_blocking(vault):
    os.mkfifo(vault / LOCK_NAME)

    assert "is not a regular file" in refusal(vault)
    assert stat.S_ISFIFO(os.lstat(vault / LOCK_NAME).st_mode)


def test_a_socket_at_the_lock_path_is_refused(vault, monkeypatch):
    monkeypatch.chdir(vault)  # a socket's path must be short
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(LOCK_NAME)

        assert refusal(vault).startswith(f"cannot create the lock file {vault / LOCK_NAME}")
        assert stat.S_ISSOCK(os.lstat(vault / LOCK_NAME).st_mode)


def test_a_folder_at_the_lock_path_is_refused(vault):
    (vault / LOCK_NAME).mkdir()

    assert refusal(vault).startswith(f"cannot create the lock file {vault / LOCK_NAME}")
    assert (vault / LOCK_NAME).is_dir()


def test_a_file_put_in_place_of_the_lock_is_not_removed_on_exit(vault):
    with VaultLock(vault):
        (vault / LOCK_NAME).unlink()
        (vault / LOCK_NAME).write_bytes(SECRET)

    assert (vault / LOCK_NAME).read_bytes() == SECRET


def test_the_lock_file_is_created_with_the_pid_and_removed_on_exit(vault):
    with VaultLock(vault):
        assert (vault / LOCK_NAME).read_bytes() == f"{os.getpid()}\n".encode()
        assert stat.S_IMODE(os.stat(vault / LOCK_NAME).st_mode) == 0o644 & ~current_umask()

    assert os.listdir(vault) == []


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
