"""Find PET series in files and folders and compute their SUV factors.

Headers only are read (``dcmread(..., stop_before_pixels=True)``); files in the
Elscint private transfer syntax read like any other because their data set is
Explicit VR Little Endian. :func:`suv_report` is the entry point the command
line, the converter (``elscint convert --suv``) and the desktop window call.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom import dcmread
from pydicom.dataset import Dataset

from elscint_codec.suv.factors import SUVFactors, compute_factors
from elscint_codec.suv.record import SeriesRecord
from elscint_codec.suv.rules import SUVError
from elscint_codec.suv.values import quiet_pydicom

__all__ = [
    "PetSeries",
    "ScanSummary",
    "SeriesResult",
    "find_pet_series",
    "read_header",
    "suv_report",
]

PET_CLASSES = {
    "1.2.840.10008.5.1.4.1.1.128": "PET Image",
    "1.2.840.10008.5.1.4.1.1.128.1": "Legacy Converted Enhanced PET Image",
    "1.2.840.10008.5.1.4.1.1.130": "Enhanced PET Image",
}
RWVM_FOLDER = "rwvm"
SERIES_FOLDER = "suv-series"
#: Values longer than this (e.g. the Elscint compressed stream) are not read.
_DEFER = 4096


@dataclass(frozen=True)
class PetSeries:
    """The files of one PET series and the record extracted from them."""

    paths: tuple[Path, ...]
    record: SeriesRecord


@dataclass
class ScanSummary:
    """What a search through the sources found."""

    files: int = 0
    not_dicom: int = 0
    unreadable: int = 0
    other_modality: int = 0
    duplicates: int = 0


@dataclass
class SeriesResult:
    """SUV outcome of one PET series.

    Attributes
    ----------
    status : str
        ``"computed"``, ``"refused"`` (headers do not allow SUV) or
        ``"failed"`` (an output could not be written).
    reason, attribute : str or None
        Why it was refused or failed, and the element concerned.
    outputs : list of Path
        Files written for this series (RWVM object, derived series).
    """

    record: SeriesRecord
    paths: tuple[Path, ...]
    status: str
    factors: SUVFactors | None = None
    reason: str | None = None
    attribute: str | None = None
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the factors were computed and every requested output written."""
        return self.status == "computed"

    @property
    def folder(self) -> Path | None:
        """The deepest folder holding every file of the series."""
        if not self.paths:
            return None
        return Path(os.path.commonpath([str(p.parent) for p in self.paths]))


def read_header(path: Path) -> Dataset:
    """Read a DICOM header without pixel data; pydicom's value warnings are muted."""
    with quiet_pydicom():
        return dcmread(path, stop_before_pixels=True, defer_size=_DEFER)


def _walk(sources: Iterable[str | os.PathLike[str]], exclude: set[Path]) -> Iterator[Path]:
    for source in sources:
        path = Path(source)
        if path.is_file():
            yield path
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if (Path(root) / d).resolve() not in exclude)
                for name in sorted(files):
                    yield Path(root) / name
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")


def _is_pet(ds: Dataset) -> bool:
    modality = str(ds.get("Modality", "")).strip().upper()
    return modality == "PT" or str(ds.get("SOPClassUID", "")) in PET_CLASSES


def find_pet_series(
    sources: Iterable[str | os.PathLike[str]],
    *,
    on_file: Callable[[Path], None] | None = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
) -> tuple[list[PetSeries], ScanSummary]:
    """Find every PET series under ``sources`` (files or folders, searched recursively).

    Files are grouped by Series Instance UID; a file whose SOP Instance UID
    was already seen in the series is counted as a duplicate and ignored.
    Folders in ``exclude`` are not entered.

    Raises
    ------
    FileNotFoundError
        When a source does not exist.
    """
    summary = ScanSummary()
    groups: dict[str, list[tuple[Path, Dataset]]] = {}
    seen: set[tuple[str, str]] = set()
    skipped = {Path(folder).resolve() for folder in exclude}
    for path in _walk(sources, skipped):
        summary.files += 1
        if on_file is not None:
            on_file(path)
        try:
            ds = read_header(path)
        except OSError:
            summary.unreadable += 1
            continue
        except Exception:  # noqa: BLE001 - pydicom raises many kinds on non-DICOM files
            summary.not_dicom += 1
            continue
        if not _is_pet(ds):
            summary.other_modality += 1
            continue
        series = str(ds.get("SeriesInstanceUID", "")) or f"(no UID) {path.parent}"
        instance = str(ds.get("SOPInstanceUID", "")) or str(path)
        if (series, instance) in seen:
            summary.duplicates += 1
            continue
        seen.add((series, instance))
        groups.setdefault(series, []).append((path, ds))
    found = []
    for members in groups.values():
        with quiet_pydicom():
            record = SeriesRecord.from_datasets(
                [ds for _, ds in members], [str(p) for p, _ in members]
            )
        by_source = {str(p): p for p, _ in members}
        paths = tuple(by_source[s.source] for s in record.slices if s.source in by_source)
        found.append(PetSeries(paths, record))
    found.sort(
        key=lambda s: (
            s.record.patient_id or "",
            s.record.study_date or "",
            s.record.series_number or 0,
            str(s.paths[0]),
        )
    )
    return found, summary


