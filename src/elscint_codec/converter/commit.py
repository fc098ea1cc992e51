"""Settle each worker result, in input order, in the main process.

Here and only here are duplicates (one SOP Instance UID twice) and output
name collisions decided and temporary files renamed to their final names.
Because results arrive in input order, every run decides the same way,
which is what makes a killed-then-resumed run identical to an uninterrupted
one.  Where the platform allows it (Linux ``syncfs``), written files are
flushed to disk in batches and renamed after each flush.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from elscint_codec.converter.layout import alternative_name, claim_key
from elscint_codec.converter.options import ConvertOptions, Progress, Summary
from elscint_codec.converter.sources import Item, open_item
from elscint_codec.converter.state import RunState, UidOwner
from elscint_codec.converter.task import CONVERTED, COPIED, DONE, FAILED, SKIPPED, Outcome, Task
from elscint_codec.converter.worker import process
from elscint_codec.converter.writer import sync_tree

__all__ = ["BATCH_FILES", "BATCH_SECONDS", "Committer", "report_row"]

_LOG = logging.getLogger("elscint_codec.converter")
BATCH_FILES = 64  # written files flushed to disk together, then renamed
BATCH_SECONDS = 2.0
_LOG_LEVELS = {FAILED: logging.WARNING, SKIPPED: logging.INFO}


def report_row(outcome: Outcome) -> dict[str, str]:
    """Return the report row of ``outcome``."""
    return {
        "input": outcome.display,
        "output": outcome.target,
        "status": outcome.status,
        "reason": outcome.reason,
        "sop_instance_uid": outcome.sop_uid,
        "compression_type": outcome.compression,
        "pixel_sha256": outcome.pixel_sha256,
    }


class _BackgroundSync(threading.Thread):
    """One ``syncfs`` of OUTPUT in a thread (the call releases the GIL while it waits)."""

    def __init__(self, output: Path, batch: list[tuple[str, str, Outcome]]) -> None:
        super().__init__(name="elscint-sync", daemon=True)
        self.output = output
        self.batch = batch
        self.error: OSError | None = None

    def run(self) -> None:
        try:
            sync_tree(self.output)
        except OSError as exc:
            self.error = exc


def _content_hash(item: Item) -> str:
    digest = hashlib.sha256()
    with open_item(item) as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Committer:
    """Turn outcomes into files in place, report rows and progress records.

    Parameters
    ----------
    output : Path
        OUTPUT.
    options : ConvertOptions
        The run's options.
    state : RunState
        The run's bookkeeping.
    summary : Summary
        Counts are added here.
    on_progress : callable or None
        Receives a :class:`Progress` per input.
    batch_sync : bool
        Flush written files in batches (workers then skip their own fsync).
    """

    def __init__(
        self,
        output: Path,
        options: ConvertOptions,
        state: RunState,
        summary: Summary,
        on_progress: Callable[[Progress], None] | None,
        *,
        batch_sync: bool,
    ) -> None:
        self.output = output
        self.options = options
        self.state = state
        self.summary = summary
        self.on_progress = on_progress
        self.batch_sync = batch_sync
        self.total: int | None = None
        self.done = 0
        self.linkage: list[Any] = []
        self._root = str(output)
        self._unsynced: list[tuple[str, str, Outcome]] = []
        self._unsynced_since = 0.0
        self._syncing: _BackgroundSync | None = None

    # -- putting files in place --------------------------------------------------------------
    def _install(self, outcome: Outcome) -> None:
        """Rename the temporary file into place (after a batch flush, where available)."""
        if outcome.temp is None:
            return
        final = os.path.join(self._root, *outcome.target.split("/"))
        if not self.batch_sync:
            os.replace(outcome.temp, final)
        else:
            if self._syncing is not None and not self._syncing.is_alive():
                self._finish_flush()  # the last batch is on disk: name its files now
            if not self._unsynced:
                self._unsynced_since = time.monotonic()
            self._unsynced.append((outcome.temp, final, outcome))
            waited = time.monotonic() - self._unsynced_since
            if len(self._unsynced) >= BATCH_FILES or waited > BATCH_SECONDS:
                self._start_flush()
        outcome.temp = None

    def _start_flush(self) -> None:
        """Flush the current batch in the background while the next one is converted.

        The files of a batch are renamed only once the flush that started after
        they were written has returned, so a file under its final name is always
        on disk.  At most one flush runs at a time.
        """
        self._finish_flush()
        batch, self._unsynced = self._unsynced, []
        if not batch:
            return
        flush = _BackgroundSync(self.output, batch)
        flush.start()
        self._syncing = flush

    def _finish_flush(self) -> None:
        """Wait for the flush in progress, then rename its files (or fail them)."""
        flush = self._syncing
        if flush is None:
            return
        flush.join()
        self._syncing = None
        self._rename(flush.batch, flush.error)

    def flush(self) -> None:
        """Flush every written file to disk, then give the files their final names."""
        self._finish_flush()
        batch, self._unsynced = self._unsynced, []
        if not batch:
            return
        error: OSError | None = None
        try:
            sync_tree(self.output)
        except OSError as exc:
            error = exc
        self._rename(batch, error)

    def _rename(self, batch: list[tuple[str, str, Outcome]], error: OSError | None) -> None:
        try:
            if error is not None:
                raise error
            for temp, final, _ in batch:
                os.replace(temp, final)
        except OSError as exc:
            self.summary.fatal = f"cannot flush the output to disk: {exc.strerror or exc}"
            for temp, final, outcome in batch:
                if os.path.exists(final) and not os.path.exists(temp):
                    continue  # renamed before the failure
                Path(temp).unlink(missing_ok=True)
                self.summary.count(outcome.status, -1)
                self.summary.count(FAILED)
                failed = {"status": FAILED, "reason": self.summary.fatal}
                self.state.put_row({**report_row(outcome), **failed})

    @staticmethod
    def _discard(outcome: Outcome) -> None:
        if outcome.temp is not None:
            Path(outcome.temp).unlink(missing_ok=True)
            outcome.temp = None

    # -- duplicates and collisions -----------------------------------------------------------
    def _same_input(self, item: Item, owner: UidOwner, uid: str) -> bool:
        """Whether ``item`` has the same bytes as the first file seen with ``uid``."""
        try:
            theirs = owner.fingerprint or _content_hash(Item(owner.path, owner.member, (), "", 0))
            if not owner.fingerprint:
                self.state.set_fingerprint(uid, theirs)
            return _content_hash(item) == theirs
        except OSError:
            return False

    def _free_name(self, outcome: Outcome) -> str:
        first, attempt = outcome.target, 2
        while self.state.claim(claim_key(alternative_name(first, attempt)), outcome.display):
            attempt += 1
        return alternative_name(first, attempt)

    def _settle(self, outcome: Outcome, task: Task) -> Outcome:
        """Decide duplicates and collisions, then put the file in place."""
        uid, item = outcome.sop_uid, task.item
        owner = (
            self.state.first_with_uid(uid, outcome.target, outcome.display, item.path, item.member)
            if uid
            else None
        )
        if owner is not None and self._same_input(item, owner, uid):
            self._discard(outcome)
            self.summary.duplicates += 1
            outcome.status, outcome.target = SKIPPED, owner.output
            outcome.reason = (
                f"duplicate of {owner.shown} (same SOP Instance UID, identical file), "
                f"written once as {owner.output}"
            )
            return outcome
        notes: list[str] = []
        if owner is not None:
            note = f"SOP Instance UID {uid} is also used by a different file"
            self.state.add_note(owner.shown, f"{note}: {outcome.display}")
            notes.append(f"{note}: {owner.shown}")
        taken_by = self.state.claim(claim_key(outcome.target), outcome.display)
        if taken_by is not None:
            alternative = self._free_name(outcome)
            notes.append(
                f"written as {alternative} because {outcome.target} belongs to {taken_by}"
            )
            if not self.options.dry_run:  # redo under the free name (it may exist already)
                self._discard(outcome)
                outcome = process(task._replace(target=alternative))
            outcome.target = alternative
            if uid and owner is None:  # this file is the UID's first: under its new name
                self.state.move_uid(uid, alternative if outcome.status != FAILED else None)
        if not self.options.dry_run and outcome.status != FAILED:
            self._install(outcome)
        if notes:
            outcome.reason = "; ".join(filter(None, [outcome.reason, *notes]))
        return outcome

    # -- one result --------------------------------------------------------------------------
    def commit(self, outcome: Outcome, task: Task | None) -> None:
        """Settle ``outcome`` (from ``task``; None for a problem found while walking)."""
        if task is not None and outcome.status in (CONVERTED, COPIED, DONE) and outcome.target:
            outcome = self._settle(outcome, task)
        if outcome.fatal and not self.summary.fatal:
            self.summary.fatal = outcome.fatal
        if outcome.status in (CONVERTED, DONE) and outcome.series_uid and not self.options.dry_run:
            self.state.add_series_member(
                outcome.series_uid, outcome.modality, outcome.position, outcome.target
            )
        self.linkage.extend(outcome.linkage)
        self.summary.count(outcome.status)
        self.done += 1
        self.state.put_row(report_row(outcome))
        level = _LOG_LEVELS.get(outcome.status, logging.DEBUG)
        if _LOG.isEnabledFor(level):
            _LOG.log(
                level,
                "%s: %s%s%s",
                outcome.status,
                outcome.display,
                f" -> {outcome.target}" if outcome.target else "",
                f" ({outcome.reason})" if outcome.reason else "",
            )
        if self.on_progress is not None:
            self.on_progress(
                Progress(
                    self.done,
                    self.total,
                    outcome.display,
                    outcome.status,
                    outcome.target,
                    outcome.reason,
                )
            )
