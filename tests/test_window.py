"""The compiled window of previews (elscint_codec._window) against plain Python and numpy."""

from __future__ import annotations

import array
import math
import sys
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from elscint_codec._window import grey_levels, percentiles

codes_lists = st.lists(st.integers(0, 0xFFFF), min_size=1, max_size=600)
slopes = st.sampled_from([1.0, 0.5, -2.0, 3.7e-5, 1.7])
intercepts = st.sampled_from([0.0, -1024.0, 12.5, -0.1])
bits = st.sampled_from([16, 12, 10, 1, 0])  # 0: not given, read as 16
quantiles = st.sampled_from([0.0, 0.5, 33.3, 50.0, 99.5, 100.0])


def little_endian(codes: list[int]) -> bytes:
    values = array.array("H", codes)
    if sys.byteorder != "little":
        values.byteswap()
    return values.tobytes()


def stored(code: int, signed: bool, bits_stored: int) -> int:
    """The pixel value of a 16-bit code, as pydicom reads it (reference)."""
    bits = bits_stored if 0 < bits_stored < 16 else 16
    code &= (1 << bits) - 1
    if signed and code >> (bits - 1):
        code -= 1 << bits
    return code


def rescaled(codes: list[int], slope: float, intercept: float, signed: bool, bits_stored: int):
    values = np.array([stored(code, signed, bits_stored) for code in codes], dtype=np.float64)
    return values * slope + intercept


def grey_level(value: float, low: float, high: float, inverted: bool) -> int:
    """One value through the window, in plain Python (reference)."""
    level = round(min(max((value - low) / (high - low), 0.0), 1.0) * 255.0)
    return 255 - level if inverted else level


@given(codes_lists, slopes, intercepts, st.booleans(), bits, quantiles)
def test_percentiles_are_numpys(codes, slope, intercept, signed, bits_stored, q):
    values = rescaled(codes, slope, intercept, signed, bits_stored)
    found = percentiles(little_endian(codes), slope, intercept, signed, bits_stored, (q, 50.0))
    assert found == (float(np.percentile(values, q)), float(np.percentile(values, 50.0)))


@given(codes_lists, slopes, intercepts, st.booleans(), bits, st.booleans())
def test_grey_levels_are_the_plain_python_window(codes, slope, intercept, signed, bits_stored,
                                                 inverted):  # fmt: skip
    values = rescaled(codes, slope, intercept, signed, bits_stored)
    low, high = float(np.percentile(values, 0.5)), float(np.percentile(values, 99.5))
    high = low + 1.0 if high <= low else high
    levels = grey_levels(
        little_endian(codes), slope, intercept, signed, bits_stored, low, high, inverted
    )
    assert levels == bytes(grey_level(float(v), low, high, inverted) for v in values)


def test_halves_round_to_even_like_numpy():
    # (value - 0) / 510 * 255 = value / 2: codes 1, 3, 5 fall on halves.
    codes = [0, 1, 2, 3, 5, 510, 600]
    levels = grey_levels(little_endian(codes), 1.0, 0.0, False, 16, 0.0, 510.0, False)
    assert list(levels) == [0, 0, 1, 2, 2, 255, 255]
    assert list(levels) == list(np.round(np.clip(np.array(codes) / 510, 0, 1) * 255))


def test_codes_are_read_little_endian_whatever_the_buffer_type():
    raw = bytes([0x34, 0x12, 0xFF, 0x00])  # 0x1234 = 4660, 0x00FF = 255
    for buffer in (raw, bytearray(raw), memoryview(raw)):
        assert percentiles(buffer, 1.0, 0.0, False, 16, (0.0, 100.0)) == (255.0, 4660.0)
        assert grey_levels(buffer, 1.0, 0.0, False, 16, 255.0, 4660.0, False) == b"\xff\x00"


def test_sign_is_extended_from_bits_stored():
    codes = [0x0FFF, 0x0800, 0x07FF, 0xF001]  # 12 bits: -1, -2048, 2047, 1
    found = percentiles(little_endian(codes), 1.0, 0.0, True, 12, (0.0, 100.0))
    assert found == (-2048.0, 2047.0)


def test_an_empty_image_has_no_percentiles_but_empty_levels():
    with pytest.raises(ValueError, match="without pixels"):
        percentiles(b"", 1.0, 0.0, False, 16, (50.0,))
    assert grey_levels(b"", 1.0, 0.0, False, 16, 0.0, 1.0, False) == b""


@pytest.mark.parametrize("q", [-0.1, 100.5, math.nan])
def test_percentiles_outside_0_to_100_are_refused(q):
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentiles(b"\0\0", 1.0, 0.0, False, 16, (q,))


@pytest.mark.parametrize(
    ("slope", "intercept", "low", "high"),
    [(math.nan, 0.0, 0.0, 1.0), (math.inf, 0.0, 0.0, 1.0), (1.0, -math.inf, 0.0, 1.0),
     (1.0, 0.0, math.nan, 1.0), (1.0, 0.0, 0.0, math.inf)],
)  # fmt: skip
def test_values_that_are_not_finite_numbers_are_refused(slope, intercept, low, high):
    codes = little_endian([0, 1, 1000])
    with pytest.raises(ValueError, match="no grey level"):
        grey_levels(codes, slope, intercept, False, 16, low, high, False)
    if math.isfinite(low) and math.isfinite(high):
        with pytest.raises(ValueError, match="no grey level"):
            percentiles(codes, slope, intercept, False, 16, (50.0,))


def test_a_window_of_zero_width_gives_no_level_instead_of_a_wrong_one():
    with pytest.raises(ValueError, match="no grey level"):  # 0 / 0 for the code at the window
        grey_levels(little_endian([5, 6]), 1.0, 0.0, False, 16, 5.0, 5.0, False)


@pytest.mark.parametrize("size", [1, 3, 20001])
def test_an_odd_number_of_bytes_is_refused(size):
    with pytest.raises(ValueError, match="even number of bytes"):
        percentiles(bytes(size), 1.0, 0.0, False, 16, (50.0,))
    with pytest.raises(ValueError, match="even number of bytes"):
        grey_levels(bytes(size), 1.0, 0.0, False, 16, 0.0, 1.0, False)


def test_none_is_refused():
    with pytest.raises(TypeError):
        percentiles(None, 1.0, 0.0, False, 16, (50.0,))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        grey_levels(None, 1.0, 0.0, False, 16, 0.0, 1.0, False)  # type: ignore[arg-type]


def test_every_code_of_a_large_image_is_counted():
    codes = [(7 * i) % 65536 for i in range(65536 + 1000)]  # 7 is coprime with 65536
    counts = Counter(codes)
    assert len(counts) == 65536  # every code present
    found = percentiles(little_endian(codes), 1.0, 0.0, False, 16, (0.0, 50.0, 100.0))
    assert found == tuple(float(np.percentile(np.array(codes, float), q)) for q in (0, 50, 100))
