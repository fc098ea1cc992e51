"""Helpers of the codec benchmarks: benchmark images and the C baseline."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import elscint_codec
from elscint_codec import samples


@dataclass(frozen=True)
class Case:
    """One benchmark image: its pixels and its stored stream."""

    name: str
    image: np.ndarray
    stream: bytes
    source: str

    @property
    def rows(self) -> int:
        return int(self.image.shape[0])

    @property
    def columns(self) -> int:
        return int(self.image.shape[1])


def grey_case(name: str, kind: str, index: int, slices: int) -> Case:
    """Return slice ``index`` of a ``slices``-slice CT or PET series with its stream."""
    function = samples.ct_slice_pixels if kind == "ct" else samples.pet_slice_pixels
    image = np.ascontiguousarray(function(0, index, slices=slices)).view(np.uint16)
    source = f"elscint_codec.samples seed 0, {kind.upper()} slice {index} of {slices}"
    return Case(name, image, elscint_codec.pmsct_rle1_encode(image), source)


def fused_case() -> Case:
    """Return the sample generator's 512 x 512 fused PET/CT capture with its stream."""
    image = np.ascontiguousarray(samples.fused_rgb_pixels(0))
    source = "elscint_codec.samples.fused_rgb_pixels seed 0"
    return Case("RGB1 512x512", image, elscint_codec.pmsct_rgb1_encode(image), source)


class TwoPassBaseline:
    """The C baseline decoder, called through ctypes with prepared pointers."""

    def __init__(self, library: Path) -> None:
        self._lib = ctypes.CDLL(str(library))
        signature = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
        for name in ("baseline_rle1_decode", "baseline_noop"):
            function = getattr(self._lib, name)
            function.argtypes = signature
            function.restype = ctypes.c_long
        self.decode_function = self._lib.baseline_rle1_decode
        self.noop_function = self._lib.baseline_noop

    @staticmethod
    def _pointers(stream: Any, out: np.ndarray) -> tuple[int, int, int, int]:
        source = np.frombuffer(stream, dtype=np.uint8)
        return source.ctypes.data, source.size, out.ctypes.data, out.size

    def bind(self, stream: bytes, out: np.ndarray) -> Callable[[], int]:
        """Return a no-argument call that decodes ``stream`` into ``out``."""
        arguments = self._pointers(stream, out)
        function = self.decode_function
        return lambda: function(*arguments)

    def bind_noop(self, stream: bytes, out: np.ndarray) -> Callable[[], int]:
        """Return the same call shape doing nothing: the ctypes overhead."""
        arguments = self._pointers(stream, out)
        function = self.noop_function
        return lambda: function(*arguments)
