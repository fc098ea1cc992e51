"""atheris harness for the PMSCT_RLE1 and PMSCT_RGB1 decoders.

An input is a 3-byte header followed by the stream: ``rows = 1 + b0``
(1..256), ``columns = 1 + (b1 | b2 << 8) % 1024`` (1..1024).  For every input
the harness copies the stream into a buffer of exactly its size (so that
AddressSanitizer sees any read past it), decodes into the middle slice of a
three-slice volume filled with a sentinel, and fails unless

- the decoder returns or raises an ``ElscintError`` (nothing else);
- a returned image has the right shape and dtype and is ``out`` itself;
- the slices before and after ``out`` still hold the sentinel (no write past
  the output, even where the memory belongs to the caller);
- for PMSCT_RLE1, every decode path of the compiled core (``_core.RLE1_PATHS``)
  gives the same image or the same error class and offset.

Run (see docs/memory-safety.md for the AddressSanitizer build)::

    python fuzz/fuzz_decode.py --decoder=rle1 fuzz/corpus -max_total_time=600

``tests/test_fuzz_corpus.py`` replays ``fuzz/corpus`` through :func:`check`.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

HEADER = 3
SENTINEL = {"rle1": 0xBEEF, "rgb1": 0xA7}


def dimensions(data: bytes) -> tuple[int, int]:
    """Return (rows, columns) from the header of a fuzz input."""
    padded = data[:HEADER].ljust(HEADER, b"\x00")
    return 1 + padded[0], 1 + (padded[1] | padded[2] << 8) % 1024


def make_input(rows: int, columns: int, stream: bytes) -> bytes:
    """Return the fuzz input that decodes ``stream`` as a rows x columns image."""
    if not (1 <= rows <= 256 and 1 <= columns <= 1024):
        raise ValueError(f"cannot express a {rows} x {columns} image in the header")
    c = columns - 1
    return bytes([rows - 1, c & 0xFF, c >> 8]) + stream


def _decode(decoder: str, stream: Any, rows: int, columns: int) -> tuple[Any, Any]:
    """Decode into the middle of a guarded volume; return (outcome, volume)."""
    from elscint_codec import ElscintError, ElscintWarning, pmsct_rgb1_decode, pmsct_rle1_decode

    if decoder == "rle1":
        volume = np.full((3, rows, columns), SENTINEL["rle1"], dtype=np.uint16)
        function: Callable[..., Any] = pmsct_rle1_decode
        dtype, shape = np.uint16, (rows, columns)
    else:
        volume = np.full((3, rows, columns, 3), SENTINEL["rgb1"], dtype=np.uint8)
        function = pmsct_rgb1_decode
        dtype, shape = np.uint8, (rows, columns, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any other warning is a finding
        warnings.simplefilter("ignore", ElscintWarning)
        try:
            out = volume[1]
            image = function(stream, rows, columns, out=out)
        except ElscintError as error:
            return (type(error).__name__, getattr(error, "offset", None)), volume
    if image is not out:
        raise AssertionError("the decoder did not return out")
    if image.shape != shape or image.dtype != dtype:
        raise AssertionError(f"wrong result: {image.shape} {image.dtype}")
    return None, volume


def check(data: bytes, decoder: str) -> None:
    """Run one fuzz input through ``decoder`` (``"rle1"`` or ``"rgb1"``); raise on a finding."""
    from elscint_codec import _core

    rows, columns = dimensions(data)
    # An exact-size copy, so that AddressSanitizer sees a read even one byte too far.
    stream = np.array(bytearray(data[HEADER:]), dtype=np.uint8)
    error, volume = _decode(decoder, stream, rows, columns)
    sentinel = SENTINEL[decoder]
    if not (np.all(volume[0] == sentinel) and np.all(volume[2] == sentinel)):
        raise AssertionError("the decoder wrote outside out")
    if decoder != "rle1" or len(_core.RLE1_PATHS) < 2:
        return
    default = _core.select_rle1_path(_core.RLE1_PATHS[0])
    try:
        for path in _core.RLE1_PATHS:
            _core.select_rle1_path(path)
            other_error, other = _decode(decoder, stream, rows, columns)
            if other_error != error:
                raise AssertionError(f"path {path} raised {other_error}, default {error}")
            if error is None and not np.array_equal(other[1], volume[1]):
                raise AssertionError(f"path {path} decoded a different image")
    finally:
        _core.select_rle1_path(default)


def main(argv: list[str]) -> None:
    """Parse ``--decoder=rle1|rgb1`` and hand the rest to libFuzzer."""
    import atheris

    decoder = "rle1"
    rest = [argv[0]]
    for argument in argv[1:]:
        if argument.startswith("--decoder="):
            decoder = argument.split("=", 1)[1]
        else:
            rest.append(argument)
    if decoder not in SENTINEL:
        raise SystemExit(f"--decoder must be rle1 or rgb1, not {decoder!r}")
    with atheris.instrument_imports(include=["elscint_codec"]):
        import elscint_codec  # noqa: F401

    atheris.Setup(rest, lambda data: check(data, decoder))
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
