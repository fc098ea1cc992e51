"""The small "Advanced options" window, folded away from the main form.

Its widgets are bound to the form's variables, so every change is live and
there is nothing to apply or lose.
"""

from __future__ import annotations

import os
import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING

from elscint_codec.gui.settings import LAYOUTS

if TYPE_CHECKING:
    from elscint_codec.gui.form import Form

__all__ = ["AUTOMATIC", "AdvancedDialog"]

AUTOMATIC = "Automatic"


class AdvancedDialog(tk.Toplevel):
    """Parallel jobs, folder layout, only Elscint files, verify and overwrite.

    Parameters
    ----------
    form : Form
        The form whose variables the widgets change.
    """

    def __init__(self, form: Form) -> None:
        super().__init__(form)
        self.title("Advanced options")
        self.transient(form.winfo_toplevel())
        self.resizable(width=False, height=False)
        body = ttk.Frame(self, padding=(20, 16, 20, 16))
        body.pack(fill="both", expand=True)
        body.columnconfigure(1, weight=1)
        ttk.Label(body, text="Advanced options", style="Status.TLabel").grid(
            row=0, column=0, columnspan=2, sticky="w", pady=(0, 10)
        )
        cores = os.cpu_count() or 1
        self.jobs_box = self._combo(
            body,
            1,
            "Parallel jobs",
            form.jobs_var,
            [AUTOMATIC, *(str(n) for n in range(1, cores + 1))],
            "Files converted at the same time; automatic uses every core for a large input.",
        )
        self.layout_box = self._combo(
            body,
            3,
            "Folders",
            form.layout_var,
            list(LAYOUTS.values()),
            "Removing patient identity always uses patient / study / series folders.",
        )
        checks = (
            ("Only Elscint files (do not copy standard DICOM files)", form.only_elscint_var),
            ("Check every written file (verify)", form.verify_var),
            ("Redo files that are already converted (overwrite)", form.overwrite_var),
        )
        for row, (text, var) in enumerate(checks, start=5):
            ttk.Checkbutton(body, text=text, variable=var).grid(
                row=row, column=0, columnspan=2, sticky="w", pady=(4, 0)
            )
        ttk.Button(body, text="Close", command=self.destroy).grid(
            row=9, column=1, sticky="e", pady=(16, 0)
        )
        self.bind("<Escape>", lambda _e: self.destroy())
        self.bind("<Return>", lambda _e: self.destroy())

    def _combo(
        self,
        body: ttk.Frame,
        row: int,
        label: str,
        var: tk.StringVar,
        values: list[str],
        note: str,
    ) -> ttk.Combobox:
        ttk.Label(body, text=label).grid(row=row, column=0, sticky="w", padx=(0, 12))
        box = ttk.Combobox(body, textvariable=var, state="readonly", width=32, values=values)
        box.grid(row=row, column=1, sticky="w", pady=(2, 0))
        ttk.Label(body, text=note, style="Small.TLabel").grid(
            row=row + 1, column=1, sticky="w", pady=(0, 6)
        )
        return box
