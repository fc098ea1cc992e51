"""The element scanner: byte ranges agree with pydicom; damaged files raise, never crash;
the compiled walker reads every file exactly as the Python one."""

from __future__ import annotations

import io
import struct

import pydicom
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convert_builders import IMPLICIT, dicom_files, elscint_dataset, elscint_file, write
from elscint_codec import _scan
from elscint_codec.converter import ConvertOptions, convert, scan
from elscint_codec.converter.header import read_header
from elscint_codec.converter.scan import NotDicomError, looks_like_dicom, parse
from elscint_codec.errors import DatasetError
from elscint_codec.samples import write_study


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("scan") / "IM1"
    elscint_file(path, 1)
    return path.read_bytes()


def _pydicom_positions(data: bytes) -> dict[int, tuple[int, int]]:
    """(value offset, value length) of each top-level element, as pydicom sees them."""
    dataset = pydicom.dcmread(io.BytesIO(data))
    found = {}
    for tag in list(dataset.keys()):
        raw = dataset.get_item(tag)
        if hasattr(raw, "value_tell") and raw.length != 0xFFFFFFFF:
            found[int(tag)] = (raw.value_tell, raw.length)
    return found


@pytest.mark.parametrize("implicit", [False, True])
def test_positions_agree_with_pydicom(tmp_path, implicit):
    ds, _ = elscint_dataset(3)
    path = write(ds, tmp_path / "IM1", ts=IMPLICIT if implicit else "1.3.46.670589.33.1.4.1",
                 implicit=implicit)  # fmt: skip
    data = path.read_bytes()
    parsed = parse(data)
    assert parsed.implicit is implicit
    expected = _pydicom_positions(data)
    mine = {e.tag: (e.value_start, e.length) for e in parsed.elements}
    assert len(expected) > 20
    for tag, position in expected.items():
        assert mine[tag] == position
    assert parsed.elements[-1].end == len(data)
    undefined = [e for e in parsed.elements if e.length == 0xFFFFFFFF]
    assert [e.tag for e in undefined] == [0x00081140]  # Referenced Image Sequence


def test_header_values(sample):
    header = read_header(sample, parse(sample))
    assert header.elscint
    assert (header.rows, header.columns, header.samples, header.bits_allocated) == (16, 12, 1, 16)
    assert header.compression == "PMSCT_RLE1"
    assert header.patient_name == "DOE^JOHN"
    assert header.removed == (0x07A1100A, 0x07A11011)
    assert header.slice_position == pytest.approx(3.0)


def test_not_dicom():
    for data in (b"", b"hello world" * 20, bytes(200), b"%PDF-1.4" + bytes(300)):
        assert not looks_like_dicom(data)
        with pytest.raises(NotDicomError):
            parse(data)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_prefix_raises_cleanly_or_parses_a_prefix(sample, data):
    cut = data.draw(st.integers(min_value=0, max_value=len(sample) - 1))
    prefix = sample[:cut]
    full = [(e.tag, e.start, e.end) for e in parse(sample).elements]
    try:
        parsed = parse(prefix)
    except (NotDicomError, DatasetError) as exc:
        message = str(exc)  # plain words, never an empty message
    else:
        message = ""
    if message:
        return
    got = [(e.tag, e.start, e.end) for e in parsed.elements]
    assert got == full[: len(got)]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_damage_never_crashes_the_converter(tmp_path_factory, sample, data):
    position = data.draw(st.integers(min_value=128, max_value=len(sample) - 1))
    value = data.draw(st.integers(min_value=0, max_value=255))
    damaged = bytearray(sample)
    damaged[position] = value
    root = tmp_path_factory.mktemp("damaged")
    (root / "src").mkdir()
    (root / "src" / "IM1").write_bytes(bytes(damaged))
    summary = convert([root / "src"], root / "out", options=ConvertOptions(jobs=1, previews=False))
    assert summary.total == 1
    assert summary.failed + summary.converted + summary.copied + summary.skipped == 1
    if summary.converted:
        (name,) = dicom_files(root / "out")
        written = (root / "out" / name).read_bytes()
        parsed = parse(written)  # whatever was written is well-formed
        header = read_header(written, parsed)
        pixel = parsed.find(0x7FE00010)
        assert pixel is not None
        assert pixel.length == header.rows * header.columns * 2


