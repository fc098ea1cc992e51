"""Profile options by name, the presets, and the codes that mark what was applied.

Options are the option columns of PS3.15 Table E.1-1, named by their column ids
(``rtnSafePrivOpt`` ...) or by readable aliases (``retain-safe-private`` ...).
Presets:

``pet-safe`` (default)
    Basic Profile + Retain Safe Private + Retain Patient Characteristics + Retain
    Longitudinal Temporal Information with Full Dates + Clean Descriptors; UIDs are
    remapped (keyed), not retained. Keeps everything SUV and PET/CT fusion need.
``basic``
    The Basic Profile alone.

The two date options exclude each other; selecting one on top of a preset that has
the other replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from elscint_codec.deid.table import OPTION_IDS

__all__ = [
    "ALIASES",
    "DATE_OPTIONS",
    "OPTION_CODES",
    "OPTION_TITLES",
    "PRESETS",
    "PROFILE_CODE",
    "canonical_option",
    "resolve_options",
]

#: Readable alias -> option column id.
ALIASES: Mapping[str, str] = {
    "retain-safe-private": "rtnSafePrivOpt",
    "retain-uids": "rtnUIDsOpt",
    "retain-device-identity": "rtnDevIdOpt",
    "retain-institution-identity": "rtnInstIdOpt",
    "retain-patient-characteristics": "rtnPatCharsOpt",
    "retain-full-dates": "rtnLongFullDatesOpt",
    "retain-modified-dates": "rtnLongModifDatesOpt",
    "clean-descriptors": "cleanDescOpt",
    "clean-structured-content": "cleanStructContOpt",
    "clean-graphics": "cleanGraphOpt",
}

#: Code value (DCM, PS3.16 CID 7050 "De-identification Method") and meaning per option.
OPTION_CODES: Mapping[str, tuple[str, str]] = {
    "rtnSafePrivOpt": ("113111", "Retain Safe Private Option"),
    "rtnUIDsOpt": ("113110", "Retain UIDs Option"),
    "rtnDevIdOpt": ("113109", "Retain Device Identity Option"),
    "rtnInstIdOpt": ("113112", "Retain Institution Identity Option"),
    "rtnPatCharsOpt": ("113108", "Retain Patient Characteristics Option"),
    "rtnLongFullDatesOpt": (
        "113106",
        "Retain Longitudinal Temporal Information Full Dates Option",
    ),
    "rtnLongModifDatesOpt": (
        "113107",
        "Retain Longitudinal Temporal Information Modified Dates Option",
    ),
    "cleanDescOpt": ("113105", "Clean Descriptors Option"),
    "cleanStructContOpt": ("113104", "Clean Structured Content Option"),
    "cleanGraphOpt": ("113103", "Clean Graphics Option"),
}
PROFILE_CODE: tuple[str, str] = ("113100", "Basic Application Confidentiality Profile")

#: Short titles for reports.
OPTION_TITLES: Mapping[str, str] = {
    "rtnSafePrivOpt": "Retain Safe Private",
    "rtnUIDsOpt": "Retain UIDs",
    "rtnDevIdOpt": "Retain Device Identity",
    "rtnInstIdOpt": "Retain Institution Identity",
    "rtnPatCharsOpt": "Retain Patient Characteristics",
    "rtnLongFullDatesOpt": "Retain Longitudinal Temporal Information with Full Dates",
    "rtnLongModifDatesOpt": "Retain Longitudinal Temporal Information with Modified Dates",
    "cleanDescOpt": "Clean Descriptors",
    "cleanStructContOpt": "Clean Structured Content",
    "cleanGraphOpt": "Clean Graphics",
}

DATE_OPTIONS: frozenset[str] = frozenset({"rtnLongFullDatesOpt", "rtnLongModifDatesOpt"})

PRESETS: Mapping[str, frozenset[str]] = {
    "pet-safe": frozenset(
        {"rtnSafePrivOpt", "rtnPatCharsOpt", "rtnLongFullDatesOpt", "cleanDescOpt"}
    ),
    "basic": frozenset(),
}

_BY_LOWER = {opt.lower(): opt for opt in OPTION_IDS}


def canonical_option(name: str) -> str:
    """Return the column id for an option id or alias (case-insensitive).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    """
    key = name.strip().lower()
    if key in _BY_LOWER:
        return _BY_LOWER[key]
    if key in ALIASES:
        return ALIASES[key]
    valid = ", ".join(f"{alias} ({opt})" for alias, opt in ALIASES.items())
    raise ValueError(f"unknown de-identification option {name!r}; valid options: {valid}")


def resolve_options(
    preset: str, enable: Iterable[str] = (), disable: Iterable[str] = ()
) -> frozenset[str]:
    """Return the option ids selected by a preset plus and minus named options.

    Parameters
    ----------
    preset : str
        ``"pet-safe"`` or ``"basic"``.
    enable, disable : iterable of str
        Option ids or aliases to add or remove.

    Raises
    ------
    ValueError
        Unknown preset or option, an option both enabled and disabled, or both
        date options enabled.

    Examples
    --------
    >>> sorted(resolve_options("pet-safe", ["retain-modified-dates"], ["cleanDescOpt"]))
    ['rtnLongModifDatesOpt', 'rtnPatCharsOpt', 'rtnSafePrivOpt']
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown profile {preset!r}; choose one of {', '.join(PRESETS)}")
    plus = {canonical_option(name) for name in enable}
    minus = {canonical_option(name) for name in disable}
    both = plus & minus
    if both:
        raise ValueError(f"option(s) both enabled and disabled: {', '.join(sorted(both))}")
    if plus >= DATE_OPTIONS:
        raise ValueError(
            "Full Dates and Modified Dates exclude each other; choose one "
            "(retain-full-dates or retain-modified-dates)"
        )
    selected = set(PRESETS[preset])
    if plus & DATE_OPTIONS:
        selected -= DATE_OPTIONS
    return frozenset((selected | plus) - minus)
