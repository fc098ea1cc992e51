"""The converter's settings, progress records and result summary."""

import os
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "BYTES_PER_WORKER",
    "EXIT_FAILED",
    "EXIT_FATAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FILES_PER_WORKER",
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
#: With ``jobs=0``, each worker process gets at least this many input files ...
FILES_PER_WORKER = 256
#: ... or this many input bytes (see :meth:`ConvertOptions.workers_for`).
BYTES_PER_WORKER = 32 << 20
#: Every report row has exactly one of these statuses.
STATUSES = ("converted", "copied", "already done", "skipped", "failed")


#: The options of :class:`ConvertOptions`, in the order of its parameters.
_OPTION_NAMES = (
    "jobs", "layout", "overwrite", "only_elscint", "verify", "previews", "dry_run",
    "deidentify", "suv", "rwvm", "suv_series", "space_check",
)  # fmt: skip


class ConvertOptions:
    """How :func:`~elscint_codec.converter.convert` works.

    Parameters
    ----------
    jobs : int
        Worker processes; 1 runs in this process.  0 (the default) chooses:
        one per CPU core for a large input, fewer for a small one (see
        :meth:`workers_for`).
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

    Options are read-only once made; :meth:`replace` returns a changed copy.
    (A plain class rather than a dataclass: ``dataclasses`` and the
    ``inspect`` it imports would add about 10 ms to every command's start.)

    Raises
    ------
    ValueError
        An unknown layout, a negative or non-integer ``jobs``, or ``rwvm`` /
        ``suv_series`` without ``suv``.
    """

    __slots__ = _OPTION_NAMES
    jobs: int
    layout: str
    overwrite: bool
    only_elscint: bool
    verify: bool
    previews: bool
    dry_run: bool
    deidentify: Any
    suv: bool
    rwvm: bool
    suv_series: bool
    space_check: bool

    def __init__(
        self,
        jobs: int = 0,
        layout: str = "mirror",
        overwrite: bool = False,
        only_elscint: bool = False,
        verify: bool = False,
        previews: bool = True,
        dry_run: bool = False,
        deidentify: Any = None,
        suv: bool = False,
        rwvm: bool = False,
        suv_series: bool = False,
        space_check: bool = True,
    ) -> None:
        values = (jobs, layout, overwrite, only_elscint, verify, previews, dry_run,
                  deidentify, suv, rwvm, suv_series, space_check)  # fmt: skip
        for name, value in zip(_OPTION_NAMES, values, strict=True):
            object.__setattr__(self, name, value)
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
            raise ValueError(f"jobs must be a whole number >= 0, not {jobs!r}")
        if (rwvm or suv_series) and not suv:
            raise ValueError("rwvm and suv_series need suv=True")

    def _values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _OPTION_NAMES}

    def replace(self, **changes: Any) -> "ConvertOptions":
        """Return a copy with ``changes`` (option names as keywords) applied."""
        return ConvertOptions(**{**self._values(), **changes})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ConvertOptions are read-only (use .replace({name}=...))")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("ConvertOptions are read-only")

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self._values().items())
        return f"ConvertOptions({shown})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not ConvertOptions:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(tuple(self._values().values()))

    @property
    def workers(self) -> int:
        """The number of worker processes at most: ``jobs``, or every CPU core for 0."""
        return self.jobs or os.cpu_count() or 1

    def workers_for(self, files: int, size: int) -> int:
        """The number of worker processes for an input of ``files`` files and ``size`` bytes.

        ``jobs`` if it is set; for 0, one per :data:`FILES_PER_WORKER` files or
        :data:`BYTES_PER_WORKER` bytes (whichever gives more), at least one and
        at most one per core.  Starting worker processes costs about what
        converting a few hundred small files does, so a small input is
        converted faster in this process alone.
        """
        if self.jobs:
            return self.jobs
        wanted = max(files // FILES_PER_WORKER, size // BYTES_PER_WORKER, 1)
        return min(wanted, self.workers)


class Progress(NamedTuple):
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


class Summary:
    """What a conversion run did.

    Counts are for this run; the report in OUTPUT is cumulative.

    Attributes
    ----------
    output : Path
        The output folder.
    converted, copied, already_done, skipped, failed : int
        Inputs by status.
    duplicates : int
        Inputs whose SOP Instance UID an identical input had already.
    suv_series : int
        PET series with SUV results (``suv`` option).
    seconds : float
        Duration of the run.
    interrupted : bool
        Stopped by Ctrl-C or a cancel flag.
    fatal : str or None
        Why the run could not go on (e.g. the output disk is full).
    dry_run : bool
        Nothing was written.
    report_csv, report_json : Path or None
        The reports, once written.
    previews : list of Path
        The PNG previews written.
    notes : list of str
        Notes for the user (e.g. no previews without Pillow).
    """

    def __init__(self, output: Path, *, dry_run: bool = False) -> None:
        self.output = output
        self.converted = self.copied = self.already_done = self.skipped = self.failed = 0
        self.duplicates = self.suv_series = 0
        self.seconds = 0.0
        self.interrupted = False
        self.fatal: str | None = None
        self.dry_run = dry_run
        self.report_csv: Path | None = None
        self.report_json: Path | None = None
        self.previews: list[Path] = []
        self.notes: list[str] = []

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
        return f"Summary({shown})"

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
