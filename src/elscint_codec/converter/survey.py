"""Look at what the sources hold without writing anything (``elscint info``).

Each file is classified (Elscint, standard DICOM, DICOMDIR, not DICOM,
damaged, unsupported) and Elscint streams are decoded in memory to find
damaged ones.  Results are aggregated per patient, study and series.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from elscint_codec.converter.inputs import load
from elscint_codec.converter.pixels import check_supported, decode_pixels
from elscint_codec.converter.pool import OrderedPool
from elscint_codec.converter.sources import Item, Problem, iter_sources, plan_roots
from elscint_codec.errors import DecodeError, ElscintError

__all__ = ["KINDS", "Finding", "SeriesCount", "Survey", "inspect", "survey"]

ELSCINT = "Elscint compressed"
STANDARD = "standard DICOM"
DICOMDIR = "DICOMDIR"
NOT_DICOM = "not DICOM"
DAMAGED = "damaged"
UNSUPPORTED = "unsupported"
KINDS = (ELSCINT, STANDARD, DICOMDIR, NOT_DICOM, DAMAGED, UNSUPPORTED)
_MAX_PROBLEMS = 200


@dataclass(slots=True)
class Finding:
    """What one file is."""

    display: str
    kind: str
    detail: str = ""
    compression: str = ""
    patient: str = ""
    study_uid: str = ""
    study: str = ""
    series_uid: str = ""
    series: str = ""


@dataclass(slots=True)
class SeriesCount:
    """Files of one series."""

    label: str
    files: int = 0
    elscint: int = 0


@dataclass
class Survey:
    """The aggregated findings of ``elscint info``."""

    files: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    compression: Counter[str] = field(default_factory=Counter)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    problem_count: int = 0
    unsupported: Counter[str] = field(default_factory=Counter)
    patients: dict[str, dict[tuple[str, str], dict[str, SeriesCount]]] = field(
        default_factory=dict
    )
    seconds: float = 0.0
    interrupted: bool = False

    def add(self, finding: Finding) -> None:
        """Count one finding."""
        self.files += 1
        self.kinds[finding.kind] += 1
        if finding.compression:
            self.compression[finding.compression] += 1
        if finding.kind in (DAMAGED, UNSUPPORTED):
            self.problem_count += 1
            if len(self.problems) < _MAX_PROBLEMS:
                self.problems.append((finding.display, finding.kind, finding.detail))
            if finding.kind == UNSUPPORTED:
                self.unsupported[finding.detail.split(":")[0]] += 1
        if finding.series_uid and finding.kind in (ELSCINT, STANDARD, UNSUPPORTED, DAMAGED):
            studies = self.patients.setdefault(finding.patient or "(no patient)", {})
            series = studies.setdefault((finding.study_uid, finding.study), {})
            count = series.setdefault(finding.series_uid, SeriesCount(finding.series))
            count.files += 1
            count.elscint += finding.kind != STANDARD

    @property
    def has_problems(self) -> bool:
        """Whether damaged or unsupported files were found."""
        return self.problem_count > 0


def _label(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))


def inspect(item: Item) -> Finding:
    """Classify one input; never raises for a bad file."""
    finding = Finding(item.display, DAMAGED)
    try:
        with load(item) as loaded:
            if loaded.parsed is None:
                finding.kind, finding.detail = NOT_DICOM, loaded.not_dicom
                return finding
            header = loaded.header
            if header is None:
                finding.kind = STANDARD
                finding.detail = f"transfer syntax {loaded.parsed.transfer_syntax}, not examined"
                return finding
            finding.patient = _label(
                header.patient_name, f"({header.patient_id})" if header.patient_id else ""
            )
            finding.study_uid, finding.series_uid = header.study_uid, header.series_uid
            finding.study = _label(header.study_date, header.study_description)
            finding.series = _label(
                header.modality, header.series_number, header.series_description
            )
            if header.dicomdir:
                finding.kind = DICOMDIR
            elif not header.elscint:
                finding.kind = STANDARD
            else:
                finding.compression = check_supported(header)
                decode_pixels(loaded.buf, header)
                finding.kind = ELSCINT
    except DecodeError as exc:
        finding.kind, finding.detail = DAMAGED, f"damaged compressed image: {exc}"
    except ElscintError as exc:
        unsupported = isinstance(exc, NotImplementedError)
        finding.kind = UNSUPPORTED if unsupported else DAMAGED
        finding.detail = str(exc)
    except OSError as exc:
        finding.kind, finding.detail = DAMAGED, f"cannot read: {exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the survey
        finding.kind, finding.detail = DAMAGED, f"{type(exc).__name__}: {exc}"
    return finding


def _crashed(item: Item) -> Finding:
    return Finding(item.display, DAMAGED, "the worker process stopped while reading this file")


def survey(
    sources: Sequence[str | os.PathLike[str]],
    *,
    jobs: int = 0,
    on_file: Callable[[Finding], None] | None = None,
) -> Survey:
    """Classify every file under ``sources``; write nothing.

    Parameters
    ----------
    sources : sequence of path-like
        Folders, files and zip archives.
    jobs : int
        Worker processes (0: one per core).
    on_file : callable, optional
        Called with each :class:`Finding`, in order.

    Raises
    ------
    ValueError
        A source does not exist.
    """
    from pathlib import Path

    paths = [Path(source) for source in sources]
    for path in paths:
        if not path.exists():
            raise ValueError(f"SOURCE {path} does not exist")
    start = time.monotonic()
    result = Survey()
    pool: OrderedPool[Item, Finding] = OrderedPool(inspect, jobs or os.cpu_count() or 1, _crashed)

    def take(finding: Finding) -> None:
        result.add(finding)
        if on_file is not None:
            on_file(finding)

    try:
        for found in iter_sources(plan_roots(paths)):
            if isinstance(found, Problem):
                take(Finding(found.display, NOT_DICOM, found.reason))
                continue
            for _, finding in pool.put(found):
                take(finding)
        for _, finding in pool.drain():
            take(finding)
    except KeyboardInterrupt:
        result.interrupted = True
        for _, finding in pool.abandon():
            take(finding)
    finally:
        pool.close()
    result.seconds = time.monotonic() - start
    return result
