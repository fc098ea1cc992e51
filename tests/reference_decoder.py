"""Pure-Python reference decoders, the oracle for the compiled kernels.

Written the plain way, as two separate passes for PMSCT_RLE1, so that it
shares no structure with the fused kernel it checks.  Each returns
``(pixels, error, tail)``:

pixels
    list of decoded values (ints for RLE1, (r, g, b) tuples for RGB1).
error
    ``None``, or ``("truncated", offset)``.
tail
    ``"none"``, ``"pad"`` or ``"excess"`` (what followed the last pixel).
"""

from __future__ import annotations

RLE_ESCAPE = 0xA5
DELTA_ESCAPE = 0x5A


def _classify_tail(data: bytes, position: int) -> str:
    """Return what the stored bytes from ``position`` on amount to."""
    rest = data[position:]
    if not rest:
        return "none"
    if rest == b"\x00":
        return "pad"
    return "excess"


def expand_runs(data: bytes) -> tuple[list[tuple[int, int]], int | None]:
    """Run-length stage: return (byte, stored offset of its token) pairs.

    The second item is the offset of an incomplete escape at the very end, or
    ``None``.
    """
    expanded: list[tuple[int, int]] = []
    i = 0
    while i < len(data):
        if data[i] != RLE_ESCAPE:
            expanded.append((data[i], i))
            i += 1
            continue
        if i + 2 >= len(data):
            return expanded, i
        expanded.extend((data[i + 2], i) for _ in range(data[i + 1] + 1))
        i += 3
    return expanded, None


def rle1_reference(data: bytes, npix: int) -> tuple[list[int], tuple[str, int] | None, str]:
    """Decode PMSCT_RLE1 (without the raw-length rule)."""
    expanded, incomplete = expand_runs(data)
    pixels: list[int] = []
    value = 0
    p = 0
    while len(pixels) < npix:
        if p >= len(expanded):
            offset = incomplete if incomplete is not None else len(data)
            return pixels, ("truncated", offset), "none"
        byte, origin = expanded[p]
        if byte == DELTA_ESCAPE:
            if p + 2 >= len(expanded):
                return pixels, ("truncated", origin), "none"
            value = expanded[p + 1][0] | (expanded[p + 2][0] << 8)
            p += 3
        else:
            delta = byte - 256 if byte > 127 else byte
            value = (value + delta) % 65536
            p += 1
        pixels.append(value)
    # What follows the image: the rest of a run, or stored bytes.
    if p < len(expanded):
        previous_origin = expanded[p - 1][1]
        origin = expanded[p][1]
        if origin == previous_origin and data[origin] == RLE_ESCAPE:
            return pixels, None, "excess"
        return pixels, None, _classify_tail(data, origin)
    if incomplete is not None:
        return pixels, None, "excess"
    return pixels, None, "none"


def rle1_reference_with_raw(data: bytes, npix: int):
    """Decode PMSCT_RLE1 including the raw-length rule."""
    if len(data) == 2 * npix:
        return [data[2 * k] | (data[2 * k + 1] << 8) for k in range(npix)], None, "none"
    return rle1_reference(data, npix)


def rgb1_reference(
    data: bytes, npix: int
) -> tuple[list[tuple[int, int, int]], tuple[str, int] | None, str]:
    """Decode PMSCT_RGB1."""
    pixels: list[tuple[int, int, int]] = []
    colour = False
    running = [0, 0, 0]
    i = 0
    while len(pixels) < npix:
        if i >= len(data):
            return pixels, ("truncated", len(data)), "none"
        start = i
        command = data[i]
        if command == 0x81:
            colour = not colour
            running = [0, 0, 0]
            i += 1
            continue
        if command == 0x83:
            if i + 1 >= len(data):
                return pixels, ("truncated", start), "none"
            count = data[i + 1]
            i += 2
            for _ in range(count):
                if len(pixels) == npix:
                    return pixels, None, "excess"
                pixels.append(tuple(running) if colour else (running[0],) * 3)
            continue
        if command == 0x82:
            i += 1
        width = 3 if colour else 1
        if i + width > len(data):
            return pixels, ("truncated", start), "none"
        if colour:
            running = [(running[c] + data[i + c]) % 256 for c in range(3)]
            pixels.append(tuple(running))
        else:
            running[0] = (running[0] + data[i]) % 256
            pixels.append((running[0],) * 3)
        i += width
    return pixels, None, _classify_tail(data, i)
