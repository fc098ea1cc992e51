"""Describe an output that an earlier run already wrote (resume)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from elscint_codec.converter.inputs import Loaded, load, pixel_value_hash
from elscint_codec.converter.pixels import decode_pixels
from elscint_codec.converter.sources import Item
from elscint_codec.converter.task import DONE, FAILED, Outcome, Task
from elscint_codec.errors import DatasetError

__all__ = ["already_done"]


def already_done(task: Task, loaded: Loaded, outcome: Outcome, destination: Path) -> Outcome:
    """Describe an existing output (and check it against the input when verifying)."""
    try:
        return _compare(task, loaded, outcome, destination)
    except DatasetError as exc:
        outcome.status = FAILED
        outcome.reason = (
            f"the output file {outcome.target} exists but is damaged ({exc}); "
            "run again with --overwrite to replace it"
        )
        return outcome


def _compare(task: Task, loaded: Loaded, outcome: Outcome, destination: Path) -> Outcome:
    header = loaded.header
    outcome.status = DONE
    item = Item(str(destination), None, (), str(destination), 0)
    with load(item) as existing:
        if existing.parsed is None:
            outcome.status = FAILED
            outcome.reason = (
                f"the output file {outcome.target} exists but is not a DICOM file; "
                "run again with --overwrite to replace it"
            )
            return outcome
        if existing.header is None:  # big endian or deflated: a copy we cannot look into
            if task.verify and existing.fingerprint() != loaded.fingerprint():
                outcome.status = FAILED
                outcome.reason = "verification failed: the existing copy differs from the input"
            return outcome
        outcome.pixel_sha256 = pixel_value_hash(existing.buf, existing.header)
        other_uid = existing.header.sop_instance_uid
        if outcome.sop_uid and other_uid and other_uid != outcome.sop_uid:
            outcome.status = FAILED
            outcome.reason = (
                f"the output file {outcome.target} holds another image; "
                "run again with --overwrite to replace it"
            )
            return outcome
        if not task.verify:
            return outcome
        if header is not None and (header.elscint or task.deidentify is not None):
            if header.elscint:
                expected = hashlib.sha256(decode_pixels(loaded.buf, header).value).hexdigest()
            else:
                expected = pixel_value_hash(loaded.buf, header)
            same = expected == outcome.pixel_sha256
        else:
            same = existing.fingerprint() == loaded.fingerprint()
        if not same:
            outcome.status = FAILED
            outcome.reason = (
                "verification failed: the existing output differs from the input; "
                "run again with --overwrite to redo it"
            )
    return outcome
