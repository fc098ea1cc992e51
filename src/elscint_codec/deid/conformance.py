"""Attribute types (1, 2, 3) that decide the combined action codes of Table E.1-1.

PS3.15 defines ``X/Z``, ``X/D``, ``Z/D``, ``X/Z/D`` and ``X/Z/U*`` by the type of the
attribute in the IOD: remove a Type 3 attribute, empty a Type 2 one, give a Type 1
one a dummy value (or, for ``U*``, keep the sequence with its instance UIDs
replaced). This module knows the types of the attributes that carry such codes at
the top level of the IODs this package writes (CT Image, PET Image, Secondary
Capture Image; PS3.3 A.3, A.21, A.8.1 and their modules). Any other place (an
unknown IOD, or inside a sequence) is answered with ``None``, and the caller then
keeps the IOD valid with the conformance-preserving alternative, which never
carries an original value either.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "COMMON_INSTANCE_REFERENCE",
    "CT_IMAGE_STORAGE",
    "KNOWN_IODS",
    "PET_IMAGE_STORAGE",
    "REFERENCE_SEQUENCES",
    "SC_IMAGE_STORAGE",
    "choose",
    "required_type",
]

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
PET_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.128"
SC_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.7"

# Types of the combination-coded attributes that differ from 3 in every IOD below.
# Patient (C.7.1.1), General Study (C.7.2.1), General Image (C.7.6.1, Content Date
# and Time are 2C: present when the images are temporally or spatially related,
# which a CT or PET series is), Patient's Sex Neutered is 2C (animals).
_COMMON: Mapping[int, int] = {
    0x00100020: 2,  # Patient ID
    0x00102203: 2,  # Patient's Sex Neutered
    0x00080023: 2,  # Content Date
    0x00080033: 2,  # Content Time
}

# CT Image IOD: Contrast/Bolus module (C.7.6.4), present when contrast was used;
# Contrast/Bolus Agent is Type 2 in it.
_CT: Mapping[int, int] = {**_COMMON, 0x00180010: 2}

# PET Image IOD: PET Series module (C.8.9.1) makes Series Date/Time Type 1; PET Image
# module (C.8.9.4) makes Acquisition Date/Time Type 2; the Acquisition Context module
# (C.7.6.14, mandatory in the PET IOD) makes its sequence Type 2.
_PET: Mapping[int, int] = {
    **_COMMON,
    0x00080021: 1,  # Series Date
    0x00080031: 1,  # Series Time
    0x00080022: 2,  # Acquisition Date
    0x00080032: 2,  # Acquisition Time
    0x00400555: 2,  # Acquisition Context Sequence
}

_SC: Mapping[int, int] = dict(_COMMON)

#: Referenced Image Sequence and Source Image Sequence (both X/Z/U*).
REFERENCE_SEQUENCES = frozenset({0x00081140, 0x00082112})
#: Referenced Series Sequence, Studies Containing Other Referenced Instances Sequence.
COMMON_INSTANCE_REFERENCE = frozenset({0x00081115, 0x00081200})

KNOWN_IODS: Mapping[str, Mapping[int, int]] = {
    CT_IMAGE_STORAGE: _CT,
    PET_IMAGE_STORAGE: _PET,
    SC_IMAGE_STORAGE: _SC,
}


def required_type(
    sop_class_uid: str | None, tag: int, depth: int, *, references_listed: bool = False
) -> int | None:
    """Return the attribute type (1, 2 or 3) of ``tag``, or None when unknown.

    Parameters
    ----------
    sop_class_uid : str or None
        SOP Class UID of the instance.
    tag : int
        The attribute.
    depth : int
        0 for the top level of the dataset, more inside sequence items.
    references_listed : bool
        The instance has the Common Instance Reference module (Referenced Series
        Sequence or Studies Containing Other Referenced Instances Sequence), which
        may be present only if the instance references other instances: the
        Referenced Image and Source Image Sequences are then needed (their UIDs
        are replaced, action U).
    """
    if depth != 0 or sop_class_uid is None:
        return None
    if references_listed and tag in REFERENCE_SEQUENCES:
        return 1
    types = KNOWN_IODS.get(sop_class_uid)
    if types is None:
        return None
    return types.get(tag, 3)


# Preferred alternative by type; the first one the code allows wins.
_PREFERENCE: Mapping[int | None, tuple[str, ...]] = {
    1: ("D", "U", "Z", "X"),
    2: ("Z", "D", "U", "X"),
    3: ("X", "Z", "D", "U"),
    None: ("D", "U", "Z", "X"),
}


def choose(code: str, attribute_type: int | None) -> str:
    """Reduce an action code to one of ``D Z X K C U`` for the given attribute type.

    Parameters
    ----------
    code : str
        An action code of Table E.1-1, possibly a combination such as ``X/Z/D``.
    attribute_type : int or None
        1, 2 or 3, or None when the type is not known (then the alternative that
        keeps any IOD valid is chosen: D, else U, else Z).

    Returns
    -------
    str
        A single action code.

    Examples
    --------
    >>> choose("X/Z/D", 2), choose("X/D", 3), choose("Z/D", 1), choose("X/Z/U*", None)
    ('Z', 'X', 'D', 'U')
    """
    if "/" not in code:
        return code
    allowed = {part.rstrip("*") for part in code.split("/")}
    for candidate in _PREFERENCE[attribute_type]:
        if candidate in allowed:
            return candidate
    raise ValueError(f"cannot reduce action code {code!r}")
