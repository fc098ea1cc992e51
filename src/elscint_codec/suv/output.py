"""Write SUV results as a text table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from elscint_codec._version import __version__
from elscint_codec.atomic import write_text
from elscint_codec.suv.factors import VARIANTS, SUVFactors
from elscint_codec.suv.report import SeriesResult

__all__ = ["CSV_COLUMNS", "csv_text", "format_table", "result_dict", "write_csv", "write_json"]

_SHORT = {
    "bw": "SUVbw",
    "sul_janma": "SUL Janma.",
    "sul_james128": "SUL James128",
    "sul_james120": "SUL James120",
    "bsa": "SUVbsa",
    "ibw": "SUVibw",
}
_SOURCES = {
    "computed": "computed from dose, weight and times",
    "philips-suv-factor": "Philips SUV Scale Factor (7053,xx00)",
    "philips-activity-factor": "Philips Activity Concentration Scale Factor (7053,xx09) x computed",
    "gml": "pixels are already SUV (GML)",
    "cm2ml": "pixels are SUVbsa (CM2ML) converted to SUVbw",
}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(sep=" ")


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def _factor_range(values: tuple[float, ...] | None) -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    if low == high:
        return f"{low:.6g}"
    return f"{low:.6g} .. {high:.6g} (varies per slice)"


def result_dict(result: SeriesResult, root: Path | None = None) -> dict[str, Any]:
    """Everything known about one series as JSON-ready values."""
    rec, fac = result.record, result.factors
    data: dict[str, Any] = {
        "patient_name": rec.patient_name,
        "patient_id": rec.patient_id,
        "study_date": rec.study_date,
        "study_description": rec.study_description,
        "study_instance_uid": rec.study_instance_uid,
        "series_instance_uid": rec.series_instance_uid,
        "series_number": rec.series_number,
        "series_description": rec.series_description,
        "manufacturer": rec.manufacturer,
        "files": len(result.paths),
        "folder": None if result.folder is None else str(result.folder),
        "status": result.status,
        "reason": result.reason,
        "attribute": result.attribute,
        "units": rec.units,
        "suv_type": rec.suv_type,
        "decay_correction": rec.decay_correction,
        "corrected_image": list(rec.corrected_image),
        "outputs": [_relative(p, root) for p in result.outputs],
        "warnings": list(result.warnings),
        "notes": [],
    }
    if fac is not None:
        data.update(_factor_dict(fac, result))
    return data


def _factor_dict(fac: SUVFactors, result: SeriesResult) -> dict[str, Any]:
    slices = []
    for index, item in enumerate(result.record.slices):
        row: dict[str, Any] = {
            "instance_number": item.instance_number,
            "sop_instance_uid": item.sop_instance_uid,
            "rescale_slope": item.rescale_slope,
            "rescale_intercept": item.rescale_intercept,
        }
        for key in VARIANTS:
            values = fac.variant(key)
            row[key] = None if values is None else values[index]
        slices.append(row)
    return {
        "factor_source": fac.source,
        "factors": {key: fac.uniform(key) for key in VARIANTS},
        "factors_vary_per_slice": fac.uniform("bw") is None,
        "scan_time": None if fac.scan is None else _iso(fac.scan.when),
        "scan_rule": None if fac.scan is None else fac.scan.rule,
        "injection_time": None if fac.injection is None else _iso(fac.injection.when),
        "injection_rule": None if fac.injection is None else fac.injection.rule,
        "decay_time_s": fac.decay_time_s,
        "dose_bq": fac.dose_bq,
        "decayed_dose_bq": fac.decayed_dose_bq,
        "weight_kg": fac.weight_kg,
        "height_m": fac.height_m,
        "sex": fac.sex,
        "lean_body_mass_kg": dict(fac.lbm_kg),
        "body_surface_area_cm2": fac.bsa_cm2,
        "ideal_body_weight_kg": fac.ibw_kg,
        "unavailable": dict(fac.unavailable),
        "philips_check": fac.philips_check,
        "notes": list(fac.notes),
        "slices": slices,
    }


def write_json(results: Sequence[SeriesResult], path: Path, *, root: Path | None = None) -> None:
    """Write the full report as JSON (atomically: temporary file, then rename)."""
    document = {
        "tool": "elscint suv",
        "version": __version__,
        "factor_meaning": (
            "multiply (stored value x Rescale Slope + Rescale Intercept) by the factor "
            "to get the SUV"
        ),
        "variants": {
            key: {"label": label, "unit": unit} for key, (label, unit) in VARIANTS.items()
        },
        "series": [result_dict(r, root) for r in results],
    }
    write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


CSV_COLUMNS = (
    "patient_id", "patient_name", "study_date", "series_number", "series_description",
    "series_instance_uid", "files", "status", "reason", "units", "decay_correction",
    "scan_time", "scan_rule", "injection_time", "injection_rule", "decay_time_s", "dose_bq",
    "weight_kg", "height_m", "sex", "factor_source", "factors_vary_per_slice",
    *(f"factor_{key}" for key in VARIANTS), "philips_check", "warnings", "outputs",
)  # fmt: skip


def csv_text(results: Sequence[SeriesResult], *, root: Path | None = None) -> str:
    """One row per series; per-slice factors are blank when they vary (see JSON)."""
    lines: list[list[str]] = [list(CSV_COLUMNS)]
    for result in results:
        data = result_dict(result, root)
        for key in VARIANTS:
            data[f"factor_{key}"] = data.get("factors", {}).get(key)
        data["warnings"] = " | ".join(data["warnings"])
        data["outputs"] = " | ".join(data["outputs"])
        lines.append([_cell(data.get(column)) for column in CSV_COLUMNS])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    return buffer.getvalue()


def write_csv(results: Sequence[SeriesResult], path: Path, *, root: Path | None = None) -> None:
    """Write :func:`csv_text` to ``path`` (atomically)."""
    write_text(path, csv_text(results, root=root))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value)


def format_table(results: Sequence[SeriesResult]) -> str:
    """Human-readable report, one block per series."""
    blocks = []
    for number, result in enumerate(results, start=1):
        blocks.append(_block(result, number, len(results)))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _block(result: SeriesResult, number: int, total: int) -> str:
    rec, fac = result.record, result.factors
    head = (
        f"PET series {number}/{total}: {rec.patient_name or '(no name)'} "
        f"(ID {rec.patient_id or '-'}) | study {rec.study_date or '-'} | series "
        f"{rec.series_number if rec.series_number is not None else '-'} "
        f'"{rec.series_description or ""}" | {len(result.paths)} files'
    )
    rows: list[tuple[str, str]] = [("folder", str(result.folder or "-"))]
    status = result.status
    if result.reason:
        status = f"{status.upper()}: {result.reason}"
    rows.append(("status", status))
    corrected = "\\".join(rec.corrected_image) or "-"
    units = f"{rec.units or '-'}; decay correction {rec.decay_correction or '-'}"
    rows.append(("units", f"{units}; corrected image {corrected}"))
    if fac is not None:
        rows.extend(_factor_rows(fac))
    rows.extend(("warning", w) for w in result.warnings)
    rows.extend(_output_rows(result.outputs))
    width = max(len(label) for label, _ in rows)
    return "\n".join([head] + [f"  {label:<{width}}  {text}" for label, text in rows])


def _output_rows(paths: Sequence[Path]) -> list[tuple[str, str]]:
    """One row per output folder: a single file by name, several by count."""
    folders: dict[Path, list[Path]] = {}
    for path in paths:
        folders.setdefault(path.parent, []).append(path)
    return [
        ("output", str(files[0]) if len(files) == 1 else f"{folder} ({len(files)} files)")
        for folder, files in folders.items()
    ]


def _factor_rows(fac: SUVFactors) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if fac.scan is not None:
        rows.append(("scan time", f"{_iso(fac.scan.when)}  ({fac.scan.text})"))
    if fac.injection is not None:
        rows.append(("injection", f"{_iso(fac.injection.when)}  ({fac.injection.text})"))
    if fac.decay_time_s is not None:
        rows.append(("decay time", f"{fac.decay_time_s:.1f} s"))
    if fac.dose_bq is not None:
        dose = f"{fac.dose_bq / 1e6:.2f} MBq injected"
        if fac.decayed_dose_bq is not None and fac.decayed_dose_bq != fac.dose_bq:
            dose += f", {fac.decayed_dose_bq / 1e6:.2f} MBq at scan time"
        rows.append(("dose", dose))
    body = [
        "-" if fac.weight_kg is None else f"{fac.weight_kg:g} kg",
        "-" if fac.height_m is None else f"{fac.height_m:g} m",
        f"sex {fac.sex or '-'}",
    ]
    rows.append(("patient", ", ".join(body)))
    rows.append(("factor from", _SOURCES.get(fac.source, fac.source)))
    reasons = dict(fac.unavailable)
    for key, (_, unit) in VARIANTS.items():
        values = fac.variant(key)
        text = (
            f"{_factor_range(values)} {unit} per rescaled value"
            if values is not None
            else f"not available: {reasons.get(key, '-')}"
        )
        rows.append((_SHORT[key], text))
    if fac.philips_check is not None:
        rows.append(("Philips check", fac.philips_check))
    rows.extend(("note", n) for n in fac.notes)
    return rows
