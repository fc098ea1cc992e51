"""The standard file: every kept element byte-identical, pixels and file meta right."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.datadict import dictionary_VR, private_dictionary_VR
from pydicom.dataelem import RawDataElement

from convert_builders import (
    EXPLICIT,
    IMPLICIT,
    PRIVATE_TS,
    elscint_dataset,
    elscint_file,
    uid,
    write,
)
from elscint_codec.converter import ConvertOptions, convert
from elscint_codec.converter.scan import parse
from elscint_codec.converter.writer import (
    IMPLEMENTATION_CLASS_UID,
    IMPLEMENTATION_VERSION_NAME,
    file_meta,
)

PIXEL_DATA = 0x7FE00010

VARIANTS = {
    "rle1": {},
    "block-0x11": {"block": 0x11},
    "stream-in-pixel-data": {"in_pixel_data": True},
    "rgb1-planar-0": {"kind": "PMSCT_RGB1"},
    "rgb1-planar-1": {"kind": "PMSCT_RGB1", "planar": 1},
    "rgb1-odd-length": {"kind": "PMSCT_RGB1", "rows": 3, "columns": 3},
    "explicit-standard-syntax": {"ts": EXPLICIT},
}


def _convert_one(tmp_path: Path, **kwargs: object) -> tuple[Path, Path, np.ndarray]:
    source = tmp_path / "in" / "IM1"
    image = elscint_file(source, 3, **kwargs)
    summary = convert([tmp_path / "in"], tmp_path / "out", options=ConvertOptions(jobs=1))
    assert (summary.converted, summary.failed) == (1, 0), summary
    return source, tmp_path / "out" / "IM1", image


def _removed(dataset: pydicom.Dataset) -> set[int]:
    """Tags the conversion must drop, found independently through pydicom's private_block."""
    block = dataset.private_block(0x07A1, "ELSCINT1")
    tags = {block.get_tag(0x0A), block.get_tag(0x11)} & set(dataset.keys())
    return tags | ({PIXEL_DATA} if PIXEL_DATA in dataset else set())


def _element_bytes(path: Path) -> dict[int, bytes]:
    data = path.read_bytes()
    return {e.tag: data[e.start : e.end] for e in parse(data).elements}


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_kept_elements_byte_identical_and_pixels_decoded(tmp_path, variant):
    source, output, image = _convert_one(tmp_path, **variant)
    before, after = pydicom.dcmread(source), pydicom.dcmread(output)
    removed = _removed(before)
    assert removed  # the test would prove nothing otherwise
    kept = [tag for tag in list(before.keys()) if tag not in removed]
    assert sorted(after.keys()) == sorted([*kept, PIXEL_DATA])
    for tag in kept:  # pydicom's own raw view of each element
        raw_in, raw_out = before.get_item(tag), after.get_item(tag)
        if isinstance(raw_in, RawDataElement):
            assert (raw_out.VR, raw_out.length, raw_out.value) == (
                raw_in.VR,
                raw_in.length,
                raw_in.value,
            )
        else:
            assert raw_out.value == raw_in.value
    in_bytes, out_bytes = _element_bytes(source), _element_bytes(output)
    for tag in kept:  # whole elements, header included, as bytes in the file
        assert out_bytes[tag] == in_bytes[tag]
    pixel = after["PixelData"]
    if image.ndim == 3 and variant.get("planar") == 1:
        assert pixel.value[: image.size] == image.transpose(2, 0, 1).tobytes()
    np.testing.assert_array_equal(after.pixel_array, image)
    assert ("OB" if image.ndim == 3 else "OW") == pixel.VR
    assert len(pixel.value) % 2 == 0
    assert after.SOPInstanceUID == before.SOPInstanceUID
    assert after.StudyInstanceUID == before.StudyInstanceUID


def test_file_meta_regenerated(tmp_path):
    source, output, _ = _convert_one(tmp_path)
    before, after = pydicom.dcmread(source), pydicom.dcmread(output)
    meta = after.file_meta
    assert meta.TransferSyntaxUID == EXPLICIT
    assert meta.MediaStorageSOPInstanceUID == before.SOPInstanceUID
    assert meta.MediaStorageSOPClassUID == before.SOPClassUID
    assert meta.ImplementationClassUID == IMPLEMENTATION_CLASS_UID
    assert meta.ImplementationVersionName == IMPLEMENTATION_VERSION_NAME
    data = output.read_bytes()
    assert data[:128] == bytes(128)
    assert data[128:132] == b"DICM"
    group_length = struct.unpack_from("<I", data, 132 + 8)[0]
    dataset_start = 132 + 12 + group_length
    assert struct.unpack_from("<HH", data, dataset_start) == (0x0008, 0x0005)
    assert IMPLEMENTATION_CLASS_UID.startswith("2.25.")
    assert len(IMPLEMENTATION_CLASS_UID) <= 64
    assert len(IMPLEMENTATION_VERSION_NAME) <= 16


