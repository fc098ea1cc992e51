"""Process one input file; runs in a worker process (or inline for one job).

A worker never renames anything into place: it writes a flushed temporary
file next to the target and returns an :class:`Outcome`; the engine, which
sees every result in order, decides about duplicates and collisions and
renames.  Output-side failures that will hit every following file (disk
full, read-only or forbidden output) come back as ``fatal``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import traceback
from pathlib import Path

from elscint_codec.converter import deidentified
from elscint_codec.converter.existing import already_done
from elscint_codec.converter.header import Header
from elscint_codec.converter.inputs import Loaded, expected_pixel_bytes, load, pixel_value_hash
from elscint_codec.converter.layout import series_path
from elscint_codec.converter.pixels import check_supported, decode_pixels
from elscint_codec.converter.sources import open_item
from elscint_codec.converter.task import CONVERTED, COPIED, FAILED, SKIPPED, Outcome, Task
from elscint_codec.converter.verify import verify_copy, verify_standard
from elscint_codec.converter.writer import copy_to_temp, standard_file, write_temp
from elscint_codec.errors import DecodeError, ElscintError

__all__ = ["process", "written_before"]

_FATAL_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, getattr(errno, "EDQUOT", errno.ENOSPC)}
)


def _target(task: Task, loaded: Loaded) -> str:
    if task.target is not None:
        return task.target
    if task.layout == "series":
        if loaded.header is None:
            return "/".join(("unsorted", *task.item.relative))
        return "/".join(series_path(loaded.header))
    return "/".join(task.item.relative)


def _position(header: Header) -> float | None:
    if header.slice_position is not None:
        return header.slice_position
    return float(header.instance_number) if header.instance_number is not None else None


def _describe(outcome: Outcome, header: Header | None) -> None:
    if header is None:
        return
    outcome.sop_uid = header.sop_instance_uid
    outcome.compression = header.compression if header.elscint else ""
    outcome.series_uid = header.series_uid
    outcome.modality = header.modality
    outcome.position = _position(header)


def _convert(task: Task, loaded: Loaded, outcome: Outcome, destination: str) -> Outcome:
    header = loaded.header
    assert header is not None
    assert loaded.parsed is not None
    decoded = decode_pixels(loaded.buf, header, reuse=True)  # written out before the next
    pieces = standard_file(loaded.buf, loaded.parsed, header, decoded)
    outcome.pixel_sha256 = hashlib.sha256(decoded.value).hexdigest()
    temp = write_temp(os.path.dirname(destination), pieces, sync=task.sync)
    outcome.temp = str(temp)
    if task.verify:
        problem = verify_standard(
            temp,
            pixel_sha256=outcome.pixel_sha256,
            sop_instance_uid=header.sop_instance_uid,
            pixel_bytes=expected_pixel_bytes(header),
            removed=header.removed,
        )
        if problem:
            temp.unlink(missing_ok=True)
            outcome.temp = None
            outcome.status = FAILED
            outcome.reason = f"verification failed: {problem}"
            return outcome
    outcome.status = CONVERTED
    outcome.reason = "; ".join(decoded.notes)
    return outcome


def _copy(task: Task, loaded: Loaded, outcome: Outcome, destination: str) -> Outcome:
    if loaded.header is not None:
        outcome.pixel_sha256 = pixel_value_hash(loaded.buf, loaded.header)
    with open_item(task.item) as source:
        temp = copy_to_temp(os.path.dirname(destination), source, sync=task.sync)
    outcome.temp = str(temp)
    if task.verify:
        outcome.fingerprint = loaded.fingerprint()
        problem = verify_copy(temp, outcome.fingerprint)
        if problem:
            temp.unlink(missing_ok=True)
            outcome.temp = None
            outcome.status = FAILED
            outcome.reason = f"verification failed: {problem}"
            return outcome
    outcome.status = COPIED
    outcome.reason = "standard DICOM, copied unchanged"
    return outcome


def written_before(task: Task, destination: str) -> bool:
    """Whether an earlier run left ``destination`` to resume from (not with --overwrite).

    Into a new or empty OUTPUT no earlier run wrote anything: the check of the
    disk is skipped.  A name used twice within one run is settled by the
    engine, which sees every result in order, whatever this says.
    """
    if task.overwrite or task.new_output:
        return False
    return os.path.exists(destination)


def _process(task: Task, outcome: Outcome) -> Outcome:
    with load(task.item) as loaded:
        if loaded.parsed is None:
            outcome.status, outcome.reason = SKIPPED, loaded.not_dicom
            return outcome
        header = loaded.header
        _describe(outcome, header)
        if header is not None and header.dicomdir:
            outcome.status = SKIPPED
            outcome.reason = "DICOMDIR (an index of a CD or DVD, not an image)"
            return outcome
        elscint = header is not None and header.elscint
        if not elscint and task.only_elscint:
            outcome.status = SKIPPED
            outcome.reason = "standard DICOM, not copied (--only-elscint)"
            return outcome
        if elscint:
            assert header is not None
            outcome.compression = check_supported(header)
        outcome.target = "" if task.deidentify is not None else _target(task, loaded)
        destination = os.path.join(task.output, *outcome.target.split("/"))
        if task.deidentify is not None:
            return deidentified.process(task, loaded, outcome)
        if written_before(task, destination):
            return already_done(task, loaded, outcome, Path(destination))
        if task.dry_run:
            outcome.status = CONVERTED if elscint else COPIED
            return outcome
        if elscint:
            return _convert(task, loaded, outcome, destination)
        return _copy(task, loaded, outcome, destination)


def _output_error(exc: OSError, outcome: Outcome, task: Task) -> None:
    filename = str(getattr(exc, "filename", None) or "")
    inside_output = filename.startswith(task.output)
    if exc.errno in _FATAL_ERRNOS and (inside_output or not filename):
        words = {
            errno.ENOSPC: "the disk is full",
            errno.EROFS: "the output is on a read-only disk",
        }.get(exc.errno or 0, f"permission denied ({exc.strerror})")
        outcome.fatal = f"cannot write to the output folder {task.output}: {words}"
    where = "write the output" if inside_output else "read the input"
    private = task.deidentify is not None
    shown = "" if private or not filename or not inside_output else f" ({filename})"
    outcome.reason = f"cannot {where}: {exc.strerror or type(exc).__name__}{shown}"


def _zip_errors() -> tuple[type[Exception], ...]:
    """What reading a damaged zip member raises (zipfile is loaded: a member was read)."""
    import zipfile
    import zlib

    return (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        RuntimeError,  # encrypted member
        NotImplementedError,  # compression method
    )


def _unexpected(task: Task, exc: Exception) -> str:
    private = task.deidentify is not None  # a message might quote a value from the file
    detail = type(exc).__name__ if private else f"{type(exc).__name__}: {exc}"
    if task.item.member is not None and isinstance(exc, _zip_errors()):
        return f"cannot read this member of the zip archive, it is damaged ({detail})"
    last = traceback.extract_tb(exc.__traceback__)[-1]
    return (
        f"unexpected error {detail} (at {Path(last.filename).name}:{last.lineno}); "
        "please report this file"
    )


def process(task: Task) -> Outcome:
    """Process one input; never raises (except KeyboardInterrupt).

    Returns
    -------
    Outcome
        Status, reason and the facts the report and the engine need.
    """
    outcome = Outcome(task.item.display, FAILED)
    try:
        if task.deidentify is not None:
            outcome.display = deidentified.input_token(task.deidentify, task.item.display)
        return _process(task, outcome)
    except DecodeError as exc:
        outcome.reason = f"damaged compressed image: {exc}"
    except ElscintError as exc:
        kind = "unsupported" if isinstance(exc, NotImplementedError) else "damaged DICOM file"
        outcome.reason = f"{kind}: {exc}"
    except OSError as exc:
        _output_error(exc, outcome, task)
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        outcome.reason = _unexpected(task, exc)
    if outcome.temp is not None:
        Path(outcome.temp).unlink(missing_ok=True)
        outcome.temp = None
    outcome.status = FAILED
    outcome.linkage = []
    return outcome