# -- the compiled walker against the Python one ----------------------------------------------


def _walk(data: bytes, compiled: bool) -> tuple[str, object]:
    """parse(data) with or without the compiled walker: ('ok', elements) or (error, message)."""
    saved = scan.COMPILED_WALK[0]
    scan.COMPILED_WALK[0] = saved if compiled else None
    try:
        parsed = parse(data)
    except (NotDicomError, DatasetError) as exc:
        return type(exc).__name__, str(exc)
    finally:
        scan.COMPILED_WALK[0] = saved
    return "ok", (parsed.meta, parsed.elements, parsed.implicit, parsed.transfer_syntax)


def test_the_compiled_walker_reads_real_files_as_the_python_one(tmp_path):
    paths = write_study(tmp_path, seed=3, ct_slices=2, pet_slices=2, rgb=True)
    assert len(paths) == 5  # CT and PET slices, one RGB capture
    for path in paths:
        data = path.read_bytes()
        compiled, python = _walk(data, True), _walk(data, False)
        assert compiled[0] == "ok"
        assert compiled == python
        assert len(compiled[1][0]) >= 5  # file meta information
        assert len(compiled[1][1]) >= 60


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_compiled_walker_agrees_on_damaged_files(sample, data):
    """Same elements, or the same error, whatever bytes are changed or cut."""
    damaged = bytearray(sample)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        position = data.draw(st.integers(min_value=128, max_value=len(sample) - 1))
        damaged[position] = data.draw(st.integers(min_value=0, max_value=255))
    cut = data.draw(st.integers(min_value=132, max_value=len(sample)))
    damaged_bytes = bytes(damaged[:cut])
    assert _walk(damaged_bytes, True) == _walk(damaged_bytes, False)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=400))
def test_the_compiled_walker_never_reads_past_the_end(body):
    """Arbitrary bytes after a preamble: the same result as the Python walker, no crash."""
    data = bytes(128) + b"DICM" + b"\x08\x00\x05\x00CS" + body
    assert _walk(data, True) == _walk(data, False)
    for start in (0, 1, len(body) // 2):
        found, end = _scan.walk_explicit(body, start, len(body), scan._VR_CODES, scan.Element)
        assert start <= end <= max(start, len(body))
        assert all(start <= e.start < e.end <= end for e in found)


def _element_bytes(group: int, number: int, vr: str, value: bytes, undefined: bool) -> bytes:
    """One explicit-VR element; a long VR may claim an undefined length."""
    if vr in scan.LONG_VRS:
        length = 0xFFFFFFFF if undefined else len(value)
        return struct.pack("<HH2s2xI", group, number, vr.encode("ascii"), length) + value
    return struct.pack("<HH2sH", group, number, vr.encode("ascii"), len(value)) + value


_ELEMENTS = st.lists(
    st.tuples(
        st.sampled_from([0x0002, 0x0008, 0x0010, 0x07A1, 0x7FE0, 0xFFFE]),
        st.integers(0, 0xFFFF),
        st.sampled_from([*sorted(scan.VALID_VRS), "XX"]),
        st.binary(max_size=24),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@given(_ELEMENTS, st.data())
def test_the_compiled_walker_agrees_on_element_shaped_bytes(elements, data):
    """Headers of every VR, cut anywhere: reaches each early exit of the compiled loop.

    Also as a whole file, where leading (0002,xxxx) elements are the file meta
    information that the compiled walker reads up to the first other group.
    """
    whole = b"".join(_element_bytes(*element) for element in elements)
    cut = whole[: data.draw(st.integers(min_value=0, max_value=len(whole)))]

    def walked(compiled: bool) -> object:
        saved = scan.COMPILED_WALK[0]
        scan.COMPILED_WALK[0] = saved if compiled else None
        try:
            return list(scan.iter_elements(cut, 0, implicit=False))
        except DatasetError as exc:
            return str(exc)
        finally:
            scan.COMPILED_WALK[0] = saved

    assert walked(True) == walked(False)
    as_file = bytes(128) + b"DICM" + cut
    assert _walk(as_file, True) == _walk(as_file, False)
