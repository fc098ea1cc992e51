"""What a worker is asked to do (:class:`Task`) and what it reports (:class:`Outcome`)."""

from typing import Any, NamedTuple

from elscint_codec.converter.sources import Item

__all__ = ["CONVERTED", "COPIED", "DONE", "FAILED", "SKIPPED", "Outcome", "Task"]

CONVERTED = "converted"
COPIED = "copied"
DONE = "already done"
SKIPPED = "skipped"
FAILED = "failed"


class Task(NamedTuple):
    """One file to process and the settings that matter to a worker.

    ``new_output``: OUTPUT did not exist or was empty when the run began, so
    no file there comes from an earlier run and there is nothing to resume.
    """

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
    new_output: bool = False


class Outcome:
    """What happened to one input; becomes a report row once the engine commits it.

    A plain slotted class (it is built for every file and crosses process
    boundaries by pickle); every field but ``display``, ``status`` and
    ``reason`` starts empty and is filled in as the work goes on.
    """

    __slots__ = (
        "compression",
        "display",
        "fatal",
        "fingerprint",
        "linkage",
        "modality",
        "pixel_sha256",
        "position",
        "reason",
        "series_uid",
        "sop_uid",
        "status",
        "target",
        "temp",
    )  # fmt: skip

    def __init__(self, display: str, status: str, *, reason: str = "") -> None:
        self.display = display
        self.status = status
        self.reason = reason
        self.target = self.sop_uid = self.compression = self.pixel_sha256 = ""
        self.fingerprint = self.series_uid = self.modality = ""
        self.temp: str | None = None
        self.fatal: str | None = None
        self.position: float | None = None
        self.linkage: list[Any] = []

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Outcome({shown})"
