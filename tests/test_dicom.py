"""The dataset layer (elscint_codec.dicom): no registration, any pydicom version."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pydicom
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydicom.dataset import Dataset

import elscint_codec
from elscint_codec import dicom
from elscint_codec.errors import DatasetError, TruncatedDataError, UnsupportedError
from elscint_variants import NAMES, build, file_bytes, truncated, write
from plain_pydicom import run_plain

CT_SMALL = Path(pydicom.data.__file__).parent / "test_files" / "CT_small.dcm"


@pytest.fixture
def unregistered() -> Iterator[None]:
    """Run a test with the pydicom plugin removed: the dataset layer must not need it."""
    elscint_codec.unregister()
    try:
        yield
    finally:
        elscint_codec.register()


def read(ds: Dataset) -> Dataset:
    return pydicom.dcmread(io.BytesIO(file_bytes(ds)))


@pytest.mark.parametrize("name", NAMES)
def test_find_stream_returns_the_stream_and_its_element(name):
    variant = build(name)
    stream, tag = dicom.find_stream(read(variant.dataset))
    assert tag == variant.stream_tag
    # the writer pads odd values with one 0x00
    assert stream == variant.stream + b"\x00" * (len(variant.stream) % 2)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.usefixtures("unregistered")
def test_pixel_array_helper_from_path_file_and_dataset(name, tmp_path):
    variant = build(name)
    path = write(variant.dataset, tmp_path / f"{name}.dcm")
    with path.open("rb") as f:
        sources = [path, str(path), f, pydicom.dcmread(path)]
        for source in sources:
            array = elscint_codec.pixel_array(source)
            assert array.dtype == variant.expected.dtype
            np.testing.assert_array_equal(array, variant.expected)


def test_pixel_array_can_keep_unused_bits():
    variant = build("unused-high-bits")
    array = dicom.pixel_array(read(variant.dataset), correct_unused_bits=False)
    np.testing.assert_array_equal(array, variant.raw)
    assert (array > 4095).any()


def test_is_elscint():
    assert all(dicom.is_elscint(read(build(name).dataset)) for name in NAMES)
    assert not dicom.is_elscint(pydicom.dcmread(CT_SMALL))
    native = read(build("standard-ts").dataset)
    native.PixelData = b"\x00" * (native.Rows * native.Columns * 2)
    assert not dicom.is_elscint(native)  # native Pixel Data wins over a stale stream


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("private-element", "PMSCT_RLE1"),
        ("pixel-data", "PMSCT_RLE1"),
        ("rgb-planar-1", "PMSCT_RGB1"),
    ],
)
def test_compression_type_declared_or_inferred(name, expected):
    assert dicom.compression_type(read(build(name).dataset)) == expected


def test_compression_type_contradiction_is_a_dataset_error():
    ds = read(build("private-element").dataset)
    ds[0x07A11011].value = "PMSCT_RGB1"
    with pytest.raises(DatasetError, match=r"PMSCT_RGB1 needs 3 sample.*Samples per Pixel is 1"):
        dicom.compression_type(ds)
    with pytest.raises(ValueError, match="Bits Allocated is 16"):
        dicom.pixel_array(ds)


def test_unknown_compression_type_is_unsupported():
    ds = read(build("other-vendor-first").dataset)
    ds[0x07A11111].value = "PMSCT_RLE2"
    with pytest.raises(UnsupportedError, match="'PMSCT_RLE2' is not supported"):
        dicom.compression_type(ds)
    with pytest.raises(NotImplementedError, match="PMSCT_RLE2"):
        dicom.decompress(ds)


def test_other_bit_depth_without_type_is_unsupported():
    ds = read(build("pixel-data").dataset)
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    with pytest.raises(UnsupportedError, match=r"1 sample\(s\) per pixel of 8 bits"):
        dicom.pixel_array(ds)


def test_multi_frame_is_unsupported():
    ds = read(build("private-element").dataset)
    ds.NumberOfFrames = 3
    with pytest.raises(UnsupportedError, match="Number of Frames is 3"):
        dicom.image_info(ds)


@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [
        ("Rows", None, r"missing required element \(0028,0010\) Rows"),
        ("BitsStored", 17, "Bits Stored 17 does not fit"),
        ("PhotometricInterpretation", "YBR_FULL", "'YBR_FULL' does not fit PMSCT_RGB1"),
        ("PixelRepresentation", 1, "Pixel Representation 1 is not valid for PMSCT_RGB1"),
    ],
)
def test_image_pixel_module_is_checked(keyword, value, message):
    ds = read(build("rgb-planar-0").dataset)
    if value is None:
        del ds[keyword]
    else:
        setattr(ds, keyword, value)
    with pytest.raises(DatasetError, match=message):
        dicom.image_info(ds)


def test_not_an_elscint_dataset():
    with pytest.raises(DatasetError, match="not an Elscint-compressed image"):
        dicom.decompress(pydicom.dcmread(CT_SMALL))
    ds = read(build("private-element").dataset)
    del ds[0x07A1100A]
    with pytest.raises(DatasetError, match=r"no element \(07A1,xx0A\) of private creator"):
        dicom.find_stream(ds)


def test_encapsulated_pixel_data_is_unsupported():
    ds = read(build("pixel-data").dataset)
    ds["PixelData"].is_undefined_length = True
    with pytest.raises(UnsupportedError, match="encapsulated"):
        dicom.find_stream(ds)


def test_truncated_stream_error_stands_on_its_own(tmp_path):
    variant = truncated()
    path = write(variant.dataset, tmp_path / "cut.dcm")
    npix = variant.expected.size
    with pytest.raises(TruncatedDataError) as info:
        elscint_codec.pixel_array(path)
    error = info.value
    assert error.expected == npix
    assert 0 < error.got < npix
    assert 0 < error.offset <= len(variant.stream)
    message = str(error)
    for part in (str(path), "(07A1,100A)", "PMSCT_RLE1", f"{error.got} of {npix} pixels"):
        assert part in message
    assert f"byte {error.offset}" in message or f"{error.offset}-byte stream" in message


def test_failed_decompress_leaves_the_dataset_alone():
    ds = read(truncated().dataset)
    before = [(e.tag, e.VR, e.value) for e in ds]
    with pytest.raises(TruncatedDataError):
        dicom.decompress(ds)
    assert [(e.tag, e.VR, e.value) for e in ds] == before
    assert ds.file_meta.TransferSyntaxUID == "1.3.46.670589.33.1.4.1"


def _values(ds: Dataset) -> dict[int, object]:
    return {int(e.tag): (e.value) for e in ds}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.usefixtures("unregistered")
def test_decompress_makes_the_standard_dataset(name):
    variant = build(name)
    ds = read(variant.dataset)
    before = _values(ds)
    meta_before = _values(ds.file_meta)
    result = elscint_codec.decompress(ds)
    assert result is ds
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    element = ds["PixelData"]
    vr = element.VR
    assert vr == ("OB" if ds.BitsAllocated == 8 else "OW")
    assert element.value == variant.pixel_bytes
    assert not element.is_undefined_length
    after = _values(ds)
    removed = set(before) - set(after)
    try:
        block = variant.dataset.private_block(0x07A1, "ELSCINT1")
    except KeyError:  # stream in (7FE0,0010), no ELSCINT1 block at all
        assert removed == set()
    else:
        assert removed == {block.get_tag(0x0A), block.get_tag(0x11)} & set(before)
    # every other element is unchanged, UIDs included
    unchanged = {tag: value for tag, value in before.items() if tag not in removed}
    unchanged.pop(0x7FE00010, None)
    after.pop(0x7FE00010)
    assert after == unchanged
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    meta_after = _values(ds.file_meta)
    assert meta_after.pop(0x00020010) == "1.2.840.10008.1.2.1"
    meta_before.pop(0x00020010)
    assert meta_after == meta_before


def test_decompress_without_file_meta_creates_it():
    ds = read(build("private-element").dataset)
    del ds.file_meta
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = "1.3.46.670589.33.1.4.1"
    elscint_codec.decompress(ds)
    assert ds.file_meta.MediaStorageSOPClassUID == ds.SOPClassUID
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID


@pytest.mark.usefixtures("unregistered")
def test_decompressed_files_read_with_plain_pydicom(tmp_path):
    variants = [build(name) for name in NAMES]
    paths = []
    for variant in variants:
        ds = read(variant.dataset)
        elscint_codec.decompress(ds)
        path = tmp_path / f"{variant.name}.dcm"
        ds.save_as(path)
        paths.append(path)
    result = run_plain("read", paths, tmp_path)
    v2 = int(pydicom.__version__.split(".")[0]) < 3
    for index, (variant, facts) in enumerate(zip(variants, result["files"], strict=True)):
        assert facts["ts"] == "1.2.840.10008.1.2.1", variant.name
        assert facts["sop_instance_uid"] == variant.dataset.SOPInstanceUID
        assert facts["media_sop_instance_uid"] == variant.dataset.SOPInstanceUID
        assert facts["uids"]["StudyInstanceUID"] == variant.dataset.StudyInstanceUID
        assert facts["pixel_vr"] == ("OB" if variant.expected.dtype == np.uint8 else "OW")
        array = result["arrays"][str(index)]
        # plain pydicom 2 does not clear unused bits, pydicom 3 does
        expected = variant.raw if v2 else variant.expected
        assert array.dtype == expected.dtype, variant.name
        np.testing.assert_array_equal(array, expected, err_msg=variant.name)


grey_images = st.integers(1, 12).flatmap(
    lambda rows: st.integers(1, 12).flatmap(
        lambda columns: st.lists(
            st.integers(0, 0xFFFF), min_size=rows * columns, max_size=rows * columns
        ).map(lambda values: np.array(values, dtype=np.uint16).reshape(rows, columns))
    )
)


@given(
    image=grey_images,
    block=st.integers(0x10, 0xFF),
    syntax=st.sampled_from(["1.3.46.670589.33.1.4.1", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]),
)
def test_any_creator_block_and_syntax(image, block, syntax):
    from elscint_variants import add_elscint_block, add_grey_pixel_module, base_dataset

    ds = base_dataset(syntax)
    add_grey_pixel_module(ds, image, bits_stored=16, signed=False)
    tag = add_elscint_block(ds, elscint_codec.pmsct_rle1_encode(image), "PMSCT_RLE1", block=block)
    ds = read(ds)
    assert dicom.find_stream(ds)[1] == tag
    np.testing.assert_array_equal(dicom.pixel_array(ds), image)
