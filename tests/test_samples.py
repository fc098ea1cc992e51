"""Tests of the synthetic GEMINI TF PET/CT study generator (elscint_codec.samples)."""

from __future__ import annotations

import hashlib
import math
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pydicom
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom.dataset import Dataset

from elscint_codec import (
    pmsct_rgb1_decode,
    pmsct_rgb1_encode,
    pmsct_rle1_decode,
    pmsct_rle1_encode,
)
from elscint_codec.samples import (
    EXPLICIT_VR_LITTLE_ENDIAN,
    IMPLICIT_VR_LITTLE_ENDIAN,
    PRIVATE_TRANSFER_SYNTAX,
    ct_dataset,
    ct_slice_pixels,
    dataset_bytes,
    derive_uid,
    fused_rgb_pixels,
    pet_dataset,
    pet_slice_activity,
    pet_slice_pixels,
    rgb_dataset,
    write_dataset,
    write_study,
)
from tooling import require_tool

SEED = 7
CT_SLICES = 3
PET_SLICES = 4

# Top-level elements (tag:VR) of the real GEMINI TF CT slice listed in the project's
# shared reference header (software 2.3.0), transcribed.
REFERENCE_CT_ELEMENTS = """
00080005:CS 00080008:CS 00080012:DA 00080013:TM 00080016:UI 00080018:UI 00080020:DA
00080022:DA 00080023:DA 00080030:TM 00080032:TM 00080033:TM 00080050:SH 00080060:CS
00080070:LO 00080080:LO 00080081:ST 00080090:PN 00081010:SH 00081030:LO 0008103E:LO
00081040:LO 00081070:PN 00081090:LO 00081110:SQ 00081111:SQ 00081120:SQ 00081140:SQ
00100010:PN 00100020:LO 00100030:DA 00100040:CS 00101000:LO 00101010:AS 00101020:DS
00101030:DS 00102000:LO 00102110:LO 00102160:SH 001021B0:LT 001021C0:US 00104000:LT
00180022:CS 00180050:DS 00180060:DS 00180090:DS 00181020:LO 00181030:LO 00181100:DS
00181120:DS 00181130:DS 00181140:CS 00181143:DS 00181150:IS 00181151:IS 00181152:IS
00181160:SH 00181210:SH 00185100:CS 00189321:SQ 00189323:CS 00189345:FD 0020000D:UI
0020000E:UI 00200010:SH 00200011:IS 00200012:IS 00200013:IS 00200032:DS 00200037:DS
00200052:UI 00200060:CS 00201040:LO 00201041:DS 00204000:LT 00280002:US 00280004:CS
00280010:US 00280011:US 00280030:DS 00280100:US 00280101:US 00280102:US 00280103:US
00281050:DS 00281051:DS 00281052:DS 00281053:DS 00321032:PN 00321033:LO 00321060:LO
00321070:LO 00380010:LO 00380050:LO 00380500:LO 00400012:LO 00400253:SH 00400275:SQ
00E10010:LO 00E11001:US 00E11022:DS 00E11023:DS 00E1103F:CS 00E11040:SH 00E11042:LO
00E11061:LO 00E11063:SH 00E110C2:UI 01F10010:LO 01F11001:CS 01F11002:CS 01F11003:CS
01F11004:CS 01F11008:DS 01F1100A:US 01F1100C:DS 01F1100D:DS 01F1100E:FL 01F11027:DS
01F11028:DS 01F11030:US 01F11032:CS 01F11033:DS 01F11042:SH 01F11044:OW 01F11046:FL
01F11047:SH 01F11049:DS 01F1104A:SH 01F1104B:SH 01F1104C:SH 01F1104D:SH 01F1104E:LO
01F70010:LO 01F71010:OB 01F71011:OW 01F71013:OW 01F71014:OW 01F71015:OW 01F71016:OW
01F71017:OW 01F71018:OW 01F71019:OW 01F7101A:OW 01F7101B:OW 01F7101C:OW 01F7101E:OW
01F7101F:OW 01F71022:UI 01F71023:OW 01F71025:OW 01F71026:OW 01F71027:OW 01F71029:OW
01F7102B:OW 01F7102C:OW 01F7102D:OW 01F7102E:OW 01F71030:OW 01F71070:OW 01F71074:OW
01F71075:OW 07A10010:LO 07A1100A:OB 07A11010:LO 07A11011:CS 7FDF0010:LO FFFCFFFC:OB
"""
# Value lengths (bytes) of the 01F7 OW blobs and (01F1,1044) in the same reference.
REFERENCE_BLOB_LENGTHS = {
    0x01F11044: 644, 0x01F71011: 488, 0x01F71013: 136, 0x01F71014: 108, 0x01F71015: 188,
    0x01F71016: 40, 0x01F71017: 8, 0x01F71018: 228, 0x01F71019: 2160, 0x01F7101A: 28,
    0x01F7101B: 1272, 0x01F7101C: 116, 0x01F7101E: 364, 0x01F7101F: 148, 0x01F71023: 4,
    0x01F71025: 12, 0x01F71026: 13076, 0x01F71027: 36, 0x01F71029: 440, 0x01F7102B: 36,
    0x01F7102C: 656, 0x01F7102D: 8, 0x01F7102E: 128, 0x01F71030: 16, 0x01F71070: 584,
    0x01F71074: 288, 0x01F71075: 136,
}  # fmt: skip
UID_PATTERN = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("study")
    return write_study(folder, seed=SEED, ct_slices=CT_SLICES, pet_slices=PET_SLICES)