def test_file_meta_keeps_optional_elements():
    source_ae = b"\x02\x00\x16\x00AE\x06\x00SCNR01"
    meta = file_meta("1.2.3", "1.2.3.4", [source_ae])
    dataset = pydicom.dcmread(pydicom.filebase.DicomBytesIO(bytes(128) + b"DICM" + meta),
                              force=True)  # fmt: skip
    assert dataset.file_meta.SourceApplicationEntityTitle == "SCNR01"
    assert dataset.file_meta.MediaStorageSOPInstanceUID == "1.2.3.4"


def test_implicit_input_keeps_values_and_takes_vrs_from_dictionary(tmp_path):
    source, output, image = _convert_one(tmp_path, ts=IMPLICIT, implicit=True)
    before, after = pydicom.dcmread(source), pydicom.dcmread(output)
    assert after.file_meta.TransferSyntaxUID == EXPLICIT
    removed = _removed(before)
    parsed = pydicom.dcmread(source)  # a second copy whose values pydicom may convert
    creators = {(t >> 16, t & 0xFF): parsed[t].value for t in list(parsed.keys()) if
                t >> 16 & 1 and 0x10 <= t & 0xFFFF <= 0xFF}  # fmt: skip
    checked = 0
    for tag in list(before.keys()):
        if tag in removed:
            assert tag not in after
            continue
        raw_in, out = before.get_item(tag), after.get_item(tag)
        group, number = tag >> 16, tag & 0xFFFF
        if group & 1 and number > 0xFF:
            try:
                wanted = private_dictionary_VR(tag, creators[(group, number >> 8)])
            except KeyError:
                wanted = "UN"
        elif group & 1:
            wanted = "LO"
        else:
            wanted = dictionary_VR(tag)
        if wanted == "US or SS":
            wanted = "US"
        assert wanted == out.VR, f"{tag} {out.VR} {wanted}"
        if wanted != "SQ":
            assert out.value == raw_in.value  # value bytes unchanged
            checked += 1
        else:
            assert after[tag].value == before[tag].value
    assert checked > 20
    np.testing.assert_array_equal(after.pixel_array, image)


def test_implicit_unknown_private_tag_becomes_un(tmp_path):
    ds, image = elscint_dataset(1)
    ds.private_block(0x0009, "SOMEONE", create=True).add_new(0x01, "LO", "abc")
    write(ds, tmp_path / "in" / "IM1", ts=IMPLICIT, implicit=True)
    convert([tmp_path / "in"], tmp_path / "out", options=ConvertOptions(jobs=1))
    after = pydicom.dcmread(tmp_path / "out" / "IM1")
    assert after[0x00091001].VR == "UN"
    assert after[0x00091001].value == b"abc "
    np.testing.assert_array_equal(after.pixel_array, image)


def test_group_length_in_changed_group_is_recomputed(tmp_path):
    ds, image = elscint_dataset(2)
    source = write(ds, tmp_path / "in" / "IM1", ts=PRIVATE_TS)
    data = source.read_bytes()
    group = [e for e in parse(data).elements if e.group == 0x07A1]
    length = sum(e.end - e.start for e in group)
    # pydicom drops group lengths when writing; splice a (retired but legal) one in
    group_length = struct.pack("<HH2sHI", 0x07A1, 0, b"UL", 4, length)
    source.write_bytes(data[: group[0].start] + group_length + data[group[0].start :])
    convert([tmp_path / "in"], tmp_path / "out", options=ConvertOptions(jobs=1))
    out = (tmp_path / "out" / "IM1").read_bytes()
    kept = [e for e in parse(out).elements if e.group == 0x07A1]
    assert kept[0].tag == 0x07A10000
    written = struct.unpack_from("<I", out, kept[0].value_start)[0]
    assert written == sum(e.end - e.start for e in kept[1:])
    assert written < length  # the stream and compression type are gone
    np.testing.assert_array_equal(pydicom.dcmread(tmp_path / "out" / "IM1").pixel_array, image)


def test_uid_helper_is_valid():
    assert len(uid("x")) <= 64
