"""What a run does after the files are in place: previews, SUV, the linkage table."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from elscint_codec.converter import previews
from elscint_codec.converter.options import ConvertOptions, Summary
from elscint_codec.converter.pool import OrderedPool
from elscint_codec.converter.state import RunState

__all__ = ["make_previews", "suv_results", "write_linkage"]

_LOG = logging.getLogger("elscint_codec.converter")


def _preview(task: previews.PreviewTask) -> str:
    return previews.write_preview(task) or ""


def make_previews(
    output: Path, options: ConvertOptions, state: RunState, summary: Summary, *, workers: int
) -> None:
    """Write the PNG of the middle slice of each series seen in this run.

    ``workers`` processes write them (1: this process).
    """
    if not previews.have_pillow():
        message = "Pillow is not installed, so no previews were made (pip install Pillow)"
        _LOG.debug(message)  # for --log; the console shows the summary's notes, once
        summary.notes.append(message)
        return
    pool: OrderedPool[previews.PreviewTask, str] = OrderedPool(_preview, workers, lambda task: "")
    try:
        for uid, _modality, members in state.series():
            task = previews.PreviewTask(
                str(output), previews.middle(members), uid, options.overwrite
            )
            summary.previews.extend(Path(path) for _, path in pool.put(task) if path)
        summary.previews.extend(Path(path) for _, path in pool.drain() if path)
    finally:
        pool.close()


def suv_results(output: Path, options: ConvertOptions, summary: Summary) -> None:
    """Compute the SUV factors of the PET series now in OUTPUT (``--suv``)."""
    try:
        from elscint_codec.suv.report import suv_report
    except ImportError as exc:
        summary.notes.append(f"SUV is not available in this installation ({exc})")
        return
    try:
        results = suv_report([output], output, rwvm=options.rwvm, suv_series=options.suv_series)
    except (OSError, ValueError) as exc:
        message = f"SUV: {exc}"
        _LOG.error("%s", message)
        summary.notes.append(message)
        return
    computed = sum(1 for result in results if result.ok)
    summary.suv_series = len(results)
    note = f"SUV computed for {computed} of {len(results)} PET series"
    if results:
        note += f" (see {output / 'elscint-suv.csv'})"
    summary.notes.append(note)
    for result in results:
        if not result.ok:
            _LOG.warning("SUV %s for a PET series: %s", result.status, result.reason)


def write_linkage(options: ConvertOptions, entries: list[Any], summary: Summary) -> None:
    """Merge the patients seen into the linkage table, when one was asked for."""
    deid = options.deidentify
    if deid is None or deid.linkage_path is None or not entries:
        return
    from elscint_codec.deid import write_linkage as merge

    path = merge(deid.linkage_path, sorted(set(entries)))
    summary.notes.append(f"linkage file (keep it private): {path}")
