"""A 5 x 7 pixel bitmap font for burned-in screen annotations."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["GLYPH_HEIGHT", "GLYPH_WIDTH", "draw_text", "text_mask"]

GLYPH_WIDTH = 5
GLYPH_HEIGHT = 7

# Each glyph: seven rows, five bits each (bit 4 = leftmost column), as hex pairs.
_GLYPHS = {
    "0": "0E 11 13 15 19 11 0E", "1": "04 0C 04 04 04 04 0E", "2": "0E 11 01 02 04 08 1F",
    "3": "1F 02 04 02 01 11 0E", "4": "02 06 0A 12 1F 02 02", "5": "1F 10 1E 01 01 11 0E",
    "6": "06 08 10 1E 11 11 0E", "7": "1F 01 02 04 08 08 08", "8": "0E 11 11 0E 11 11 0E",
    "9": "0E 11 11 0F 01 02 0C", "A": "0E 11 11 1F 11 11 11", "B": "1E 11 11 1E 11 11 1E",
    "C": "0E 11 10 10 10 11 0E", "D": "1C 12 11 11 11 12 1C", "E": "1F 10 10 1E 10 10 1F",
    "F": "1F 10 10 1E 10 10 10", "G": "0E 11 10 17 11 11 0F", "H": "11 11 11 1F 11 11 11",
    "I": "0E 04 04 04 04 04 0E", "J": "07 02 02 02 02 12 0C", "K": "11 12 14 18 14 12 11",
    "L": "10 10 10 10 10 10 1F", "M": "11 1B 15 15 11 11 11", "N": "11 11 19 15 13 11 11",
    "O": "0E 11 11 11 11 11 0E", "P": "1E 11 11 1E 10 10 10", "Q": "0E 11 11 11 15 12 0D",
    "R": "1E 11 11 1E 14 12 11", "S": "0F 10 10 0E 01 01 1E", "T": "1F 04 04 04 04 04 04",
    "U": "11 11 11 11 11 11 0E", "V": "11 11 11 11 11 0A 04", "W": "11 11 11 15 15 15 0A",
    "X": "11 11 0A 04 0A 11 11", "Y": "11 11 11 0A 04 04 04", "Z": "1F 01 02 04 08 10 1F",
    ".": "00 00 00 00 00 0C 0C", ":": "00 0C 0C 00 0C 0C 00", "-": "00 00 00 1F 00 00 00",
    "/": "00 01 02 04 08 10 00", "^": "04 0A 11 00 00 00 00", " ": "00 00 00 00 00 00 00",
    "(": "02 04 08 08 08 04 02", ")": "08 04 02 02 02 04 08", "=": "00 00 1F 00 1F 00 00",
    "+": "00 04 04 1F 04 04 00", "%": "18 19 02 04 08 13 03", "_": "00 00 00 00 00 00 1F",
}  # fmt: skip


def _bitmap(char: str) -> npt.NDArray[np.bool_]:
    rows = [int(h, 16) for h in _GLYPHS.get(char.upper(), _GLYPHS[" "]).split()]
    bits = [[(row >> (GLYPH_WIDTH - 1 - col)) & 1 for col in range(GLYPH_WIDTH)] for row in rows]
    return np.array(bits, dtype=bool)


def text_mask(text: str, scale: int = 1) -> npt.NDArray[np.bool_]:
    """Return the pixels set by ``text`` (one column of space between glyphs), scaled."""
    if not text:
        return np.zeros((GLYPH_HEIGHT * scale, 0), dtype=bool)
    spacer = np.zeros((GLYPH_HEIGHT, 1), dtype=bool)
    parts: list[npt.NDArray[np.bool_]] = []
    for char in text:
        parts += [_bitmap(char), spacer]
    mask = np.hstack(parts[:-1])
    return np.repeat(np.repeat(mask, scale, axis=0), scale, axis=1)


def draw_text(
    image: npt.NDArray[np.uint8],
    text: str,
    row: int,
    column: int,
    colour: tuple[int, int, int],
    scale: int = 1,
) -> None:
    """Burn ``text`` into the RGB ``image`` in place, clipped at the image border."""
    mask = text_mask(text, scale)
    rows = min(mask.shape[0], image.shape[0] - row)
    cols = min(mask.shape[1], image.shape[1] - column)
    if rows <= 0 or cols <= 0 or row < 0 or column < 0:
        return
    target = image[row : row + rows, column : column + cols]
    target[mask[:rows, :cols]] = colour
