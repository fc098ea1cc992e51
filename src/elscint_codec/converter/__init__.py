"""Batch conversion of Elscint files into standard DICOM.

The one entry point is :func:`convert`; :class:`ConvertOptions` holds the
settings, :class:`Summary` the result and :class:`Progress` the records
passed to ``on_progress``; ``elscint_codec.convert`` is the same function.
:func:`convert` (and with it the whole engine) is imported on first use, so
that ``elscint convert --help`` and the other commands that only need the
options start quickly.

Modules, each with one job: ``sources`` (walk files, folders, zips),
``scan``/``header`` (element byte ranges and the values needed),
``pixels`` (decode), ``transcode`` (implicit to explicit VR headers),
``writer`` (the standard file, atomic writes), ``layout`` (safe paths),
``task``/``worker``/``existing``/``deidentified`` (one file), ``pool``
(ordered parallel map), ``state``/``report`` (bookkeeping and the CSV/JSON
report), ``verify``, ``previews``, ``progress`` (console), ``survey``
(``elscint info``) and ``engine`` (the run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from elscint_codec.converter.options import ConvertOptions, Progress, Summary

if TYPE_CHECKING:
    from elscint_codec.converter.engine import convert

__all__ = ["ConvertOptions", "Progress", "Summary", "convert"]


def __getattr__(name: str) -> Any:
    if name == "convert":
        from elscint_codec.converter.engine import convert

        return convert
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
