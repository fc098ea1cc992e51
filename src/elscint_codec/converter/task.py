"""What a worker is asked to do (:class:`Task`) and what it reports (:class:`Outcome`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from elscint_codec.converter.sources import Item

__all__ = ["CONVERTED", "COPIED", "DONE", "FAILED", "SKIPPED", "Outcome", "Task"]

CONVERTED = "converted"
COPIED = "copied"
DONE = "already done"
SKIPPED = "skipped"
FAILED = "failed"


class Task(NamedTuple):
    """One file to process and the settings that matter to a worker."""

    item: Item
    output: str
    layout: str = "mirror"
    overwrite: bool = False
    only_elscint: bool = False
    verify: bool = False
    dry_run: bool = False
    target: str | None = None
    deidentify: Any = None
    sync: bool = True


@dataclass(slots=True)
class Outcome:
    """What happened to one input; becomes a report row once the engine commits it."""

    display: str
    status: str
    target: str = ""
    reason: str = ""
    sop_uid: str = ""
    compression: str = ""
    pixel_sha256: str = ""
    temp: str | None = None
    fingerprint: str = ""
    fatal: str | None = None
    series_uid: str = ""
    modality: str = ""
    position: float | None = None
    linkage: list[Any] = field(default_factory=list)