@pytest.fixture(scope="module")
def datasets(study: list[Path]) -> dict[str, list[Dataset]]:
    by_modality: dict[str, list[Dataset]] = {"CT": [], "PT": [], "OT": []}
    for path in study:
        ds = pydicom.dcmread(path)
        by_modality[ds.Modality].append(ds)
    return by_modality


def elscint(ds: Dataset) -> pydicom.dataset.PrivateBlock:
    return ds.private_block(0x07A1, "ELSCINT1")


def stream_of(ds: Dataset) -> bytes:
    return bytes(elscint(ds)[0x0A].value)


def parse_dt(date: str, time: str) -> datetime:
    return datetime.strptime(date + time.split(".")[0], "%Y%m%d%H%M%S")


def escapes(image: np.ndarray) -> int:
    """Pixels a PMSCT_RLE1 encoder must write as absolute values."""
    values = image.astype(np.int64).ravel()
    deltas = (np.diff(values, prepend=0) + 32768) % 65536 - 32768
    return int(np.count_nonzero((deltas < -128) | (deltas > 127) | (deltas == 0x5A)))


# --- the study on disk -------------------------------------------------------------


def test_study_layout(study: list[Path]) -> None:
    names = [p.relative_to(study[0].parent.parent).as_posix() for p in study]
    assert names == [
        "CT/IM_0001", "CT/IM_0002", "CT/IM_0003",
        "PT/IM_0001", "PT/IM_0002", "PT/IM_0003", "PT/IM_0004",
        "SC/IM_0001",
    ]  # fmt: skip
    for path in study:
        raw = path.read_bytes()
        assert raw[128:132] == b"DICM"


def test_same_seed_gives_identical_bytes(tmp_path: Path, study: list[Path]) -> None:
    again = write_study(tmp_path, seed=SEED, ct_slices=CT_SLICES, pet_slices=PET_SLICES)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in study]


def test_same_seed_identical_in_a_fresh_interpreter(tmp_path: Path, study: list[Path]) -> None:
    code = (
        "import sys; from elscint_codec.samples import write_study; "
        f"write_study(sys.argv[1], seed={SEED}, ct_slices={CT_SLICES}, pet_slices={PET_SLICES})"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, env=env)
    root = study[0].parent.parent
    for path in study:
        other = tmp_path / path.relative_to(root)
        assert (
            hashlib.sha256(other.read_bytes()).digest()
            == hashlib.sha256(path.read_bytes()).digest()
        ), path.name


