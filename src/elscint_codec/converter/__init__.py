"""Batch conversion of Elscint files into standard DICOM.

The one entry point is :func:`convert`; :class:`ConvertOptions` holds the
settings, :class:`Summary` the result and :class:`Progress` the records
passed to ``on_progress``.  The package itself can be called like the
function, so ``elscint_codec.converter(sources, output, options=...)`` works
as well as ``from elscint_codec.converter import convert``.

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

from elscint_codec.converter.engine import convert
from elscint_codec.converter.options import ConvertOptions, Progress, Summary

__all__ = ["ConvertOptions", "Progress", "Summary", "convert"]
