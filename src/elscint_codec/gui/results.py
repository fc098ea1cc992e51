"""The right-hand part of the window: counts, buttons, previews, problems and SUV table."""

from __future__ import annotations

import csv
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import font as tkfont
from tkinter import ttk
from typing import Any

from elscint_codec.gui.events import COUNT_NAMES, Finished, Problem
from elscint_codec.gui.suv_table import COLUMNS, read_suv_table
from elscint_codec.gui.theme import Palette
from elscint_codec.gui.thumbnails import ThumbnailGrid

__all__ = ["ResultsPanel", "summary_sentence"]


def summary_sentence(finished: Finished) -> str:
    """Return the one-line summary, e.g. ``"Converted 12, copied 2, skipped 0, failed 0 in 3 s."``."""
    counts = finished.counts
    parts = [f"{name} {counts.get(name, 0)}" for name in COUNT_NAMES]
    already = counts.get("already done", 0)
    if already:
        parts.append(f"already done {already}")
    text = ", ".join(parts)
    return f"{text[:1].upper()}{text[1:]} in {finished.seconds:.0f} s."


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class ResultsPanel(ttk.Frame):
    """Counts, open buttons and a notebook of previews, problems and SUV values.

    Parameters
    ----------
    master : tkinter widget
        The parent.
    palette, fonts
        From :func:`~elscint_codec.gui.theme.apply_theme`.
    opener : callable
        Opens a path with the system's default program (may raise OSError).
    """

    def __init__(
        self,
        master: tk.Misc,
        palette: Palette,
        fonts: dict[str, tkfont.Font],
        opener: Callable[[Path], None],
    ) -> None:
        super().__init__(master)
        self._opener = opener
        self._palette = palette
        self.finished: Finished | None = None
        self.problem_count = 0
        self.count_vars = {name: tk.StringVar(self, "–") for name in COUNT_NAMES}
        self.summary_var = tk.StringVar(self, "")

        tiles = ttk.Frame(self)
        tiles.grid(row=0, column=0, sticky="ew")
        for column, name in enumerate(COUNT_NAMES):
            tiles.columnconfigure(column, weight=1, uniform="tile")
            tile = ttk.Frame(tiles, style="Card.TFrame", padding=(12, 6))
            tile.grid(row=0, column=column, sticky="ew", padx=(0 if column == 0 else 8, 0))
            ttk.Label(tile, textvariable=self.count_vars[name], style="Count.TLabel").pack(
                anchor="w"
            )
            ttk.Label(tile, text=name.capitalize(), style="CardMuted.TLabel").pack(anchor="w")

        ttk.Label(self, textvariable=self.summary_var, style="Muted.TLabel").grid(
            row=1, column=0, sticky="w", pady=(8, 0)
        )
        self.notice_var = tk.StringVar(self, "")
        self.notice_label = ttk.Label(
            self, textvariable=self.notice_var, style="Notice.TLabel", wraplength=600
        )
        buttons = ttk.Frame(self)
        buttons.grid(row=3, column=0, sticky="w", pady=(8, 10))
        self.open_output_button = ttk.Button(
            buttons, text="Open output folder", command=self.open_output, state="disabled"
        )
        self.open_report_button = ttk.Button(
            buttons, text="Open report", command=self.open_report, state="disabled"
        )
        self.open_suv_button = ttk.Button(
            buttons, text="Open SUV table", command=self.open_suv, state="disabled"
        )
        self.open_output_button.pack(side="left")
        self.open_report_button.pack(side="left", padx=(8, 0))
        self.open_suv_button.pack(side="left", padx=(8, 0))

        self.notebook = ttk.Notebook(self)
        self._tabs: Any = self.notebook  # typeshed leaves tab() and select() untyped
        self.notebook.grid(row=4, column=0, sticky="nsew")
        self.columnconfigure(0, weight=1)
        self.rowconfigure(4, weight=1)
        self.previews = ThumbnailGrid(self.notebook, background=palette.surface)
        self.notebook.add(self.previews, text="Previews")
        self.problems_tab, self.problems = self._table(("file", "what happened"), (260, 420))
        self.problems.tag_configure("failed", foreground=palette.bad)
        self.problems.tag_configure("skipped", foreground=palette.muted)
        self.notebook.add(self.problems_tab, text="Problems (0)")
        self.suv_tab, self.suv = self._table(
            tuple(COLUMNS), (110, 130, 60, 80, 80, 90, 100, 100, 140)
        )
        self.notebook.add(self.suv_tab, text="SUV")
        self.notebook.hide(self.suv_tab)

    def _table(
        self, columns: tuple[str, ...], widths: tuple[int, ...]
    ) -> tuple[ttk.Frame, ttk.Treeview]:
        frame = ttk.Frame(self.notebook)
        tree = ttk.Treeview(frame, columns=columns, show="headings", height=8)
        for column, width in zip(columns, widths, strict=True):
            tree.heading(column, text=column[:1].upper() + column[1:], anchor="w")
            tree.column(column, width=width, minwidth=40, anchor="w", stretch=True)
        scroll = ttk.Scrollbar(frame, orient="vertical", command=tree.yview)
        across = ttk.Scrollbar(frame, orient="horizontal", command=tree.xview)
        tree.configure(yscrollcommand=scroll.set, xscrollcommand=across.set)
        tree.grid(row=0, column=0, sticky="nsew")
        scroll.grid(row=0, column=1, sticky="ns")
        across.grid(row=1, column=0, sticky="ew")
        frame.columnconfigure(0, weight=1)
        frame.rowconfigure(0, weight=1)
        return frame, tree

    def reset(self, *, suv_requested: bool) -> None:
        """Clear everything for a new conversion."""
        self.finished = None
        self.problem_count = 0
        for var in self.count_vars.values():
            var.set("–")
        self.summary_var.set("")
        self.show_notes([])
        for button in (self.open_output_button, self.open_report_button, self.open_suv_button):
            button.configure(state="disabled")
        self.problems.delete(*self.problems.get_children())
        self._tabs.tab(self.problems_tab, text="Problems (0)")
        self.previews.set_placeholder("Preview images of each series appear here when it ends.")
        self.suv.delete(*self.suv.get_children())
        if suv_requested:
            self.notebook.add(self.suv_tab)
        else:
            self.notebook.hide(self.suv_tab)
        self._tabs.select(self.previews)

    def add_problem(self, problem: Problem) -> None:
        """Add one line to the problems list."""
        self.problem_count += 1
        kind = "Failed" if problem.failed else "Skipped"
        tag = "failed" if problem.failed else "skipped"
        self.problems.insert(
            "", "end", values=(problem.where, f"{kind}: {problem.reason}"), tags=(tag,)
        )
        tab_text = f"Problems ({self.problem_count})"
        self._tabs.tab(self.problems_tab, text=tab_text)

    def show_counts(self, counts: dict[str, int]) -> None:
        """Show the four counts."""
        for name in COUNT_NAMES:
            self.count_vars[name].set(str(counts.get(name, 0)))

    def show_notes(self, notes: list[str]) -> None:
        """Show remarks about the run (e.g. no previews without Pillow) under the summary."""
        self.notice_var.set(" ".join(notes))
        if notes:
            self.notice_label.grid(row=2, column=0, sticky="w", pady=(4, 0))
        else:
            self.notice_label.grid_remove()

    def show_finished(self, finished: Finished) -> None:
        """Show the result of a conversion, with its notes."""
        self.finished = finished
        self.show_counts(finished.counts)
        self.summary_var.set(summary_sentence(finished))
        self.open_output_button.configure(state="normal")
        if finished.report is not None and finished.report.is_file():
            self.open_report_button.configure(state="normal")
        notes = [_sentence(note) for note in finished.notes]
        if finished.cancelled and not finished.previews:
            self.previews.set_placeholder("Preview images are made when a conversion completes.")
            unreadable: list[str] = []
        else:
            unreadable = self.previews.show(finished.previews)
        if unreadable:
            notes.append(f"{len(unreadable)} preview image(s) could not be shown.")
        if finished.suv_table is not None:
            notes.extend(self._show_suv(finished.suv_table))
        if self.problem_count and not self.previews.images:
            self._tabs.select(self.problems_tab)
        self.show_notes(notes)

    def _show_suv(self, path: Path) -> list[str]:
        try:
            rows = read_suv_table(path)
        except (OSError, UnicodeDecodeError, csv.Error):
            return [f"The SUV table {path.name} could not be read."]
        for row in rows:
            self.suv.insert("", "end", values=row)
        self._fit_columns(self.suv, rows)
        self.open_suv_button.configure(state="normal")
        self.notebook.add(self.suv_tab)
        return [] if rows else ["No PET series were found for the SUV report."]

    def _fit_columns(self, tree: ttk.Treeview, rows: list[tuple[str, ...]]) -> None:
        """Make each column as wide as its heading or its widest cell (a few rows measured)."""
        measure = tkfont.nametofont("TkDefaultFont", root=self).measure
        columns = list(tree.cget("columns"))
        for index, column in enumerate(columns):
            texts = [column, *(row[index] for row in rows[:200] if index < len(row))]
            width = max(measure(text) for text in texts) + 24
            last = index == len(columns) - 1
            tree.column(column, width=width, minwidth=width, stretch=last)

    def _open(self, path: Path | None) -> None:
        if path is not None:
            self._opener(path)

    def open_output(self) -> None:
        """Open the output folder in the file manager."""
        self._open(self.finished.output if self.finished else None)

    def open_report(self) -> None:
        """Open the conversion report (CSV) with the default program."""
        self._open(self.finished.report if self.finished else None)

    def open_suv(self) -> None:
        """Open the SUV table with the default program."""
        self._open(self.finished.suv_table if self.finished else None)
