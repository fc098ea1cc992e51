"""Show progress on the console: a tqdm bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from typing import Any, TextIO

from elscint_codec.converter.options import Progress

__all__ = ["ConsoleHandler", "ProgressDisplay"]


class ProgressDisplay:
    """Callable for ``on_progress``: a bar on a terminal, a line every ``interval`` s otherwise.

    Parameters
    ----------
    stream : text stream
        Where to draw (standard error by default).
    bar : bool or None
        Force the bar on or off; None decides by ``stream.isatty()``.
    interval : float
        Seconds between plain progress lines.
    """

    def __init__(
        self, stream: TextIO | None = None, *, bar: bool | None = None, interval: float = 5.0
    ) -> None:
        self.stream = stream or sys.stderr
        self.use_bar = self.stream.isatty() if bar is None else bar
        self.interval = interval
        self.counts: Counter[str] = Counter()
        self._bar: Any = None
        self._last = time.monotonic()

    def __call__(self, progress: Progress) -> None:
        self.counts[progress.status] += 1
        if self.use_bar:
            self._draw_bar(progress)
            return
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            total = f"/{progress.total}" if progress.total else ""
            self.stream.write(f"{progress.done}{total} files: {self._counts()}\n")
            self.stream.flush()

    def _counts(self) -> str:
        return ", ".join(f"{status} {n}" for status, n in sorted(self.counts.items()))

    def _draw_bar(self, progress: Progress) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=progress.total, file=self.stream, unit="file", dynamic_ncols=True
            )
        self._bar.set_postfix_str(
            f"failed {self.counts['failed']}" if self.counts["failed"] else "", refresh=False
        )
        self._bar.update(1)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class ConsoleHandler(logging.Handler):
    """A logging handler that prints above a tqdm bar instead of through it."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__()
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from tqdm import tqdm

            tqdm.write(self.format(record), file=self.stream or sys.stderr)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)
