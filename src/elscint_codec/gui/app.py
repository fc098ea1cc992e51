"""Open the window: logging, Tk start-up and the plain message when it cannot open."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from elscint_codec.gui.messages import start_logging, stop_logging

__all__ = ["launch"]

log = logging.getLogger(__name__)

NO_TK = (
    "The window needs Tk, which is missing from this Python: on Debian or Ubuntu run "
    "'sudo apt install python3-tk'; on macOS and Windows install Python from python.org."
)
NO_DISPLAY = (
    "The window cannot open because no screen is available ({reason}): start it from "
    "a desktop session, or use 'elscint convert' in a terminal instead."
)


def _say(text: str) -> None:
    # pythonw (a Windows desktop shortcut) has no stderr to print to.
    if sys.stderr is not None:
        print(f"elscint gui: {text}", file=sys.stderr)


def _sharp_on_windows() -> None:
    """Ask Windows not to blur the window on high-resolution screens."""
    if sys.platform == "win32":
        import ctypes

        try:
            ctypes.windll.shcore.SetProcessDpiAwareness(1)
        except (AttributeError, OSError):  # older Windows: stays blurry, still works
            log.info("could not switch on high-resolution drawing")


def launch(sources: Sequence[str] = (), output: str | None = None) -> int:
    """Open the window, optionally with ``sources`` and ``output`` chosen; wait until closed.

    Returns 0 once the window is closed, 3 when it cannot open, 130 after Ctrl-C
    in the terminal that started it (a running conversion is stopped cleanly first).
    """
    log_file = start_logging()
    try:
        import tkinter
    except ImportError:
        log.exception("Tk is not available")
        _say(NO_TK)
        return 3
    from elscint_codec.gui.window import ConverterWindow

    _sharp_on_windows()
    try:
        root = tkinter.Tk(className="elscint-codec")
    except tkinter.TclError as exc:
        log.error("Tk could not open a window: %s", exc)
        _say(NO_DISPLAY.format(reason=exc))
        return 3
    window = ConverterWindow(root)
    if sources:
        window.form.clear_inputs()
        if not output:
            window.form.output_var.set("")
        window.form.add_inputs(sources)
    if output:
        window.form.set_output(output)
    log.info("window opened (log file: %s)", log_file)
    try:
        root.mainloop()
    except KeyboardInterrupt:  # Ctrl-C in the terminal that started the window
        worker = window.worker
        if worker is not None and worker.is_alive():
            _say("stopping the conversion after the files being written...")
            worker.cancel()
            worker.join()
        return 130
    finally:
        stop_logging()
    return 0
