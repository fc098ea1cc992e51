"""Property tests: round trips, differential against the reference, never crash."""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from elscint_codec import (
    ElscintError,
    ElscintWarning,
    TruncatedDataError,
    pmsct_rgb1_decode,
    pmsct_rgb1_encode,
    pmsct_rle1_decode,
    pmsct_rle1_encode,
)
from reference_decoder import rgb1_reference, rle1_reference_with_raw

sizes = st.tuples(st.integers(1, 64), st.integers(1, 64))


@st.composite
def grey_images(draw, max_side: int = 64) -> np.ndarray:
    """Images whose deltas hit every interesting byte: escapes, extremes, runs."""
    rows = draw(st.integers(1, max_side))
    columns = draw(st.integers(1, max_side))
    count = rows * columns
    start = draw(st.integers(0, 65535))
    pieces = st.one_of(
        st.integers(-128, 127),  # ordinary deltas
        st.sampled_from([0x5A, -91, -128, 127, 0, 0x5A5A - 65536, 0xA5A5 - 65536]),
        st.integers(-65535, 65535),  # jumps that need an absolute value
    )
    deltas = draw(st.lists(pieces, min_size=count, max_size=count))
    run_at = draw(st.integers(0, count - 1))
    run_length = draw(st.integers(0, min(600, count - run_at)))
    run_delta = draw(st.sampled_from([0, 1, -1, 0x5A, -91, 3]))
    deltas[run_at : run_at + run_length] = [run_delta] * run_length
    values = (start + np.cumsum(np.array(deltas, dtype=np.int64))) % 65536
    return values.astype(np.uint16).reshape(rows, columns)


@st.composite
def rgb_images(draw, max_side: int = 32) -> np.ndarray:
    rows = draw(st.integers(1, max_side))
    columns = draw(st.integers(1, max_side))
    palette = draw(
        st.lists(st.tuples(*[st.integers(0, 255)] * 3), min_size=1, max_size=6).map(
            lambda colours: [*colours, (0x81, 0x82, 0x83), (0x83, 0x83, 0x83), (0, 0, 0)]
        )
    )
    indices = draw(hnp.arrays(np.uint8, rows * columns, elements=st.integers(0, len(palette) - 1)))
    image = np.array(palette, dtype=np.uint8)[indices]
    if draw(st.booleans()):  # long stretches of one pixel: repeats of 255 and more
        image[: min(len(image), draw(st.integers(0, 600)))] = palette[0]
    return image.reshape(rows, columns, 3)