def test_different_seeds_give_different_patients_and_uids(
    datasets: dict[str, list[Dataset]],
) -> None:
    other = pet_dataset(SEED + 1, 0, slices=PET_SLICES)
    mine = datasets["PT"][0]
    for keyword in (
        "PatientName", "PatientID", "StudyInstanceUID", "SeriesInstanceUID",
        "SOPInstanceUID", "FrameOfReferenceUID", "AccessionNumber",
    ):  # fmt: skip
        assert str(other[keyword].value) != str(mine[keyword].value), keyword
    assert stream_of(other) != stream_of(mine)
    assert not np.array_equal(
        ct_slice_pixels(SEED + 1, 0, 64, 64), ct_slice_pixels(SEED, 0, 64, 64)
    )


def test_patients_are_obviously_synthetic(datasets: dict[str, list[Dataset]]) -> None:
    ds = datasets["CT"][0]
    assert str(ds.PatientName).startswith("PHANTOM^")
    assert ds.PatientID.startswith("SAMPLE-")
    assert ds.InstitutionName == "SAMPLE HOSPITAL"


def test_shared_study_and_frame_of_reference(datasets: dict[str, list[Dataset]]) -> None:
    everything = [ds for group in datasets.values() for ds in group]
    assert len({ds.StudyInstanceUID for ds in everything}) == 1
    frames = {ds.FrameOfReferenceUID for ds in datasets["CT"] + datasets["PT"]}
    assert len(frames) == 1
    series = {m: {ds.SeriesInstanceUID for ds in group} for m, group in datasets.items()}
    assert all(len(s) == 1 for s in series.values())
    assert len(set.union(*series.values())) == 3
    sops = [ds.SOPInstanceUID for ds in everything]
    assert len(set(sops)) == len(sops)
    for ds in everything:
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert ds.file_meta.MediaStorageSOPClassUID == ds.SOPClassUID
        for uid in (ds.SOPInstanceUID, ds.StudyInstanceUID, ds.SeriesInstanceUID):
            assert len(uid) <= 64
            assert UID_PATTERN.match(uid)


def test_written_like_the_scanner(study: list[Path], datasets: dict[str, list[Dataset]]) -> None:
    for ds in [ds for group in datasets.values() for ds in group]:
        assert ds.file_meta.TransferSyntaxUID == PRIVATE_TRANSFER_SYNTAX
        assert "PixelData" not in ds
        block = elscint(ds)
        assert block.block_start == 0x1000
        assert ds[0x07A10010].value == "ELSCINT1"
        assert ds[0x07A1100A].VR == "OB"
        assert block[0x10].value == "3.5"
        assert ds[0x7FDF0010].value == "ELSCINT1"
        assert list(ds.keys())[-1] == 0xFFFCFFFC
        assert ds[0xFFFCFFFC].value == bytes(392)
        expected = "PMSCT_RGB1" if ds.Modality == "OT" else "PMSCT_RLE1"
        assert block[0x11].value == expected
    for path in study:  # the body is explicit VR little endian; the file ends with the padding
        raw = path.read_bytes()
        assert raw[-392 - 12 : -392] == b"\xfc\xff\xfc\xffOB\x00\x00" + (392).to_bytes(4, "little")


def test_ct_element_set_matches_the_reference_slice(datasets: dict[str, list[Dataset]]) -> None:
    expected = set(REFERENCE_CT_ELEMENTS.split())
    for ds in datasets["CT"]:
        found = {f"{int(elem.tag):08X}:{elem.VR}" for elem in ds}
        assert found == expected
        for tag, length in REFERENCE_BLOB_LENGTHS.items():
            assert len(ds[tag].value) == length, hex(tag)
        assert ds[0x01F71011].value[:2] == b"\x93\x7c"  # first word 0x7C93 as in the reference


