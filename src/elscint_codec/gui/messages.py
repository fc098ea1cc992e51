"""Turn exceptions into one plain sentence, and keep the details in a log file.

The window never shows a traceback. :func:`plain_message` says what went
wrong and what to do in words a radiologist can act on;
:func:`record_error` writes the full details to the log file
(:func:`log_path`), which the user can send to whoever helps them.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
from pathlib import Path

from elscint_codec.errors import ElscintError
from elscint_codec.gui.settings import config_dir

__all__ = [
    "ChoiceError",
    "log_path",
    "plain_message",
    "record_error",
    "start_logging",
    "stop_logging",
    "time_left",
]

log = logging.getLogger(__name__)

LOG_NAME = "gui.log"
_MAX_LOG_BYTES = 2_000_000
_handler: logging.Handler | None = None


class ChoiceError(ValueError):
    """A choice made in the window cannot work; the message says what to change."""


def log_path() -> Path:
    """Return the path of the log file the window writes (beside its settings)."""
    return config_dir() / LOG_NAME


def start_logging(path: Path | None = None) -> Path | None:
    """Send the package's log records (GUI and converter) to the log file.

    Returns the log file's path, or None when it cannot be opened (the window
    still works; errors are then only shown, not kept). Calling it again
    replaces the previous handler.
    """
    global _handler
    path = log_path() if path is None else path
    package_logger = logging.getLogger("elscint_codec")
    stop_logging()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=_MAX_LOG_BYTES, backupCount=1, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    package_logger.addHandler(handler)
    if package_logger.level == logging.NOTSET or package_logger.level > logging.INFO:
        package_logger.setLevel(logging.INFO)
    _handler = handler
    return path


def stop_logging() -> None:
    """Close the log file opened by :func:`start_logging` (if any)."""
    global _handler
    if _handler is not None:
        logging.getLogger("elscint_codec").removeHandler(_handler)
        _handler.close()
        _handler = None


def _name(exc: OSError) -> str:
    target = exc.filename if exc.filename is not None else exc.filename2
    return f"'{target}'" if target is not None else "a file or folder"


def _first_sentence(text: str) -> str:
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    if len(line) > 300:
        line = line[:297].rstrip() + "..."
    if line and line[-1] not in ".!?":
        line += "."
    return line[:1].upper() + line[1:]


def _os_message(exc: OSError) -> str:
    where = _name(exc)
    if exc.errno == errno.ENOSPC:
        return (
            "The disk is full: free some space or choose an output folder on another disk, "
            "then press Convert again (finished files are kept)."
        )
    if exc.errno == errno.EROFS:
        return f"The disk holding {where} is read-only: choose an output folder on a disk you can write to."
    if isinstance(exc, PermissionError):
        return (
            f"The computer did not allow access to {where}: choose a folder you may write to "
            "(for example in your Documents folder) or ask your IT department for access."
        )
    if isinstance(exc, FileNotFoundError):
        return f"The computer cannot find {where}: check that its disk is connected, then choose it again."
    if isinstance(exc, NotADirectoryError):
        return f"The path {where} is a file, not a folder: choose a folder instead."
    return (
        f"Reading or writing {where} failed ({exc.strerror or 'input/output error'}): "
        "check the disk or network drive and try again."
    )


def plain_message(exc: BaseException, *, log_file: Path | None = None) -> str:
    """Return one plain sentence saying what went wrong and what to do.

    Parameters
    ----------
    exc : BaseException
        The error.
    log_file : Path, optional
        Where the details were written; named in messages about unexpected
        errors so the user can send it on.
    """
    if isinstance(exc, (ChoiceError, ElscintError)) and str(exc).strip():
        return _first_sentence(str(exc))
    if isinstance(exc, OSError):
        return _os_message(exc)
    if isinstance(exc, MemoryError):
        return (
            "The computer ran out of memory: close other programs or choose fewer parallel "
            "jobs under Advanced options, then press Convert again."
        )
    if isinstance(exc, ImportError):
        missing = exc.name or "a part of the program"
        return (
            f"The part {missing!r} is missing from this installation: reinstall elscint-codec "
            "as described in the install notes, then start the window again."
        )
    where = f"the details are in {log_file}" if log_file else "the details could not be saved"
    return (
        f"Something unexpected went wrong ({type(exc).__name__}): {where}; "
        "please send that file to whoever looks after this program."
    )


def record_error(exc: BaseException, context: str) -> str:
    """Log ``exc`` with its traceback and return the sentence to show the user.

    Parameters
    ----------
    exc : BaseException
        The error.
    context : str
        What the window was doing, e.g. ``"converting"``; goes into the log.
    """
    log.error("error while %s: %s", context, exc, exc_info=exc)
    return plain_message(exc, log_file=_current_log_file())


def _current_log_file() -> Path | None:
    handler = _handler
    if isinstance(handler, logging.FileHandler):
        return Path(handler.baseFilename)
    return None


def time_left(seconds: float) -> str:
    """Return a rounded, friendly estimate such as ``"about 3 min left"``."""
    if seconds < 10:
        return "a few seconds left"
    if seconds < 60:
        return f"about {round(seconds / 10) * 10:.0f} s left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes} min left" if minutes else f"about {hours} h left"
