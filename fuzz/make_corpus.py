"""Write the seed corpus ``fuzz/corpus/`` (deterministic; rerun after changing it).

Seeds are fuzz inputs in the harness's format (a 3-byte size header, then the
stream; see ``fuzz_decode.py``): the byte vectors of
``tests/test_codec_vectors.py`` with their image sizes, streams of the two
encoders on small realistic images, streams long enough for the block-wise
fast path, and their damaged variants.  Crash reproducers found by fuzzing are
added by hand as ``crash-<what>.bin`` and kept.

Usage: ``python fuzz/make_corpus.py``
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fuzz_decode import make_input

from elscint_codec import pmsct_rgb1_encode, pmsct_rle1_encode

# (stream in hex, rows, columns): the hand-written vectors of the tests.
VECTORS = [
    ("01 7f 80 ff", 1, 4),
    ("ff ff 02 00", 2, 2),
    ("5a 34 12 01 01", 1, 3),
    ("5a e8 03 a5 04 00", 1, 6),
    ("a5 03 fe", 1, 4),
    ("5a 00 01 a5 00 a5", 1, 2),
    ("a5 05 5a", 1, 2),
    ("07 5a a5 01 00", 1, 2),
    ("5a a5 01 12 34 01 01", 1, 4),
    ("a5 03 5a 34 12", 1, 2),
    ("5a 5a 5a 5a 5a 00", 1, 2),
    ("5a 00 a5 a5 01 00", 1, 3),
    ("01 01 01 00", 1, 3),
    ("01 01 01 05 06", 1, 3),
    ("a5 09 01", 1, 3),
    ("01 01 a5", 1, 2),
    ("01 02 03", 2, 2),
    ("01 5a 34", 1, 2),
    ("01 a5 03", 1, 4),
    ("01 5a a5 00", 1, 3),
    ("a5 03 5a", 1, 2),
    ("01", 1, 2),
    ("", 1, 1),
    ("0a 05 fb", 1, 3),
    ("0a 81 01 02 03 05 05 05", 1, 3),
    ("81 10 20 30 81 05", 1, 2),
    ("09 81 83 02", 1, 3),
    ("07 83 02 81 01 02 03 83 01", 1, 5),
    ("83 00 04", 1, 1),
    ("82 81 82 83", 1, 2),
    ("81 82 83 81 82", 1, 1),
    ("81 01 01 01 00", 1, 1),
    ("05 83 09", 1, 3),
    ("05 81", 1, 1),
    ("0a 14 1e", 1, 1),
]


def grey_image(rng: np.random.Generator, rows: int, columns: int, kind: str) -> np.ndarray:
    """A small CT-like (smooth, noisy, edges) or PET-like (sparse, jumpy) image."""
    yy, xx = np.mgrid[0:rows, 0:columns]
    inside = ((yy - rows / 2) / (rows / 2.4)) ** 2 + (
        (xx - columns / 2) / (columns / 2.1)
    ) ** 2 < 1
    if kind == "ct":
        image = np.where(inside, 1060.0, 24.0) + rng.normal(0, 15, size=(rows, columns))
        image[rows // 3 : rows // 2, columns // 3 : columns // 2] += 800
        return np.clip(np.rint(image), 0, 4095).astype(np.uint16)
    counts = rng.poisson(np.where(inside, 20.0, 0.02))
    return (counts * 900).astype(np.uint16)


def rgb_image(rng: np.random.Generator, rows: int, columns: int) -> np.ndarray:
    grey = np.repeat(rng.integers(0, 40, size=(rows, 1)) + np.arange(columns) % 7, 3)
    image = grey.reshape(rows, columns, 3).astype(np.uint8)
    image[rows // 3 :, columns // 2 :] = (255, 0x81, 0x83)
    image[:, :2] = (0x82, 0x82, 0x82)
    return image


def seeds() -> dict[str, bytes]:
    """Return the corpus: file name -> fuzz input."""
    rng = np.random.default_rng(20240)
    corpus: dict[str, bytes] = {}
    for index, (hex_stream, rows, columns) in enumerate(VECTORS):
        corpus[f"vector-{index:02d}"] = make_input(rows, columns, bytes.fromhex(hex_stream))
    for kind, rows, columns in [
        ("ct", 16, 24),
        ("ct", 32, 32),
        ("ct", 3, 300),
        ("pet", 12, 144),
        ("pet", 1, 1000),
        ("ct", 1, 1),
    ]:
        image = grey_image(rng, rows, columns, kind)
        stream = pmsct_rle1_encode(image)
        name = f"rle1-{kind}-{rows}x{columns}"
        corpus[name] = make_input(rows, columns, stream)
        corpus[name + "-raw"] = make_input(rows, columns, image.astype("<u2").tobytes())
        corpus[name + "-cut"] = make_input(rows, columns, stream[: len(stream) * 2 // 3])
        damaged = bytearray(stream)
        for where in rng.integers(0, len(damaged), size=4):
            damaged[where] = int(rng.choice([0x5A, 0xA5, 0x00, 0xFF]))
        corpus[name + "-damaged"] = make_input(rows, columns, bytes(damaged))
        corpus[name + "-excess"] = make_input(rows, columns, stream + b"\x01\xa5\x03")
    # Long streams in the fast path's territory, with its exits in the middle.
    interior = (
        b"\x01" * 120 + b"\x5a\xa5\x00\x00" + b"\xa5\x07\x5a" + b"\xa5\xff\x02" + b"\x02" * 100
    )
    corpus["rle1-fast-path-exits"] = make_input(1, 1000, interior)
    corpus["rle1-run-past-end"] = make_input(2, 100, b"\x03" * 150 + b"\xa5\xff\x00")
    for rows, columns in [(8, 8), (5, 33), (1, 600)]:
        image = rgb_image(rng, rows, columns)
        stream = pmsct_rgb1_encode(image)
        name = f"rgb1-{rows}x{columns}"
        corpus[name] = make_input(rows, columns, stream)
        corpus[name + "-cut"] = make_input(rows, columns, stream[: len(stream) // 2])
        corpus[name + "-excess"] = make_input(rows, columns, stream + b"\x83\xff")
    return corpus


def main() -> int:
    folder = HERE / "corpus"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("seed-*.bin"):
        old.unlink()
    for name, data in seeds().items():
        (folder / f"seed-{name}.bin").write_bytes(data)
    total = sum(p.stat().st_size for p in folder.iterdir())
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.iterdir())))
    print(f"{len(list(folder.iterdir()))} files, {total} bytes, sha256 {digest.hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
