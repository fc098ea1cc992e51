"""Decode speed of the codec against baselines measured in the same run.

Roles (``extra_info["role"]``), compared per group by ``benchmarks/report.py``:

elscint
    the public API, ``pmsct_rle1_decode(stream, rows, columns, out=out)``;
elscint-kernel
    the compiled kernel alone (``_core.rle1_decode_into``), no argument checks;
two-pass-c
    (a) the straightforward two-pass C decoder (``baseline_two_pass.c``);
numpy-copy
    (b) a copy of the decoded size, the memory floor;
reference
    (c) the pure-Python reference decoder of the tests.

Every benchmark checks what it decoded, so that the smoke run in CI
(``--benchmark-disable``, one call each) also tests correctness.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bench_support import Case, TwoPassBaseline
from elscint_codec import _core, pmsct_rgb1_decode, pmsct_rle1_decode
from reference_decoder import rgb1_reference, rle1_reference_with_raw


def stream_facts(case: Case) -> dict[str, object]:
    """Describe a PMSCT_RLE1 stream: size and how often an escape occurs."""
    stream = case.stream
    escapes = 0
    i = 0
    while i < len(stream):
        if stream[i] == 0xA5:
            escapes += 1
            i += 3
        else:
            escapes += stream[i] == 0x5A
            i += 1
    pixels = case.image.shape[0] * case.image.shape[1]
    return {
        "image": case.name,
        "pixels": pixels,
        "stream_bytes": len(stream),
        "bytes_per_pixel": round(len(stream) / pixels, 3),
        "pixels_per_escape": round(pixels / max(escapes, 1), 1),
        "source": case.source,
    }


def run(benchmark, role: str, function: Callable[[], object], case: Case, **pedantic: int):
    """Benchmark ``function`` under ``role``; return its last result."""
    benchmark.extra_info["role"] = role
    benchmark.extra_info.update(stream_facts(case))
    if pedantic:
        return benchmark.pedantic(function, **pedantic)
    return benchmark(function)


GREY_CASES = ["ct_case", "pet_case"]


@pytest.fixture(params=GREY_CASES, ids=["ct", "pet"])
def grey(request) -> Case:
    return request.getfixturevalue(request.param)


def set_group(benchmark, case: Case) -> None:
    benchmark.group = f"rle1 {case.name}"


def test_elscint_api(benchmark, grey: Case):
    set_group(benchmark, grey)
    out = np.zeros(grey.image.shape, dtype=np.uint16)
    result = run(
        benchmark,
        "elscint",
        lambda: pmsct_rle1_decode(grey.stream, grey.rows, grey.columns, out=out),
        grey,
    )
    assert result is out
    np.testing.assert_array_equal(out, grey.image)


def test_elscint_kernel(benchmark, grey: Case):
    set_group(benchmark, grey)
    out = np.zeros(grey.image.size, dtype=np.uint16)
    view = memoryview(grey.stream)
    status = run(benchmark, "elscint-kernel", lambda: _core.rle1_decode_into(view, out), grey)
    assert status[:2] == (_core.OK, grey.image.size)
    np.testing.assert_array_equal(out, grey.image.reshape(-1))


def test_two_pass_c(benchmark, grey: Case, two_pass: TwoPassBaseline):
    set_group(benchmark, grey)
    out = np.zeros(grey.image.shape, dtype=np.uint16)
    written = run(benchmark, "two-pass-c", two_pass.bind(grey.stream, out), grey)
    assert written == grey.image.size
    np.testing.assert_array_equal(out, grey.image)


def test_numpy_copy(benchmark, grey: Case):
    set_group(benchmark, grey)
    source = grey.image.copy()
    out = np.zeros_like(source)
    run(benchmark, "numpy-copy", lambda: np.copyto(out, source), grey)
    np.testing.assert_array_equal(out, grey.image)


def test_reference(benchmark, grey: Case):
    set_group(benchmark, grey)
    npix = grey.image.size
    pixels, error, tail = run(
        benchmark,
        "reference",
        lambda: rle1_reference_with_raw(grey.stream, npix),
        grey,
        rounds=3,
        iterations=1,
    )
    assert error is None
    assert tail in ("none", "pad")
    assert pixels == grey.image.reshape(-1).tolist()


def test_rgb1_elscint_api(benchmark, rgb_case: Case):
    benchmark.group = f"rgb1 {rgb_case.name}"
    benchmark.extra_info.update(role="elscint", stream_bytes=len(rgb_case.stream))
    out = np.zeros(rgb_case.image.shape, dtype=np.uint8)
    benchmark(lambda: pmsct_rgb1_decode(rgb_case.stream, 512, 512, out=out))
    np.testing.assert_array_equal(out, rgb_case.image)


def test_rgb1_numpy_copy(benchmark, rgb_case: Case):
    benchmark.group = f"rgb1 {rgb_case.name}"
    benchmark.extra_info.update(role="numpy-copy", stream_bytes=len(rgb_case.stream))
    source = rgb_case.image.copy()
    out = np.zeros_like(source)
    benchmark(lambda: np.copyto(out, source))
    np.testing.assert_array_equal(out, rgb_case.image)


def test_rgb1_reference(benchmark, rgb_case: Case):
    benchmark.group = f"rgb1 {rgb_case.name}"
    benchmark.extra_info.update(role="reference", stream_bytes=len(rgb_case.stream))
    pixels, error, _ = benchmark.pedantic(
        lambda: rgb1_reference(rgb_case.stream, 512 * 512), rounds=2, iterations=1
    )
    assert error is None
    assert pixels[::997] == [tuple(p) for p in rgb_case.image.reshape(-1, 3)[::997].tolist()]


def test_call_overhead_ctypes(benchmark, pet_case: Case, two_pass: TwoPassBaseline):
    """The ctypes call alone, to compare with the C baseline's decode time."""
    benchmark.group = "call overhead"
    benchmark.extra_info["role"] = "ctypes-noop"
    out = np.zeros(pet_case.image.shape, dtype=np.uint16)
    result = benchmark(two_pass.bind_noop(pet_case.stream, out))
    assert result == len(pet_case.stream) + out.size