def quiet_rle1(stream: bytes, rows: int, columns: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return pmsct_rle1_decode(stream, rows, columns)


@given(grey_images())
@example(np.zeros((1, 1), dtype=np.uint16))
@example(np.full((512, 512), 0xA5A5, dtype=np.uint16))
@example(np.arange(512 * 512, dtype=np.uint32).astype(np.uint16).reshape(512, 512))
def test_rle1_round_trip(image):
    stream = pmsct_rle1_encode(image)
    assert len(stream) % 2 == 0
    assert len(stream) != image.size * 2
    np.testing.assert_array_equal(quiet_rle1(stream, *image.shape), image)


@given(grey_images())
def test_rle1_round_trip_signed_input(image):
    signed = image.view(np.int16)
    stream = pmsct_rle1_encode(signed)
    np.testing.assert_array_equal(quiet_rle1(stream, *image.shape).view(np.int16), signed)


@pytest.mark.parametrize(("rows", "columns"), [(1, 1), (1, 2), (2, 1), (3, 5), (7, 1), (1, 7)])
def test_rle1_encoder_avoids_raw_length_on_tiny_images(rows, columns):
    rng = np.random.default_rng(rows * 100 + columns)
    for _ in range(500):
        image = rng.integers(0, 65536, size=(rows, columns), dtype=np.uint16)
        image.reshape(-1)[: rng.integers(0, image.size + 1)] = rng.integers(0, 3)
        stream = pmsct_rle1_encode(image)
        assert len(stream) != image.size * 2
        np.testing.assert_array_equal(quiet_rle1(stream, rows, columns), image)


def test_rle1_full_size_noise_round_trip():
    rng = np.random.default_rng(7)
    image = rng.integers(0, 65536, size=(512, 512), dtype=np.uint16)
    np.testing.assert_array_equal(quiet_rle1(pmsct_rle1_encode(image), 512, 512), image)


def test_rle1_literal_a5_is_always_a_run():
    image = np.array([[0, 0xA5 - 256 + 65536, 0x5A5A, 0xA5A5]], dtype=np.uint16)
    stream = pmsct_rle1_encode(image)
    # Every 0xA5 in the stream opens a three-byte run token.
    i = 0
    while i < len(stream):
        i += 3 if stream[i] == 0xA5 else 1
    assert i == len(stream)


@given(rgb_images())
@example(np.zeros((1, 1, 3), dtype=np.uint8))
@example(np.full((64, 64, 3), 0x83, dtype=np.uint8))
def test_rgb1_round_trip(image):
    stream = pmsct_rgb1_encode(image)
    assert len(stream) % 2 == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        decoded = pmsct_rgb1_decode(stream, *image.shape[:2])
    np.testing.assert_array_equal(decoded, image)


def compiled_outcome(decode, data: bytes, rows: int, columns: int):
    """Run a compiled decoder; return (pixels, error, warned) comparable to the reference."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            image = decode(data, rows, columns)
        except TruncatedDataError as error:
            return None, ("truncated", error.offset), error.got
    warned = [w for w in caught if issubclass(w.category, ElscintWarning)]
    assert len(warned) <= 1, "at most one warning per call"
    return image, None, bool(warned)


@given(st.binary(max_size=300), sizes)
@example(b"\xa5", (1, 1))
@example(b"\x5a\xa5\x00", (1, 2))
@example(b"\xa5\x02\x5a\xa5\x00\x5a", (1, 2))
def test_rle1_matches_reference_on_arbitrary_bytes(data, size):
    rows, columns = size
    image, error, extra = compiled_outcome(pmsct_rle1_decode, data, rows, columns)
    pixels, ref_error, tail = rle1_reference_with_raw(data, rows * columns)
    assert error == ref_error
    if error is None:
        assert image.reshape(-1).tolist() == pixels
        assert extra == (tail == "excess")
    else:
        assert extra == len(pixels)


@given(st.binary(max_size=300), sizes)
@example(b"\x81\x83", (1, 1))
@example(b"\x82", (1, 1))
def test_rgb1_matches_reference_on_arbitrary_bytes(data, size):
    rows, columns = size
    image, error, extra = compiled_outcome(pmsct_rgb1_decode, data, rows, columns)
    pixels, ref_error, tail = rgb1_reference(data, rows * columns)
    assert error == ref_error
    if error is None:
        assert [tuple(p) for p in image.reshape(-1, 3).tolist()] == pixels
        assert extra == (tail == "excess")
    else:
        assert extra == len(pixels)


@given(st.binary(max_size=4000), st.integers(1, 300), st.integers(1, 300))
def test_decoders_never_crash(data, rows, columns):
    for decode in (pmsct_rle1_decode, pmsct_rgb1_decode):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ElscintWarning)
            try:
                image = decode(data, rows, columns)
            except ElscintError:
                continue
        assert image.shape[:2] == (rows, columns)


@given(grey_images(max_side=24))
def test_rle1_every_proper_prefix_raises_truncated(image):
    stream = pmsct_rle1_encode(image)
    npix = image.size
    # The prefixes that end before the last pixel is complete: all up to the
    # point where the stream, decoded, first fills the image.
    for cut in range(len(stream)):
        prefix = stream[:cut]
        if cut == 2 * npix:
            continue  # exactly the raw length: read as raw data
        _pixels, error, _ = rle1_reference_with_raw(prefix, npix)
        if error is None:
            continue  # complete already (a prefix that only drops padding)
        with pytest.raises(TruncatedDataError) as info:
            pmsct_rle1_decode(prefix, *image.shape)
        assert info.value.got < npix
        assert 0 <= info.value.offset <= cut


@given(rgb_images(max_side=12))
def test_rgb1_every_proper_prefix_raises_truncated(image):
    stream = pmsct_rgb1_encode(image)
    assume(len(stream) > 0)
    npix = image.shape[0] * image.shape[1]
    for cut in range(len(stream)):
        _pixels, error, _ = rgb1_reference(stream[:cut], npix)
        if error is None:
            continue
        with pytest.raises(TruncatedDataError):
            pmsct_rgb1_decode(stream[:cut], *image.shape[:2])


def test_prefix_property_covers_most_prefixes():
    """The guarded prefix test above must not silently skip everything."""
    rng = np.random.default_rng(3)
    image = rng.integers(0, 4096, size=(20, 20), dtype=np.uint16)
    stream = pmsct_rle1_encode(image)
    truncated = sum(
        rle1_reference_with_raw(stream[:cut], image.size)[1] is not None
        for cut in range(len(stream))
    )
    assert truncated >= len(stream) - 1


def test_threads_decode_slices_of_one_volume():
    rng = np.random.default_rng(11)
    slices = [
        np.cumsum(rng.integers(-40, 40, size=(128, 128)), axis=1).astype(np.uint16)
        for _ in range(16)
    ]
    streams = [pmsct_rle1_encode(s) for s in slices]
    volume = np.empty((16, 128, 128), dtype=np.uint16)

    def decode(index: int) -> None:
        pmsct_rle1_decode(streams[index], 128, 128, out=volume[index])

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(decode, range(16)))
    np.testing.assert_array_equal(volume, np.stack(slices))
