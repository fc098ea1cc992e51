"""The left-hand part of the window: inputs, output folder and options."""

from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Callable, Iterable
from pathlib import Path
from tkinter import filedialog, ttk
from typing import Any

from elscint_codec.gui.advanced import AUTOMATIC, AdvancedDialog
from elscint_codec.gui.paths import default_output, short_path
from elscint_codec.gui.settings import LAYOUTS, Settings
from elscint_codec.gui.theme import Palette

__all__ = ["Form"]


def _card(master: tk.Misc, number: int, title: str) -> ttk.Frame:
    card = ttk.Frame(master, style="Card.TFrame", padding=(14, 10, 14, 12))
    ttk.Label(card, text=f"{number}   {title}", style="Heading.TLabel").pack(
        anchor="w", pady=(0, 6)
    )
    return card


class Form(ttk.Frame):
    """Where the user chooses what to convert, where to, and how.

    Parameters
    ----------
    master : tkinter widget
        The parent.
    palette : Palette
        Colours for the list of inputs.
    """

    def __init__(
        self, master: tk.Misc, palette: Palette, on_change: Callable[[], None] | None = None
    ) -> None:
        super().__init__(master)
        self._on_change = on_change
        self.inputs: list[str] = []
        self.last_folder = ""
        self.output_var = tk.StringVar(self)
        self.deidentify_var = tk.BooleanVar(self, False)
        self.suv_var = tk.BooleanVar(self, False)
        self.jobs_var = tk.StringVar(self, AUTOMATIC)
        self.layout_var = tk.StringVar(self, LAYOUTS["mirror"])
        self.only_elscint_var = tk.BooleanVar(self, False)
        self.verify_var = tk.BooleanVar(self, True)
        self.overwrite_var = tk.BooleanVar(self, False)
        self.advanced: AdvancedDialog | None = None
        self.advanced_summary = tk.StringVar(self, "")
        self._auto_output = ""
        self._lockable: list[tk.Widget] = []
        self.columnconfigure(0, weight=1)
        self.columnconfigure(0, minsize=450)
        self._build_inputs(palette).grid(row=0, column=0, sticky="nsew")
        self._build_output().grid(row=1, column=0, sticky="ew", pady=(12, 0))
        self._build_options().grid(row=2, column=0, sticky="ew", pady=(12, 0))
        self.rowconfigure(0, weight=1)

    # -- building -----------------------------------------------------------------------------

    def _build_inputs(self, palette: Palette) -> ttk.Frame:
        card = _card(self, 1, "Studies to convert")
        ttk.Label(
            card, text="Folders or zip files from the scanner.", style="CardMuted.TLabel"
        ).pack(anchor="w")
        self.input_list = tk.Listbox(
            card,
            height=4,
            activestyle="none",
            selectmode="extended",
            relief="flat",
            highlightthickness=1,
            highlightbackground=palette.border,
            highlightcolor=palette.accent,
            selectbackground=palette.select,
            selectforeground=palette.text,
            background=palette.surface,
            foreground=palette.text,
            exportselection=False,
        )
        self.input_list.pack(fill="both", expand=True, pady=(6, 8))
        row = ttk.Frame(card, style="Plain.TFrame")
        row.pack(fill="x")
        self.add_folder_button = ttk.Button(row, text="Add folder…", command=self.choose_folder)
        self.add_zip_button = ttk.Button(row, text="Add zip file…", command=self.choose_zip)
        self.remove_button = ttk.Button(row, text="Remove", command=self.remove_selected)
        self.add_folder_button.pack(side="left")
        self.add_zip_button.pack(side="left", padx=(8, 0))
        self.remove_button.pack(side="right")
        self.sample_button = ttk.Button(
            card, text="No study at hand? Use a sample study", style="Link.TButton"
        )
        self.sample_button.pack(anchor="w", pady=(8, 0))
        self._lockable += [
            self.sample_button,
            self.input_list,
            self.add_folder_button,
            self.add_zip_button,
            self.remove_button,
        ]
        return card

    def _build_output(self) -> ttk.Frame:
        card = _card(self, 2, "Save converted files in")
        row = ttk.Frame(card, style="Plain.TFrame")
        row.pack(fill="x")
        self.output_entry = ttk.Entry(row, textvariable=self.output_var)
        self.output_entry.pack(side="left", fill="x", expand=True)
        self.choose_output_button = ttk.Button(row, text="Choose…", command=self.choose_output)
        self.choose_output_button.pack(side="left", padx=(8, 0))
        ttk.Label(
            card,
            text="A new folder beside your studies. They are never changed.",
            style="CardMuted.TLabel",
            wraplength=420,
        ).pack(anchor="w", pady=(6, 0))
        self._lockable += [self.output_entry, self.choose_output_button]
        return card

    def _check(self, master: tk.Misc, text: str, var: tk.BooleanVar, note: str) -> None:
        box = ttk.Checkbutton(master, text=text, variable=var, style="Card.TCheckbutton")
        box.pack(anchor="w", pady=(4, 0))
        if note:
            ttk.Label(master, text=note, style="CardMuted.TLabel", wraplength=400).pack(
                anchor="w", padx=(24, 0)
            )
        self._lockable.append(box)

    def _build_options(self) -> ttk.Frame:
        card = _card(self, 3, "Options")
        self._check(
            card,
            "Remove patient identity (keeps PET quantification)",
            self.deidentify_var,
            "Replaces names, IDs and dates; SUV values stay exact.",
        )
        self._check(
            card,
            "SUV report",
            self.suv_var,
            "A table of standardised uptake values per PET series.",
        )
        row = ttk.Frame(card, style="Plain.TFrame")
        row.pack(anchor="w", fill="x", pady=(10, 0))
        self.advanced_button = ttk.Button(
            row, text="Advanced options…", style="Link.TButton", command=self.open_advanced
        )
        self.advanced_button.pack(side="left")
        ttk.Label(row, textvariable=self.advanced_summary, style="CardMuted.TLabel").pack(
            side="left", padx=(10, 0)
        )
        self._lockable.append(self.advanced_button)
        for var in (
            self.jobs_var,
            self.layout_var,
            self.only_elscint_var,
            self.verify_var,
            self.overwrite_var,
        ):
            var.trace_add("write", self._summarise_advanced)
        self._summarise_advanced()
        return card

    # -- advanced options ---------------------------------------------------------------------

    def _summarise_advanced(self, *_args: object) -> None:
        jobs = self.jobs()
        parts = [
            "automatic jobs" if jobs == 0 else f"{jobs} job{'s' if jobs > 1 else ''}",
            "verify" if self.verify_var.get() else "no verify",
        ]
        if self.layout() != "mirror":
            parts.append("series folders")
        if self.only_elscint_var.get():
            parts.append("Elscint only")
        if self.overwrite_var.get():
            parts.append("overwrite")
        self.advanced_summary.set(" · ".join(parts))

    def open_advanced(self) -> AdvancedDialog:
        """Open the advanced options (or bring them to the front); return the dialog."""
        if self.advanced is not None and self.advanced.winfo_exists():
            self.advanced.lift()
            return self.advanced
        self.advanced = AdvancedDialog(self)
        return self.advanced

    def close_advanced(self) -> None:
        """Close the advanced options if they are open."""
        if self.advanced is not None and self.advanced.winfo_exists():
            self.advanced.destroy()
        self.advanced = None

    # -- inputs and output --------------------------------------------------------------------

    def add_inputs(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        """Add folders or zip files to the list (duplicates are ignored)."""
        for path in paths:
            text = str(Path(path).expanduser().absolute())
            if text not in self.inputs:
                self.inputs.append(text)
                self.input_list.insert("end", short_path(text))
            self.last_folder = str(Path(text).parent)
        self._suggest_output()
        self._changed()

    def remove_selected(self) -> None:
        """Remove the selected entries from the list of inputs."""
        listbox: Any = self.input_list  # typeshed leaves curselection() untyped
        for index in sorted(listbox.curselection(), reverse=True):
            self.input_list.delete(index)
            del self.inputs[index]
        self._suggest_output()
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    def clear_inputs(self) -> None:
        """Empty the list of inputs."""
        self.input_list.delete(0, "end")
        self.inputs.clear()

    def _suggest_output(self) -> None:
        current = self.output_var.get().strip()
        if current and current != self._auto_output:
            return
        suggestion = default_output(self.inputs)
        self._auto_output = str(suggestion) if suggestion is not None else ""
        self.output_var.set(self._auto_output)
        self.show_output_end()

    def show_output_end(self) -> None:
        """Scroll the output folder box to its end, where the folder's own name is."""
        self.output_entry.icursor("end")
        self.output_entry.xview_moveto(1.0)

    def set_output(self, path: str | os.PathLike[str]) -> None:
        """Use ``path`` as the output folder (no longer follows the inputs)."""
        self.output_var.set(str(path))
        self._auto_output = ""
        self.show_output_end()

    def choose_folder(self) -> None:
        """Ask for a study folder with the system's folder dialog."""
        chosen = filedialog.askdirectory(
            parent=self, title="Choose a study folder", initialdir=self.last_folder or None
        )
        if chosen:
            self.add_inputs([chosen])

    def choose_zip(self) -> None:
        """Ask for one or more zip files with the system's file dialog."""
        chosen = filedialog.askopenfilenames(
            parent=self,
            title="Choose zip files",
            initialdir=self.last_folder or None,
            filetypes=[("Zip archives", "*.zip"), ("All files", "*")],
        )
        if chosen:
            self.add_inputs(chosen)

    def choose_output(self) -> None:
        """Ask for the output folder with the system's folder dialog."""
        start = self.output_var.get() or self.last_folder
        initial = str(Path(start).parent) if start else None
        chosen = filedialog.askdirectory(
            parent=self, title="Save converted files in", initialdir=initial, mustexist=False
        )
        if chosen:
            self.set_output(chosen)

    # -- settings -----------------------------------------------------------------------------

    def jobs(self) -> int:
        """Return the chosen number of parallel jobs, 0 for automatic."""
        value = self.jobs_var.get()
        return int(value) if value.isdigit() else 0

    def layout(self) -> str:
        """Return the chosen layout as the converter names it."""
        chosen = self.layout_var.get()
        return next((key for key, words in LAYOUTS.items() if words == chosen), "mirror")

    def apply(self, settings: Settings) -> None:
        """Show ``settings`` in the form."""
        self.clear_inputs()
        for text in settings.inputs:
            self.inputs.append(text)
            self.input_list.insert("end", short_path(text))
        self.output_var.set(settings.output)
        self._auto_output = settings.output if settings.output_auto else ""
        self.deidentify_var.set(settings.deidentify)
        self.suv_var.set(settings.suv_report)
        self.jobs_var.set(str(settings.jobs) if settings.jobs else AUTOMATIC)
        self.layout_var.set(LAYOUTS[settings.layout])
        self.only_elscint_var.set(settings.only_elscint)
        self.verify_var.set(settings.verify)
        self.overwrite_var.set(settings.overwrite)
        self.last_folder = settings.last_folder

    def settings(self, base: Settings) -> Settings:
        """Return ``base`` updated with what the form shows."""
        output = self.output_var.get().strip()
        return Settings(
            inputs=tuple(self.inputs),
            output=output,
            output_auto=bool(output) and output == self._auto_output,
            deidentify=self.deidentify_var.get(),
            suv_report=self.suv_var.get(),
            jobs=self.jobs(),
            layout=self.layout(),
            only_elscint=self.only_elscint_var.get(),
            verify=self.verify_var.get(),
            overwrite=self.overwrite_var.get(),
            last_folder=self.last_folder,
            extra=base.extra,
        )

    def lock(self, locked: bool) -> None:
        """Disable (or enable again) every control while a conversion runs."""
        if locked:
            self.close_advanced()
        for widget in self._lockable:
            if isinstance(widget, tk.Listbox):
                widget.configure(state="disabled" if locked else "normal")
            elif isinstance(widget, ttk.Combobox):
                widget.configure(state="disabled" if locked else "readonly")
            elif isinstance(widget, ttk.Widget):
                widget.state(["disabled"] if locked else ["!disabled"])
