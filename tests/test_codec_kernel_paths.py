"""Every PMSCT_RLE1 decode path of the compiled core against the reference decoder.

The block-wise fast path only runs on the interior of a stream (it keeps a
margin of 80 bytes and 80 pixels from the ends), so these streams are long,
built from tokens that hit its exits: absolute values whose bytes are 0xA5,
runs of 0x5A, long runs near the end of the image, escapes at window edges.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from elscint_codec import ElscintWarning, TruncatedDataError, _core, pmsct_rle1_decode
from elscint_codec import pmsct_rle1_encode as encode
from reference_decoder import rle1_reference_with_raw


@contextmanager
def using(path: str) -> Iterator[None]:
    previous = _core.select_rle1_path(path)
    try:
        yield
    finally:
        _core.select_rle1_path(previous)


every_path = pytest.mark.parametrize("path", _core.RLE1_PATHS)


def test_default_path_is_the_fastest_built():
    default = _core.select_rle1_path("basic")
    _core.select_rle1_path(default)
    assert default == ("sse2" if "sse2" in _core.RLE1_PATHS else "basic")


def test_unknown_path_rejected():
    with pytest.raises(ValueError, match="unknown PMSCT_RLE1 path"):
        _core.select_rle1_path("avx9000")


def check_against_reference(path: str, data: bytes, npix: int) -> None:
    """Decode ``data`` as a 1 x npix image; compare everything with the reference."""
    pixels, error, tail = rle1_reference_with_raw(data, npix)
    with using(path), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if error is not None:
            with pytest.raises(TruncatedDataError) as info:
                pmsct_rle1_decode(data, 1, npix)
            assert ("truncated", info.value.offset) == error
            assert info.value.got == len(pixels)
            return
        image = pmsct_rle1_decode(data, 1, npix)
    assert image.reshape(-1).tolist() == pixels
    warned = [w for w in caught if issubclass(w.category, ElscintWarning)]
    assert len(warned) == (tail == "excess")


plain_byte = st.integers(0, 255).filter(lambda b: b not in (0x5A, 0xA5))
interesting = st.sampled_from([0x00, 0x01, 0x7F, 0x80, 0xFF, 0x5A, 0xA5])
any_byte = st.one_of(interesting, st.integers(0, 255))
token = st.one_of(
    st.lists(plain_byte, min_size=1, max_size=70).map(bytes),  # a stretch of deltas
    st.tuples(any_byte, any_byte).map(lambda t: bytes([0x5A, *t])),  # an absolute value
    st.tuples(any_byte, any_byte).map(lambda t: bytes([0xA5, *t])),  # a run
    st.tuples(st.integers(0, 40), interesting).map(lambda t: bytes([0xA5, t[0], t[1]])),
    st.binary(min_size=1, max_size=8),
)
streams = st.lists(token, min_size=10, max_size=150).map(b"".join)


@every_path
@given(streams, st.integers(-100, 100), st.integers(1, 6000))
@example(b"\x01" * 200 + b"\x5a\x34\x12" * 40, 0, 1)
@example(b"\x01" * 200 + b"\x5a\xa5\x00\x00" + b"\x01" * 200, 0, 1)
@example(b"\x01" * 200 + b"\x5a\x00\xa5\x00\x00" + b"\x01" * 200, 0, 1)
@example(b"\x01" * 100 + b"\xa5\xff\x00" * 3, 0, 1)
@example(b"\x02" * 150 + b"\x5a\xa5\x00\x00" * 30, 0, 1)
@example(b"\x03" * 90 + b"\xa5\x08\x5a" * 30, -1, 1)
def test_paths_match_reference_on_token_streams(path, data, shift, fallback):
    # The expanded length decides where the image ends: aim near it, where the
    # output margin and the run clipping matter, and anywhere else.
    complete = len(rle1_reference_with_raw(data, 10**7)[0])
    npix = complete + shift if complete + shift >= 1 else fallback
    check_against_reference(path, data, npix)


def realistic(rows: int, columns: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:rows, 0:columns]
    body = ((yy - rows / 2) / (rows / 2.6)) ** 2 + ((xx - columns / 2) / (columns / 2.2)) ** 2 < 1
    image = np.where(body, 1064.0, 24.0) + rng.normal(0, 15, size=(rows, columns))
    image[rows // 3 : rows // 2, columns // 4 : columns // 3] += 900  # bone: big jumps
    image[: rows // 8] = 0  # long runs
    return np.clip(np.rint(image), 0, 4095).astype(np.uint16)


@every_path
@given(
    st.integers(0, 2**32 - 1),
    st.lists(st.tuples(st.integers(0, 10**6), any_byte), max_size=12),
    st.integers(0, 10**6),
)
def test_paths_match_reference_on_damaged_realistic_streams(path, seed, edits, cut):
    stream = bytearray(encode(realistic(48, 40, seed)))
    for where, byte in edits:
        stream[where % len(stream)] = byte
    data = bytes(stream[: len(stream) - cut % 64])
    check_against_reference(path, data, 48 * 40)


@every_path
@pytest.mark.parametrize("seed", range(3))
def test_paths_round_trip_large_images(path, seed):
    image = realistic(512, 512, seed)
    noise = np.random.default_rng(seed).integers(0, 65536, size=(144, 144), dtype=np.uint16)
    with using(path):
        np.testing.assert_array_equal(pmsct_rle1_decode(encode(image), 512, 512), image)
        np.testing.assert_array_equal(pmsct_rle1_decode(encode(noise), 144, 144), noise)


def as_output(kernel, memory: np.ndarray) -> np.ndarray:
    return memory if kernel is _core.rgb1_decode_into else memory.view(np.uint16)


@pytest.mark.parametrize(
    ("kernel", "src", "dst", "separate"),
    [
        (_core.rle1_decode_into, slice(0, 3), slice(2, 10), slice(4, 12)),
        (_core.raw16_into, slice(0, 8), slice(6, 14), slice(8, 16)),
        (_core.rgb1_decode_into, slice(4, 10), slice(0, 6), slice(10, 16)),
    ],
)
def test_kernels_refuse_to_decode_in_place(kernel, src, dst, separate):
    memory = np.zeros(32, dtype=np.uint8)
    memory[:3] = [0xA5, 0x03, 0x01]
    with pytest.raises(ValueError, match="in place"):
        kernel(memory[src], as_output(kernel, memory[dst]))
    kernel(memory[src], as_output(kernel, memory[separate]))  # adjacent ranges are fine


@pytest.mark.parametrize("kernel", [_core.rle1_decode_into, _core.raw16_into])
def test_kernels_refuse_misaligned_16_bit_output(kernel):
    memory = np.zeros(64, dtype=np.uint8)
    misaligned = memory[33:41].view(np.uint16)
    assert not misaligned.flags.aligned
    with pytest.raises(ValueError, match="aligned"):
        kernel(bytes([1] * 8), misaligned)


def test_public_decoder_refuses_misaligned_out():
    memory = np.zeros(64, dtype=np.uint8)
    out = memory[1:9].view(np.uint16).reshape(2, 2)
    with pytest.raises(ValueError, match="aligned"):
        pmsct_rle1_decode(b"\xa5\x03\x01", 2, 2, out=out)
