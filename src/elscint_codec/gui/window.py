"""The desktop window: the form on the left, progress and results on the right.

:class:`ConverterWindow` wires the parts together and runs the state machine
``idle -> running -> (cancelling ->) done | cancelled | error``. The
conversion itself runs in a :class:`~elscint_codec.gui.worker.ConversionWorker`;
its events arrive through a queue read every :data:`POLL_MS` milliseconds.
"""

from __future__ import annotations

import logging
import queue
import threading
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import ttk
from types import TracebackType

from elscint_codec.gui import settings as settings_file
from elscint_codec.gui.engine import Job
from elscint_codec.gui.events import Crashed, Event, Finished, Problem, Progress
from elscint_codec.gui.form import Form
from elscint_codec.gui.messages import plain_message, record_error, time_left
from elscint_codec.gui.paths import check_choices, open_path, short_path
from elscint_codec.gui.results import ResultsPanel
from elscint_codec.gui.theme import apply_theme
from elscint_codec.gui.worker import ConversionWorker

__all__ = ["POLL_MS", "ConverterWindow"]

log = logging.getLogger(__name__)

POLL_MS = 100
SAMPLE_FOLDER = "elscint-demo"
_STATUS_STYLES = {
    "done": "Done.Status.TLabel",
    "cancelled": "Stopped.Status.TLabel",
    "error": "Failed.Status.TLabel",
}
TITLE = "Elscint converter"


