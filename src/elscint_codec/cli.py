"""The ``elscint`` command: one program, one subcommand per task.

Each subcommand lives in ``elscint_codec.cli_<name>`` and exposes
``add_parser(subparsers)`` (which sets ``func=run``) and ``run(args) -> int``.
``convert``, ``info`` and ``demo`` are always there; ``suv``, ``deid`` and
``gui`` appear when their modules can be imported.

Exit codes (``docs/cli.md``): 0 all done; 1 some inputs failed; 2 usage
error; 3 fatal, nothing (more) could be written; 130 interrupted.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elscint_codec._version import __version__

if TYPE_CHECKING:
    from elscint_codec.converter.options import Summary

__all__ = [
    "SOURCES_HELP",
    "Formatter",
    "add_command",
    "add_jobs_option",
    "add_logging_options",
    "add_sources",
    "build_parser",
    "is_inside",
    "logging_session",
    "main",
    "print_outputs",
    "version_text",
]

SUBCOMMANDS = ("convert", "info", "demo", "suv", "deid", "gui")
_ALWAYS = frozenset({"convert", "info", "demo"})
_LOG = logging.getLogger("elscint_codec")

DESCRIPTION = """\
Read, convert, de-identify and quantify Philips/Elscint private DICOM
(PMSCT_RLE1, PMSCT_RGB1) from PET/CT scanners such as the GEMINI TF."""

EPILOG = """\
examples:
  elscint demo                              try it on a generated study
  elscint info /media/cdrom                 what is on this disc?
  elscint convert /media/cdrom -o ~/converted
  elscint convert study.zip more/ -o out --layout series --verify

exit codes: 0 all done, 1 some inputs failed, 2 usage error,
            3 fatal (nothing could be written), 130 interrupted
Run 'elscint COMMAND --help' for the options of one command."""

#: Help of SOURCE for the commands that read folders, single files and zip archives.
SOURCES_HELP = "folder, DICOM file or .zip archive"


def terminal_columns() -> int:
    """Return the terminal's width as :func:`shutil.get_terminal_size` does (80 if unknown)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    stdout = sys.__stdout__
    if columns <= 0 and stdout is not None:
        try:
            columns = os.get_terminal_size(stdout.fileno()).columns
        except (AttributeError, ValueError, OSError):  # not a terminal, closed, replaced
            columns = 0
    return columns or 80


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Show every default and keep the examples in the epilog as written.

    Options whose help already says ``(default: ...)`` are left alone; on/off
    flags show ``(default: off)``; other defaults are appended.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        # argparse would import shutil (and with it bz2 and lzma) for the width on
        # every add_argument; the same width, read directly.
        if width is None:
            width = terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        optional_positional = action.nargs in ("?", "*") and action.default is not None
        if "(default" in text or action.default is argparse.SUPPRESS:
            return text
        if not action.option_strings and not optional_positional:
            return text
        if action.nargs == 0 and isinstance(action.default, bool):
            return f"{text} (default: {'on' if action.default else 'off'})"
        return f"{text} (default: %(default)s)"


def version_text() -> str:
    """Return the versions of this package, pydicom, numpy and Python."""
    import platform

    import numpy
    import pydicom

    return (
        f"elscint-codec {__version__} (pydicom {pydicom.__version__}, "
        f"numpy {numpy.__version__}, Python {platform.python_version()})"
    )


