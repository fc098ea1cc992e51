"""The converter's settings, progress records and result summary."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "EXIT_FAILED",
    "EXIT_FATAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "LAYOUTS",
    "STATUSES",
    "ConvertOptions",
    "Progress",
    "Summary",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_FATAL = 3
EXIT_INTERRUPTED = 130

LAYOUTS = ("mirror", "series")
#: Every report row has exactly one of these statuses.
STATUSES = ("converted", "copied", "already done", "skipped", "failed")


@dataclass(frozen=True)
class ConvertOptions:
    """How :func:`~elscint_codec.converter.convert` works.

    Parameters
    ----------
    jobs : int
        Worker processes; 0 means one per CPU core, 1 runs in this process.
    layout : {'mirror', 'series'}
        Mirror the input tree, or write ``patient/study/series/instance.dcm``.
    overwrite : bool
        Redo files whose output already exists (default: skip them as
        "already done", which is how an interrupted run resumes).
    only_elscint : bool
        Skip standard DICOM files instead of copying them.
    verify : bool
        Re-read every written file with plain pydicom and compare its pixels
        (and, for outputs already present, compare them with the input).
    previews : bool
        Write a PNG of the middle slice of each series to ``OUTPUT/previews``.
    dry_run : bool
        Decide everything, write nothing.
    deidentify : object or None
        De-identification options (``elscint_codec.deid.DeidOptions``) or None.
    suv : bool
        After converting, compute the SUV factors of the PET series in OUTPUT
        (``OUTPUT/elscint-suv.csv`` and ``.json``, as ``elscint suv``).
    rwvm, suv_series : bool
        With ``suv``: also write Real World Value Mapping objects / a derived
        SUVbw series into OUTPUT.
    space_check : bool
        Refuse to start when the output disk has too little free space.
    """

    jobs: int = 0
    layout: str = "mirror"
    overwrite: bool = False
    only_elscint: bool = False
    verify: bool = False
    previews: bool = True
    dry_run: bool = False
    deidentify: Any = None
    suv: bool = False
    rwvm: bool = False
    suv_series: bool = False
    space_check: bool = True

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {self.layout!r}")
        if isinstance(self.jobs, bool) or not isinstance(self.jobs, int) or self.jobs < 0:
            raise ValueError(f"jobs must be a whole number >= 0, not {self.jobs!r}")
        if (self.rwvm or self.suv_series) and not self.suv:
            raise ValueError("rwvm and suv_series need suv=True")

    @property
    def workers(self) -> int:
        """The number of worker processes actually used."""
        return self.jobs or os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class Progress:
    """One finished input, as reported to ``on_progress``.

    Attributes
    ----------
    done : int
        Inputs finished so far.
    total : int or None
        Inputs found in the sources, when known.
    path : str
        The input just finished.
    status : str
        One of :data:`STATUSES` (what would happen, for a dry run).
    output : str
        Output path relative to OUTPUT ('' if none).
    reason : str
        Plain-language reason or note ('' if none).
    """

    done: int
    total: int | None
    path: str
    status: str
    output: str = ""
    reason: str = ""


@dataclass
class Summary:
    """What a conversion run did.

    Counts are for this run; the report in OUTPUT is cumulative.
    """

    output: Path
    converted: int = 0
    copied: int = 0
    already_done: int = 0
    skipped: int = 0
    failed: int = 0
    duplicates: int = 0
    suv_series: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    fatal: str | None = None
    dry_run: bool = False
    report_csv: Path | None = None
    report_json: Path | None = None
    previews: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, status: str, step: int = 1) -> None:
        """Add ``step`` files with ``status`` to the counts."""
        name = status.replace(" ", "_")
        setattr(self, name, getattr(self, name) + step)

    @property
    def total(self) -> int:
        """Number of inputs handled."""
        return self.converted + self.copied + self.already_done + self.skipped + self.failed

    @property
    def exit_code(self) -> int:
        """The command's exit code: 0, 1 (some failed), 3 (fatal) or 130 (interrupted)."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.fatal:
            return EXIT_FATAL
        return EXIT_FAILED if self.failed else EXIT_OK

    def line(self) -> str:
        """Return the one-line summary, e.g. ``converted 3, copied 1, skipped 0, failed 0 in 1.2 s``."""
        prefix = "dry run: would have " if self.dry_run else ""
        parts = [f"converted {self.converted}", f"copied {self.copied}"]
        if self.already_done:
            parts.append(f"already done {self.already_done}")
        parts += [f"skipped {self.skipped}", f"failed {self.failed}"]
        text = f"{prefix}{', '.join(parts)} in {self.seconds:.1f} s"
        if self.interrupted:
            text += " (interrupted)"
        return text
