"""The compiled splice (elscint_codec._splice) against the writer's Python splice."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elscint_codec import _splice
from elscint_codec.converter import writer
from elscint_codec.converter.header import read_header
from elscint_codec.converter.pixels import decode_pixels
from elscint_codec.converter.scan import Element, ParsedFile, parse
from elscint_codec.samples import write_study

PIXEL = [b"\xe0\x7f\x10\x00OW\x00\x00\x06\x00\x00\x00", b"\x01\x02\x03\x04\x05\x06"]


def python_splice(buf, elements, removed, changed, pixel):
    kept = [e for e in elements if e.tag not in removed]
    return writer._spliced_body(buf, kept, changed, pixel)


def compiled_splice(buf, elements, removed, changed, pixel):
    return _splice.splice(buf, elements, removed, changed, pixel, sum(map(len, pixel)))


def records_of(elements) -> bytes:
    """Pack elements as ``_scan.index_explicit`` records them (five native int64)."""
    packed = []
    for e in elements:
        vr_code = (ord(e.vr[0]) << 8) | ord(e.vr[1])
        packed.append(struct.pack("@5q", e.tag, vr_code, e.start, e.value_start, e.end))
    return b"".join(packed)


def records_splice(buf, elements, removed, changed, pixel):
    records = records_of(elements)
    return _splice.splice_records(buf, records, removed, changed, pixel, sum(map(len, pixel)))


def standard_bytes(path: Path, mode: str) -> bytes:
    """The standard file of ``path``, spliced from records, from elements or in Python."""
    data = path.read_bytes()
    parsed = parse(data)
    assert parsed.records is not None
    if mode != "records":  # the same file as Element tuples
        parsed = ParsedFile(parsed.preamble, parsed.meta, parsed.transfer_syntax,
                            parsed.implicit, parsed.elements, True, parsed.by_tag)  # fmt: skip
    header = read_header(data, parsed)
    decoded = decode_pixels(data, header)
    saved = writer.COMPILED_SPLICE[0]
    writer.COMPILED_SPLICE[0] = None if mode == "python" else saved
    try:
        return b"".join(writer.standard_file(data, parsed, header, decoded))
    finally:
        writer.COMPILED_SPLICE[0] = saved


def test_real_files_give_the_same_standard_file(tmp_path):
    paths = write_study(tmp_path, seed=5, ct_slices=2, pet_slices=2, rgb=True)
    for path in paths:
        compiled = standard_bytes(path, "records")
        assert compiled == standard_bytes(path, "elements")
        assert compiled == standard_bytes(path, "python")
        assert len(compiled) > path.stat().st_size  # decoded pixels are bigger


# Elements laid out one after the other over arbitrary bytes; number 0 with a 4-byte
# value is a group length, which the splice rewrites for a changed group.
_GROUPS = [0x0008, 0x0010, 0x07A1, 0x7FE0, 0x7FE1, 0xFFFC]
_SPECS = st.lists(
    st.tuples(
        st.sampled_from(_GROUPS),
        st.sampled_from([0x0000, 0x0010, 0x000A, 0x0011, 0x0020]),
        st.sampled_from([0, 2, 4, 6]),
        st.booleans(),  # removed
    ),
    max_size=12,
)


def _layout(specs, gaps):
    elements, position, removed = [], 0, set()
    for (group, number, length, remove), gap in zip(specs, gaps, strict=True):
        position += gap  # a gap breaks a span: it is not copied
        tag = (group << 16) | number
        elements.append(Element(tag, "OB", position, position + 8, length, position + 8 + length))
        position += 8 + length
        if remove:
            removed.add(tag)
    return tuple(elements), removed, position


@settings(max_examples=400, deadline=None)
@given(_SPECS, st.data())
def test_the_compiled_splice_gives_the_same_pieces(specs, data):
    gaps = data.draw(st.lists(st.sampled_from([0, 0, 0, 2]), min_size=len(specs),
                              max_size=len(specs)))  # fmt: skip
    elements, removed, size = _layout(specs, gaps)
    buf = data.draw(st.binary(min_size=size, max_size=size + 4))
    changed = data.draw(st.sets(st.sampled_from(_GROUPS), max_size=3))
    pixel = data.draw(st.sampled_from([PIXEL, [*PIXEL, b"\0"], [b""]]))
    expected = [bytes(p) for p in python_splice(buf, elements, removed, changed, pixel)]
    found = compiled_splice(buf, elements, removed, changed, pixel)
    assert [bytes(piece) for piece in found] == expected
    from_records = records_splice(buf, elements, removed, changed, pixel)
    assert [bytes(piece) for piece in from_records] == expected


@pytest.mark.parametrize(
    "element",
    [
        Element(0x00080016, "UI", 0, 8, 4, 13),  # one byte past the end
        Element(0x00080016, "UI", -2, 6, 4, 10),
    ],
)
def test_an_element_outside_the_buffer_is_refused(element):
    with pytest.raises((ValueError, OverflowError)):
        compiled_splice(bytes(12), (element,), set(), set(), PIXEL)
    with pytest.raises(ValueError, match="not inside the file"):
        records_splice(bytes(12), (element,), set(), set(), PIXEL)


def test_records_that_are_not_whole_or_have_no_valid_tag_are_refused():
    records = records_of([Element(0x00080016, "UI", 0, 8, 4, 12)])
    with pytest.raises(ValueError, match="not whole element records"):
        _splice.splice_records(bytes(12), records[:-1], set(), set(), PIXEL, 18)
    too_big = struct.pack("@5q", 1 << 32, 0x5549, 0, 8, 12)
    with pytest.raises(ValueError, match="no valid tag"):
        _splice.splice_records(bytes(12), too_big, set(), set(), PIXEL, 18)


def test_a_group_length_element_outside_the_buffer_is_refused():
    group_length = Element(0x00080000, "UL", 8, 16, 4, 20)  # its header runs past byte 12
    with pytest.raises(ValueError, match="not inside the file"):
        compiled_splice(bytes(12), (group_length,), set(), {0x0008}, PIXEL)


@pytest.mark.parametrize("bad", [(1, 2, 3), "abcdef", 7])
def test_something_else_than_an_element_is_refused(bad):
    with pytest.raises(ValueError, match="is not"):
        compiled_splice(bytes(16), (bad,), set(), set(), PIXEL)


def test_an_empty_data_set_is_the_pixel_data_alone():
    assert compiled_splice(b"", (), set(), {0x7FE0}, PIXEL) == PIXEL
    assert _splice.splice_records(b"", b"", set(), {0x7FE0}, PIXEL, 18) == PIXEL