def test_ct_geometry_and_pixel_module(datasets: dict[str, list[Dataset]]) -> None:
    cts = datasets["CT"]
    for index, ds in enumerate(cts):
        assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
        assert ds.Manufacturer == "Philips"
        assert ds.ManufacturerModelName == "GEMINI TF TOF 16"
        assert (ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit) == (
            512, 512, 16, 12, 11,
        )  # fmt: skip
        assert ds.PixelRepresentation == 0
        assert (float(ds.RescaleIntercept), float(ds.RescaleSlope)) == (-1024.0, 1.0)
        assert ds.PatientPosition == "HFS"
        assert [float(v) for v in ds.ImageOrientationPatient] == [1, 0, 0, 0, 1, 0]
        assert int(ds.InstanceNumber) == index + 1
        assert float(ds.SliceLocation) == float(ds.ImagePositionPatient[2])
        assert float(ds.PixelSpacing[0]) * ds.Columns == float(ds.ReconstructionDiameter)
    steps = np.diff([float(ds.ImagePositionPatient[2]) for ds in cts])
    assert np.allclose(steps, -float(cts[0].SliceThickness))
    assert len({tuple(ds.ImagePositionPatient[:2]) for ds in cts}) == 1


def test_ct_pixels_decode_to_the_generated_array(datasets: dict[str, list[Dataset]]) -> None:
    for index, ds in enumerate(datasets["CT"]):
        decoded = pmsct_rle1_decode(stream_of(ds), ds.Rows, ds.Columns)
        assert np.array_equal(decoded, ct_slice_pixels(SEED, index, slices=CT_SLICES))


def test_ct_compressed_sizes_resemble_the_scanner(datasets: dict[str, list[Dataset]]) -> None:
    # The reference 512 x 512 slice compresses to 282,228 bytes.
    for ds in datasets["CT"]:
        assert 250_000 <= len(stream_of(ds)) <= 320_000


@pytest.mark.parametrize("index", [5, 40, 120, 200, 260])
def test_ct_sizes_along_a_whole_body_series(index: int) -> None:
    """Head, neck, thorax, abdomen and pelvis of a 300-slice series stay realistic."""
    image = ct_slice_pixels(3, index, slices=300)
    assert 250_000 <= len(pmsct_rle1_encode(image)) <= 320_000
    assert 0.005 < escapes(image) / image.size < 0.05


def test_ct_values_look_like_anatomy() -> None:
    image = ct_slice_pixels(SEED, 1, slices=CT_SLICES)
    assert image.max() <= 4095  # 12 bits stored
    air = image[:40, :40]
    assert np.percentile(air, 95) <= 24
    assert air.std() > 2
    assert np.mean((image > 1000) & (image < 1130)) > 0.05  # soft tissue around 1064
    assert 1800 <= image.max() <= 2600  # cortical bone
    assert np.mean(image < 300) > 0.4  # air, lungs
    assert len(np.unique(image)) > 1000


# --- PET ------------------------------------------------------------------------------


def test_pet_headers(datasets: dict[str, list[Dataset]]) -> None:
    for index, ds in enumerate(datasets["PT"]):
        assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.128"
        assert (ds.Rows, ds.Columns, ds.BitsStored) == (144, 144, 16)
        assert ds.Units == "BQML"
        assert ds.DecayCorrection == "START"
        assert {"ATTN", "DECY"} <= set(ds.CorrectedImage)
        assert list(ds.SeriesType) == ["WHOLE BODY", "IMAGE"]
        assert float(ds.RescaleIntercept) == 0
        assert float(ds.PatientWeight) > 30
        assert 1.3 < float(ds.PatientSize) < 2.2
        assert ds.PatientSex in ("F", "M")
        assert re.match(r"^\d{3}Y$", ds.PatientAge)
        assert ds.ImageIndex == index + 1
        assert ds.NumberOfSlices == PET_SLICES
        series = parse_dt(ds.SeriesDate, ds.SeriesTime)
        assert series <= parse_dt(ds.AcquisitionDate, ds.AcquisitionTime)
        drug = ds.RadiopharmaceuticalInformationSequence[0]
        assert drug.RadionuclideCodeSequence[0].CodeValue == "C-111A1"
        assert "F^18^" in drug.RadiopharmaceuticalCodeSequence[0].CodeMeaning
        assert float(drug.RadionuclideHalfLife) == 6586.2
        assert 1e8 < float(drug.RadionuclideTotalDose) < 5e8  # Bq
        injected = datetime.strptime(drug.RadiopharmaceuticalStartDateTime, "%Y%m%d%H%M%S")
        assert injected.strftime("%H%M%S") == drug.RadiopharmaceuticalStartTime
        assert 40 * 60 < (series - injected).total_seconds() < 90 * 60


