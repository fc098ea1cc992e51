"""Where the converter's time goes: each step of converting one file, timed over a series.

Usage::

    python benchmarks/convert_steps.py SERIES_FOLDER [--files N] [--rounds R]

Runs the steps of :func:`elscint_codec.converter.worker.process` for an
Elscint file one by one (read, walk the elements, read the header values,
decode, splice the standard file, SHA-256 of the pixels, write a temporary
file, remove it) over the first N files of SERIES_FOLDER, R times, and prints
the best round's milliseconds per file for each step.  Temporary files go to
a fresh folder under the system's temporary directory.  It also prints what
the command costs before its first file: the interpreter alone, the imports
of ``elscint convert``, and one preview.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from elscint_codec.converter import previews
from elscint_codec.converter.header import read_header
from elscint_codec.converter.pixels import decode_pixels
from elscint_codec.converter.scan import parse
from elscint_codec.converter.writer import standard_file, write_temp

STEPS = (
    "read",
    "walk elements",
    "header values",
    "decode",
    "splice",
    "SHA-256",
    "write",
    "remove",
)


def one_round(files: list[Path], folder: Path) -> dict[str, float]:
    """Seconds spent in each step over ``files``."""
    spent = dict.fromkeys(STEPS, 0.0)
    clock = time.perf_counter
    for path in files:
        marks = [clock()]
        data = path.read_bytes()
        marks.append(clock())
        parsed = parse(data)
        marks.append(clock())
        header = read_header(data, parsed)
        marks.append(clock())
        decoded = decode_pixels(data, header, reuse=True)
        marks.append(clock())
        pieces = standard_file(data, parsed, header, decoded)
        marks.append(clock())
        hashlib.sha256(decoded.value).hexdigest()
        marks.append(clock())
        temp = write_temp(folder, pieces, sync=False)
        marks.append(clock())
        temp.unlink()
        marks.append(clock())
        for step, start, end in zip(STEPS, marks, marks[1:], strict=False):
            spent[step] += end - start
    return spent


def start_up() -> dict[str, float]:
    """Milliseconds (best of 5 fresh processes) before the first file, by part."""

    def best(code: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - start)
        return 1000 * min(times)

    imports = "import elscint_codec.cli, elscint_codec.cli_convert, elscint_codec.converter.engine"
    return {"python -c pass": best("pass"), "+ imports of elscint convert": best(imports)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("series", type=Path, help="a folder of Elscint files (one series)")
    parser.add_argument("--files", type=int, default=200, help="files to time (default: 200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best is shown (3)")
    args = parser.parse_args()
    files = sorted(p for p in args.series.iterdir() if p.is_file())[: args.files]
    with tempfile.TemporaryDirectory(prefix="elscint-steps-") as folder:
        rounds = [one_round(files, Path(folder)) for _ in range(args.rounds)]
        output = Path(folder, "out.dcm")
        write_temp(Path(folder), standard_file(*_standard(files[len(files) // 2]))).rename(output)
        start = time.perf_counter()
        previews.render_native(previews.read_native(output) or _fail(output)).save(
            Path(folder, "preview.png")
        )
        preview = 1000 * (time.perf_counter() - start)
    best = min(rounds, key=lambda spent: sum(spent.values()))
    print(f"{args.series}: {len(files)} files, ms per file (best of {args.rounds} rounds)")
    for step in STEPS:
        print(f"  {step:14s} {1000 * best[step] / len(files):6.3f}")
    print(f"  {'total':14s} {1000 * sum(best.values()) / len(files):6.3f}")
    print("before the first file, ms")
    for part, ms in start_up().items():
        print(f"  {part:30s} {ms:6.1f}")
    print(f"  {'one preview (Pillow import incl.)':30s} {preview:6.1f}")
    print(f"(machine load average: {os.getloadavg()[0]:.2f})")


def _standard(path: Path) -> tuple[bytes, object, object, object]:
    data = path.read_bytes()
    parsed = parse(data)
    header = read_header(data, parsed)
    return data, parsed, header, decode_pixels(data, header)


def _fail(path: Path) -> previews.NativeImage:
    raise SystemExit(f"{path} is not a native image")


if __name__ == "__main__":
    main()
