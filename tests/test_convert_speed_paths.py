"""The converter's fast paths behave exactly like the plain ones they replace.

Chunked worker pools, flushing to disk in the background, splicing byte spans,
reading small files instead of mapping them, the common character sets
decoded without pydicom, plain file names left alone, previews read without
pydicom: each is checked against the straightforward result.
"""

from __future__ import annotations

import errno
import os
import string
import struct
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydicom.charset import decode_bytes

from convert_builders import (
    by_name,
    dicom_files,
    double_or_die,
    elscint_dataset,
    make_tree,
    report_rows,
    write,
)
from elscint_codec.converter import ConvertOptions, convert, inputs, pool, previews
from elscint_codec.converter import commit as commit_module
from elscint_codec.converter import writer as writer_module
from elscint_codec.converter.header import _SIMPLE_CHARSETS, read_header
from elscint_codec.converter.layout import MAX_COMPONENT, safe_component
from elscint_codec.converter.pool import OrderedPool
from elscint_codec.converter.scan import parse
from elscint_codec.converter.writer import TEMP_PREFIX, write_temp
from elscint_codec.samples import write_study

INLINE = ConvertOptions(jobs=1, previews=False)


# -- chunked pool ---------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 3, 8])
def test_chunked_pool_keeps_order_and_loses_nothing(chunk):
    tasks = [f"t{i}" for i in range(23)]
    work = OrderedPool(double_or_die, 2, crashed=str, chunk=chunk)
    try:
        got = [r for t in tasks for _, r in work.put(t)] + [r for _, r in work.drain()]
    finally:
        work.close()
    assert got == [t * 2 for t in tasks]


def test_a_crash_inside_a_chunk_fails_only_the_task_that_crashed():
    tasks = ["a", "b", "c", "die", "d", "e", "f", "g", "h"]
    work = OrderedPool(double_or_die, 2, crashed=lambda task: f"{task}: crashed", chunk=4)
    try:
        pairs = [p for t in tasks for p in work.put(t)] + list(work.drain())
    finally:
        work.close()
    assert [task for task, _ in pairs] == tasks
    assert [result for _, result in pairs] == [
        "aa", "bb", "cc", "die: crashed", "dd", "ee", "ff", "gg", "hh",
    ]  # fmt: skip


def test_a_worker_that_dies_before_the_next_chunk_is_handed_out_loses_nothing():
    """The pool breaks between two chunks: handing out the next one recovers, not raises."""
    work = OrderedPool(double_or_die, 2, crashed=lambda task: f"{task}: crashed", chunk=2)
    try:
        pairs = [p for t in ("a", "die") for p in work.put(t)]  # one chunk in flight
        executor = work.executor
        assert executor is not None
        deadline = time.monotonic() + 30
        while not getattr(executor, "_broken", False) and time.monotonic() < deadline:
            time.sleep(0.01)  # until the pool has noticed the dead worker
        assert executor._broken
        pairs += [p for t in ("b", "c", "d") for p in work.put(t)] + list(work.drain())
    finally:
        work.close()
    assert pairs == [
        ("a", "aa"), ("die", "die: crashed"), ("b", "bb"), ("c", "cc"), ("d", "dd"),
    ]  # fmt: skip


def test_results_taken_halfway_are_not_lost():
    work = OrderedPool(double_or_die, 2, crashed=str, chunk=4)
    try:
        for task in "abcdefgh":
            for _ in work.put(task):
                pass
        drained = work.drain()
        first = next(drained)  # the consumer stops after one result (e.g. Ctrl-C) ...
        rest = list(work.abandon())  # ... and the run collects the others
    finally:
        work.close()
    assert first[1] == "aa"
    assert [r for _, r in rest] == [c * 2 for c in "bcdefgh"]


def test_workers_fork_only_from_a_single_threaded_process():
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        pytest.skip("fork is used on Linux only")
    if threading.active_count() == 1:
        assert pool._context("elscint_codec.converter.worker").get_start_method() == "fork"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        method = pool._context("elscint_codec.converter.worker").get_start_method()
    finally:
        stop.set()
        other.join()
    assert method in ("forkserver", "spawn")


def test_parallel_conversion_equals_the_single_process_one(tmp_path):
    make_tree(tmp_path / "src", ct=9, pet=7)
    one = convert([tmp_path / "src"], tmp_path / "one", options=INLINE)
    parallel = ConvertOptions(jobs=2, previews=False)
    two = convert([tmp_path / "src"], tmp_path / "two", options=parallel)
    assert (one.converted, one.copied, one.skipped, one.failed) == (
        two.converted, two.copied, two.skipped, two.failed,
    )  # fmt: skip
    assert one.converted == 9 + 7 + 1
    assert dicom_files(tmp_path / "one") == dicom_files(tmp_path / "two")
    assert report_rows(tmp_path / "one") == report_rows(tmp_path / "two")


