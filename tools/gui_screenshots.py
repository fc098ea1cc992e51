"""Regenerate the screenshots of the desktop window in docs/images/.

Usage (from the repository root)::

    python tools/gui_screenshots.py                 # docs/images/gui-before.png, -after, -suv
    python tools/gui_screenshots.py --out-dir /tmp  # somewhere else

It starts its own virtual display (Xvfb) unless ``--display`` names one,
writes a sample study with ``elscint_codec.samples``, fills in the real
window through its methods, takes a picture of it, presses Convert, waits for
the end and takes a second picture, then one of the SUV tab. Settings go to a temporary configuration
folder, so the user's own remembered folders are not touched. Needs Xvfb and
Pillow built with XCB support (the PyPI wheels are) for the screen grab.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from gui_support import pump, virtual_display


def grab(window, display, path):
    """Save a picture of ``window`` (its root, without decorations) to ``path``."""
    from PIL import ImageGrab

    root = window.root
    for _ in range(30):  # let geometry and redraws settle
        root.update()
        time.sleep(0.02)
    x, y = root.winfo_rootx(), root.winfo_rooty()
    box = (x, y, x + root.winfo_width(), y + root.winfo_height())
    image = ImageGrab.grab(bbox=box, xdisplay=display)
    image.convert("RGB").save(path, optimize=True)
    print(f"wrote {path} ({image.width} x {image.height})")


def take(out_dir, display, work):
    import tkinter as tk

    from elscint_codec.gui.window import ConverterWindow
    from elscint_codec.samples import write_study

    study = work / "PETCT exports" / "GEMINI_2019-03-14"
    write_study(study, seed=0, ct_slices=24, pet_slices=24)
    root = tk.Tk(className="elscint-codec")
    try:
        window = ConverterWindow(root, opener=lambda _path: None)
        window.form.add_inputs([study])
        window.form.suv_var.set(True)
        grab(window, display, out_dir / "gui-before.png")
        window.convert_button.invoke()
        pump(root, lambda: window.state in ("done", "cancelled", "error"), what="conversion")
        if window.state != "done":
            raise SystemExit(f"the conversion did not finish: {window.error_var.get()}")
        grab(window, display, out_dir / "gui-after.png")
        window.results.notebook.select(window.results.suv_tab)
        grab(window, display, out_dir / "gui-suv.png")
    finally:
        root.destroy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=REPO / "docs" / "images")
    parser.add_argument("--display", help="use this X display instead of starting Xvfb")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        display = args.display
        if display is None:
            xvfb = shutil.which("Xvfb")
            if xvfb is None:
                raise SystemExit("Xvfb is not installed (Debian: apt-get install xvfb)")
            display = stack.enter_context(virtual_display(xvfb))
        # A fixed, readable folder name: it shows in the pictures.
        work = Path(tempfile.gettempdir()) / "elscint-screenshots"
        shutil.rmtree(work, ignore_errors=True)
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        os.environ["DISPLAY"] = display
        os.environ["XDG_CONFIG_HOME"] = str(work / "config")
        take(args.out_dir, display, work)


if __name__ == "__main__":
    main()