def test_philips_factors_follow_the_headers(datasets: dict[str, list[Dataset]]) -> None:
    for ds in datasets["PT"]:
        drug = ds.RadiopharmaceuticalInformationSequence[0]
        injected = datetime.strptime(drug.RadiopharmaceuticalStartDateTime, "%Y%m%d%H%M%S")
        elapsed = (parse_dt(ds.SeriesDate, ds.SeriesTime) - injected).total_seconds()
        decayed = float(drug.RadionuclideTotalDose) * 2.0 ** (
            -elapsed / float(drug.RadionuclideHalfLife)
        )
        suvbw = float(ds.PatientWeight) * 1000.0 / decayed
        philips = ds.private_block(0x7053, "Philips PET Private Group")
        suv_scale, activity_scale = float(philips[0x00].value), float(philips[0x09].value)
        assert activity_scale != pytest.approx(1.0)
        assert suv_scale / activity_scale == pytest.approx(suvbw, rel=1e-9)


def test_pet_frame_reference_time_gives_back_the_series_start(
    datasets: dict[str, list[Dataset]],
) -> None:
    lam = math.log(2.0) / 6586.2
    for ds in datasets["PT"]:
        duration = float(ds.ActualFrameDuration) / 1000.0
        mean = math.log(lam * duration / (1.0 - math.exp(-lam * duration))) / lam
        acquired = parse_dt(ds.AcquisitionDate, ds.AcquisitionTime)
        start = parse_dt(ds.SeriesDate, ds.SeriesTime)
        back = (acquired - start).total_seconds() + mean - float(ds.FrameReferenceTime) / 1000
        assert abs(back) < 0.01


def test_pet_pixels_and_slopes(datasets: dict[str, list[Dataset]]) -> None:
    slopes = set()
    for index, ds in enumerate(datasets["PT"]):
        decoded = pmsct_rle1_decode(stream_of(ds), 144, 144)
        assert np.array_equal(decoded, pet_slice_pixels(SEED, index, slices=PET_SLICES))
        assert decoded.max() == 32767
        slope = float(ds.RescaleSlope)
        slopes.add(ds.RescaleSlope)
        activity = pet_slice_activity(SEED, index, slices=PET_SLICES)
        assert np.max(np.abs(decoded * slope - activity)) <= slope * 0.5 + 1e-9
    assert len(slopes) == PET_SLICES  # a slope per slice


def test_pet_escape_rate_resembles_the_scanner(datasets: dict[str, list[Dataset]]) -> None:
    images = [pmsct_rle1_decode(stream_of(ds), 144, 144) for ds in datasets["PT"]]
    pixels_per_escape = sum(im.size for im in images) / sum(escapes(im) for im in images)
    assert 4 <= pixels_per_escape <= 12  # the scanner: about one escape every 7 pixels
    for ds in datasets["PT"]:
        assert 12_000 < len(stream_of(ds)) < 36_000


def test_pet_activity_has_hot_organs() -> None:
    activity = pet_slice_activity(SEED, 8, slices=16)  # heart level
    body = activity[activity > 0.3 * np.median(activity[activity > 0])]
    assert activity.min() >= 0
    assert np.max(activity) > 4 * np.median(body)
    assert np.mean(activity == 0) > 0.2  # outside the body


# --- RGB1 screen capture ------------------------------------------------------------------


