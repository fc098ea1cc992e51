"""The pydicom integration: ds.pixel_array, pydicom.pixels, ds.decompress(), registration."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

import elscint_codec
from elscint_codec import plugin
from elscint_codec.constants import PRIVATE_TRANSFER_SYNTAX
from elscint_variants import NAMES, PYDICOM_V2, build, file_bytes, truncated, write
from plain_pydicom import run_plain

needs_v3 = pytest.mark.skipif(PYDICOM_V2, reason="pydicom 2.4 has no pydicom.pixels decoder API")
TEST_FILES = Path(pydicom.data.__file__).parent / "test_files"


@pytest.fixture(autouse=True)
def registered():
    elscint_codec.register()
    yield
    elscint_codec.register()  # a test that unregistered must not leak that


def read(ds: Dataset) -> Dataset:
    return pydicom.dcmread(io.BytesIO(file_bytes(ds)))


def expected_array(variant):
    """pydicom 3 clears bits above Bits Stored; pydicom 2 returns them as stored."""
    return variant.raw if PYDICOM_V2 else variant.expected


def assert_same(array, expected, name=""):
    assert array.dtype == expected.dtype, name
    assert array.shape == expected.shape, name
    np.testing.assert_array_equal(array, expected, err_msg=name)


@pytest.mark.parametrize("name", NAMES)
def test_dataset_pixel_array(name, tmp_path):
    variant = build(name)
    path = write(variant.dataset, tmp_path / "image.dcm")
    ds = pydicom.dcmread(path)
    assert_same(ds.pixel_array, expected_array(variant), name)


@needs_v3
@pytest.mark.parametrize("name", NAMES)
def test_pydicom_pixels_functions(name):
    from pydicom.pixels import iter_pixels, pixel_array

    variant = build(name)
    ds = read(variant.dataset)
    assert_same(pixel_array(ds), variant.expected, name)
    assert_same(pixel_array(ds, index=0), variant.expected, name)
    frames = list(iter_pixels(ds))
    assert len(frames) == 1
    assert_same(frames[0], variant.expected, name)
    assert_same(pixel_array(ds, correct_unused_bits=False), variant.raw, name)


@needs_v3
@pytest.mark.parametrize("name", ["rgb-planar-0", "rgb-planar-1", "signed-12-bit"])
def test_decoder_entry_points(name):
    from pydicom.pixels import get_decoder

    variant = build(name)
    ds = read(variant.dataset)
    decoder = get_decoder(PRIVATE_TRANSFER_SYNTAX)
    assert decoder.is_available
    assert "elscint_codec" in decoder.available_plugins
    buffer, properties = decoder.as_buffer(ds)
    # buffers are interleaved whatever the dataset declares, and say so
    assert bytes(buffer) == variant.raw.astype(variant.raw.dtype.newbyteorder("<")).tobytes()
    if variant.raw.ndim == 3:
        assert properties["planar_configuration"] == 0
    array, _ = decoder.as_array(ds, decoding_plugin="elscint_codec")
    assert_same(array, variant.expected, name)
    (array, _), *rest = list(decoder.iter_array(ds))
    assert not rest
    assert_same(array, variant.expected, name)
    ((raw, _),) = list(decoder.iter_buffer(ds))
    assert bytes(raw) == bytes(buffer)
    assert ds.get("PlanarConfiguration") == variant.dataset.get("PlanarConfiguration")


@needs_v3
def test_decoder_accepts_bytes_and_file_like():
    from pydicom.pixels import get_decoder

    variant = build("pixel-data")
    decoder = get_decoder(PRIVATE_TRANSFER_SYNTAX)
    options = {
        "rows": 24,
        "columns": 20,
        "samples_per_pixel": 1,
        "bits_allocated": 16,
        "bits_stored": 12,
        "pixel_representation": 0,
        "photometric_interpretation": "MONOCHROME2",
        "number_of_frames": 1,
    }
    array, _ = decoder.as_array(variant.stream, **options)
    assert_same(array, variant.expected)
    data = file_bytes(variant.dataset)
    ds = pydicom.dcmread(io.BytesIO(data))
    f = io.BytesIO(data)
    f.seek(ds["PixelData"].file_tell)
    start = f.tell()
    array, _ = decoder.as_array(f, **options)
    assert_same(array, variant.expected)
    assert f.tell() == start


@needs_v3
def test_v2_backend_of_pydicom_3():
    variant = build("rgb-planar-1")
    ds = read(variant.dataset)
    ds.pixel_array_options(use_v2_backend=True)
    assert_same(ds.pixel_array, variant.expected)


@pytest.mark.parametrize("name", NAMES)
def test_decompress_method(name, tmp_path):
    variant = build(name)
    ds = read(variant.dataset)
    ds.decompress()
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert ds.SOPInstanceUID == variant.dataset.SOPInstanceUID
    assert ds.PixelData == variant.pixel_bytes
    assert_same(ds.pixel_array, expected_array(variant), name)


def remaining_07a1(ds):
    """Group 07A1 tags left after decompression: all but the ELSCINT1 stream and type."""
    tags = {int(e.tag) for e in ds if e.tag.group == 0x07A1}
    try:
        block = ds.private_block(0x07A1, "ELSCINT1")
    except KeyError:
        return sorted(f"{tag:08X}" for tag in tags)
    return sorted(f"{tag:08X}" for tag in tags - {block.get_tag(0x0A), block.get_tag(0x11)})


def test_decompress_then_plain_pydicom_reads_the_files(tmp_path):
    variants = [build(name) for name in NAMES]
    paths = []
    for variant in variants:
        ds = read(variant.dataset)
        ds.decompress()
        paths.append(tmp_path / f"{variant.name}.dcm")
        ds.save_as(paths[-1])
    result = run_plain("read", paths, tmp_path)
    for index, (variant, facts) in enumerate(zip(variants, result["files"], strict=True)):
        assert facts["ts"] == "1.2.840.10008.1.2.1"
        assert facts["sop_instance_uid"] == variant.dataset.SOPInstanceUID
        assert facts["media_sop_instance_uid"] == variant.dataset.SOPInstanceUID
        assert facts["private_07a1"] == remaining_07a1(variant.dataset), variant.name
        assert_same(result["arrays"][str(index)], expected_array(variant), variant.name)


def test_decompress_can_still_make_a_new_uid():
    ds = read(build("private-element").dataset)
    ds.decompress(generate_instance_uid=True)
    assert ds.SOPInstanceUID != build("private-element").dataset.SOPInstanceUID
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID


def test_decompress_with_another_plugin_is_refused():
    ds = read(build("private-element").dataset)
    with pytest.raises(ValueError, match="'elscint_codec' plugin, not 'gdcm'"):
        ds.decompress(decoding_plugin="gdcm")


def test_truncated_stream_through_pydicom(tmp_path):
    variant = truncated()
    path = write(variant.dataset, tmp_path / "cut.dcm")
    with pytest.raises(elscint_codec.TruncatedDataError) as ours:
        elscint_codec.pixel_array(path)
    error = ours.value
    ds = pydicom.dcmread(path)
    # pydicom 3 wraps plugin errors in RuntimeError and drops the cause; pydicom 2
    # re-raises the handler's exception
    kind = elscint_codec.TruncatedDataError if PYDICOM_V2 else RuntimeError
    with pytest.raises(kind) as theirs:
        _ = ds.pixel_array
    message = str(theirs.value)
    assert str(error) in message
    npix = variant.expected.size
    for part in (str(path), "(07A1,100A)", "PMSCT_RLE1", str(error.offset), f"of {npix} pixels"):
        assert part in message


@pytest.mark.parametrize(
    ("change", "kind", "message"),
    [
        ({"NumberOfFrames": 2}, NotImplementedError, "Number of Frames is 2"),
        ({0x07A11011: "PMSCT_XYZ"}, NotImplementedError, "'PMSCT_XYZ' is not supported"),
        ({0x07A11011: "PMSCT_RGB1"}, ValueError, "PMSCT_RGB1 needs 3 sample"),
    ],
)
def test_unsupported_and_contradictory_datasets(change, kind, message):
    ds = read(build("private-element").dataset)
    for key, value in change.items():
        if isinstance(key, int):
            ds[key].value = value
        else:
            setattr(ds, key, value)
    with pytest.raises(kind, match=message):
        _ = ds.pixel_array
    with pytest.raises(kind, match=message):
        ds.decompress()


def _state():
    """Everything register() may touch, by identity."""
    from pydicom import config
    from pydicom.dataset import Dataset as DatasetClass

    state = {
        "decompress": DatasetClass.__dict__["decompress"],
        "handlers": list(config.pixel_data_handlers),
    }
    if not PYDICOM_V2:
        from pydicom import uid
        from pydicom.pixels.decoders import base

        state["syntaxes"] = list(uid.PrivateTransferSyntaxes)
        state["decoders"] = dict(base._PIXEL_DATA_DECODERS)
        state["native"] = [
            dict(vars(base._PIXEL_DATA_DECODERS[ts][0]))
            for ts in (uid.ExplicitVRLittleEndian, uid.ImplicitVRLittleEndian)
        ]
    return state


def test_register_and_unregister_are_idempotent_and_reversible():
    elscint_codec.unregister()
    elscint_codec.unregister()
    assert not plugin.is_registered()
    clean = _state()
    ds = read(build("private-element").dataset)
    with pytest.raises(NotImplementedError):
        _ = ds.pixel_array
    elscint_codec.register()
    registered = _state()
    assert registered != clean
    elscint_codec.register()
    assert _state() == registered
    assert plugin.is_registered()
    np.testing.assert_array_equal(
        read(build("private-element").dataset).pixel_array.shape, (24, 20)
    )
    elscint_codec.unregister()
    assert _state() == clean


@needs_v3
def test_native_decoders_keep_their_identity():
    from pydicom.pixels import get_decoder
    from pydicom.pixels.decoders import ExplicitVRLittleEndianDecoder

    assert get_decoder("1.2.840.10008.1.2.1") is ExplicitVRLittleEndianDecoder
    ds = read(build("standard-ts").dataset)
    assert_same(ExplicitVRLittleEndianDecoder.as_array(ds)[0], build("standard-ts").expected)


BUNDLED = [
    "CT_small.dcm",
    "MR_small.dcm",
    "MR_small_implicit.dcm",
    "MR_small_bigendian.dcm",
    "MR_small_expb.dcm",
    "MR_small_padded.dcm",
    "MR_small_RLE.dcm",
    "MR_truncated.dcm",
    "SC_rgb_rle.dcm",
    "SC_rgb_rle_2frame.dcm",
    "SC_rgb_small_odd.dcm",
    "SC_rgb_dcmtk_+eb+cy+np.dcm",
    "SC_ybr_full_422_uncompressed.dcm",
    "JPEG-lossy.dcm",
    "MR_small_jpeg_ls_lossless.dcm",
    "rtdose.dcm",
    "rtdose_rle.dcm",
    "image_dfl.dcm",
    "ExplVR_LitEndNoMeta.dcm",
    "no_meta.dcm",
    "examples_palette.dcm",
    "emri_small.dcm",
]


def test_pydicom_behaviour_on_ordinary_files_is_unchanged(tmp_path):
    import pydicom_probe

    paths = [TEST_FILES / name for name in BUNDLED if (TEST_FILES / name).exists()]
    assert len(paths) >= 18
    baseline = run_plain("behaviour", paths, tmp_path)["files"]
    assert plugin.is_registered()
    with_plugin = pydicom_probe.run("behaviour", {"paths": [str(p) for p in paths]})["files"]
    for path in paths:
        assert with_plugin[str(path)] == baseline[str(path)], path.name
    arrays = [f["pixel_array"] for f in with_plugin.values()]
    assert sum("sha256" in outcome for outcome in arrays) >= 12  # most files decode


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory):
    from elscint_codec.samples import write_study

    folder = tmp_path_factory.mktemp("study")
    return write_study(folder, seed=0, ct_slices=2, pet_slices=2, rgb=True)


SAMPLE_IDS = ["ct-0", "ct-1", "pet-0", "pet-1", "rgb"]


@pytest.mark.parametrize("index", range(len(SAMPLE_IDS)), ids=SAMPLE_IDS)
def test_sample_files(sample_files, index, tmp_path):
    path = sample_files[index]
    ds = pydicom.dcmread(path)
    shape = (ds.Rows, ds.Columns) + ((3,) if ds.SamplesPerPixel == 3 else ())
    array = ds.pixel_array
    assert array.shape == shape
    assert_same(array, elscint_codec.pixel_array(path, correct_unused_bits=not PYDICOM_V2))
    if not PYDICOM_V2:
        from pydicom.pixels import iter_pixels, pixel_array

        assert_same(pixel_array(ds), array)
        assert_same(next(iter_pixels(ds)), array)
    ds.decompress()
    ds.save_as(tmp_path / "converted.dcm")
    result = run_plain("read", [tmp_path / "converted.dcm"], tmp_path)
    facts = result["files"][0]
    assert facts["sop_instance_uid"] == facts["media_sop_instance_uid"] == ds.SOPInstanceUID
    assert facts["sop_instance_uid"] == pydicom.dcmread(path).SOPInstanceUID
    assert_same(result["arrays"]["0"], array)