# -- flushing in the background -------------------------------------------------------------


def _temp_files(root: Path) -> set[str]:
    return {str(p) for p in root.rglob(f"{TEMP_PREFIX}*")}


def test_no_file_gets_its_name_before_a_flush_that_started_after_it_was_written(
    tmp_path, monkeypatch
):
    if not writer_module.batch_sync_available():
        pytest.skip("batch flushing needs syncfs (Linux)")
    out = tmp_path / "out"
    flushed: set[str] = set()
    calls = []
    real_sync, real_replace = commit_module.sync_tree, os.replace

    def sync(root):
        calls.append(root)
        flushed.update(_temp_files(out))  # written before this flush started
        real_sync(root)

    def replace(source, target):
        converted = not str(target).endswith((".csv", ".json"))  # reports: fsync'd alone
        if Path(source).name.startswith(TEMP_PREFIX) and converted:
            assert str(source) in flushed, f"{target} named before being flushed"
        real_replace(source, target)

    monkeypatch.setattr(commit_module, "BATCH_FILES", 3)
    monkeypatch.setattr(commit_module, "sync_tree", sync)
    monkeypatch.setattr(os, "replace", replace)
    make_tree(tmp_path / "src", ct=8, pet=5)
    summary = convert([tmp_path / "src"], out, options=INLINE)
    assert summary.exit_code == 0
    assert len(calls) >= 4  # several batches, each flushed
    assert len(dicom_files(out)) == 8 + 5 + 2
    assert not _temp_files(out)


def test_a_failed_background_flush_fails_its_batch_and_stops(tmp_path, monkeypatch):
    if not writer_module.batch_sync_available():
        pytest.skip("batch flushing needs syncfs (Linux)")
    calls = {"n": 0}
    real_sync = commit_module.sync_tree

    def failing_sync(root):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(root))
        real_sync(root)

    monkeypatch.setattr(commit_module, "BATCH_FILES", 3)
    monkeypatch.setattr(commit_module, "sync_tree", failing_sync)
    make_tree(tmp_path / "src", ct=8, pet=5)
    out = tmp_path / "out"
    summary = convert([tmp_path / "src"], out, options=INLINE)
    assert summary.exit_code == 3
    assert "cannot flush the output to disk" in summary.fatal
    assert not _temp_files(out)
    rows = by_name(report_rows(out))
    failed = [name for name, row in rows.items() if row["status"] == "failed"]
    written = dicom_files(out)
    assert len(failed) == 3  # the second batch
    assert all(rows[name]["output"] not in written for name in failed)
    assert len(written) == summary.converted + summary.copied
    monkeypatch.undo()
    again = convert([tmp_path / "src"], out, options=INLINE)
    assert again.exit_code == 0
    assert len(dicom_files(out)) == 8 + 5 + 2


# -- the spliced standard file --------------------------------------------------------------


@pytest.mark.parametrize("implicit", [False, True])
def test_pixel_data_group_length_counts_the_new_pixel_data(tmp_path, implicit):
    ds, image = elscint_dataset(4)
    ts = "1.2.840.10008.1.2" if implicit else "1.3.46.670589.33.1.4.1"
    source = write(ds, tmp_path / "in" / "IM1", ts=ts, implicit=implicit)
    data = source.read_bytes()
    after = next(e for e in parse(data).elements if e.tag > 0x7FE00000)
    if implicit:  # a (7FE0,0000) of an empty group: the stream is in (07A1,100A)
        length = struct.pack("<HHII", 0x7FE0, 0, 4, 0)
    else:
        length = struct.pack("<HH2sHI", 0x7FE0, 0, b"UL", 4, 0)
    source.write_bytes(data[: after.start] + length + data[after.start :])
    summary = convert([tmp_path / "in"], tmp_path / "out", options=INLINE)
    assert summary.converted == 1
    out = (tmp_path / "out" / "IM1").read_bytes()
    parsed = parse(out)
    group = parsed.find(0x7FE00000)
    written = struct.unpack_from("<I", out, group.value_start)[0]
    new_pixel = parsed.find(0x7FE00010)
    assert written == new_pixel.end - new_pixel.start == 12 + image.nbytes
    np.testing.assert_array_equal(pydicom.dcmread(tmp_path / "out" / "IM1").pixel_array, image)


