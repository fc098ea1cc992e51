"""Run a command and measure it: wall time, CPU time and memory of its whole process tree.

CPU time comes from ``os.wait4`` (it includes every descendant the command
waited for: worker processes, the forkserver).  Memory is polled from
``/proc`` every 10 ms: the peak RSS of each process (``VmHWM``, exact even
between polls) and, for the whole tree at once, the sum of RSS (shared pages
counted in every process: an upper bound) and the sum of PSS (shared pages
divided among the processes sharing them: what the tree really costs).
(``ru_maxrss`` is no use here: it keeps the size of the forked parent
before ``exec``.)
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class Measured:
    """One run of a command."""

    wall: float
    cpu: float  # user + system seconds of the command and its reaped descendants
    max_rss_mb: float  # peak RSS (VmHWM) of the largest single process, sampled
    tree_rss_mb: float | None  # peak of the sum over the process tree (sampled)
    tree_pss_mb: float | None
    stderr: str


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stream:
                stat = stream.read()
        except OSError:
            continue
        parents[int(name)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    return parents


def _tree(root: int) -> list[int]:
    parents = _parents()
    members, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        members.extend(frontier)
    return members


def _memory(pid: int, *, pss: bool) -> tuple[int, int, int]:
    """Return (RSS, peak RSS, PSS) of ``pid`` in bytes (zeros once it is gone)."""
    rss = peak = proportional = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as stream:
            for line in stream:
                if line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith(b"VmHWM:"):
                    peak = int(line.split()[1]) * 1024
        if pss:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as stream:
                for line in stream:
                    if line.startswith(b"Pss:"):
                        proportional = int(line.split()[1]) * 1024
                        break
    except (OSError, ValueError, IndexError):
        return 0, 0, 0
    return rss, peak, proportional


class _Sampler(threading.Thread):
    """Poll ``/proc``: the peak of the process itself, or of its whole tree."""

    def __init__(self, pid: int, *, tree: bool, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.pid, self.tree, self.interval = pid, tree, interval
        self.stop = threading.Event()
        self.peak = self.tree_rss = self.tree_pss = 0

    def run(self) -> None:
        while not self.stop.is_set():
            members = _tree(self.pid) if self.tree else [self.pid]
            totals = [_memory(pid, pss=self.tree) for pid in members]
            self.peak = max([self.peak, *(peak for _, peak, _ in totals)])
            self.tree_rss = max(self.tree_rss, sum(rss for rss, _, _ in totals))
            self.tree_pss = max(self.tree_pss, sum(pss for _, _, pss in totals))
            self.stop.wait(self.interval)


def tree_sampling_available() -> bool:
    """Whether ``/proc`` gives per-process memory (Linux)."""
    return os.path.exists(f"/proc/{os.getpid()}/smaps_rollup")


@contextlib.contextmanager
def _pinned(cpu: int | None) -> Iterator[None]:
    """Run the block on ``cpu`` alone (this thread), so that a child forked in it starts there."""
    if cpu is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def run_measured(
    command: Sequence[str],
    *,
    cpu: int | None = None,
    sample_tree: bool = False,
    env: Mapping[str, str] | None = None,
) -> Measured:
    """Run ``command`` (pinned to CPU ``cpu`` if given, with its children) and measure it.

    ``env`` replaces the environment of the command (default: this process's).

    Without ``sample_tree`` only the command's own peak is polled (cheap: one
    small file read every 10 ms); with it, the whole tree's RSS and PSS.

    Raises
    ------
    AssertionError
        The command failed (its standard error is in the message).
    """
    sampling = os.path.exists("/proc/self/status")
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        with _pinned(cpu):  # the child starts on ``cpu`` (its workers inherit it)
            process = subprocess.Popen(
                list(command), stdout=subprocess.DEVNULL, stderr=errors, env=env
            )
        sampler = _Sampler(process.pid, tree=sample_tree) if sampling else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if sampler is not None:
            sampler.stop.set()
            sampler.join()
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    assert process.returncode == 0, f"{command[0]} failed ({process.returncode}):\n{stderr}"
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=sampler.peak / MB if sampler is not None else 0.0,
        tree_rss_mb=sampler.tree_rss / MB if sampler is not None and sample_tree else None,
        tree_pss_mb=sampler.tree_pss / MB if sampler is not None and sample_tree else None,
        stderr=stderr,
    )


def summarise(runs: Sequence[Measured], files: int) -> dict[str, float]:
    """Median (and best) figures of several runs, for ``benchmark.extra_info``."""
    wall = statistics.median(r.wall for r in runs)
    cpu = statistics.median(r.cpu for r in runs)
    figures = {
        "files": files,
        "rounds": len(runs),
        "wall_s_median": round(wall, 4),
        "cpu_s_median": round(cpu, 4),
        "wall_s_min": round(min(r.wall for r in runs), 4),
        "cpu_s_min": round(min(r.cpu for r in runs), 4),
        "files_per_s_wall": round(files / wall, 1),
        "files_per_s_cpu": round(files / cpu, 1) if cpu else 0.0,
        "max_rss_mb": round(max(r.max_rss_mb for r in runs), 1),
    }
    tree = [r for r in runs if r.tree_pss_mb is not None]
    if tree:
        figures["tree_rss_mb"] = round(max(r.tree_rss_mb or 0.0 for r in tree), 1)
        figures["tree_pss_mb"] = round(max(r.tree_pss_mb or 0.0 for r in tree), 1)
    return figures


#: Old outputs are set aside while at least this much space stays free.
SET_ASIDE_MIN_FREE = 8 << 30
_SET_ASIDE = ".set-aside"


def file_system_type(path: Path) -> str:
    """The type of the file system holding ``path`` ('' when unknown, e.g. not Linux)."""
    try:
        with open("/proc/self/mounts", encoding="utf-8") as mounts:
            table = [line.split()[1:3] for line in mounts if len(line.split()) > 2]
    except OSError:
        return ""
    resolved = str(path.resolve())
    matches = [
        (mount, kind) for mount, kind in table if resolved.startswith(mount.rstrip("/") + "/")
    ]
    return max(matches, key=lambda match: len(match[0]))[1] if matches else ""


def set_aside(path: Path) -> None:
    """Take ``path`` (an old output) out of the way without freeing its inodes, where it matters.

    On ext4 it is moved aside instead of deleted (until :func:`remove_set_aside`):
    ext4 without a journal, as on the project's virtual machine, does not reuse
    an inode freed in the last 60 s (300 s while its inode table block is
    dirty; ``recently_deleted`` in Linux's ``fs/ext4/ialloc.c``), and scans past every such inode whenever it allocates a new one.
    A command that ran right after the deletion of the last run's 300-1200
    files paid for that scan on each of its own files (kernel time in
    ``recently_deleted``, up to a fifth of a PET run), which a conversion into
    a new folder does not, and which dcm2niix, writing two files per series,
    hardly ever meets.  Elsewhere (or with less than
    :data:`SET_ASIDE_MIN_FREE` free) it is deleted.
    """
    import shutil

    path = path.absolute()
    if not path.exists():
        return
    if file_system_type(path) == "ext4" and shutil.disk_usage(path).free > SET_ASIDE_MIN_FREE:
        aside = path.parent / _SET_ASIDE
        aside.mkdir(exist_ok=True)
        path.rename(aside / f"{path.name}-{time.monotonic_ns()}")
    else:
        shutil.rmtree(path)


def clear_folder(path: Path) -> None:
    """Give ``path`` empty to the next command (see :func:`set_aside`); flush the file system."""
    set_aside(path)
    path.mkdir(parents=True)
    os.sync()


def remove_set_aside(path: Path) -> None:
    """Delete what :func:`clear_folder` set aside next to ``path`` (after the measurements)."""
    import shutil

    shutil.rmtree(path.absolute().parent / _SET_ASIDE, ignore_errors=True)
