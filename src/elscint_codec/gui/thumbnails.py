"""Preview images as small Tk images, and a scrollable grid to show them.

Pillow (the ``preview`` extra) gives smooth down-scaling; without it Tk reads
the PNG itself and shrinks it by an integer factor.
"""

from __future__ import annotations

import base64
import io
import math
import re
import tkinter as tk
from collections.abc import Sequence
from pathlib import Path
from tkinter import ttk

__all__ = ["ThumbnailGrid", "caption_text", "load_thumbnail"]

_HASH_SUFFIX = re.compile(r"\s+[0-9a-f]{6}$")


def caption_text(stem: str, limit: int = 44) -> str:
    """Return the caption of a preview: its file name without the converter's short hash."""
    text = _HASH_SUFFIX.sub("", stem)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def load_thumbnail(path: Path, size: int, master: tk.Misc) -> tk.PhotoImage:
    """Return the PNG at ``path`` shrunk to fit a ``size`` x ``size`` square.

    Raises
    ------
    OSError, tkinter.TclError
        When the file cannot be read as an image.
    """
    try:
        from PIL import Image
    except ImportError:
        image = tk.PhotoImage(master=master, file=str(path))
        factor = math.ceil(max(image.width(), image.height()) / size)
        return image.subsample(factor) if factor > 1 else image
    with Image.open(path) as source:
        picture = source.convert("RGB") if source.mode not in ("L", "RGB") else source.copy()
    picture.thumbnail((size, size), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return tk.PhotoImage(master=master, data=base64.b64encode(buffer.getvalue()))


class ThumbnailGrid(ttk.Frame):
    """A vertically scrolling grid of captioned thumbnails.

    Parameters
    ----------
    master : tkinter widget
        The parent.
    background : str
        Colour behind the thumbnails.
    size : int
        Longest side of each thumbnail in pixels.
    limit : int
        At most this many thumbnails are shown; a note counts the rest.
    """

    def __init__(
        self, master: tk.Misc, *, background: str, size: int = 150, limit: int = 48
    ) -> None:
        super().__init__(master)
        self.thumb_size = size
        self.limit = limit
        self.images: list[tk.PhotoImage] = []
        self.captions: list[str] = []
        self._cells: list[tk.Frame] = []
        self._more: tk.Label | None = None
        self._canvas = tk.Canvas(self, background=background, highlightthickness=0, height=240)
        self._scroll = ttk.Scrollbar(self, orient="vertical", command=self._canvas.yview)
        self._canvas.configure(yscrollcommand=self._scroll.set)
        self._inner = tk.Frame(self._canvas, background=background)
        self._window = self._canvas.create_window(0, 0, window=self._inner, anchor="nw")
        self._canvas.grid(row=0, column=0, sticky="nsew")
        self._scroll.grid(row=0, column=1, sticky="ns")
        self.columnconfigure(0, weight=1)
        self.rowconfigure(0, weight=1)
        self._background = background
        self._inner.bind("<Configure>", self._on_inner_resize)
        self._canvas.bind("<Configure>", self._on_canvas_resize)
        for widget in (self._canvas, self._inner):
            widget.bind("<Button-4>", lambda _e: self._canvas.yview_scroll(-1, "units"))
            widget.bind("<Button-5>", lambda _e: self._canvas.yview_scroll(1, "units"))
            widget.bind("<MouseWheel>", self._on_wheel)
        self._placeholder = ""
        self.set_placeholder("Preview images of each series appear here when a conversion ends.")

    def _on_wheel(self, event: tk.Event[tk.Misc]) -> None:
        self._canvas.yview_scroll(-1 if event.delta > 0 else 1, "units")

    def _on_inner_resize(self, _event: tk.Event[tk.Misc]) -> None:
        self._canvas.configure(scrollregion=self._canvas.bbox("all"))

    def _on_canvas_resize(self, event: tk.Event[tk.Misc]) -> None:
        self._canvas.itemconfigure(self._window, width=event.width)
        if self.images:
            self._layout(event.width)

    def _clear(self) -> None:
        for child in self._inner.winfo_children():
            child.destroy()
        self.images.clear()
        self.captions.clear()
        self._cells = []
        self._more = None
        for column in range(self._inner.grid_size()[0]):
            self._inner.columnconfigure(column, weight=0, uniform="")

    def set_placeholder(self, text: str) -> None:
        """Remove all thumbnails and show ``text`` instead."""
        self._clear()
        self._placeholder = text
        tk.Label(
            self._inner, text=text, background=self._background, foreground="#5f6b7a", pady=24
        ).grid(row=0, column=0, sticky="w", padx=12)

    def show(self, paths: Sequence[Path]) -> list[str]:
        """Show the images at ``paths``; return the names of those that could not be read."""
        self._clear()
        unreadable: list[str] = []
        for path in paths[: self.limit]:
            try:
                image = load_thumbnail(path, self.thumb_size, self)
            except (OSError, tk.TclError, ValueError):
                unreadable.append(path.name)
                continue
            self.images.append(image)
            self.captions.append(path.stem)
        if not self.images:
            self.set_placeholder("No preview images were written for this conversion.")
            return unreadable
        for image, caption in zip(self.images, self.captions, strict=True):
            cell = tk.Frame(self._inner, background=self._background, padx=6, pady=6)
            tk.Label(
                cell,
                image=image,
                width=self.thumb_size,
                height=self.thumb_size,
                background="black",
                borderwidth=0,
            ).pack()
            tk.Label(
                cell,
                text=caption_text(caption),
                background=self._background,
                wraplength=self.thumb_size,
                justify="center",
            ).pack(pady=(3, 0))
            self._cells.append(cell)
        if len(paths) > self.limit:
            more = len(paths) - self.limit
            note = f"… and {more} more in the previews folder."
            self._more = tk.Label(self._inner, text=note, background=self._background)
        self._layout(self._canvas.winfo_width())
        return unreadable

    def _layout(self, width: int) -> None:
        columns = max(1, (max(width, 1) - 8) // (self.thumb_size + 14))
        for column in range(max(columns, self._inner.grid_size()[0])):
            if column < columns:
                self._inner.columnconfigure(column, weight=1, uniform="thumb")
            else:
                self._inner.columnconfigure(column, weight=0, uniform="")
        for index, cell in enumerate(self._cells):
            cell.grid(row=index // columns, column=index % columns, sticky="n")
        if self._more is not None:
            rows = math.ceil(len(self._cells) / columns)
            self._more.grid(row=rows, column=0, columnspan=columns, sticky="w", padx=8)
