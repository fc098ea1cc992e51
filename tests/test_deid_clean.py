"""Clean Descriptors: known identifying values leave descriptor text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elscint_codec.deid.clean import Cleaner, date_variants, tokens_for_value

NAME = "Müller-Lüdenscheidt^Jürgen^Hans"


def _cleaner(*, dates_identifying: bool = True) -> Cleaner:
    tokens = tokens_for_value("PN", NAME)
    tokens |= tokens_for_value("LO", "PID4711XQ")
    tokens |= tokens_for_value("DA", "19580312")
    tokens |= tokens_for_value("LO", "Springfield General Hospital")
    return Cleaner(tokens, dates_identifying=dates_identifying)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PET WB Müller-Lüdenscheidt", "PET WB"),
        ("PET WB MUELLER-LUEDENSCHEIDT", "PET WB"),  # transliterated, other case
        ("CT Muller-Ludenscheidt low dose", "CT low dose"),  # accents dropped
        ("WB_FDG_PID4711XQ", "WB_FDG"),
        ("PET-CT Whole Body Jürgen", "PET-CT Whole Body"),
        ("Springfield General Hospital PET", "PET"),
        ("PET WB (AC)", "PET WB (AC)"),
        ("Hansen protocol", "Hansen protocol"),  # whole words only
        ("CTAC 2mm 20201217", None),  # a date when dates are not kept
        ("born 12.03.1958", "born"),  # the birth date is a known value
        ("born 13.03.1958", None),  # another written date while dates are not kept
        ("call 0049 171 5550199", None),  # a phone number
        ("slice 5 of 120, 2.5 mm", "slice 5 of 120, 2.5 mm"),
        ("ref 12345678901", None),  # long digit run: possible ID
        ("seen by Dr. Nick", None),  # title + name
        ("mail jh@example.org", None),
        ("Müller", None),  # nothing left
    ],
)
def test_cleaning_examples(text, expected):
    assert _cleaner().clean(text) == expected


def test_dates_are_allowed_when_kept():
    assert _cleaner(dates_identifying=False).clean("CTAC 2mm 20201217") == "CTAC 2mm 20201217"
    assert _cleaner(dates_identifying=False).clean("born 19580312") == "born"


def test_date_variants_cover_common_written_forms():
    forms = date_variants("19580312")
    assert {
        "19580312",
        "1958-03-12",
        "12.03.1958",
        "12/03/1958",
        "03/12/1958",
        "12.3.1958",
    } <= forms


words = st.sampled_from(["PET", "CT", "WB", "AC", "low", "dose", "2mm", "FDG", "(NAC)", "-", "3D"])
secrets_ = st.sampled_from(
    ["Müller", "Jürgen", "PID4711XQ", "Hans", "19580312", "MUELLER", "hans"]
)


@given(st.lists(st.one_of(words, secrets_), min_size=1, max_size=12))
def test_cleaned_text_never_contains_a_known_value(parts):
    text = " ".join(parts)
    cleaned = _cleaner().clean(text)
    if cleaned is None:
        return
    folded = cleaned.casefold()
    for secret in ("müller", "muller", "mueller", "jürgen", "jurgen", "pid4711xq", "19580312"):
        assert secret not in folded
    assert "hans" not in folded.split()
    assert set(cleaned.split()) <= set(text.split()) | {p.strip("-_,;:/.|+") for p in text.split()}
