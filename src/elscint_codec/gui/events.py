"""Messages the background conversion sends to the window, through a queue.

They are small immutable records, so the worker thread never touches a Tk
object: the window reads them from the queue on its own thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["COUNT_NAMES", "Crashed", "Event", "Finished", "Problem", "Progress"]

#: The four numbers of a summary, in the order the window shows them.
COUNT_NAMES = ("converted", "copied", "skipped", "failed")


@dataclass(frozen=True)
class Progress:
    """How far the conversion is.

    ``total`` is None while the converter is still finding the files;
    ``counts`` maps each status seen so far (``"converted"``, ...) to a number.
    """

    done: int
    total: int | None
    elapsed: float
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """One input that was skipped or failed, with the reason in plain words."""

    where: str
    reason: str
    failed: bool = True


@dataclass(frozen=True)
class Finished:
    """The conversion ended, completely or because the user cancelled it.

    ``counts`` maps each of :data:`COUNT_NAMES` (and possibly ``"already done"``)
    to a number of input files.
    """

    counts: dict[str, int]
    seconds: float
    cancelled: bool
    output: Path
    report: Path | None = None
    previews: tuple[Path, ...] = ()
    suv_table: Path | None = None
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Crashed:
    """The conversion could not run or stopped on an error; ``message`` is plain words."""

    message: str


Event = Progress | Problem | Finished | Crashed
