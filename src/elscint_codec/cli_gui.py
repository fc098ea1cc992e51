"""``elscint gui``: open the desktop window."""

from __future__ import annotations

import argparse
from typing import Any

from elscint_codec import gui

__all__ = ["add_parser", "run"]

EPILOG = gui.EPILOG.replace("elscint-gui", "elscint gui")


def add_parser(subparsers: Any) -> None:
    """Add the ``gui`` subcommand to ``subparsers`` (from ``add_subparsers()``)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "gui",
        help="open the desktop window",
        description=gui.DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gui.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the window; return the exit code once it is closed."""
    return gui.run(args)
