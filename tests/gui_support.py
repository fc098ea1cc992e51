"""Helpers for driving the real Tk window in tests: a virtual display and an event pump."""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SCREEN = "1280x800x24"


@contextmanager
def virtual_display(xvfb: str, screen: str = SCREEN) -> Iterator[str]:
    """Start ``Xvfb`` on a free display number; yield the display name (``":N"``).

    Xvfb picks the number itself (``-displayfd``), so parallel runs never race
    for one.
    """
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + 20
        while not number.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready = select.select([read_end], [], [], max(remaining, 0))[0]
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                process.kill()
                errors = process.communicate()[1].decode(errors="replace")
                raise RuntimeError(f"Xvfb did not start: {errors[-2000:]}")
            number += chunk
        yield f":{int(number)}"
    finally:
        os.close(read_end)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def pump(root, until: Callable[[], bool], *, timeout: float = 120.0, what: str = "") -> float:
    """Run the Tk event loop until ``until()`` is true; return the longest single update.

    Fails the test after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    longest = 0.0
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or until}")
        started = time.monotonic()
        root.update()
        longest = max(longest, time.monotonic() - started)
        time.sleep(0.005)
    return longest
