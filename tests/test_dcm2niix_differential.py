"""dcm2niix's PMSCT_RLE1 decoder and ours agree bit for bit on the ORIGINAL files.

dcm2niix (PyPI package ``dcm2niix``) decodes Elscint files itself.  Each file
is converted on its own (``-s y``) with 16-bit values kept as stored
(``-l o``), so the NIfTI holds the stored values and Rescale Slope/Intercept
go to ``scl_slope``/``scl_inter``; the voxels, read as 16-bit words, must equal
our decoder's output (rows reversed: dcm2niix stores them bottom-up).

Inputs stay inside what dcm2niix handles (docs/validation.md, decisions.md):
run-expanded stream at most 2 x pixels, stream of 66 bytes or more, at least
2 rows and 2 columns.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydicom.dataset import Dataset

from elscint_codec import pmsct_rle1_decode, pmsct_rle1_encode
from elscint_codec.samples import ct_dataset, pet_dataset, write_dataset
from nifti_support import dcm2niix_program, nifti_files, read_nifti, run_dcm2niix
from reference_decoder import expand_runs

pytestmark = pytest.mark.tools

MIN_STREAM = 66
SEED = 11
CT_SLICES, PET_SLICES = 300, 225
# Head, skull base, shoulders, thorax, liver, pelvis: very different content.
CT_LEVELS = (0, 25, 70, 120, 190, 299)
PET_LEVELS = (0, 20, 60, 110, 150, 224)
STREAM_TAG = 0x07A1100A


def within_dcm2niix_limits(stream: bytes, rows: int, columns: int) -> bool:
    """Whether dcm2niix can decode ``stream`` without refusing it or overrunning its buffer."""
    expanded, _incomplete = expand_runs(stream)
    return (
        len(stream) >= MIN_STREAM
        and len(expanded) <= 2 * rows * columns
        and rows >= 2
        and columns >= 2
    )


def dcm2niix_stored_values(ds: Dataset, folder: Path) -> tuple[np.ndarray, float, float]:
    """Write ``ds`` as the scanner would, decode it with dcm2niix; return (words, slope, inter)."""
    source = write_dataset(ds, folder / "input" / "IM_0001")
    log = run_dcm2niix(source, folder / "nifti", single_file=True)
    written = nifti_files(folder / "nifti")
    assert len(written) == 1, f"dcm2niix wrote {sorted(written)}:\n{log}"
    nifti = read_nifti(next(iter(written.values())))
    assert nifti.dim[0] in (2, 3), nifti.dim
    assert nifti.data.shape[0] == 1, nifti.dim
    assert nifti.data.dtype.itemsize == 2, f"dcm2niix rescaled to {nifti.data.dtype}:\n{log}"
    words = nifti.data[0, ::-1, :].view("<u2")  # back to top-down rows, as 16-bit words
    return words, nifti.scl_slope, nifti.scl_inter


def ours(ds: Dataset) -> np.ndarray:
    stream = ds[STREAM_TAG].value
    return pmsct_rle1_decode(stream, ds.Rows, ds.Columns)


@pytest.fixture(scope="module")
def program() -> str:
    return dcm2niix_program()


@pytest.mark.parametrize("index", CT_LEVELS)
def test_ct_slices_decode_identically(program, tmp_path: Path, index: int) -> None:
    ds = ct_dataset(SEED, index, slices=CT_SLICES)
    stream = ds[STREAM_TAG].value
    assert within_dcm2niix_limits(stream, ds.Rows, ds.Columns)
    assert len(stream) > 100_000, "a realistic CT slice, not a toy image"
    words, slope, intercept = dcm2niix_stored_values(ds, tmp_path)
    np.testing.assert_array_equal(words, ours(ds))
    assert (slope, intercept) == (1.0, -1024.0), "dcm2niix must keep the stored values"


@pytest.mark.parametrize("index", PET_LEVELS)
def test_pet_slices_decode_identically(program, tmp_path: Path, index: int) -> None:
    ds = pet_dataset(SEED, index, slices=PET_SLICES)
    stream = ds[STREAM_TAG].value
    assert within_dcm2niix_limits(stream, ds.Rows, ds.Columns)
    words, slope, intercept = dcm2niix_stored_values(ds, tmp_path)
    expected = ours(ds)
    assert expected.max() > 1000, "a slice with uptake, not an empty one"
    np.testing.assert_array_equal(words, expected)
    assert intercept == 0.0
    assert slope == pytest.approx(float(ds.RescaleSlope), rel=1e-6)


# Values whose bytes are the two escapes, and the extremes.
SPECIAL_VALUES = (0x5AA5, 0xA55A, 0x5A5A, 0xA5A5, 0x005A, 0x00A5, 0x5A00, 0xA500, 0, 0xFFFF)


@st.composite
def images(draw: st.DrawFn) -> np.ndarray:
    """Images with noise, flat runs, jumps and escape-byte values, built from drawn settings."""
    rows = draw(st.integers(2, 48))
    columns = draw(st.integers(2, 48))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size = rows * columns
    noise = draw(st.integers(0, 127))
    steps = rng.integers(-noise, noise + 1, size=size)
    if draw(st.booleans()):  # the extreme deltas
        edges = rng.random(size) < 0.1
        steps[edges] = rng.choice([-128, 127, 90, -91], size=int(edges.sum()))
    start = draw(st.integers(0, 0xFFFF))
    values = (start + np.cumsum(steps)) % 0x10000
    flat_runs = draw(st.integers(0, 3))
    for _ in range(flat_runs):  # runs of one value, also longer than 256
        first = int(rng.integers(0, size))
        values[first : first + int(rng.integers(2, 600))] = values[first]
    jump_rate = draw(st.sampled_from([0.0, 0.01, 0.1, 0.3]))
    jumps = rng.random(size) < jump_rate
    values[jumps] = rng.choice(SPECIAL_VALUES, size=int(jumps.sum()))
    return values.astype(np.uint16).reshape(rows, columns)


@settings(
    max_examples=max(10, settings.default.max_examples // 4),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(image=images(), signed=st.booleans())
def test_generated_images_decode_identically(program, image: np.ndarray, signed: bool) -> None:
    stream = pmsct_rle1_encode(image)
    rows, columns = image.shape
    assume(within_dcm2niix_limits(stream, rows, columns))
    ds = ct_dataset(SEED, 0, pixels=image)
    ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 15, int(signed)
    with tempfile.TemporaryDirectory(prefix="dcm2niix-") as folder:
        words, _slope, _intercept = dcm2niix_stored_values(ds, Path(folder))
    decoded = ours(ds)
    np.testing.assert_array_equal(decoded, image)
    np.testing.assert_array_equal(words, decoded)
