"""Run one conversion on a background thread and report to the window through a queue.

The thread only calls the converter (whose own worker processes do the
parallel work) and puts :mod:`~elscint_codec.gui.events` records on a
:class:`queue.Queue`; the window polls that queue with Tk's ``after()``, so it
stays responsive and no Tk object is touched off its thread.
"""

from __future__ import annotations

import queue
import threading

from elscint_codec.gui import engine
from elscint_codec.gui.events import Crashed, Event
from elscint_codec.gui.messages import record_error

__all__ = ["ConversionWorker"]


class ConversionWorker:
    """One conversion running on a daemon thread.

    Parameters
    ----------
    job : engine.Job
        What to convert and how.
    events : queue.Queue
        Receives :class:`~elscint_codec.gui.events.Progress` and
        :class:`~elscint_codec.gui.events.Problem` records while it runs, then
        exactly one :class:`~elscint_codec.gui.events.Finished` or
        :class:`~elscint_codec.gui.events.Crashed`.
    """

    def __init__(self, job: engine.Job, events: queue.Queue[Event]) -> None:
        self.job = job
        self._events = events
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="elscint-convert", daemon=True)

    def start(self) -> None:
        """Start converting."""
        self._thread.start()

    def cancel(self) -> None:
        """Ask the converter to stop after the files it is writing (no partial files)."""
        self._cancel.set()

    @property
    def cancelling(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancel.is_set()

    def is_alive(self) -> bool:
        """Whether the conversion thread is still running."""
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to end (``timeout`` in seconds)."""
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            engine.run(self.job, self._events.put, self._cancel)
        except Exception as exc:  # noqa: BLE001 - logged by record_error; the window must hear of it
            self._events.put(Crashed(record_error(exc, "converting")))