class _VersionAction(argparse.Action):
    """``--version``: imports pydicom and numpy only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("default", argparse.SUPPRESS)
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(version_text())
        parser.exit()


def add_command(
    subparsers: Any,
    name: str,
    run: Callable[[argparse.Namespace], int],
    *,
    summary: str,
    description: str,
    epilog: str,
    formatter_class: type[argparse.HelpFormatter] = Formatter,
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` that calls ``run(args)``; return its parser.

    ``summary`` is the one-line help in ``elscint --help``.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=formatter_class,
    )
    parser.set_defaults(func=run)
    return parser


def add_sources(
    parser: argparse.ArgumentParser,
    *,
    help_text: str = SOURCES_HELP,
    parse: Callable[[str], Any] = str,
) -> None:
    """Add the positional ``SOURCE [SOURCE ...]`` (``args.sources``), each read by ``parse``."""
    parser.add_argument("sources", nargs="+", type=parse, metavar="SOURCE", help=help_text)


def add_jobs_option(
    parser: argparse.ArgumentParser,
    *,
    parse: Callable[[str], int] = int,
    automatic: bool = False,
) -> None:
    """Add ``-j/--jobs N``, the number of worker processes.

    The default is every core, or with ``automatic`` 0: every core for a
    large input, fewer for a small one (:meth:`ConvertOptions.workers_for`).
    """
    cores = os.cpu_count() or 1
    if automatic:
        from elscint_codec.converter.options import BYTES_PER_WORKER, FILES_PER_WORKER

        default = 0
        shown = (
            "worker processes; 1 converts in this process (default: 0, automatic: one "
            f"per {FILES_PER_WORKER} files or {BYTES_PER_WORKER >> 20} MB of input, at most "
            f"one per core, {cores} on this computer)"
        )
    else:
        default = cores
        shown = "worker processes (default: all cores, %(default)s on this computer)"
    parser.add_argument("-j", "--jobs", type=parse, default=default, metavar="N", help=shown)


def is_inside(path: Path, folder: Path) -> bool:
    """Return whether ``path`` is ``folder`` or lies below it (both already resolved)."""
    return path == folder or folder in path.parents


def print_outputs(summary: Summary, *, label_width: int = 0) -> None:
    """Print where a conversion put its report and previews, then its notes.

    The labels are padded to ``label_width`` characters to line up with other lines.
    """
    if summary.report_csv is not None:
        print(f"{'report:':<{label_width}} {summary.report_csv}")
    if summary.previews:
        print(f"{'previews:':<{label_width}} {summary.previews[0].parent}")
    for note in summary.notes:
        print(note)


def add_logging_options(parser: argparse.ArgumentParser, *, log_file: bool = True) -> None:
    """Add ``-q``, ``-v`` (and ``--log FILE``) to a subcommand."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    group.add_argument("-v", "--verbose", action="store_true", help="print a line for every file")
    if log_file:
        parser.add_argument(
            "--log",
            metavar="FILE",
            default=None,
            help="also write a full log to FILE (default: no log file)",
        )


@contextmanager
def logging_session(args: argparse.Namespace) -> Iterator[None]:
    """Send the package's log to stderr (and ``--log FILE``) while a command runs."""
    from elscint_codec.converter.progress import ConsoleHandler

    quiet, verbose = getattr(args, "quiet", False), getattr(args, "verbose", False)
    console = ConsoleHandler()
    console.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)
    console.setFormatter(logging.Formatter("%(message)s"))
    handlers: list[logging.Handler] = [console]
    log_path = getattr(args, "log", None)
    if log_path:
        file_handler = logging.FileHandler(log_path, encoding="utf-8")
        file_handler.setLevel(logging.DEBUG)
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        handlers.append(file_handler)
    old_level, old_propagate = _LOG.level, _LOG.propagate
    _LOG.setLevel(min(handler.level for handler in handlers))  # no records nobody shows
    _LOG.propagate = False
    for handler in handlers:
        _LOG.addHandler(handler)
    try:
        if log_path:
            _LOG.debug("%s; command line: %s", version_text(), " ".join(sys.argv))
        yield
    finally:
        for handler in handlers:
            _LOG.removeHandler(handler)
            handler.close()
        _LOG.setLevel(old_level)
        _LOG.propagate = old_propagate


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Return the ``elscint`` argument parser.

    When ``argv`` starts with a subcommand name only that subcommand's module
    is imported (some import heavy libraries); otherwise all of them are, so
    that ``elscint --help`` lists every command.
    """
    parser = argparse.ArgumentParser(
        prog="elscint", description=DESCRIPTION, epilog=EPILOG, formatter_class=Formatter
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="print the versions of elscint-codec, pydicom, numpy and Python",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    wanted = [argv[0]] if argv and argv[0] in SUBCOMMANDS else SUBCOMMANDS
    for name in wanted:
        try:
            module = importlib.import_module(f"elscint_codec.cli_{name}")
        except ImportError:
            if name in _ALWAYS:
                raise
            continue  # an optional part (e.g. the window without Tk) is not available
        module.add_parser(subparsers)
    return parser


def command() -> int:
    """Run the ``elscint`` command of the console (its entry point and ``python -m``).

    Everything made while Python and the command start lives as long as the
    command, so it is moved out of the garbage collector's sight
    (:func:`gc.freeze`) instead of being scanned again by every collection
    while thousands of files are converted.
    """
    gc.freeze()
    return main()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``elscint`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code.
    """
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(arguments)
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("elscint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `elscint info ... | head`
        return 0
