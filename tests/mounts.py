"""Faults of the workspace made for real: a read-only bind mount, a tiny tmpfs that fills up.

Both need root and the mount capability (CI runs as root); where mounting is not permitted the
tests that need them skip."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> bool:
    if shutil.which("mount") is None:
        return False
    proc = subprocess.run(["mount", *args], capture_output=True, text=True)
    return proc.returncode == 0


def _umount(path: Path) -> None:
    """Unmount; lazily when something still holds a file there, so no mount outlives it."""
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """``path`` (a folder) made read-only for everyone, root included, until the end."""
    if not _mount("--bind", str(path), str(path)):
        pytest.skip("bind mounts are not permitted here")
    try:
        if not _mount("-o", "remount,ro,bind", str(path)):
            pytest.skip("read-only remounts are not permitted here")
        yield path
    finally:
        _umount(path)


@contextmanager
def small_disk(path: Path, size_kb: int) -> Iterator[Path]:
    """An empty ``size_kb`` KB tmpfs mounted at ``path`` (created) until the end."""
    path.mkdir(parents=True, exist_ok=True)
    if not _mount("-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)):
        pytest.skip("tmpfs mounts are not permitted here")
    try:
        yield path
    finally:
        _umount(path)


def fill_up(folder: Path, leave_kb: int = 0) -> Path:
    """Fill the disk of ``folder`` with one file, leaving about ``leave_kb`` KB free."""
    free = shutil.disk_usage(folder).free
    filler = folder / "filler.bin"
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(0, free - leave_kb * 1024))
    return filler
