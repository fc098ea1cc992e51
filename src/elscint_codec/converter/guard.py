"""Checks before a run: paths, the output folder, free space, and the lock on OUTPUT."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from elscint_codec.converter.writer import TEMP_PREFIX, remove_leftover_temp_files, write_temp

__all__ = [
    "LOCK_NAME",
    "SPACE_FACTOR",
    "FatalError",
    "check_deidentify",
    "check_paths",
    "check_space",
    "is_new_or_empty",
    "locked",
    "prepare_output",
]

_LOG = logging.getLogger("elscint_codec.converter")
LOCK_NAME = ".elscint-lock"
SPACE_FACTOR = 2  # output is about twice the compressed input


class FatalError(Exception):
    """A problem with the output that stops the run (exit code 3)."""


def check_paths(sources: Sequence[Path], output: Path) -> None:
    """Refuse sources that do not exist or overlap, and an OUTPUT inside a SOURCE.

    Raises
    ------
    ValueError
        With a message saying what to change.
    """
    if not sources:
        raise ValueError("give at least one SOURCE (a folder, a file or a .zip archive)")
    if output.exists() and not output.is_dir():
        raise ValueError(f"OUTPUT {output} exists and is not a folder")
    target = output.resolve()
    resolved: list[tuple[Path, Path]] = []
    for source in sources:
        if not source.exists():
            raise ValueError(f"SOURCE {source} does not exist")
        real = source.resolve()
        if target == real or target.is_relative_to(real):
            raise ValueError(
                f"OUTPUT {output} is inside SOURCE {source}; choose an output folder outside "
                "every source so that the input is never modified"
            )
        if real.is_relative_to(target):
            raise ValueError(f"SOURCE {source} is inside OUTPUT {output}; keep them apart")
        for other, other_real in resolved:
            if (
                real == other_real
                or real.is_relative_to(other_real)
                or (other_real.is_relative_to(real))
            ):
                raise ValueError(f"SOURCE {source} overlaps SOURCE {other}; give each folder once")
        resolved.append((source, real))


def check_deidentify(deid: Any, sources: Sequence[Path], output: Path) -> None:
    """Refuse a key or linkage file inside OUTPUT or a SOURCE.

    Raises
    ------
    ValueError
        With a message saying what to change.
    """
    if deid is None:
        return
    out = output.resolve()
    for name, path in (("linkage file", deid.linkage_path), ("key file", deid.key_path)):
        if path is None:
            continue
        real = Path(path).resolve()
        if real.is_relative_to(out):
            raise ValueError(
                f"the {name} must not be inside OUTPUT (it would travel with the data)"
            )
        if any(real.is_relative_to(s.resolve()) for s in sources if s.is_dir()):
            raise ValueError(f"the {name} must not be inside a SOURCE")
    if TEMP_PREFIX in output.name:
        raise ValueError(f"OUTPUT must not be named like a temporary file ({TEMP_PREFIX}*)")


def _lock_file(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - Windows only
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


@contextmanager
def locked(output: Path) -> Iterator[None]:
    """Hold an exclusive lock on OUTPUT so two runs never write into it at once."""
    path = output / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            _lock_file(fd)
        except OSError:
            os.close(fd)
            raise FatalError(
                f"another conversion is writing into {output} right now; wait for it to finish"
            ) from None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break  # locked the file that is still there
        except FileNotFoundError:
            pass
        os.close(fd)  # another run removed it in between: try again
    try:
        yield
    finally:
        path.unlink(missing_ok=True)  # while still holding the lock
        os.close(fd)


def is_new_or_empty(folder: Path) -> bool:
    """Whether ``folder`` does not exist yet or holds nothing at all."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except FileNotFoundError:
        return True
    except OSError:  # not a folder, not readable: treated as holding something
        return False


def prepare_output(output: Path, stack: ExitStack) -> int:
    """Create, probe and lock OUTPUT; remove leftovers; return the bytes already there.

    Raises
    ------
    FatalError
        OUTPUT cannot be written or another run holds it.
    """
    try:
        output.mkdir(parents=True, exist_ok=True)
        write_temp(output, [b""], sync=False).unlink()  # writable? (nothing to flush)
    except OSError as exc:
        raise FatalError(f"cannot write to the output folder {output}: {exc.strerror}") from exc
    stack.enter_context(locked(output))
    removed, existing = remove_leftover_temp_files(output)
    if removed:
        _LOG.info("removed %d temporary file(s) left by an interrupted run", removed)
    return existing


def _gigabytes(size: float) -> str:
    return f"{size / 1e9:.1f} GB"


def _free_bytes(folder: Path) -> int:
    """Bytes free for an unprivileged user on ``folder``'s disk."""
    if hasattr(os, "statvfs"):  # what shutil.disk_usage reads, without importing shutil
        status = os.statvfs(folder)
        return status.f_bavail * status.f_frsize
    import shutil  # pragma: no cover - Windows

    return shutil.disk_usage(folder).free


def check_space(output: Path, input_bytes: int, existing: int) -> None:
    """Refuse to start when OUTPUT's disk has less than about twice the input free.

    Raises
    ------
    FatalError
        Not enough free space.
    """
    needed = SPACE_FACTOR * input_bytes - existing
    free = _free_bytes(output)
    if needed > free:
        raise FatalError(
            f"not enough free space in {output}: about {_gigabytes(needed)} needed "
            f"(the output is about twice the compressed input), {_gigabytes(free)} free"
        )
