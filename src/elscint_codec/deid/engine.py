"""The recursive walk that applies the profile to every element at every depth.

For each element the walk finds the action (Table E.1-1 resolved for the selected
options, or the rules below for elements the table does not list), reduces combined
codes by the attribute type (`elscint_codec.deid.conformance`), and builds a new
dataset; the input is never modified. Rules for elements not in the table:

- private elements: removed, unless Retain Safe Private is selected and the element
  is on the safe list (its private creator is then kept too); the ELSCINT1 group
  (07A1) is always removed, so the compressed-stream copy never survives;
- curve (50xx) and overlay (60xx) groups: removed whole (overlay bitmaps may hold
  burned-in text that cannot be checked);
- group lengths, Data Set Trailing Padding (FFFC,FFFC), retired elements whose VR
  can hold text, names, dates or UIDs, and public elements unknown to the data
  dictionary: removed;
- other DA, DT and TM elements: kept with Full Dates, shifted (DA, DT) or kept (TM)
  with Modified Dates, removed otherwise (PS3.15 E.1.1 note 4);
- everything else is kept, and sequences are walked.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydicom import config
from pydicom.datadict import dictionary_has_tag, dictionary_is_retired
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence

from elscint_codec.deid.actions import (
    BINARY_VRS,
    DATE_VRS,
    TEXT_VRS,
    dummy_value,
    empty_value,
    normalise_vr,
)
from elscint_codec.deid.clean import Cleaner
from elscint_codec.deid.conformance import choose, required_type
from elscint_codec.deid.dates import shift_da, shift_dt
from elscint_codec.deid.private import (
    ELSCINT_CREATOR,
    ELSCINT_GROUP,
    block_creators,
    is_private_creator,
    safe_private_key,
)
from elscint_codec.deid.pseudonyms import Pseudonym
from elscint_codec.deid.table import ActionMap

__all__ = ["Mode", "WalkSettings", "Walker"]

_PADDING = 0xFFFCFFFC  # Data Set Trailing Padding: unchecked bytes
PATIENT_NAME = 0x00100010
PATIENT_ID = 0x00100020
_RETIRED_RISKY_VRS = frozenset({*TEXT_VRS, "DA", "DT", "TM", "UI", "UR", "AS", *BINARY_VRS})
_STRING_VRS = frozenset({*TEXT_VRS, "DS", "IS", "DA", "DT", "TM", "AS", "UI", "UR"})


class Mode(enum.Enum):
    """How the elements of a dataset level are treated."""

    NORMAL = "normal"  # apply the profile
    CLEAN = "clean"  # apply the profile, and clean kept free text (C on a sequence)
    DUMMY = "dummy"  # replace every value by a dummy (D on a sequence)


@dataclass(frozen=True)
class WalkSettings:
    """Everything the walk needs, fixed for one dataset.

    Attributes
    ----------
    actions : ActionMap
        Table E.1-1 resolved for the selected options.
    sop_class_uid : str or None
        SOP Class of the instance (for attribute types at the top level).
    safe_private : bool
        Retain Safe Private selected.
    full_dates : bool
        Full Dates selected.
    shift_days : int or None
        Whole-day shift when Modified Dates is selected.
    remap_uid : callable
        Keyed UID replacement.
    cleaner : Cleaner
        Descriptor cleaner loaded with this dataset's identifying values.
    pseudonym : Pseudonym
        Replacement Patient ID and Name.
    original_patient : tuple of str
        Original Patient ID and Name (to recognise them inside sequences).
    references_listed : bool
        The top level has the Common Instance Reference module (see
        `elscint_codec.deid.conformance.required_type`).
    """

    actions: ActionMap
    sop_class_uid: str | None
    safe_private: bool
    full_dates: bool
    shift_days: int | None
    remap_uid: Callable[[str], str]
    cleaner: Cleaner
    pseudonym: Pseudonym
    original_patient: tuple[str, str]
    references_listed: bool = False


def _new(elem: DataElement, vr: str, value: Any) -> DataElement:
    return DataElement(int(elem.tag), vr, value, validation_mode=config.IGNORE)


def _copy(elem: DataElement) -> DataElement:
    value = elem.value
    if isinstance(value, (MultiValue, list)):
        value = copy.deepcopy(value)
    return DataElement(
        int(elem.tag),
        elem.VR,
        value,
        is_undefined_length=elem.is_undefined_length,
        validation_mode=config.IGNORE,
    )


def _values(elem: DataElement) -> list[Any]:
    value = elem.value
    if value is None:
        return []
    if isinstance(value, (MultiValue, list)):
        return list(value)
    return [value]


def _curve_overlay(group: int) -> bool:
    return group % 2 == 0 and (0x5000 <= group <= 0x501E or 0x6000 <= group <= 0x601E)


class Walker:
    """Apply the profile to one dataset (see module docstring).

    Parameters
    ----------
    settings : WalkSettings
        The resolved profile and per-dataset values.
    """

    def __init__(self, settings: WalkSettings) -> None:
        self.s = settings

    # -- dataset levels -------------------------------------------------------------

    def dataset(self, src: Dataset, depth: int = 0, mode: Mode = Mode.NORMAL) -> Dataset:
        """Return a de-identified copy of one dataset level (and everything below)."""
        out = Dataset()
        elements = list(src)
        creators = block_creators(
            (int(e.tag), e.value) for e in elements if is_private_creator(int(e.tag))
        )
        kept_blocks: set[tuple[int, int]] = set()
        for elem in elements:
            tag = int(elem.tag)
            group = tag >> 16
            if group == 0x0002 or tag & 0xFFFF == 0 or tag == _PADDING or _curve_overlay(group):
                continue
            if group & 1:
                if self._keep_private(tag, creators):
                    out.add(self._private_copy(elem, depth, mode))
                    kept_blocks.add((group, (tag & 0xFFFF) >> 8))
                continue
            if mode is Mode.DUMMY:
                new = self._dummy(elem, depth)
                if new is not None:
                    out.add(new)
                continue
            new = self._element(elem, depth, mode)
            if new is not None:
                out.add(new)
        for group, block in sorted(kept_blocks):
            creator_tag = (group << 16) | block
            out.add(_copy(src[creator_tag]))
        return out

    def _sequence(self, elem: DataElement, depth: int, mode: Mode) -> DataElement:
        items = [self.dataset(item, depth + 1, mode) for item in elem.value or []]
        return _new(elem, "SQ", Sequence(items))

    # -- private elements -----------------------------------------------------------

    def _keep_private(self, tag: int, creators: dict[tuple[int, int], str]) -> bool:
        if not self.s.safe_private or is_private_creator(tag):
            return False
        group = tag >> 16
        if group == ELSCINT_GROUP and creators.get((group, (tag & 0xFFFF) >> 8)) == (
            ELSCINT_CREATOR
        ):
            return False
        return safe_private_key(tag, creators)

    def _private_copy(self, elem: DataElement, depth: int, mode: Mode) -> DataElement:
        if elem.VR == "SQ":
            return self._sequence(elem, depth, mode)
        return _copy(elem)

    # -- one element ----------------------------------------------------------------

    def _element(self, elem: DataElement, depth: int, mode: Mode) -> DataElement | None:
        tag = int(elem.tag)
        if tag in (PATIENT_NAME, PATIENT_ID):
            replaced = self._patient(elem, depth)
            if replaced is not None:
                return replaced
        code = self.s.actions.exact.get(tag)
        if code is None:
            code, fallback = self._not_in_table(elem), "X"
        else:
            kind = required_type(
                self.s.sop_class_uid, tag, depth, references_listed=self.s.references_listed
            )
            code, fallback = choose(code, kind), choose(self.s.actions.basic[tag], kind)
        return self._apply(elem, code, fallback, depth, mode)

    def _patient(self, elem: DataElement, depth: int) -> DataElement | None:
        original_id, original_name = self.s.original_patient
        text = "" if elem.value is None else str(elem.value).strip()
        if int(elem.tag) == PATIENT_ID:
            if depth == 0 or (text and text == original_id):
                return _new(elem, "LO", self.s.pseudonym.patient_id)
        elif depth == 0 or (text and text == original_name):
            return _new(elem, "PN", self.s.pseudonym.patient_name)
        return None

    def _not_in_table(self, elem: DataElement) -> str:
        tag, vr = int(elem.tag), normalise_vr(elem.VR)
        if not dictionary_has_tag(tag):
            return "X"
        if dictionary_is_retired(tag) and vr in _RETIRED_RISKY_VRS:
            return "X"
        if vr in ("DA", "DT", "TM"):
            if self.s.full_dates:
                return "K"
            return "C" if self.s.shift_days is not None else "X"
        return "K"

    def _apply(
        self, elem: DataElement, code: str, fallback: str, depth: int, mode: Mode
    ) -> DataElement | None:
        vr = normalise_vr(elem.VR)
        if code == "X":
            return None
        if code == "Z":
            return _new(elem, vr, Sequence([]) if vr == "SQ" else empty_value(vr))
        if code == "D":
            if vr == "SQ":
                return self._sequence(elem, depth, Mode.DUMMY)
            return self._dummy(elem, depth)
        if code == "U":
            if vr == "SQ":
                return self._sequence(elem, depth, mode)
            return self._remapped(elem)
        if code == "K":
            if vr == "SQ":
                return self._sequence(elem, depth, mode)
            return self._keep(elem, fallback, depth, mode)
        if code == "C":
            if vr == "SQ":
                return self._sequence(elem, depth, Mode.CLEAN)
            return self._clean(elem, fallback, depth)
        raise ValueError(f"unknown action code {code!r} for {elem.tag}")

    def _remapped(self, elem: DataElement) -> DataElement:
        new = [self.s.remap_uid(str(v)) for v in _values(elem)]
        return _new(elem, "UI", new if len(new) != 1 else new[0])

    def _dummy(self, elem: DataElement, depth: int) -> DataElement | None:
        vr = normalise_vr(elem.VR)
        if vr == "SQ":
            return self._sequence(elem, depth, Mode.DUMMY)
        if vr == "UI":
            return self._remapped(elem)
        if vr not in _STRING_VRS and vr not in BINARY_VRS and vr != "AT":
            return _copy(elem)  # numbers carry no identity; keep them valid
        return _new(elem, vr, dummy_value(vr))

    def _keep(
        self, elem: DataElement, fallback: str, depth: int, mode: Mode
    ) -> DataElement | None:
        vr = normalise_vr(elem.VR)
        if vr in DATE_VRS and self.s.shift_days is not None:
            return self._clean(elem, fallback, depth)
        if mode is Mode.CLEAN and vr in TEXT_VRS and vr != "CS":
            return self._clean(elem, fallback, depth)
        return _copy(elem)

    def _clean(self, elem: DataElement, fallback: str, depth: int) -> DataElement | None:
        vr = normalise_vr(elem.VR)
        values = _values(elem)
        if vr == "TM" or not any(str(v).strip() for v in values):
            return _copy(elem)  # times stay; an empty value has nothing to clean
        result: list[str] | None = None
        if vr in DATE_VRS:
            if self.s.shift_days is None:
                return _copy(elem) if self.s.full_dates else self._fallback(elem, fallback, depth)
            shift = shift_da if vr == "DA" else shift_dt
            shifted = [shift(str(v), self.s.shift_days) for v in values]
            result = None if any(v is None for v in shifted) else [str(v) for v in shifted]
        elif vr == "AE":
            return _new(elem, vr, dummy_value(vr))
        elif vr == "UI":
            return self._remapped(elem)
        elif vr in TEXT_VRS:
            cleaned = [self.s.cleaner.clean(str(v)) for v in values]
            result = None if any(v is None for v in cleaned) else [str(v) for v in cleaned]
        elif vr in BINARY_VRS:
            result = None
        else:
            return _copy(elem)
        if result is None:
            return self._fallback(elem, fallback, depth)
        return _new(elem, vr, result if len(result) != 1 else result[0])

    def _fallback(self, elem: DataElement, code: str, depth: int) -> DataElement | None:
        """Apply the Basic Profile action when a value cannot be cleaned safely."""
        if code in ("K", "C"):
            return None
        return self._apply(elem, code, "X", depth, Mode.NORMAL)