class ConverterWindow:
    """The whole window on a Tk root.

    Parameters
    ----------
    root : tkinter.Tk
        The root window to fill.
    settings_path : Path, optional
        Settings file; the user's configuration folder by default.
    opener : callable, optional
        Opens a file or folder with the system's program (tests replace it).
    """

    def __init__(
        self,
        root: tk.Tk,
        *,
        settings_path: Path | None = None,
        opener: Callable[[Path], None] = open_path,
    ) -> None:
        self.root = root
        self.state = "idle"
        self.worker: ConversionWorker | None = None
        self.events: queue.Queue[Event] = queue.Queue()
        self.last_progress: Progress | None = None
        self._settings_path = settings_path
        self._opener = opener
        self._closing = False
        self.closed = False
        root.title(TITLE)
        root.report_callback_exception = self._on_tk_error
        palette, fonts = apply_theme(root)
        height = min(780, max(root.winfo_screenheight() - 80, 600))
        root.geometry(f"1120x{height}")
        root.minsize(940, 600)

        outer = ttk.Frame(root, padding=(22, 16, 22, 18))
        outer.pack(fill="both", expand=True)
        outer.columnconfigure(1, weight=1)
        outer.rowconfigure(1, weight=1)
        header = ttk.Frame(outer)
        header.grid(row=0, column=0, columnspan=2, sticky="ew", pady=(0, 14))
        ttk.Label(header, text="Elscint to standard DICOM", style="Title.TLabel").pack(anchor="w")
        ttk.Label(
            header,
            text=(
                "Converts Philips GEMINI PET/CT studies into standard DICOM that "
                "3D Slicer and other programs can open."
            ),
            style="Muted.TLabel",
        ).pack(anchor="w", pady=(2, 0))

        left = ttk.Frame(outer, width=440)
        left.grid(row=1, column=0, sticky="nsw", padx=(0, 20))
        left.rowconfigure(0, weight=1)
        self.form = Form(left, palette, on_change=self._inputs_changed)
        self.form.sample_button.configure(command=self.use_sample)
        self.sample_folder = Path.home() / SAMPLE_FOLDER
        self.form.grid(row=0, column=0, sticky="nsew")
        actions = ttk.Frame(left)
        actions.grid(row=1, column=0, sticky="ew", pady=(14, 0))
        self.convert_button = ttk.Button(
            actions, text="Convert", style="Accent.TButton", command=self.start
        )
        self.convert_button.pack(side="left")
        self.cancel_button = ttk.Button(
            actions, text="Cancel", style="Big.TButton", command=self.cancel, state="disabled"
        )
        self.cancel_button.pack(side="left", padx=(10, 0))

        right = ttk.Frame(outer)
        right.grid(row=1, column=1, sticky="nsew")
        right.columnconfigure(0, weight=1)
        right.rowconfigure(4, weight=1)
        self.status_var = tk.StringVar(root, "Ready")
        self.detail_var = tk.StringVar(root, "")
        self.error_var = tk.StringVar(root, "")
        self.status_label = ttk.Label(right, textvariable=self.status_var, style="Status.TLabel")
        self.status_label.grid(row=0, column=0, sticky="w")
        ttk.Label(right, textvariable=self.detail_var, style="Muted.TLabel").grid(
            row=1, column=0, sticky="w", pady=(2, 8)
        )
        self.progress = ttk.Progressbar(right, mode="determinate", maximum=1.0)
        self.progress.grid(row=2, column=0, sticky="ew")
        self.error_label = ttk.Label(
            right, textvariable=self.error_var, style="Error.TLabel", wraplength=600
        )
        self.error_label.grid(row=3, column=0, sticky="ew", pady=(10, 0))
        self.error_label.grid_remove()
        self.results = ResultsPanel(right, palette, fonts, self._open)
        self.results.grid(row=4, column=0, sticky="nsew", pady=(14, 0))

        self.settings = settings_file.load(settings_path)
        self.form.apply(self.settings)
        self._show_ready()
        root.protocol("WM_DELETE_WINDOW", self.close)
        root.bind("<Escape>", lambda _e: self.cancel())
        root.bind("<Control-q>", lambda _e: self.close())
        root.bind("<Control-w>", lambda _e: self.close())

    # -- helpers ------------------------------------------------------------------------------

    def _inputs_changed(self) -> None:
        if self.state in ("idle", "error"):
            self._show_ready()

    def _show_ready(self) -> None:
        self.status_var.set("Ready")
        count = len(self.form.inputs)
        if count:
            chosen = "1 study" if count == 1 else f"{count} studies"
            self.detail_var.set(f"{chosen} chosen. Check the output folder, then press Convert.")
        else:
            self.detail_var.set("Add your studies on the left, then press Convert.")

    def show_error(self, message: str) -> None:
        """Show a plain-language error under the progress bar ('' hides it)."""
        self.error_var.set(message)
        if message:
            self.error_label.grid()
        else:
            self.error_label.grid_remove()

    def _on_tk_error(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        del kind, tb
        self.show_error(record_error(exc, "handling a click"))

    def _open(self, path: Path) -> None:
        try:
            self._opener(path)
        except OSError as exc:
            self.show_error(record_error(exc, f"opening {path.name}"))

    def _save_settings(self) -> None:
        self.settings = self.form.settings(self.settings)
        try:
            settings_file.save(self.settings, self._settings_path)
        except OSError as exc:
            log.warning("could not remember the settings: %s", exc)

    # -- actions ------------------------------------------------------------------------------

    def start(self) -> None:
        """Check the choices and start converting (the Convert button)."""
        if self.state in ("running", "cancelling", "preparing"):
            return
        self.show_error("")
        try:
            sources, output = check_choices(self.form.inputs, self.form.output_var.get())
        except ValueError as exc:
            self.show_error(plain_message(exc))
            return
        self._save_settings()
        job = Job(
            sources=tuple(sources),
            output=output,
            deidentify=self.settings.deidentify,
            suv_report=self.settings.suv_report,
            jobs=self.settings.jobs,
            layout=self.settings.layout,
            only_elscint=self.settings.only_elscint,
            verify=self.settings.verify,
            overwrite=self.settings.overwrite,
        )
        log.info(
            "converting %d source(s): deidentify=%s suv=%s jobs=%s layout=%s verify=%s",
            len(sources),
            job.deidentify,
            job.suv_report,
            job.jobs or "all",
            job.layout,
            job.verify,
        )
        self.results.reset(suv_requested=job.suv_report)
        self.events = queue.Queue()
        self.last_progress = None
        self.worker = ConversionWorker(job, self.events)
        self._set_state("running")
        self.worker.start()
        self.root.after(POLL_MS, self._poll)

    def use_sample(self) -> None:
        """Write a synthetic study (no patient data) in the background and choose it.

        It goes to ``sample_folder/input`` (``~/elscint-demo``, as for
        ``elscint demo``) and converts to ``sample_folder/output``.
        """
        if self.state in ("running", "cancelling", "preparing"):
            return
        target = self.sample_folder / "input"
        outcome: list[BaseException | None] = []

        def write() -> None:
            try:
                from elscint_codec.samples import write_study

                write_study(target, seed=0)
            except Exception as exc:  # noqa: BLE001 - shown below as one sentence
                outcome.append(exc)
            else:
                outcome.append(None)

        def check() -> None:
            if not outcome:
                self.root.after(POLL_MS, check)
                return
            self.progress.stop()
            self.progress.configure(mode="determinate", value=0)
            self._set_state("idle")
            if outcome[0] is not None:
                self.show_error(record_error(outcome[0], "writing a sample study"))
            else:
                self.form.add_inputs([target])
                self.form.set_output(self.sample_folder / "output")
            self._show_ready()

        self.show_error("")
        self._set_state("preparing")
        threading.Thread(target=write, name="elscint-sample", daemon=True).start()
        self.root.after(POLL_MS, check)

    def cancel(self) -> None:
        """Stop the conversion cleanly (the Cancel button); finished files are kept."""
        if self.state != "running" or self.worker is None:
            return
        self.worker.cancel()
        self._set_state("cancelling")

    def close(self) -> None:
        """Close the window; a running conversion is stopped cleanly first."""
        if self.state in ("running", "cancelling"):
            self._closing = True
            self.cancel()
            return
        self._save_settings()
        self.closed = True
        self.root.destroy()

    # -- state --------------------------------------------------------------------------------

    def _set_state(self, state: str) -> None:
        self.state = state
        style = _STATUS_STYLES.get(state, "Status.TLabel")
        self.status_label.configure(style=style)
        busy = state in ("running", "cancelling", "preparing")
        self.form.lock(busy)
        self.convert_button.state(["disabled"] if busy else ["!disabled"])
        self.cancel_button.state(["!disabled"] if state == "running" else ["disabled"])
        if state == "running":
            self.status_var.set("Converting…")
            self.detail_var.set("Looking for files…")
            self.progress.configure(mode="indeterminate", value=0)
            self.progress.start(15)
        elif state == "preparing":
            self.status_var.set("Writing a sample study…")
            self.detail_var.set("A synthetic PET/CT study without patient data, to try things.")
            self.progress.configure(mode="indeterminate", value=0)
            self.progress.start(15)
        elif state == "cancelling":
            self.status_var.set("Stopping…")
            self.detail_var.set("Finishing the files being written; nothing is left half-done.")

    def _poll(self) -> None:
        progress: Progress | None = None
        end: Finished | Crashed | None = None
        try:
            while True:
                event = self.events.get_nowait()
                if isinstance(event, Progress):
                    progress = event
                elif isinstance(event, Problem):
                    self.results.add_problem(event)
                else:
                    end = event
        except queue.Empty:
            pass
        if progress is not None:
            self._show_progress(progress)
        if end is not None:
            self._finish(end)
        else:
            self.root.after(POLL_MS, self._poll)

    def _show_progress(self, progress: Progress) -> None:
        self.last_progress = progress
        self.results.show_counts(progress.counts)
        if progress.total is None:
            self.detail_var.set(f"Looking for files… {progress.done} done so far")
            return
        if str(self.progress.cget("mode")) != "determinate":
            self.progress.stop()
            self.progress.configure(mode="determinate")
        total = max(progress.total, 1)
        self.progress.configure(value=min(progress.done / total, 1.0))
        text = f"{progress.done} of {progress.total} files"
        if self.state == "running" and 0 < progress.done < progress.total and progress.elapsed > 2:
            remaining = (progress.total - progress.done) * progress.elapsed / progress.done
            text += f"  ·  {time_left(remaining)}"
        if self.state == "running":
            self.detail_var.set(text)

    def _finish(self, end: Finished | Crashed) -> None:
        self.progress.stop()
        self.progress.configure(mode="determinate")
        if self.worker is not None:
            self.worker.join(timeout=5)
        if isinstance(end, Crashed):
            self._set_state("error")
            self.status_var.set("Could not convert")
            self.detail_var.set("Nothing was changed in your studies.")
            self.progress.configure(value=0)
            self.show_error(end.message)
        else:
            self._show_finished(end)
        if self._closing:
            self.close()

    def _show_finished(self, finished: Finished) -> None:
        self.results.show_finished(finished)
        failed = finished.counts.get("failed", 0)
        if finished.cancelled:
            self._set_state("cancelled")
            self.status_var.set("Stopped")
            progress = self.last_progress
            done = ""
            if progress is not None and progress.total:
                self.progress.configure(value=min(progress.done / progress.total, 1.0))
                done = f"Stopped after {progress.done} of {progress.total} files. "
            self.detail_var.set(
                f"{done}Finished files are kept; press Convert again to do the rest."
            )
        elif not any(finished.counts.values()):
            self._set_state("done")
            self.status_label.configure(style="Stopped.Status.TLabel")
            self.status_var.set("Nothing to convert")
            self.detail_var.set("No files were found in the chosen studies: check the folders.")
        else:
            self._set_state("done")
            self.progress.configure(value=1.0)
            self.status_var.set("Done, with problems" if failed else "Done")
            if failed:
                self.status_label.configure(style="Stopped.Status.TLabel")
            self.detail_var.set(
                f"{failed} file(s) could not be converted: see Problems and the report."
                if failed
                else f"Saved in {short_path(finished.output, 60)}"
            )
