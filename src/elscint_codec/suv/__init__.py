"""Standardised uptake values (SUV) from PET headers.

Pure functions over an immutable record of a whole PET series:

    >>> from elscint_codec.suv import SeriesRecord, compute_factors  # doctest: +SKIP
    >>> factors = compute_factors(SeriesRecord.from_datasets(headers))  # doctest: +SKIP
    >>> factors.bw[0]  # multiply (stored x slope + intercept) by this  # doctest: +SKIP

:func:`suv_report` finds PET series in files or folders, computes their
factors and writes the JSON/CSV report, optional RWVM objects for 3D Slicer
and optional derived SUVbw series. The rules and their sources are in
``docs/suv.md``.
"""

from __future__ import annotations

from elscint_codec.suv.factors import VARIANTS, SUVFactors, compute_factors
from elscint_codec.suv.record import SeriesRecord, SliceRecord
from elscint_codec.suv.report import PetSeries, SeriesResult, find_pet_series, suv_report
from elscint_codec.suv.rules import SUVError, TimeChoice

__all__ = [
    "VARIANTS",
    "PetSeries",
    "SUVError",
    "SUVFactors",
    "SeriesRecord",
    "SeriesResult",
    "SliceRecord",
    "TimeChoice",
    "compute_factors",
    "find_pet_series",
    "suv_report",
]
