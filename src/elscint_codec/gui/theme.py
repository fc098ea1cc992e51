"""Look of the window: ttk theme, fonts, colours and named widget styles.

On Windows and macOS the native ttk themes are kept (they look like the
rest of the system); elsewhere ``clam`` is dressed in calm light colours.
"""

from __future__ import annotations

import sys
import tkinter as tk
from dataclasses import dataclass
from tkinter import font as tkfont
from tkinter import ttk

__all__ = ["Palette", "apply_theme"]


@dataclass(frozen=True)
class Palette:
    """Colours used by widgets that ttk styles do not cover (Canvas, Listbox)."""

    background: str = "#f4f5f7"
    surface: str = "#ffffff"
    text: str = "#1f2933"
    muted: str = "#5f6b7a"
    border: str = "#d5d9e0"
    accent: str = "#2b6cb0"
    accent_active: str = "#245a93"
    good: str = "#2f855a"
    warn: str = "#b7791f"
    bad: str = "#c53030"
    select: str = "#dbe7f5"


def _fonts(root: tk.Misc) -> dict[str, tkfont.Font]:
    base = tkfont.nametofont("TkDefaultFont", root=root)
    if sys.platform.startswith("linux"):
        families = set(tkfont.families(root))
        for family in ("Noto Sans", "Cantarell", "Ubuntu", "DejaVu Sans"):
            if family in families:
                base.configure(family=family)
                break
        base.configure(size=10)
        for name in ("TkTextFont", "TkMenuFont", "TkHeadingFont"):
            tkfont.nametofont(name, root=root).configure(family=base.cget("family"), size=10)
    size = int(base.cget("size"))
    size = size if size > 0 else 10
    family = base.cget("family")
    return {
        "title": tkfont.Font(root=root, family=family, size=size + 6, weight="bold"),
        "heading": tkfont.Font(root=root, family=family, size=size + 1, weight="bold"),
        "big": tkfont.Font(root=root, family=family, size=size + 10, weight="bold"),
        "status": tkfont.Font(root=root, family=family, size=size + 3, weight="bold"),
        "small": tkfont.Font(root=root, family=family, size=max(size - 1, 8)),
        "button": tkfont.Font(root=root, family=family, size=size + 1, weight="bold"),
    }


def apply_theme(root: tk.Tk) -> tuple[Palette, dict[str, tkfont.Font]]:
    """Configure ttk styles on ``root``; return the palette and the named fonts.

    Styles defined: ``Card.TFrame``, ``Title.TLabel``, ``Heading.TLabel``,
    ``Muted.TLabel``, ``Status.TLabel``, ``Count.TLabel``, ``Accent.TButton``,
    ``Link.TButton``, ``Banner.TLabel`` and ``Error.TLabel``.
    """
    palette = Palette()
    fonts = _fonts(root)
    style = ttk.Style(root)
    native = sys.platform in ("win32", "darwin")
    if not native and "clam" in style.theme_names():
        style.theme_use("clam")
    bg = palette.background if not native else style.lookup("TFrame", "background") or "white"
    if not native:
        root.configure(background=bg)
        style.configure(".", background=bg, foreground=palette.text)
        style.configure("TFrame", background=bg)
        style.configure("TLabel", background=bg, foreground=palette.text)
        style.configure("TCheckbutton", background=bg, foreground=palette.text)
        style.map("TCheckbutton", background=[("active", bg)])
        style.configure("TButton", padding=(10, 4))
        style.configure("TNotebook", background=bg, borderwidth=0)
        style.configure("TNotebook.Tab", padding=(12, 4))
        style.map(
            "TNotebook.Tab",
            background=[("selected", palette.surface), ("!selected", bg)],
        )
        style.configure(
            "Treeview", background=palette.surface, fieldbackground=palette.surface, rowheight=24
        )
        style.map("Treeview", background=[("selected", palette.select)])
        style.map("Treeview", foreground=[("selected", palette.text)])
        style.configure(
            "Horizontal.TProgressbar",
            troughcolor="#e3e7ed",
            background=palette.accent,
            bordercolor=palette.border,
            lightcolor=palette.accent,
            darkcolor=palette.accent,
            thickness=14,
        )
    style.configure(
        "Card.TFrame",
        background=palette.surface,
        relief="solid",
        borderwidth=1,
        bordercolor=palette.border,
        lightcolor=palette.surface,
        darkcolor=palette.surface,
    )
    style.configure("Plain.TFrame", background=palette.surface, relief="flat", borderwidth=0)
    style.configure("Card.TLabel", background=palette.surface, foreground=palette.text)
    style.configure("Card.TCheckbutton", background=palette.surface, foreground=palette.text)
    style.map("Card.TCheckbutton", background=[("active", palette.surface)])
    style.configure("CardMuted.TLabel", background=palette.surface, foreground=palette.muted)
    style.configure("Title.TLabel", font=fonts["title"], foreground=palette.text)
    style.configure("Heading.TLabel", font=fonts["heading"], background=palette.surface)
    style.configure("Muted.TLabel", foreground=palette.muted)
    style.configure("Small.TLabel", foreground=palette.muted, font=fonts["small"])
    style.configure("Status.TLabel", font=fonts["status"])
    style.configure("Done.Status.TLabel", font=fonts["status"], foreground=palette.good)
    style.configure("Stopped.Status.TLabel", font=fonts["status"], foreground=palette.warn)
    style.configure("Failed.Status.TLabel", font=fonts["status"], foreground=palette.bad)
    style.configure("Count.TLabel", font=fonts["big"], background=palette.surface)
    style.configure("Error.TLabel", foreground=palette.bad, background=bg)
    style.configure("Notice.TLabel", foreground=palette.text, background=bg)
    style.configure(
        "Accent.TButton",
        font=fonts["button"],
        padding=(22, 8),
        foreground="white",
        background=palette.accent,
        bordercolor=palette.accent_active,
    )
    style.map(
        "Accent.TButton",
        background=[("disabled", "#9fb6cf"), ("active", palette.accent_active)],
        foreground=[("disabled", "#eef2f7")],
    )
    style.configure("Big.TButton", font=fonts["button"], padding=(16, 8))
    style.configure(
        "Link.TButton",
        padding=(0, 2),
        relief="flat",
        borderwidth=0,
        foreground=palette.accent,
        background=palette.surface,
        bordercolor=palette.surface,
        lightcolor=palette.surface,
        darkcolor=palette.surface,
        focuscolor=palette.surface,
    )
    style.map(
        "Link.TButton",
        foreground=[("disabled", palette.muted), ("active", palette.accent_active)],
        background=[("active", palette.surface), ("pressed", palette.select)],
        relief=[("pressed", "flat")],
    )
    return palette, fonts
