"""Folder choices of the window: the default output folder, checks, opening files.

The default output folder sits beside the input, never inside it: a study
folder ``/data/gemini`` gives ``/data/gemini-converted``, a zip file
``/data/scan.zip`` gives ``/data/scan-converted``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from elscint_codec.gui.messages import ChoiceError

__all__ = ["check_choices", "default_output", "is_inside", "open_path", "short_path"]

SUFFIX = "-converted"


def _resolved(path: str | os.PathLike[str]) -> Path:
    return Path(path).expanduser().resolve()


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` is ``folder`` itself or lies anywhere below it."""
    child, parent = _resolved(path), _resolved(folder)
    return child == parent or parent in child.parents


def short_path(path: str | os.PathLike[str], limit: int = 52) -> str:
    """Return ``path`` shortened in the middle to about ``limit`` characters.

    The end (the study's own folder name) matters most, so the start is cut:
    ``/home/anna/PETCT exports/GEMINI_2019`` may become ``/home/…/GEMINI_2019``.
    """
    text = os.fspath(path)
    if len(text) <= limit:
        return text
    parts = Path(text).parts
    kept: list[str] = []
    for part in reversed(parts[1:]):
        if kept and len(parts[0]) + 2 + len(os.sep.join([part, *kept])) > limit:
            break
        kept.insert(0, part)
    shortened = os.path.join(parts[0], "…", *kept)
    return shortened if len(shortened) < len(text) else text


def default_output(inputs: Sequence[str | os.PathLike[str]]) -> Path | None:
    """Return a sensible output folder beside the first input, or None without inputs.

    The name is the first input's name (without ``.zip``) plus ``-converted``,
    in the folder that holds it; when that place is inside another input (one
    input nested in another), the folder moves up beside the outermost one.
    """
    if not inputs:
        return None
    sources = [_resolved(p) for p in inputs]
    first = sources[0]
    stem = first.stem if first.suffix.lower() == ".zip" else first.name
    candidate = first.parent / f"{stem or 'elscint'}{SUFFIX}"
    for _ in range(len(sources) + 1):
        holders = [s for s in sources if s.is_dir() and is_inside(candidate, s)]
        if not holders:
            return candidate
        outer = min(holders, key=lambda s: len(s.parts))
        candidate = outer.parent / f"{outer.name or 'elscint'}{SUFFIX}"
    return candidate


def check_choices(inputs: Sequence[str], output: str) -> tuple[list[Path], Path]:
    """Validate the chosen inputs and output folder before converting.

    Returns the inputs and the output as absolute paths.

    Raises
    ------
    ChoiceError
        With a sentence that says what to change.
    """
    if not inputs:
        raise ChoiceError("Add at least one study folder or zip file to convert.")
    if not output.strip():
        raise ChoiceError("Choose the folder where the converted files should go.")
    sources: list[Path] = []
    for raw in inputs:
        source = _resolved(raw)
        if not source.exists():
            raise ChoiceError(
                f"The study '{source}' cannot be found: check that its disk is connected, "
                "or remove it from the list."
            )
        for other in sources:
            if is_inside(source, other) or is_inside(other, source):
                raise ChoiceError(
                    f"The study '{source}' is part of '{other}' (or the same): "
                    "remove one of them from the list."
                )
        sources.append(source)
    target = _resolved(output)
    if target.exists() and not target.is_dir():
        raise ChoiceError(
            f"The path '{target}' is a file: choose a folder for the converted files."
        )
    for source in sources:
        if source.is_dir() and is_inside(target, source):
            raise ChoiceError(
                f"The output folder '{target}' is inside the input '{source}': "
                "choose a folder outside it (the suggested one sits beside it)."
            )
        if is_inside(source, target):
            raise ChoiceError(
                f"The input '{source}' is inside the output folder '{target}': "
                "choose an output folder that does not contain your studies."
            )
    return sources, target


def open_path(path: str | os.PathLike[str]) -> None:
    """Open a file or folder with the system's default program, without waiting.

    Raises
    ------
    OSError
        When there is no program to open it with.
    """
    target = os.fspath(path)
    if sys.platform == "win32":
        os.startfile(target)
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        subprocess.Popen(
            [opener, target],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise FileNotFoundError(
            2, f"no program to open files with ({opener} is missing)", opener
        ) from None
