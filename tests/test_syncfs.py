"""elscint_codec._syncfs: one flush of a whole file system, errors as errno values."""

from __future__ import annotations

import errno
import os
import sys

import pytest

from elscint_codec import _syncfs
from elscint_codec.converter.writer import batch_sync_available, sync_tree


def test_available_exactly_on_linux():
    assert _syncfs.AVAILABLE is sys.platform.startswith("linux")
    assert batch_sync_available() is _syncfs.AVAILABLE


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs is Linux only")
def test_syncfs_flushes_and_reports_errors_as_errno(tmp_path):
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        assert _syncfs.syncfs(fd) == 0
    finally:
        os.close(fd)
    assert _syncfs.syncfs(fd) == errno.EBADF  # closed descriptor


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs is Linux only")
def test_sync_tree_flushes_a_folder_and_names_a_missing_one(tmp_path):
    (tmp_path / "a").write_bytes(b"x")
    sync_tree(tmp_path)
    with pytest.raises(FileNotFoundError):
        sync_tree(tmp_path / "missing")