def test_write_temp_writes_every_piece_even_in_short_writes(tmp_path, monkeypatch):
    real_writev = os.writev
    monkeypatch.setattr(os, "writev", lambda fd, buffers: real_writev(fd, [buffers[0][:777]]))
    words = np.arange(1000, dtype=np.uint16)
    pieces = [
        b"head",
        b"",
        memoryview(words),
        *(bytes([i % 256]) * (i % 7) for i in range(600)),
        b"tail",
    ]
    path = write_temp(tmp_path, pieces, sync=False)
    assert path.read_bytes() == b"".join(bytes(memoryview(p).cast("B")) for p in pieces)


def test_large_files_are_mapped_and_give_the_same_output(tmp_path, monkeypatch):
    make_tree(tmp_path / "src")
    convert([tmp_path / "src"], tmp_path / "read", options=INLINE)
    monkeypatch.setattr(inputs, "READ_LIMIT", 64)
    convert([tmp_path / "src"], tmp_path / "mapped", options=INLINE)
    assert dicom_files(tmp_path / "read") == dicom_files(tmp_path / "mapped")


# -- text without pydicom -------------------------------------------------------------------


def _name_of(charset: str, raw: bytes) -> str:
    ds = bytearray()
    for tag, vr, value in ((0x00080005, b"CS", charset.encode()), (0x00100010, b"PN", raw)):
        value += b" " * (len(value) % 2)
        ds += struct.pack("<HH2sH", tag >> 16, tag & 0xFFFF, vr, len(value)) + value
    data = bytes(ds)
    return read_header(data, parse(data)).patient_name


