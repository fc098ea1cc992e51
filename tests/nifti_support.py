"""Run dcm2niix and read the NIfTI-1 files it writes, with numpy alone.

nibabel is not a dependency, and the tests only need the few header fields
below (NIfTI-1, single file ``.nii``, little endian), so the header is read
with :mod:`struct` at the offsets the NIfTI-1 standard gives.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tooling import require_tool

#: NIfTI-1 datatype codes dcm2niix writes, as numpy dtypes (RGB24 is 3 x uint8).
DATATYPES = {
    2: np.dtype("u1"),
    4: np.dtype("<i2"),
    8: np.dtype("<i4"),
    16: np.dtype("<f4"),
    64: np.dtype("<f8"),
    128: np.dtype("u1"),
    512: np.dtype("<u2"),
}
RGB24 = 128


def dcm2niix_program() -> str:
    """Return the dcm2niix binary, or skip/fail.

    The PyPI package's own executable comes first: the ``dcm2niix`` on PATH is
    often a Python wrapper script around it (and would add a Python start-up
    to every timing).
    """
    try:
        import dcm2niix  # the PyPI package

        binary = getattr(dcm2niix, "bin", None)
    except ImportError:
        binary = None
    if binary is not None and os.access(binary, os.X_OK):
        return str(binary)
    found = shutil.which("dcm2niix")
    if found is not None:
        return found
    return require_tool("dcm2niix")


def run_dcm2niix(source: Path, output: Path, *, single_file: bool = False) -> str:
    """Convert ``source`` (folder, or one file with ``single_file``) into ``output``.

    Options: no BIDS sidecar, no compression, 16-bit integers kept as stored
    (``-l o``), one file per series named after the Series Number (``-f %s``).
    Returns dcm2niix's console output.
    """
    output.mkdir(parents=True, exist_ok=True)
    command = [dcm2niix_program(), "-b", "n", "-z", "n", "-l", "o", "-f", "%s", "-o", str(output)]
    if single_file:
        command += ["-s", "y"]
    run = subprocess.run(
        [*command, str(source)], capture_output=True, text=True, timeout=120, check=False
    )
    text = run.stdout + run.stderr
    assert run.returncode == 0, f"dcm2niix failed ({run.returncode}) on {source}:\n{text}"
    return text


@dataclass(frozen=True)
class Nifti:
    """The parts of a NIfTI-1 file the tests compare.

    ``data`` has shape (slices, rows, columns) or (slices, rows, columns, 3)
    for RGB24, in the file's own row order (dcm2niix stores rows bottom-up).
    """

    dim: tuple[int, ...]
    datatype: int
    pixdim: tuple[float, ...]
    scl_slope: float
    scl_inter: float
    data: np.ndarray


def read_nifti(path: Path) -> Nifti:
    """Read a single-file little-endian NIfTI-1 image."""
    raw = path.read_bytes()
    (header_size,) = struct.unpack_from("<i", raw, 0)
    assert header_size == 348, f"{path} is not a little-endian NIfTI-1 file"
    assert raw[344:348] == b"n+1\0", f"{path} is not a single-file NIfTI-1 image"
    dim = struct.unpack_from("<8h", raw, 40)
    datatype = struct.unpack_from("<h", raw, 70)[0]
    pixdim = struct.unpack_from("<8f", raw, 76)
    (vox_offset,) = struct.unpack_from("<f", raw, 108)
    scl_slope, scl_inter = struct.unpack_from("<2f", raw, 112)
    columns, rows = dim[1], dim[2]
    slices = int(np.prod(dim[3 : 1 + dim[0]], dtype=np.int64)) if dim[0] >= 3 else 1
    shape: tuple[int, ...] = (slices, rows, columns)
    if datatype == RGB24:
        shape = (*shape, 3)
    dtype = DATATYPES[datatype]
    count = int(np.prod(shape))
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=int(vox_offset)).reshape(shape)
    return Nifti(tuple(dim), datatype, tuple(pixdim), scl_slope, scl_inter, data)


def nifti_files(folder: Path) -> dict[str, Path]:
    """Return the ``.nii`` files in ``folder`` by stem (the Series Number with ``-f %s``)."""
    return {path.stem: path for path in sorted(folder.glob("*.nii"))}
