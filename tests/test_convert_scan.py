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
    return "ok", (parsed.meta, parsed.elements, parsed.implicit, parsed.transfer_syntax,
                  parsed.by_tag)  # fmt: skip


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
        records, records_end = _scan.index_explicit(body, start, len(body), scan._VR_CODES)
        assert records_end == end
        assert _scan.record_elements(records, scan._VR_CODES, scan.Element) == found


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


def test_a_repeated_tag_is_indexed_by_its_first_element_by_both_walkers():
    body = b"".join(
        _element_bytes(group, number, vr, value, False)
        for group, number, vr, value in [
            (0x0008, 0x0016, "UI", b"1.2"),
            (0x0008, 0x0018, "UI", b"1.3"),
            (0x0008, 0x0016, "UI", b"9.9"),  # repeated: the first one counts
            (0x0010, 0x0010, "PN", b"A^B "),
        ]
    )
    data = bytes(128) + b"DICM" + body
    for compiled in (True, False):
        status, (_, elements, _, _, by_tag) = _walk(data, compiled)
        assert status == "ok"
        assert len(elements) == 4
        assert by_tag[0x00080016] is elements[0]
        assert by_tag[0x00100010] is elements[3]
        assert len(by_tag) == 3


def test_the_compiled_walker_builds_any_tuple_type_and_index():
    """A named tuple is built directly; another tuple type through tuple.__new__."""

    class Loose(tuple):  # instances have a __dict__: not laid out as a plain tuple
        pass

    body = b"".join(
        _element_bytes(0x0008, number, "LO", b"x" * number, False)
        for number in (2, 300, 70000 & 0xFFFF)
    )
    for kind in (scan.Element, Loose):
        index: dict[int, object] = {}
        found, end = _scan.walk_explicit(body, 0, len(body), scan._VR_CODES, kind, -1, index)
        assert end == len(body)
        assert [type(e) for e in found] == [kind] * 3
        assert [tuple(e) for e in found] == [
            tuple(e) for e in scan.iter_elements(body, 0, implicit=False)
        ]
        assert list(index) == [e[0] for e in found]
        assert all(index[e[0]] is e for e in found)


def test_the_compiled_walker_follows_a_different_vr_table():
    body = _element_bytes(0x0008, 0x0060, "CS", b"PT", False) + _element_bytes(
        0x0008, 0x0070, "LO", b"ACME", False
    )
    only_cs = {code: kind for code, kind in scan._VR_CODES.items() if kind[0] == "CS"}
    found, end = _scan.walk_explicit(body, 0, len(body), only_cs, scan.Element)
    assert [e.tag for e in found] == [0x00080060]  # stops at the VR it does not know
    found, end = _scan.walk_explicit(body, 0, len(body), scan._VR_CODES, scan.Element)
    assert [e.tag for e in found] == [0x00080060, 0x00080070]
    assert end == len(body)


@pytest.mark.parametrize("kinds", [{0x10000: ("XX", False)}, {-1: ("XX", False)}])
def test_the_compiled_walker_refuses_a_vr_code_of_more_than_two_bytes(kinds):
    body = _element_bytes(0x0008, 0x0070, "LO", b"ACME", False)
    _scan.walk_explicit(body, 0, len(body), scan._VR_CODES, scan.Element)
    with pytest.raises(ValueError, match="two bytes"):
        _scan.walk_explicit(body, 0, len(body), {0x4353: ("CS", False), **kinds}, scan.Element)
    # the half-built table (CS only) is not kept: the usual table is read again
    found, _ = _scan.walk_explicit(body, 0, len(body), scan._VR_CODES, scan.Element)
    assert [e.tag for e in found] == [0x00080070]


def test_compiled_values_are_the_element_values(tmp_path):
    from elscint_codec.converter.header import _value

    for path in write_study(tmp_path, seed=4, ct_slices=1, pet_slices=1, rgb=True):
        data = path.read_bytes()
        parsed = parse(data)
        tags = (*parsed.by_tag, 0x00091234, 0x7FE00010, 0xFFFFFFFF)
        expected = [_value(data, parsed.by_tag.get(tag)) for tag in tags]
        assert _scan.values(data, parsed.by_tag, tags) == expected
        assert any(expected)
        assert b"" in expected  # sequences, or the missing tags


@pytest.mark.parametrize(
    "element",
    [
        scan.Element(0x00100010, "PN", 0, 8, 10, 18),  # runs past the 12 bytes
        scan.Element(0x00100010, "PN", 0, -4, 2, 6),
    ],
)
def test_compiled_values_refuse_an_element_outside_the_file(element):
    with pytest.raises(ValueError, match="not inside the file"):
        _scan.values(bytes(12), {element.tag: element}, (element.tag,))


def test_compiled_values_of_a_sequence_or_undefined_length_are_empty():
    elements = {
        1: scan.Element(1, "SQ", 0, 12, 4, 16),
        2: scan.Element(2, "UN", 0, 12, scan.UNDEFINED, 16),
        3: scan.Element(3, "LO", 0, 8, 4, 12),
    }
    assert _scan.values(bytes(range(16)), elements, (1, 2, 3)) == [b"", b"", bytes(range(8, 12))]


