"""The compiled pixel loops of previews (elscint_codec._window) against plain Python."""

from __future__ import annotations

import array
import sys
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elscint_codec._window import code_counts, lookup

codes_lists = st.lists(st.integers(0, 0xFFFF), max_size=600)
# A whole random table is too large an example for hypothesis: a random pattern
# of up to 257 bytes, repeated.
tables = st.binary(min_size=1, max_size=257).map(
    lambda pattern: (pattern * (65536 // len(pattern) + 1))[:65536]
)


def little_endian(codes: list[int]) -> bytes:
    values = array.array("H", codes)
    if sys.byteorder != "little":
        values.byteswap()
    return values.tobytes()


@given(codes_lists)
def test_code_counts_counts_every_code_in_ascending_order(codes):
    counts = code_counts(little_endian(codes))
    assert counts == Counter(codes)
    assert list(counts) == sorted(counts)


@given(codes_lists, tables)
def test_lookup_maps_every_pixel_through_the_table(codes, table):
    assert lookup(little_endian(codes), table) == bytes(table[code] for code in codes)


def test_codes_are_read_little_endian_whatever_the_buffer_type():
    raw = bytes([0x34, 0x12, 0xFF, 0x00])  # 0x1234, 0x00FF
    table = bytearray(65536)
    table[0x1234], table[0x00FF] = 7, 9
    for buffer in (raw, bytearray(raw), memoryview(raw)):
        assert code_counts(buffer) == {0x00FF: 1, 0x1234: 1}
        assert lookup(buffer, table) == b"\x07\x09"


def test_empty_image():
    assert code_counts(b"") == {}
    assert lookup(b"", bytes(65536)) == b""


@pytest.mark.parametrize("size", [1, 3, 20001])
def test_an_odd_number_of_bytes_is_refused(size):
    with pytest.raises(ValueError, match="even number of bytes"):
        code_counts(bytes(size))
    with pytest.raises(ValueError, match="even number of bytes"):
        lookup(bytes(size), bytes(65536))


@pytest.mark.parametrize("size", [0, 256, 65535, 65537])
def test_a_table_of_the_wrong_size_is_refused(size):
    with pytest.raises(ValueError, match="65536 entries"):
        lookup(bytes(4), bytes(size))


def test_none_is_refused():
    with pytest.raises(TypeError):
        code_counts(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        lookup(b"\0\0", None)  # type: ignore[arg-type]