@given(
    charset=st.sampled_from(sorted(_SIMPLE_CHARSETS)),
    raw=st.binary(min_size=1, max_size=24),
)
def test_common_character_sets_decode_as_pydicom_does(charset, raw):
    terms = [charset] if charset else [""]
    encodings = pydicom.charset.convert_encodings(terms)
    value = raw + b" " * (len(raw) % 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = decode_bytes(value, encodings, {0x5E, 0x3D}).strip("\0 ")
    assert _name_of(charset, raw) == expected


# -- plain file names -----------------------------------------------------------------------

PLAIN = string.ascii_letters + string.digits + "_-"


@given(st.lists(st.text(PLAIN, min_size=1, max_size=12), min_size=1, max_size=4))
def test_plain_names_are_kept_unless_they_are_device_names(parts):
    name = ".".join(parts)
    result = safe_component(name)
    if len(name) > MAX_COMPONENT:
        assert len(result) <= MAX_COMPONENT
    elif not name.strip("_"):
        assert result in (name, "unknown")
    elif parts[0].upper() in {"CON", "PRN", "AUX", "NUL"} or (
        parts[0][:-1].upper() in ("COM", "LPT") and parts[0][-1:] in "123456789"
    ):
        assert result == "_" + name
    else:
        assert result == name


# -- previews ---------------------------------------------------------------------------------


def native_values(native):
    """The pixel array of a NativeImage, built with numpy for the comparison."""
    shape = (native.rows, native.columns)
    if native.samples == 3:
        flat = np.frombuffer(native.pixels, np.uint8)
        if native.planar == 1:
            return np.moveaxis(flat.reshape(3, *shape), 0, -1)
        return flat.reshape(*shape, 3)
    bits = native.bits_stored if 0 < native.bits_stored < 16 else 16
    codes = np.frombuffer(native.pixels, "<u2").astype(np.int64) & ((1 << bits) - 1)
    if native.signed:
        codes = np.where(codes >> (bits - 1), codes - (1 << bits), codes)
    return codes.reshape(shape)


def test_previews_read_without_pydicom_match_pydicom(tmp_path):
    make_tree(tmp_path / "src")
    variants = [{"kind": "PMSCT_RGB1", "planar": 1}, {"rows": 9, "columns": 5}]
    for seed, options in enumerate(variants):
        ds, _ = elscint_dataset(40 + seed, **options)
        write(ds, tmp_path / "src" / "more" / f"IM{seed}")
    ds, _ = elscint_dataset(50)
    ds.PixelRepresentation = 1  # signed, Bits Stored 12: the sign bit is extended
    write(ds, tmp_path / "src" / "more" / "SIGNED")
    convert([tmp_path / "src"], tmp_path / "out", options=INLINE)
    checked = 0
    for path in sorted(dicom_files(tmp_path / "out")):
        native = previews.read_native(tmp_path / "out" / path)
        dataset = pydicom.dcmread(tmp_path / "out" / path)
        assert native is not None, path
        np.testing.assert_array_equal(native_values(native), dataset.pixel_array)
        rendered = np.asarray(previews.render_native(native))
        np.testing.assert_array_equal(rendered, previews.render(dataset))
        assert previews._name(native, "x") == previews._name(dataset, "x")
        checked += 1
    assert checked >= 10


def test_previews_of_other_files_fall_back_to_pydicom(tmp_path):
    ds, _ = elscint_dataset(5)
    source = write(ds, tmp_path / "IM1")  # still compressed: not a native image
    assert previews.read_native(source) is None
    (tmp_path / "notdicom").write_bytes(b"hello")
    assert previews.read_native(tmp_path / "notdicom") is None


def test_a_conversion_imports_neither_numpy_nor_pydicom(tmp_path):
    """Both cost more to import than converting a series: the command needs neither."""
    write_study(tmp_path / "src", seed=2, ct_slices=2, pet_slices=2, rgb=True)
    script = (
        "import sys\n"
        "from elscint_codec.cli import main\n"
        "code = main(['convert', sys.argv[1], '-o', sys.argv[2], '-j', '1', '-q'])\n"
        "loaded = sorted(n for n in ('numpy', 'pydicom') if n in sys.modules)\n"
        "print(code, loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "src"), str(tmp_path / "out")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.split("\n")[0] == "0 []", done.stderr
    assert len(list((tmp_path / "out" / "previews").glob("*.png"))) == 3
    assert len(dicom_files(tmp_path / "out")) == 5


@pytest.mark.parametrize(
    "options",
    [{}, {"rows": 9, "columns": 5}, {"kind": "PMSCT_RGB1"}, {"kind": "PMSCT_RGB1", "planar": 1}],
)
def test_decoded_pixel_values_without_numpy_are_the_image(tmp_path, options):
    """decode_pixels (plain bytearray, scratch buffer or not) gives the encoded image's bytes."""
    from elscint_codec.converter.pixels import decode_pixels

    def stored(seed):
        ds, image = elscint_dataset(seed, **options)
        data = write(ds, tmp_path / f"IM{seed}").read_bytes()
        if image.ndim == 3 and options.get("planar") == 1:
            expected = np.ascontiguousarray(image.transpose(2, 0, 1)).tobytes()
        else:
            expected = image.astype("<u2" if image.ndim == 2 else "u1").tobytes()
        return data, read_header(data, parse(data)), expected

    data, header, expected = stored(7)
    fresh = decode_pixels(data, header)
    assert bytes(fresh.value) == expected
    assert bytes(decode_pixels(data, header, reuse=True).value) == expected
    other_data, other_header, other_expected = stored(8)
    assert other_expected != expected
    assert bytes(decode_pixels(other_data, other_header, reuse=True).value) == other_expected
    assert bytes(fresh.value) == expected  # a value decoded without reuse is its own


def test_conversions_in_two_threads_at_once_write_the_same_files_as_one_at_a_time(tmp_path):
    """Each thread decodes into its own reused buffer: no image leaks into another file."""
    sources = []
    for seed in (4, 5):
        write_study(tmp_path / f"src{seed}", seed=seed, ct_slices=24, pet_slices=0, rgb=False)
        sources.append(tmp_path / f"src{seed}")
    serial = [tmp_path / f"serial{k}" for k in range(2)]
    for source, output in zip(sources, serial, strict=True):
        convert([source], output, options=INLINE)
    parallel = [tmp_path / f"threads{k}" for k in range(2)]
    start = threading.Barrier(2)

    def run(source, output):
        start.wait()
        convert([source], output, options=INLINE)

    threads = [
        threading.Thread(target=run, args=pair) for pair in zip(sources, parallel, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for one, other in zip(serial, parallel, strict=True):
        names = dicom_files(one)
        assert len(names) == 24
        assert names == dicom_files(other)
        for name in names:
            assert (one / name).read_bytes() == (other / name).read_bytes(), name


@pytest.mark.parametrize("wrap", [bytearray, lambda raw: memoryview(bytearray(raw))])
def test_big_endian_hosts_write_little_endian_pixel_values(monkeypatch, wrap):
    """On a big-endian host the native 16-bit values are swapped; elsewhere left alone."""
    from elscint_codec.converter import pixels

    native = wrap(b"\x01\x02\x03\x04")
    monkeypatch.setattr(pixels.sys, "byteorder", "big")
    assert bytes(pixels._little_endian_16(native)) == b"\x02\x01\x04\x03"
    monkeypatch.setattr(pixels.sys, "byteorder", "little")
    assert pixels._little_endian_16(native) is native
