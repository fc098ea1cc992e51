"""Hand-written byte vectors for every code path of both decoders."""

from __future__ import annotations

import mmap
import warnings

import numpy as np
import pytest

from elscint_codec import (
    DecodeError,
    ElscintError,
    ElscintWarning,
    TruncatedDataError,
    pmsct_rgb1_decode,
    pmsct_rle1_decode,
)


def rle1(hex_stream: str, rows: int, columns: int) -> list[int]:
    return pmsct_rle1_decode(bytes.fromhex(hex_stream), rows, columns).reshape(-1).tolist()


def rgb1(hex_stream: str, rows: int, columns: int) -> list[list[int]]:
    image = pmsct_rgb1_decode(bytes.fromhex(hex_stream), rows, columns)
    return image.reshape(-1, 3).tolist()


class TestRle1Paths:
    def test_plain_deltas_signed(self):
        # +1, +127, -128, -1 applied in turn to a running value that starts at 0
        assert rle1("01 7f 80 ff", 1, 4) == [1, 128, 0, 65535]

    def test_deltas_wrap_modulo_2_16(self):
        assert rle1("ff ff 02 00", 2, 2) == [65535, 65534, 0, 0]

    def test_absolute_value_little_endian(self):
        assert rle1("5a 34 12 01 01", 1, 3) == [0x1234, 0x1235, 0x1236]

    def test_run_of_zero_deltas_is_a_fill(self):
        assert rle1("5a e8 03 a5 04 00", 1, 6) == [1000] * 6

    def test_run_of_nonzero_delta_is_a_progression(self):
        assert rle1("a5 03 fe", 1, 4) == [65534, 65532, 65530, 65528]

    def test_run_longer_than_eight_bytes_after_literals(self):
        stream = "01 02 03 04 05 06 07 08 09 0a a5 ff 01"
        values = rle1(stream, 1, 266)
        assert values[:10] == [1, 3, 6, 10, 15, 21, 28, 36, 45, 55]
        assert values[10:] == list(range(56, 56 + 256))

    def test_literal_a5_written_as_run_is_a_delta(self):
        # A5 00 A5 expands to one byte 0xA5: a delta of -91.
        assert rle1("5a 00 01 a5 00 a5", 1, 2) == [256, 256 - 91]

    def test_run_of_5a_gives_absolute_values(self):
        # Six 0x5A bytes are two absolute values 0x5A5A.
        assert rle1("a5 05 5a", 1, 2) == [0x5A5A, 0x5A5A]

    def test_run_covers_the_bytes_of_an_absolute_value(self):
        # 5A then a run of two 0x00: the absolute value 0x0000 after 7.
        assert rle1("07 5a a5 01 00", 1, 2) == [7, 0]

    def test_absolute_value_bytes_split_across_two_runs(self):
        # 5A, then lo and hi from one run of 0x12; the deltas after it continue.
        assert rle1("5a a5 01 12 34 01 01", 1, 4) == [0x1212, 0x1246, 0x1247, 0x1248]

    def test_run_value_0x5a_leaves_a_partial_escape_for_later_bytes(self):
        # 5A x4: one absolute 0x5A5A, then 5A + two literal bytes 0x34 0x12.
        assert rle1("a5 03 5a 34 12", 1, 2) == [0x5A5A, 0x1234]

    def test_escape_value_bytes_may_be_5a(self):
        assert rle1("5a 5a 5a 5a 5a 00", 1, 2) == [0x5A5A, 0x005A]

    def test_raw_length_rule_copies_little_endian(self):
        assert rle1("5a 00 a5 a5 01 00", 1, 3) == [0x005A, 0xA5A5, 0x0001]

    def test_one_pad_byte_is_silent(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert rle1("01 01 01 00", 1, 3) == [1, 2, 3]

    def test_extra_bytes_warn_and_are_ignored(self):
        with pytest.warns(ElscintWarning, match="byte 3 of 5"):
            assert rle1("01 01 01 05 06", 1, 3) == [1, 2, 3]

    def test_run_crossing_the_end_warns_and_is_clipped(self):
        with pytest.warns(ElscintWarning, match="byte 0"):
            assert rle1("a5 09 01", 1, 3) == [1, 2, 3]

    def test_incomplete_escape_after_full_image_warns(self):
        with pytest.warns(ElscintWarning):
            assert rle1("01 01 a5", 1, 2) == [1, 2]

    def test_pad_surplus_from_odd_length_stream(self):
        # An odd stream padded by DICOM decodes one value too many: the pad.
        assert rle1("5a e8 03 01 00", 1, 2) == [1000, 1001]


class TestRle1Errors:
    def test_stream_ends_between_pixels(self):
        with pytest.raises(TruncatedDataError) as info:
            rle1("01 02 03", 2, 2)
        assert (info.value.offset, info.value.expected, info.value.got) == (3, 4, 3)
        assert "3 of 4 pixels" in str(info.value)

    def test_stream_ends_inside_absolute_value(self):
        with pytest.raises(TruncatedDataError) as info:
            rle1("01 5a 34", 1, 2)
        assert info.value.offset == 1
        assert info.value.got == 1

    def test_stream_ends_inside_run_escape(self):
        with pytest.raises(TruncatedDataError) as info:
            rle1("01 a5 03", 1, 4)
        assert info.value.offset == 1

    def test_run_escape_inside_absolute_value_truncated(self):
        # 5A followed by an incomplete run: the pixel token started at byte 1.
        with pytest.raises(TruncatedDataError) as info:
            rle1("01 5a a5 00", 1, 3)
        assert info.value.offset == 1

    def test_partial_escape_from_a_run_of_5a(self):
        with pytest.raises(TruncatedDataError) as info:
            rle1("a5 03 5a", 1, 2)
        assert info.value.offset == 0
        assert info.value.got == 1

    def test_empty_stream(self):
        with pytest.raises(TruncatedDataError) as info:
            rle1("", 1, 1)
        assert (info.value.offset, info.value.got) == (0, 0)

    def test_error_hierarchy(self):
        with pytest.raises(TruncatedDataError) as info:
            rle1("01", 1, 2)
        assert isinstance(info.value, DecodeError)
        assert isinstance(info.value, ElscintError)
        assert isinstance(info.value, ValueError)


class TestRgb1Paths:
    def test_grey_mode_is_the_start(self):
        assert rgb1("0a 05 fb", 1, 3) == [[10] * 3, [15] * 3, [10] * 3]

    def test_toggle_to_colour_resets_running_pixel(self):
        assert rgb1("0a 81 01 02 03 05 05 05", 1, 3) == [[10] * 3, [1, 2, 3], [6, 7, 8]]

    def test_toggle_back_to_grey_resets(self):
        assert rgb1("81 10 20 30 81 05", 1, 2) == [[16, 32, 48], [5] * 3]

    def test_repeat_right_after_toggle_repeats_reset_value(self):
        assert rgb1("09 81 83 02", 1, 3) == [[9] * 3, [0, 0, 0], [0, 0, 0]]

    def test_repeat_in_grey_and_colour(self):
        assert rgb1("07 83 02 81 01 02 03 83 01", 1, 5) == [
            [7] * 3,
            [7] * 3,
            [7] * 3,
            [1, 2, 3],
            [1, 2, 3],
        ]

    def test_repeat_zero_is_a_no_op(self):
        assert rgb1("83 00 04", 1, 1) == [[4] * 3]

    def test_escape_makes_command_bytes_deltas(self):
        assert rgb1("82 81 82 83", 1, 2) == [[0x81] * 3, [0x04] * 3]

    def test_colour_escape_and_command_bytes_as_green_blue(self):
        # In colour mode only the first byte of a pixel can be a command.
        assert rgb1("81 82 83 81 82", 1, 1) == [[0x83, 0x81, 0x82]]

    def test_deltas_wrap_modulo_256(self):
        assert rgb1("ff 02", 1, 2) == [[255] * 3, [1] * 3]

    def test_pad_byte_silent_in_colour_mode(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert rgb1("81 01 01 01 00", 1, 1) == [[1, 1, 1]]

    def test_repeat_crossing_the_end_warns(self):
        with pytest.warns(ElscintWarning):
            assert rgb1("05 83 09", 1, 3) == [[5] * 3] * 3

    def test_trailing_toggle_warns(self):
        with pytest.warns(ElscintWarning):
            assert rgb1("05 81", 1, 1) == [[5] * 3]

    def test_no_raw_length_rule(self):
        # Three bytes per pixel is still a stream, not raw R, G, B.
        with pytest.warns(ElscintWarning):
            assert rgb1("0a 14 1e", 1, 1) == [[10] * 3]


class TestRgb1Errors:
    @pytest.mark.parametrize(
        ("stream", "offset", "got"),
        [
            ("01 02", 2, 2),  # ends between pixels
            ("01 83", 1, 1),  # repeat without its count
            ("01 82", 1, 1),  # escape without its delta
            ("81 01 02", 1, 0),  # colour pixel missing its blue byte
            ("81 82 01 02", 1, 0),  # escaped colour pixel missing a byte
            ("81", 1, 0),  # toggle then nothing
        ],
    )
    def test_truncations(self, stream, offset, got):
        with pytest.raises(TruncatedDataError) as info:
            rgb1(stream, 1, 3)
        assert (info.value.offset, info.value.got, info.value.expected) == (offset, got, 3)


class TestArguments:
    @pytest.mark.parametrize(
        "data",
        [
            b"\x01\x01\x01\x01",
            bytearray(b"\x01\x01\x01\x01"),
            memoryview(b"\x01\x01\x01\x01"),
            np.array([1, 1, 1, 1], dtype=np.uint8),
            np.array([0x0101, 0x0101], dtype=np.uint16),
        ],
    )
    def test_any_contiguous_buffer(self, data):
        assert pmsct_rle1_decode(data, 1, 4).tolist() == [[1, 2, 3, 4]]

    def test_mmap_read_only(self, tmp_path):
        path = tmp_path / "stream.bin"
        path.write_bytes(bytes.fromhex("a5 03 01"))
        with (
            path.open("rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
        ):
            assert pmsct_rle1_decode(mapped, 2, 2).tolist() == [[1, 2], [3, 4]]

    def test_out_is_filled_and_returned(self):
        volume = np.zeros((3, 2, 2), dtype=np.uint16)
        result = pmsct_rle1_decode(b"\xa5\x03\x01", 2, 2, out=volume[1])
        assert result is volume[1] or np.shares_memory(result, volume)
        assert volume[1].tolist() == [[1, 2], [3, 4]]
        assert volume[0].sum() == 0
        assert volume[2].sum() == 0

    def test_out_rgb(self):
        out = np.zeros((1, 2, 3), dtype=np.uint8)
        assert pmsct_rgb1_decode(b"\x05\x05", 1, 2, out=out) is out
        assert out.tolist() == [[[5] * 3, [10] * 3]]

    @pytest.mark.parametrize(
        "out",
        [
            np.zeros((2, 3), dtype=np.uint16),
            np.zeros((2, 2), dtype=np.int16),
            np.zeros((2, 2), dtype=">u2"),
            np.zeros((2, 4), dtype=np.uint16)[:, ::2],
        ],
    )
    def test_bad_out_rejected(self, out):
        with pytest.raises(ValueError, match="out must"):
            pmsct_rle1_decode(b"\xa5\x03\x01", 2, 2, out=out)

    def test_read_only_out_rejected(self):
        out = np.zeros((2, 2), dtype=np.uint16)
        out.flags.writeable = False
        with pytest.raises(ValueError, match="writeable"):
            pmsct_rle1_decode(b"\xa5\x03\x01", 2, 2, out=out)

    def test_in_place_rejected(self):
        buffer = np.zeros((2, 2), dtype=np.uint16)
        buffer.view(np.uint8).reshape(-1)[:3] = [0xA5, 0x03, 0x01]
        with pytest.raises(ValueError, match="in place"):
            pmsct_rle1_decode(buffer.view(np.uint8).reshape(-1)[:3], 2, 2, out=buffer)

    @pytest.mark.parametrize(("rows", "columns"), [(0, 4), (4, 0), (-1, 2), (65536, 1)])
    def test_bad_dimensions(self, rows, columns):
        with pytest.raises(ValueError, match="between 1 and 65535"):
            pmsct_rle1_decode(b"\x00", rows, columns)

    @pytest.mark.parametrize("rows", [2.0, "2", None, True])
    def test_dimension_types(self, rows):
        with pytest.raises(TypeError):
            pmsct_rgb1_decode(b"\x00", rows, 2)

    def test_non_buffer_data(self):
        with pytest.raises(TypeError, match="buffer protocol"):
            pmsct_rle1_decode([1, 2, 3], 1, 3)

    def test_non_contiguous_data(self):
        data = np.arange(8, dtype=np.uint8)[::2]
        with pytest.raises(ValueError, match="C-contiguous"):
            pmsct_rle1_decode(data, 1, 4)
