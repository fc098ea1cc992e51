"""The worker side of ``convert --deidentify``.

The input becomes a standard dataset first (the spliced standard file for
Elscint input, the file itself otherwise), then goes through
``elscint_codec.deid.Deidentifier``; folder and file names come from the
pseudonym and the new UIDs.  Nothing this module reports names the input:
inputs are shown as a keyed token (:func:`input_token`), reasons carry no
values from the file.
"""

from __future__ import annotations

import hashlib
import io
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from elscint_codec.converter.existing import already_done
from elscint_codec.converter.inputs import Loaded
from elscint_codec.converter.layout import safe_component
from elscint_codec.converter.pixels import decode_pixels
from elscint_codec.converter.task import CONVERTED, FAILED, SKIPPED, Outcome, Task
from elscint_codec.converter.verify import value_hash, verify_standard
from elscint_codec.converter.writer import standard_file, write_temp

__all__ = ["input_token", "key_note", "process"]


@lru_cache(maxsize=4)
def _deidentifier(options: Any) -> Any:
    from elscint_codec.deid import Deidentifier

    return Deidentifier(options)


@lru_cache(maxsize=4)
def _secret(options: Any) -> bytes:
    if options.key_secret is not None:
        return bytes(options.key_secret)
    from elscint_codec.deid import ensure_key_file

    return bytes(ensure_key_file(options.key_path).secret)


def key_note(options: Any) -> str | None:
    """Create the key file if needed; return a note to print when it was just created."""
    if options.key_secret is not None:
        return None
    from elscint_codec.deid import ensure_key_file

    key = ensure_key_file(options.key_path)
    if key.created:
        return (
            f"created the de-identification key {key.path} (owner-only); keep it safe: "
            "the same key gives the same pseudonyms and UIDs next time"
        )
    return None


def input_token(options: Any, display: str) -> str:
    """Return the keyed, stable name under which ``display`` appears in reports and logs."""
    import hmac  # only when de-identifying: not on every conversion's start-up path

    digest = hmac.new(_secret(options), b"elscint-input\0" + os.fsencode(display), hashlib.sha256)
    return "input-" + digest.hexdigest()[:20]


def _dataset(loaded: Loaded) -> tuple[Any, int | None]:
    """Return the standard pydicom dataset of the input and its natural pixel length."""
    import pydicom

    header = loaded.header
    if header is not None and header.elscint:
        assert loaded.parsed is not None
        decoded = decode_pixels(loaded.buf, header)
        data = b"".join(standard_file(loaded.buf, loaded.parsed, header, decoded))
        return pydicom.dcmread(io.BytesIO(data)), len(decoded.value)
    expected = None
    if header is not None and header.pixel_data is not None:
        samples = header.samples or 1
        expected = header.rows * header.columns * samples * max(header.bits_allocated, 8) // 8
    return pydicom.dcmread(io.BytesIO(bytes(loaded.buf))), expected


def _encode(dataset: Any) -> bytes:
    import pydicom

    buffer = io.BytesIO()
    if pydicom.__version__.startswith("2."):  # pragma: no cover - pydicom 2.4
        dataset.save_as(buffer, write_like_original=False)
    else:
        pydicom.dcmwrite(buffer, dataset, enforce_file_format=True)
    return buffer.getvalue()


def process(task: Task, loaded: Loaded, outcome: Outcome) -> Outcome:
    """De-identify one DICOM input (already known not to be a DICOMDIR)."""
    from elscint_codec.deid import ExcludedError

    deid = _deidentifier(task.deidentify)
    header = loaded.header
    source, expected = _dataset(loaded)
    try:
        clean = deid.deidentify(source)
    except ExcludedError as exc:
        reason = str(exc.reason)
        outcome.status = SKIPPED
        outcome.reason = reason if reason.startswith("excluded") else f"excluded: {reason}"
        outcome.sop_uid = outcome.series_uid = ""
        return outcome
    outcome.linkage = list(deid.take_linkage())
    outcome.target = "/".join(safe_component(part) for part in deid.output_components(clean))
    outcome.sop_uid = str(clean.SOPInstanceUID)
    outcome.series_uid = str(clean.get("SeriesInstanceUID", ""))
    destination = Path(task.output, *outcome.target.split("/"))
    if destination.exists() and not task.overwrite:
        return already_done(task, loaded, outcome, destination)
    if task.dry_run:
        outcome.status = CONVERTED
        return outcome
    outcome.pixel_sha256 = (
        value_hash(bytes(clean.PixelData), expected) if "PixelData" in clean else ""
    )
    temp = write_temp(destination.parent, [_encode(clean)], sync=task.sync)
    outcome.temp = str(temp)
    if task.verify:
        problem = verify_standard(
            temp,
            pixel_sha256=outcome.pixel_sha256,
            sop_instance_uid=outcome.sop_uid,
            pixel_bytes=expected,
            removed=header.removed if header is not None else (),
            syntax=None,
        )
        if problem:
            temp.unlink(missing_ok=True)
            outcome.temp = None
            outcome.status, outcome.reason = FAILED, f"verification failed: {problem}"
            return outcome
    outcome.status = CONVERTED
    outcome.reason = (
        "de-identified"
        if header is not None and header.elscint
        else ("de-identified (standard DICOM input)")
    )
    return outcome
