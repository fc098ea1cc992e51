"""Real consumers read the converter's output: SimpleITK (the ITK/GDCM route of
3D Slicer), DCMTK, dicom3tools' dciodvfy and dcm2niix.

One generated GEMINI study (12 CT slices 512 x 512, 12 PET slices, one fused
RGB capture) is converted once per session; every test feeds the output to a
tool and compares what the tool read with what our decoder gives for the
INPUT file (stored values straight from the compressed stream).
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
import pytest

from elscint_codec import pmsct_rgb1_decode, pmsct_rle1_decode
from elscint_codec.converter import ConvertOptions, convert
from elscint_codec.dicom import find_stream
from elscint_codec.samples import write_study
from nifti_support import RGB24, nifti_files, read_nifti, run_dcm2niix
from tooling import require_module, require_tool

pytestmark = pytest.mark.tools

DOCS = Path(__file__).resolve().parent.parent / "docs" / "validation.md"
SEED = 5
CT_SLICES = 12
PET_SLICES = 12
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"


@dataclass(frozen=True)
class Slice:
    """One input file: its header (read by pydicom) and our decode of its stream."""

    name: str  # path relative to the study folder, e.g. "CT/IM_0003"
    header: pydicom.Dataset
    stored: np.ndarray  # uint16 (rows, columns) or uint8 (rows, columns, 3)

    @property
    def normal(self) -> np.ndarray:
        row, column = np.array(self.header.ImageOrientationPatient, dtype=float).reshape(2, 3)
        return np.cross(row, column)

    @property
    def position(self) -> np.ndarray:
        return np.array(self.header.ImagePositionPatient, dtype=float)

    @property
    def modality_values(self) -> np.ndarray:
        """Stored values x Rescale Slope + Rescale Intercept, in float64."""
        slope = float(self.header.get("RescaleSlope", 1))
        intercept = float(self.header.get("RescaleIntercept", 0))
        return self.stored.astype(np.float64) * slope + intercept


@dataclass(frozen=True)
class Study:
    source: Path
    output: Path
    ct: list[Slice]  # sorted along the slice normal, as ITK sorts a series
    pet: list[Slice]
    rgb: Slice

    def all(self) -> list[Slice]:
        return [*self.ct, *self.pet, self.rgb]

    def out(self, item: Slice) -> Path:
        return self.output / item.name

    def into(self, item: Slice) -> Path:
        return self.source / item.name


def _decoded(path: Path, root: Path) -> Slice:
    header = pydicom.dcmread(path)
    stream, _tag = find_stream(header)
    if header.SamplesPerPixel == 3:
        stored = pmsct_rgb1_decode(stream, header.Rows, header.Columns)
    else:
        stored = pmsct_rle1_decode(stream, header.Rows, header.Columns)
    return Slice(path.relative_to(root).as_posix(), header, stored)


def _along_normal(slices: list[Slice]) -> list[Slice]:
    return sorted(slices, key=lambda s: float(s.position @ s.normal))


@pytest.fixture(scope="session")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    root = tmp_path_factory.mktemp("consumers")
    source, output = root / "study", root / "converted"
    files = write_study(source, seed=SEED, ct_slices=CT_SLICES, pet_slices=PET_SLICES, rgb=True)
    summary = convert([source], output, options=ConvertOptions(jobs=1, previews=False))
    assert summary.exit_code == 0, summary.line()
    assert summary.converted == len(files) == CT_SLICES + PET_SLICES + 1
    slices = [_decoded(path, source) for path in files]
    by_modality: dict[str, list[Slice]] = {}
    for item in slices:
        by_modality.setdefault(str(item.header.Modality), []).append(item)
    (rgb,) = [s for s in slices if s.stored.ndim == 3]
    return Study(
        source,
        output,
        _along_normal(by_modality["CT"]),
        _along_normal(by_modality["PT"]),
        rgb,
    )


def _run(command: list[str], **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, **options
    )


# -- SimpleITK (ITK + GDCM, the route 3D Slicer's DICOM loader takes) --------------------------


def _simpleitk():
    require_module("SimpleITK")
    return importlib.import_module("SimpleITK")


def _series_volume(folder: Path, series_uid: str):
    sitk = _simpleitk()
    reader = sitk.ImageSeriesReader()
    found = reader.GetGDCMSeriesIDs(str(folder))
    assert list(found) == [series_uid], f"GDCM sees {found} in {folder}, not one series"
    names = reader.GetGDCMSeriesFileNames(str(folder), series_uid)
    reader.SetFileNames(names)
    return reader.Execute(), [Path(name) for name in names]


def _expected_geometry(slices: list[Slice]) -> dict[str, np.ndarray]:
    first = slices[0].header
    row, column = np.array(first.ImageOrientationPatient, dtype=float).reshape(2, 3)
    normal = np.cross(row, column)
    depths = np.array([float(s.position @ normal) for s in slices])
    steps = np.diff(depths)
    assert np.allclose(steps, steps[0]), "the generated series is not evenly spaced"
    row_spacing, column_spacing = (float(v) for v in first.PixelSpacing)
    return {
        "spacing": np.array([column_spacing, row_spacing, steps[0]]),
        "origin": slices[0].position,
        # ITK's direction matrix, row-major, has the axes as columns.
        "direction": np.column_stack([row, column, normal]).reshape(-1),
    }


def _check_geometry(image, slices: list[Slice]) -> None:
    expected = _expected_geometry(slices)
    first = slices[0].header
    assert image.GetSize() == (first.Columns, first.Rows, len(slices))
    assert image.GetDimension() == 3
    np.testing.assert_allclose(image.GetSpacing(), expected["spacing"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(image.GetOrigin(), expected["origin"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(image.GetDirection(), expected["direction"], rtol=0, atol=1e-9)


def test_simpleitk_reads_the_ct_series_as_one_volume_in_hounsfield_units(study: Study) -> None:
    sitk = _simpleitk()
    first = study.ct[0]
    image, names = _series_volume(study.out(first).parent, str(first.header.SeriesInstanceUID))
    assert names == [study.out(s) for s in study.ct], "ITK orders the slices differently"
    _check_geometry(image, study.ct)
    volume = sitk.GetArrayFromImage(image)  # (slices, rows, columns)
    expected = np.stack([s.modality_values for s in study.ct])
    assert float(first.header.RescaleIntercept) == -1024.0  # so HU differ from stored values
    assert volume.dtype.kind in "iu", "CT with slope 1 should read as integers"
    np.testing.assert_array_equal(volume.astype(np.float64), expected)


def test_simpleitk_reads_the_pet_series_with_activity_values(study: Study) -> None:
    sitk = _simpleitk()
    first = study.pet[0]
    image, names = _series_volume(study.out(first).parent, str(first.header.SeriesInstanceUID))
    assert names == [study.out(s) for s in study.pet]
    _check_geometry(image, study.pet)
    slopes = {float(s.header.RescaleSlope) for s in study.pet}
    assert len(slopes) == len(study.pet), "the PET slices should each have their own slope"
    volume = sitk.GetArrayFromImage(image)
    assert volume.dtype.kind == "f"
    expected = np.stack([s.modality_values for s in study.pet])
    np.testing.assert_allclose(volume, expected, rtol=1e-6, atol=1e-6 * float(expected.max()))
    assert str(first.header.Units) == "BQML"
    assert expected.max() > 1000.0


def test_simpleitk_reads_the_rgb_capture(study: Study) -> None:
    sitk = _simpleitk()
    image = sitk.ReadImage(str(study.out(study.rgb)))
    assert image.GetNumberOfComponentsPerPixel() == 3
    pixels = sitk.GetArrayFromImage(image).reshape(study.rgb.stored.shape)
    np.testing.assert_array_equal(pixels, study.rgb.stored)


# -- DCMTK ------------------------------------------------------------------------------------


def test_dcmdump_reads_every_converted_file(study: Study, tmp_path: Path) -> None:
    dcmdump = require_tool("dcmdump")
    outputs = [str(study.out(s)) for s in study.all()]
    run = _run([dcmdump, "+fo", "-E", *outputs])
    assert run.returncode == 0, run.stderr
    assert run.stderr == "", f"dcmdump complained:\n{run.stderr}"
    assert run.stdout.count("(7fe0,0010)") == len(outputs)
    # The check can fail: a damaged copy is refused by the same command.
    damaged = tmp_path / "damaged.dcm"
    damaged.write_bytes(study.out(study.ct[0]).read_bytes()[:-200_000])
    broken = _run([dcmdump, "+fo", "-E", str(damaged)])
    assert broken.returncode != 0 or "E:" in broken.stderr


def _dcmdump_blocks(text: str) -> dict[str, str]:
    blocks = re.split(r"^# dcmdump \(\d+/\d+\): ", text, flags=re.MULTILINE)
    return {block.splitlines()[0]: block for block in blocks if block.strip()}


def test_dcmdump_shows_explicit_little_endian_and_native_pixel_data(study: Study) -> None:
    dcmdump = require_tool("dcmdump")
    items = study.all()
    run = _run([dcmdump, "-Un", "+fo", "+F", "+P", "0002,0010", "+P", "7fe0,0010",
                *(str(study.out(s)) for s in items)])  # fmt: skip
    assert run.returncode == 0, run.stderr
    blocks = _dcmdump_blocks(run.stdout)
    for item in items:
        block = blocks[str(study.out(item))]
        assert f"(0002,0010) UI [{EXPLICIT_VR_LITTLE_ENDIAN}]" in block
        vr, length = re.search(r"^\(7fe0,0010\) (\w\w) .*# *(\d+),", block, re.MULTILINE).groups()
        assert int(length) == item.stored.nbytes
        assert vr == ("OB" if item.stored.ndim == 3 else "OW"), item.name


def _read_pnm(path: Path) -> np.ndarray:
    """Read a PGM/PPM file (ASCII P2/P3 or binary P5/P6 with 8-bit samples)."""
    data = path.read_bytes()
    fields = re.match(rb"(P[2356])\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert fields is not None, f"{path} is not a PNM file"
    kind, width, height, _maximum = fields.groups()
    channels = 3 if kind in (b"P3", b"P6") else 1
    body = data[fields.end() :]
    if kind in (b"P2", b"P3"):
        values = np.array(body.split(), dtype=np.int64)
    else:
        values = np.frombuffer(body, dtype=np.uint8).astype(np.int64)
    shape = (int(height), int(width), channels) if channels == 3 else (int(height), int(width))
    return values.reshape(shape)


def test_dcm2pnm_renders_a_ct_slice_and_the_rgb_capture_exactly(
    study: Study, tmp_path: Path
) -> None:
    dcm2pnm = shutil.which("dcmj2pnm") or require_tool("dcm2pnm")
    ct = study.ct[len(study.ct) // 2]
    assert int(ct.header.BitsStored) == 12
    # No VOI window: DCMTK maps the 12-bit modality range linearly onto 12 output bits,
    # which gives back the stored values exactly.
    grey = tmp_path / "ct.pgm"
    run = _run([dcm2pnm, "+opn", "12", str(study.out(ct)), str(grey)])
    assert run.returncode == 0, run.stderr
    np.testing.assert_array_equal(_read_pnm(grey), ct.stored)
    colour = tmp_path / "capture.ppm"
    run = _run([dcm2pnm, "+op", str(study.out(study.rgb)), str(colour)])
    assert run.returncode == 0, run.stderr
    np.testing.assert_array_equal(_read_pnm(colour), study.rgb.stored)


def test_dcmftest_accepts_every_converted_file(study: Study) -> None:
    dcmftest = require_tool("dcmftest")
    outputs = [str(study.out(s)) for s in study.all()]
    run = _run([dcmftest, *outputs])
    assert run.returncode == 0, run.stdout + run.stderr
    answers = dict(line.split(": ", 1)[::-1] for line in run.stdout.splitlines())
    assert answers == dict.fromkeys(outputs, "yes")


# -- dicom3tools dciodvfy ---------------------------------------------------------------------

#: Messages about what the conversion is responsible for: none may appear.
CONVERSION_TOPICS = re.compile(
    r"pixel ?data|transfer ?syntax|meta ?information|media ?storage|implementation"
    r"|0x0002,|0x7fe0,|group ?length",
    re.IGNORECASE,
)
#: The only error the input has and the output must not: the image itself.
MISSING_PIXEL_DATA = (
    "Error - Missing attribute Type 1C Conditional Element=<PixelData> Module=<ImagePixel>"
)


def _dciodvfy(path: Path) -> list[str]:
    run = _run([require_tool("dciodvfy"), str(path)])
    return [line.rstrip() for line in (run.stdout + run.stderr).splitlines() if line.strip()]


def test_dciodvfy_finds_nothing_the_conversion_is_responsible_for(study: Study) -> None:
    documented = DOCS.read_text(encoding="utf-8")
    remaining: set[str] = set()
    for item in study.all():
        before, after = _dciodvfy(study.into(item)), _dciodvfy(study.out(item))
        assert MISSING_PIXEL_DATA in before, f"{item.name}: dciodvfy did not check the input"
        problems = [line for line in after if CONVERSION_TOPICS.search(line)]
        assert not problems, f"{item.name}: {problems}"
        # Everything else it says about the output, it said about the input too.
        assert after == [line for line in before if line != MISSING_PIXEL_DATA], item.name
        remaining.update(line for line in after if line.startswith("Error"))
    # Each remaining error comes from the scanner's header; docs/validation.md says why.
    undocumented = {line for line in remaining if line not in documented}
    assert not undocumented, f"explain these in {DOCS.name}: {sorted(undocumented)}"


# -- dcm2niix --------------------------------------------------------------------------------


def test_dcm2niix_converts_the_output_with_the_same_values(study: Study, tmp_path: Path) -> None:
    log = run_dcm2niix(study.output, tmp_path)
    written = nifti_files(tmp_path)
    series = {str(s[0].header.SeriesNumber): s for s in (study.ct, study.pet, [study.rgb])}
    assert set(written) == set(series), log

    ct = read_nifti(written[str(study.ct[0].header.SeriesNumber)])
    assert ct.dim[1:4] == (512, 512, CT_SLICES)
    assert (ct.scl_slope, ct.scl_inter) == (1.0, -1024.0)
    # dcm2niix stores rows bottom-up (NIfTI orientation) and slices along the normal.
    stored = np.stack([s.stored for s in study.ct])
    np.testing.assert_array_equal(ct.data[:, ::-1, :].astype(np.int64), stored)
    spacing = _expected_geometry(study.ct)["spacing"]
    np.testing.assert_allclose(ct.pixdim[1:4], spacing, rtol=1e-6)

    pet = read_nifti(written[str(study.pet[0].header.SeriesNumber)])
    assert pet.data.dtype == np.float32, "slopes vary per slice: dcm2niix applies them"
    expected = np.stack([s.modality_values for s in study.pet])
    np.testing.assert_allclose(
        pet.data[:, ::-1, :], expected, rtol=1e-6, atol=1e-6 * float(expected.max())
    )

    rgb = read_nifti(written[str(study.rgb.header.SeriesNumber)])
    assert rgb.datatype == RGB24
    np.testing.assert_array_equal(rgb.data[0, ::-1], study.rgb.stored)