def test_rgb_capture(datasets: dict[str, list[Dataset]]) -> None:
    (ds,) = datasets["OT"]
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7"
    assert (ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration) == (
        3, "RGB", 0,
    )  # fmt: skip
    assert (ds.BitsAllocated, ds.BitsStored, ds.HighBit) == (8, 8, 7)
    assert ds.BurnedInAnnotation == "YES"
    assert list(ds.ImageType)[:2] == ["DERIVED", "SECONDARY"]
    pet_uids = {d.SOPInstanceUID for d in datasets["PT"]}
    assert ds.SourceImageSequence[0].ReferencedSOPInstanceUID in pet_uids
    stream = stream_of(ds)
    decoded = pmsct_rgb1_decode(stream, ds.Rows, ds.Columns)
    assert np.array_equal(decoded, fused_rgb_pixels(SEED, PET_SLICES // 2, slices=PET_SLICES))
    assert 0.02 * decoded.size < len(stream) < 0.2 * decoded.size


def test_rgb_capture_exercises_both_modes() -> None:
    image = fused_rgb_pixels(SEED)
    grey = (image[..., 0] == image[..., 1]) & (image[..., 1] == image[..., 2])
    assert 0.5 < grey.mean() < 0.99
    assert len(np.unique(image[~grey], axis=0)) > 500  # a real colour overlay
    assert len(np.unique(image[grey][:, 0])) > 100  # a real grey CT
    stream = pmsct_rgb1_encode(image)
    assert stream.count(0x81) > 100  # many switches between grey and colour mode
    text = image[:40, :200]
    assert np.mean(np.all(text == 255, axis=-1)) > 0.02  # burned-in white text


# --- builder options ------------------------------------------------------------------


def test_stream_in_pixel_data() -> None:
    ds = pydicom.dcmread(
        _round_trip(pet_dataset(1, 0, slices=2, stream_location="pixel_data")), force=True
    )
    assert ds[0x7FE00010].VR == "OB"
    assert 0x07A1100A not in ds
    assert elscint(ds)[0x11].value == "PMSCT_RLE1"
    decoded = pmsct_rle1_decode(ds[0x7FE00010].value, 144, 144)
    assert np.array_equal(decoded, pet_slice_pixels(1, 0, slices=2))


@pytest.mark.parametrize("syntax", [EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN])
def test_standard_transfer_syntax(syntax: str) -> None:
    ds = pet_dataset(1, 1, slices=2, transfer_syntax=syntax)
    raw = dataset_bytes(ds)
    back = pydicom.dcmread(pydicom.filebase.DicomBytesIO(raw))
    assert back.file_meta.TransferSyntaxUID == syntax
    assert stream_of(back) == stream_of(ds)
    # the first data element after the meta is (0008,0005) with or without a VR
    body = raw[132 + 12 + back.file_meta.FileMetaInformationGroupLength :]
    assert body[:4] == b"\x08\x00\x05\x00"
    assert (body[4:6] == b"CS") is (syntax == EXPLICIT_VR_LITTLE_ENDIAN)


def test_private_block_moved_behind_a_decoy() -> None:
    ds = pydicom.dcmread(_round_trip(ct_dataset(2, 0, slices=1, rows=64, columns=64,
                                                private_block=0x12)))  # fmt: skip
    assert elscint(ds).block_start == 0x1200
    assert ds[0x07A10010].value != "ELSCINT1"
    assert ds[0x07A1100A].value == b"DECOY!"
    decoded = pmsct_rle1_decode(stream_of(ds), 64, 64)
    assert np.array_equal(decoded, ct_slice_pixels(2, 0, 64, 64, slices=1))


def test_custom_pixels_and_odd_stream_get_the_pad_byte() -> None:
    pixels = np.arange(12, dtype=np.uint16).reshape(3, 4) * 700
    ds = pydicom.dcmread(_round_trip(ct_dataset(0, 0, pixels=pixels, stream=b"\x5a\x00\x01")))
    assert (ds.Rows, ds.Columns) == (3, 4)
    assert stream_of(ds) == b"\x5a\x00\x01\x00"
    good = pydicom.dcmread(_round_trip(ct_dataset(0, 0, pixels=pixels)))
    assert np.array_equal(pmsct_rle1_decode(stream_of(good), 3, 4), pixels)


def test_rgb_planar_configuration_option() -> None:
    image = fused_rgb_pixels(4, rows=64, columns=96, slices=2)
    ds = rgb_dataset(4, pet_slices=2, pixels=image, planar_configuration=1)
    assert ds.PlanarConfiguration == 1
    assert np.array_equal(pmsct_rgb1_decode(stream_of(ds), 64, 96), image)


def test_write_dataset_creates_folders(tmp_path: Path) -> None:
    ds = ct_dataset(0, 0, slices=1, rows=32, columns=32)
    path = write_dataset(ds, tmp_path / "a" / "b" / "IM_0001")
    assert path.read_bytes() == dataset_bytes(ds)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: ct_slice_pixels(-1, 0), ValueError),
        (lambda: ct_slice_pixels(True, 0), TypeError),
        (lambda: ct_slice_pixels(0, 16, slices=16), ValueError),
        (lambda: ct_slice_pixels(0, 0, 0, 5), ValueError),
        (lambda: pet_slice_pixels(0, 0, 2.5), TypeError),  # type: ignore[arg-type]
        (lambda: fused_rgb_pixels(0, rows=32, columns=32), ValueError),
        (lambda: ct_dataset(0, 0, transfer_syntax="1.2.840.10008.1.2.2"), ValueError),
        (lambda: ct_dataset(0, 0, stream_location="elsewhere"), ValueError),  # type: ignore[arg-type]
        (lambda: ct_dataset(0, 0, private_block=0x100), ValueError),
        (lambda: ct_dataset(0, 0, pixels=np.zeros((4, 4), np.int32)), ValueError),
        (lambda: rgb_dataset(0, planar_configuration=2), ValueError),
        (lambda: write_study("unused", ct_slices=-1), ValueError),
        (lambda: dataset_bytes(Dataset()), ValueError),
    ],
)
def test_bad_arguments(call, error) -> None:
    with pytest.raises(error):
        call()


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**63),
    rows=st.integers(1, 48),
    columns=st.integers(1, 48),
    slices=st.integers(1, 400),
    data=st.data(),
)
def test_any_seed_and_size_gives_valid_slices(seed, rows, columns, slices, data) -> None:
    index = data.draw(st.integers(0, slices - 1))
    ct = ct_slice_pixels(seed, index, rows, columns, slices=slices)
    assert ct.shape == (rows, columns)
    assert ct.dtype == np.uint16
    assert ct.max() <= 4095
    assert np.array_equal(ct, ct_slice_pixels(seed, index, rows, columns, slices=slices))
    assert np.array_equal(pmsct_rle1_decode(pmsct_rle1_encode(ct), rows, columns), ct)
    pet = pet_slice_pixels(seed, index, rows, columns, slices=slices)
    assert pet.shape == (rows, columns)
    assert pet.dtype == np.uint16
    assert pet.max() in (0, 32767)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**63), parts=st.lists(st.text(max_size=8) | st.integers(), max_size=3))
def test_derived_uids_are_valid(seed, parts) -> None:
    uid = derive_uid(seed, *parts)
    assert uid.startswith("2.25.")
    assert len(uid) <= 64
    assert UID_PATTERN.match(uid)
    assert uid != derive_uid(seed + 1, *parts)


@pytest.mark.tools
def test_dcmdump_parses_every_file(study: list[Path]) -> None:
    dcmdump = require_tool("dcmdump")
    result = subprocess.run(
        [dcmdump, "-q", *map(str, study)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.count("PMSCT_RLE1") == CT_SLICES + PET_SLICES
    assert result.stdout.count("PMSCT_RGB1") == 1
    assert result.stdout.count("(fffc,fffc) OB") == len(study)


def _round_trip(ds: Dataset) -> pydicom.filebase.DicomBytesIO:
    return pydicom.filebase.DicomBytesIO(dataset_bytes(ds))