def test_call_overhead_api(benchmark):
    """The public API on a one-pixel stream: argument checks and the call."""
    benchmark.group = "call overhead"
    benchmark.extra_info["role"] = "api-1x1"
    out = np.zeros((1, 1), dtype=np.uint16)
    benchmark(lambda: pmsct_rle1_decode(b"\x07\x00", 1, 1, out=out))
    assert out[0, 0] == 7


def decode_volume(cases: list[Case], threads: int) -> tuple[np.ndarray, Callable[[], None]]:
    """Return a volume and a call decoding every slice into it with ``threads`` threads."""
    rows, columns = cases[0].rows, cases[0].columns
    volume = np.zeros((len(cases), rows, columns), dtype=np.uint16)
    chunks = [list(c) for c in np.array_split(np.arange(len(cases)), threads)]

    def decode_chunk(indices: list[int]) -> None:
        for k in indices:
            pmsct_rle1_decode(cases[k].stream, rows, columns, out=volume[k])

    pool = ThreadPoolExecutor(max_workers=threads)

    def decode_all() -> None:
        list(pool.map(decode_chunk, chunks))

    decode_all.pool = pool  # type: ignore[attr-defined]
    return volume, decode_all


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("volume_name", ["ct_volume", "pet_volume"])
def test_threads(benchmark, request, volume_name: str, threads: int):
    cases: list[Case] = request.getfixturevalue(volume_name)
    volume, decode_all = decode_volume(cases, threads)
    benchmark.group = f"threads {volume_name.split('_')[0].upper()} x{len(cases)}"
    benchmark.extra_info.update(role=f"threads-{threads}", slices=len(cases))
    try:
        benchmark(decode_all)
    finally:
        decode_all.pool.shutdown()  # type: ignore[attr-defined]
    np.testing.assert_array_equal(volume, np.stack([c.image for c in cases]))
