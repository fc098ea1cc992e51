"""Turn file names and header values into safe output paths.

Every path component the converter writes goes through :func:`safe_component`:
no separators, no ``.``/``..``, no control or reserved characters, no
Windows device names, bounded length.  A header value or an archive member
name can therefore never make a file land outside the output folder.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from pathlib import PurePosixPath

from elscint_codec.converter.header import Header

__all__ = [
    "MAX_COMPONENT",
    "alternative_name",
    "claim_key",
    "safe_component",
    "safe_relative",
    "series_path",
]

#: Longest component written, in characters (UTF-8 bytes are also limited).
MAX_COMPONENT = 80
_MAX_BYTES = 160
_ALLOWED_PUNCTUATION = frozenset(" -_.,()+=@#&'~![]{}%$")
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in "123456789¹²³"}
    | {f"LPT{i}" for i in "123456789¹²³"}
)
_SPACES = re.compile(r"\s+")
#: ASCII letters, digits, '-' and '_' in dot-separated parts, at most MAX_COMPONENT long.
_PLAIN_NAME = re.compile(rf"(?=.{{1,{MAX_COMPONENT}}}\Z)[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")


def _short_hash(text: str, size: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:size]


def _truncate(name: str, original: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 8 or not stem:
        stem, suffix = name, ""
    marker = "~" + _short_hash(original)
    tail = ("." + suffix if suffix else "") if stem != name else ""
    room = MAX_COMPONENT - len(marker) - len(tail)
    while room > 0 and len((stem[:room] + marker + tail).encode("utf-8")) > _MAX_BYTES:
        room -= 1
    return stem[: max(room, 1)].rstrip(" .") + marker + tail


def safe_component(value: str, *, fallback: str = "unknown") -> str:
    """Return ``value`` as one safe path component.

    Letters, digits (any script) and a few harmless punctuation marks are
    kept; ``^`` (DICOM name separator) becomes a space; anything else
    becomes ``_``.  Leading/trailing dots and spaces are removed, Windows
    device names are prefixed with ``_``, and long values are shortened
    with a hash of the full value so different long values stay different.

    Examples
    --------
    >>> safe_component("../../etc")
    '_.._etc'
    >>> safe_component("DOE^JOHN")
    'DOE JOHN'
    >>> safe_component("CON")
    '_CON'
    """
    plain = _PLAIN_NAME.fullmatch(value) and value.strip("_")
    if plain and value.split(".")[0].upper() not in _RESERVED:
        # The common case (IM_0001, 1.2.840.113619.2.55.3.604688119.969.1268071029.320):
        # nothing to change.
        return value
    text = unicodedata.normalize("NFC", value).replace("^", " ")
    cleaned = "".join(ch if ch.isalnum() or ch in _ALLOWED_PUNCTUATION else "_" for ch in text)
    cleaned = _SPACES.sub(" ", cleaned).strip(" .")
    if not cleaned.strip("_") and (not cleaned or value.strip("_")):
        cleaned = fallback  # nothing usable was left, e.g. "..", "/" or NUL bytes
    if cleaned.split(".")[0].upper().rstrip(" ") in _RESERVED:
        cleaned = "_" + cleaned
    if len(cleaned) > MAX_COMPONENT or len(cleaned.encode("utf-8")) > _MAX_BYTES:
        cleaned = _truncate(cleaned, value)
    return cleaned


def safe_relative(parts: Sequence[str]) -> tuple[str, ...]:
    """Return the safe components of a relative path given as raw ``parts``.

    Empty parts, ``.`` and ``..`` are dropped (so an archive member named
    ``../../x`` lands at ``x``), the rest go through :func:`safe_component`.
    """
    out: list[str] = []
    for part in parts:
        if part in ("", ".", "..") or re.fullmatch(r"[A-Za-z]:", part):
            continue
        out.append(safe_component(part))
    return tuple(out)


def _joined(*values: str) -> str:
    return " ".join(v for v in values if v)


def series_path(header: Header) -> tuple[str, ...]:
    """Return ``(patient, study, series, file name)`` for the series layout.

    Folder names are readable (name, date, description, number) and end
    with a short hash of the identifying UID, so different patients,
    studies and series never share a folder even if their text matches; the
    file name is the instance number and a hash of the SOP Instance UID.
    The result depends on the header alone, so a re-run finds the same paths.
    """
    patient = safe_component(
        _joined(header.patient_name, f"({header.patient_id})" if header.patient_id else ""),
        fallback="unknown patient",
    )
    study = safe_component(
        _joined(header.study_date, header.study_description) or "study",
        fallback="study",
    )
    series = safe_component(
        _joined(
            header.modality,
            str(header.series_number) if header.series_number is not None else "",
            header.series_description,
        )
        or "series",
        fallback="series",
    )
    study = _with_hash(study, header.study_uid)
    series = _with_hash(series, header.series_uid)
    uid_hash = _short_hash(header.sop_instance_uid or "no-uid", 12)
    number = f"{header.instance_number:05d}_" if header.instance_number is not None else ""
    name = safe_component(f"{number}{uid_hash}.dcm")
    return patient, study, series, name


def _with_hash(name: str, uid: str) -> str:
    marker = "_" + _short_hash(uid or "none", 6)
    if len(name) + len(marker) > MAX_COMPONENT:
        name = name[: MAX_COMPONENT - len(marker)].rstrip(" .")
    return name + marker


def claim_key(relative: str) -> str:
    """Return the key under which two output paths count as the same file.

    Case and Unicode normalisation are folded so that a case-insensitive
    file system (Windows, macOS) can never merge two outputs silently.
    """
    return unicodedata.normalize("NFC", relative).casefold()


def alternative_name(relative: str, attempt: int) -> str:
    """Return ``relative`` with ``~attempt`` before the extension (``a/IM1~2.dcm``)."""
    path = PurePosixPath(relative)
    suffix = path.suffix if len(path.suffix) <= 8 else ""
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    return str(path.with_name(f"{stem}~{attempt}{suffix}"))
