"""The desktop window (``elscint gui`` / ``elscint-gui``) for people who never open a terminal.

Importing this package does not import Tk: :func:`main` loads the window
only when it is called, so ``import elscint_codec`` works on machines
without Tk.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

__all__ = ["add_arguments", "main"]

DESCRIPTION = (
    "Open the desktop window: choose study folders or zip files, choose where the\n"
    "converted files go, press Convert. Same engine as 'elscint convert'."
)


EPILOG = """examples:
  elscint-gui                              open the window with the last folders used
  elscint-gui /data/gemini                 open it with a study folder already chosen
  elscint-gui scan.zip -o /data/converted  a zip file and an output folder

exit codes: 0 the window was closed; 3 it could not open (Tk missing or no display);
  130 Ctrl-C in the terminal that started it (a running conversion stops cleanly first).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the window's command-line arguments to ``parser``."""
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="study folders or zip files to put in the list (default: the last ones used)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT",
        default=None,
        help="output folder (default: the last one used, or a new folder beside the first SOURCE)",
    )


def run(args: argparse.Namespace) -> int:
    """Open the window for parsed ``args``; return the exit code once it is closed."""
    from elscint_codec.gui.app import launch

    return launch(args.sources, args.output)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``elscint-gui`` console script.

    Returns 0 when the window was closed, 3 when it could not open (no Tk, no display),
    130 after Ctrl-C in the terminal that started it.
    """
    parser = argparse.ArgumentParser(
        prog="elscint-gui",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