def test_compiled_values_take_plain_tuples_and_refuse_anything_else():
    plain = {3: (3, "LO", 0, 8, 4, 12)}  # a tuple, not an Element, is read the same
    assert _scan.values(bytes(range(16)), plain, (3,)) == [bytes(range(8, 12))]
    for wrong in ([3, "LO", 0, 8, 4, 12], (3, "LO", 0, 8, 4), "element"):
        with pytest.raises(TypeError, match="not \\(tag, vr"):
            _scan.values(bytes(range(16)), {3: wrong}, (3,))


@pytest.mark.parametrize(
    ("orientation", "expected"),
    [
        (b"1\\0\\0\\0\\1\\0", 30.0),  # axial: z
        (b"0\\1\\0\\0\\0\\-1", -10.0),  # sagittal: normal -x
        (b"1\\0\\0\\0\\0\\-1", 20.0),  # coronal: normal +y
    ],
)
def test_slice_position_of_the_three_planes(orientation, expected):
    from elscint_codec.converter.header import _slice_position

    assert _slice_position(b"10\\20\\30", orientation) == expected
    assert _slice_position(b"10\\20\\30", b"") == 30.0  # no orientation: z
    assert _slice_position(b"10\\20", orientation) is None


millimetres = st.floats(-1e3, 1e3, allow_nan=False)
cosines = st.floats(-1.0, 1.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(millimetres, min_size=3, max_size=3), st.lists(cosines, min_size=6, max_size=6))
def test_slice_position_is_the_dot_product_with_the_normal(position, orientation):
    import numpy as np

    from elscint_codec.converter.header import _slice_position

    def text(values: list[float]) -> bytes:
        return "\\".join(repr(v) for v in values).encode()

    normal = np.cross(orientation[:3], orientation[3:])
    expected = float(np.dot(position, normal))
    found = _slice_position(text(position), text(orientation))
    assert found == pytest.approx(expected, rel=1e-12, abs=1e-9)


def _python_parsed(data: bytes) -> scan.ParsedFile:
    saved = scan.COMPILED_WALK[0]
    scan.COMPILED_WALK[0] = None
    try:
        return parse(data)
    finally:
        scan.COMPILED_WALK[0] = saved


def test_records_answer_as_the_element_tuples(tmp_path):
    """find, values and tags_between read the records as the Python walk's elements."""
    for path in write_study(tmp_path, seed=6, ct_slices=1, pet_slices=1, rgb=True):
        data = path.read_bytes()
        records, python = parse(data), _python_parsed(data)
        assert records.records is not None
        assert python.records is None
        tags = [e.tag for e in python.elements]
        for tag in [*tags, 0x00091234, 0x7FE00010, 0xFFFFFFFF]:
            assert records.find(tag) == python.find(tag)
        wanted = (*tags, 0x00091234)
        assert records.values(data, wanted) == python.values(data, wanted)
        for low, high in [(0x07A10010, 0x07A100FF), (0, 0xFFFFFFFF), (0x00100000, 0x0010FFFF)]:
            assert records.tags_between(low, high) == python.tags_between(low, high)
        assert records._by_tag is None  # nothing was built from the records
        assert records.elements == python.elements
        assert records.by_tag == python.by_tag
        assert read_header(data, parse(data)) == read_header(data, python)


def test_a_repeated_tag_is_found_by_its_first_record():
    body = b"".join(
        _element_bytes(group, number, vr, value, False)
        for group, number, vr, value in [
            (0x0008, 0x0016, "UI", b"1.2"),
            (0x0008, 0x0016, "UI", b"9.9"),
            (0x0008, 0x0016, "SQ", b""),
        ]
    )
    records, _ = _scan.index_explicit(body, 0, len(body), scan._VR_CODES)
    assert _scan.record_values(body, records, (0x00080016,)) == [b"1.2"]
    first = _scan.record_find(records, 0x00080016, scan._VR_CODES, scan.Element)
    assert first == scan.Element(0x00080016, "UI", 0, 8, 3, 11)
    assert _scan.record_tags(records, 0x00080016, 0x00080016) == [0x00080016] * 3


def test_records_that_are_damaged_are_refused():
    body = _element_bytes(0x0010, 0x0010, "PN", b"A^B ", False)
    records, _ = _scan.index_explicit(body, 0, len(body), scan._VR_CODES)
    assert len(records) == 40
    for call in (
        lambda r: _scan.record_values(body, r, (0x00100010,)),
        lambda r: _scan.record_elements(r, scan._VR_CODES, scan.Element),
        lambda r: _scan.record_find(r, 0x00100010, scan._VR_CODES, scan.Element),
        lambda r: _scan.record_tags(r, 0, 0xFFFFFFFF),
    ):
        with pytest.raises(ValueError, match="not whole element records"):
            call(records[:-1])
    unknown_vr = struct.pack("@5q", 0x00100010, 0x5858, 0, 8, 12)  # "XX"
    with pytest.raises(ValueError, match="VR code"):
        _scan.record_elements(unknown_vr, scan._VR_CODES, scan.Element)
    past_the_end = struct.pack("@5q", 0x00100010, 0x504E, 0, 8, 13)
    with pytest.raises(ValueError, match="not inside the file"):
        _scan.record_values(body, past_the_end, (0x00100010,))
