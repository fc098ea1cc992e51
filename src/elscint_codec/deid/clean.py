"""Clean Descriptors: remove the study's known identifying values from free text.

PS3.15 E.3.5 asks that identifying information embedded in descriptors be removed.
The cleaner knows the values that the profile removes or replaces in the same
dataset (names and their parts, IDs, accession number, institution, physicians,
station, birth date and, unless dates are kept, the other dates in common written
forms; remapped UIDs) and deletes every occurrence, whole words only, ignoring case
and accents. Text that still looks risky afterwards is not returned (the caller then
applies the Basic Profile action, i.e. drops it): a remaining known value after
accent folding, a run of six or more digits (not a kept date), a written date when
dates are not kept, an e-mail address, or a title such as "Dr" followed by a name.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["Cleaner", "date_variants", "spelling_variants", "tokens_for_value"]

_WORD = r"[^\W_]"  # a letter or digit (Unicode), "_" counts as a separator
_SEPARATORS = " \t\r\n-_,;:/.|+^="  # ^ and = separate person name parts
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}")
_TITLE = re.compile(r"(?<![^\W_])(?:dr|mr|mrs|ms|miss|prof|md)\.?\s+[A-Z]", re.IGNORECASE)
_DIGITS = re.compile(r"\d{6,}")
_WRITTEN_DATE = re.compile(
    r"(?<!\d)(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})(?!\d)"
)


def _fold(text: str) -> str:
    return _strip_accents(text).casefold()


_TRANSLITERATION = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ß": "ss",
        "ø": "oe",
        "Ø": "Oe",
        "å": "aa",
        "Å": "Aa",
        "æ": "ae",
        "Æ": "Ae",
    }
)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def spelling_variants(token: str) -> set[str]:
    """Return ``token`` with its accents stripped and transliterated (ü -> u, ue).

    Examples
    --------
    >>> sorted(spelling_variants("Müller"))
    ['Mueller', 'Muller', 'Müller']
    """
    return {token, _strip_accents(token), _strip_accents(token.translate(_TRANSLITERATION))}


def date_variants(value: str) -> set[str]:
    """Return common written forms of a DA value (``YYYYMMDD``).

    Examples
    --------
    >>> sorted(date_variants("19580312"))[:3]
    ['03/12/1958', '12-03-1958', '12.03.1958']
    """
    text = value.strip()[:8]
    try:
        date = _dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return {text} if len(text) >= 4 else set()
    y, m, d = f"{date.year:04d}", f"{date.month:02d}", f"{date.day:02d}"
    mm, dd = str(date.month), str(date.day)
    return {
        y + m + d,
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{d}.{m}.{y}",
        f"{d}/{m}/{y}",
        f"{d}-{m}-{y}",
        f"{m}/{d}/{y}",
        f"{dd}.{mm}.{y}",
        f"{dd}/{mm}/{y}",
        f"{mm}/{dd}/{y}",
    }


def _words(text: str, minimum: int) -> set[str]:
    return {w for w in re.split(r"[\W_]+", text) if len(w) >= minimum}


def tokens_for_value(vr: str, value: str) -> set[str]:
    """Return the strings to look for in descriptors for one identifying value.

    Parameters
    ----------
    vr : str
        VR of the element the value comes from.
    value : str
        One value (not multi-valued).
    """
    text = value.strip(" \x00")
    if not text:
        return set()
    if vr == "PN":
        parts = {p.strip() for p in re.split(r"[\^=]", text)}
        return {p for p in parts if len(p) >= 2} | _words(text, 2)
    if vr == "DA":
        return date_variants(text)
    if vr == "DT":
        return date_variants(text[:8]) | {text}
    if vr in ("LO", "SH", "AE", "CS", "UC", "UI"):
        return ({text} if len(text) >= 2 else set()) | _words(text, 4)
    if vr == "ST":
        segments = {s.strip() for s in re.split(r"[\r\n,;]+", text)}
        return {s for s in segments if len(s) >= 3} | _words(text, 4)
    return set()


class Cleaner:
    """Remove known identifying values from descriptor text.

    Parameters
    ----------
    tokens : iterable of str
        Identifying strings (see `tokens_for_value`).
    dates_identifying : bool
        True when dates are not kept by the profile: any written date then makes a
        text unsafe.
    """

    def __init__(self, tokens: Iterable[str], *, dates_identifying: bool) -> None:
        variants = {v for t in tokens for v in spelling_variants(t.strip())}
        unique = sorted({t for t in variants if len(t) >= 2}, key=lambda t: (-len(t), t))
        self._dates_identifying = dates_identifying
        self._folded = sorted({_fold(t) for t in unique}, key=len, reverse=True)
        if unique:
            alternatives = "|".join(re.escape(t) for t in unique)
            self._pattern: re.Pattern[str] | None = re.compile(
                rf"(?<!{_WORD})(?:{alternatives})(?!{_WORD})", re.IGNORECASE
            )
            folded_alts = "|".join(re.escape(t) for t in self._folded)
            self._folded_pattern: re.Pattern[str] | None = re.compile(
                rf"(?<!{_WORD})(?:{folded_alts})(?!{_WORD})"
            )
        else:
            self._pattern = self._folded_pattern = None

    def _risky(self, text: str) -> bool:
        if self._folded_pattern is not None and self._folded_pattern.search(_fold(text)):
            return True
        if _EMAIL.search(text) or _TITLE.search(text):
            return True
        if self._dates_identifying and _WRITTEN_DATE.search(text):
            return True
        runs = _DIGITS.findall(text)
        return any(self._dates_identifying or not _is_date(run) for run in runs)

    def clean(self, text: str) -> str | None:
        """Return ``text`` without identifying values, or None if it cannot be made safe.

        Examples
        --------
        >>> c = Cleaner({"Smith", "John", "ACC123"}, dates_identifying=True)
        >>> c.clean("CT chest - John SMITH acc ACC123")
        'CT chest - acc'
        >>> c.clean("CT chest Dr. Jones") is None
        True
        """
        if not text.strip():
            return text
        cleaned = text if self._pattern is None else self._pattern.sub("", text)
        if cleaned != text:
            cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
            cleaned = re.sub(r"\s+([,;:.])", r"\1", cleaned)
        cleaned = cleaned.strip(_SEPARATORS) if cleaned != text else cleaned.strip()
        if not cleaned or self._risky(cleaned):
            return None
        return cleaned


def _is_date(run: str) -> bool:
    if len(run) != 8:
        return False
    try:
        _dt.date(int(run[:4]), int(run[4:6]), int(run[6:8]))
    except ValueError:
        return False
    return True