def evaluate(series: PetSeries) -> SeriesResult:
    """Compute the factors of one series, turning a refusal into a result."""
    record = series.record
    if record.sop_class_uid in ("1.2.840.10008.5.1.4.1.1.130", "1.2.840.10008.5.1.4.1.1.128.1"):
        name = PET_CLASSES[record.sop_class_uid]
        return SeriesResult(
            record,
            series.paths,
            "refused",
            reason=f"{name} (multi-frame) files are not supported yet",
            attribute="(0008,0016) SOP Class UID",
        )
    try:
        factors = compute_factors(record)
    except SUVError as exc:
        return SeriesResult(
            record, series.paths, "refused", reason=str(exc), attribute=exc.attribute
        )
    return SeriesResult(
        record, series.paths, "computed", factors=factors, warnings=list(factors.warnings)
    )


def suv_report(
    sources: Iterable[str | os.PathLike[str]],
    output: str | os.PathLike[str] | None = None,
    *,
    rwvm: bool = False,
    suv_series: bool = False,
    on_progress: Callable[[str, Any], None] | None = None,
) -> list[SeriesResult]:
    """Find the PET series in ``sources`` and compute their SUV factors.

    Parameters
    ----------
    sources : iterable of path-like
        Files or folders (searched recursively), Elscint-compressed or standard.
    output : path-like, optional
        Folder for ``elscint-suv.json`` and ``elscint-suv.csv`` and, when asked,
        ``rwvm/`` and ``suv-series/``. Created if needed. Nothing is written
        anywhere else; the sources are only read. ``output`` may be a source
        (``elscint convert --suv`` reports on its own output): its ``rwvm/``
        and ``suv-series/`` folders are then not searched.
    rwvm : bool
        Write a Real World Value Mapping object per PET series (3D Slicer).
    suv_series : bool
        Write a derived PET series in SUVbw units per PET series.
    on_progress : callable(stage, detail), optional
        Called with ``("file", path)`` for every file read and
        ``("series", SeriesResult)`` for every series done.

    Returns
    -------
    list of SeriesResult
        One per PET series, refused ones included.

    Raises
    ------
    ValueError
        When ``rwvm`` or ``suv_series`` is asked for without ``output``.
    FileNotFoundError
        When a source does not exist.
    OSError
        When the output folder or a report file cannot be written.
    """
    if (rwvm or suv_series) and output is None:
        raise ValueError("rwvm and suv_series need an output folder")
    out = None if output is None else Path(output)
    # our own outputs of an earlier run are not inputs (convert --suv scans its output)
    own = () if out is None else (out / RWVM_FOLDER, out / SERIES_FOLDER)
    found, _ = find_pet_series(
        sources,
        on_file=None if on_progress is None else lambda p: on_progress("file", p),
        exclude=own,
    )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    results = []
    for series in found:
        result = evaluate(series)
        if out is not None and result.ok:
            _write_outputs(result, out, rwvm=rwvm, suv_series=suv_series)
        results.append(result)
        if on_progress is not None:
            on_progress("series", result)
    if out is not None:
        from elscint_codec.suv.output import write_csv, write_json

        write_json(results, out / "elscint-suv.json", root=out)
        write_csv(results, out / "elscint-suv.csv", root=out)
    return results


def _write_outputs(result: SeriesResult, out: Path, *, rwvm: bool, suv_series: bool) -> None:
    from elscint_codec.suv import derived
    from elscint_codec.suv import rwvm as rwvm_module

    assert result.factors is not None
    if rwvm:
        try:
            path = rwvm_module.write_rwvm(result.paths, result.record, result.factors, out)
        except (SUVError, OSError, ValueError) as exc:
            _fail(result, f"RWVM object not written: {exc}")
        else:
            result.outputs.append(path)
    if suv_series:
        try:
            paths = derived.write_suv_series(result.record, result.factors, out)
        except Exception as exc:  # noqa: BLE001 - decoding arbitrary files: report, go on
            _fail(result, f"SUV series not written: {type(exc).__name__}: {exc}")
        else:
            result.outputs.extend(paths)


def _fail(result: SeriesResult, reason: str) -> None:
    result.status = "failed"
    result.reason = reason if result.reason is None else f"{result.reason}; {reason}"
