"""Small numpy raster helpers: anti-aliased ellipses, blurs, smooth noise, resizing."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["blur121", "coverage", "pixel_centres", "resize_bilinear", "smooth_noise"]

FloatImage = npt.NDArray[np.float32]


def pixel_centres(count: int, spacing: float) -> npt.NDArray[np.float64]:
    """Return the coordinates (mm) of ``count`` pixel centres, symmetric about 0."""
    return (np.arange(count, dtype=np.float64) - (count - 1) / 2.0) * spacing


def coverage(
    xs: npt.NDArray[np.float64],
    ys: npt.NDArray[np.float64],
    centre: tuple[float, float],
    axes: tuple[float, float],
    spacing: float,
) -> tuple[tuple[slice, slice], FloatImage] | None:
    """Return the window and the anti-aliased coverage (0..1) of an axis-aligned ellipse.

    Parameters
    ----------
    xs, ys : ndarray
        Ascending pixel-centre coordinates of the columns and the rows (mm).
    centre, axes : tuple of float
        Centre (x, y) and semi-axes (mm).
    spacing : float
        Pixel spacing (mm); the edge ramp is one pixel wide.

    Returns
    -------
    tuple or None
        ``((row_slice, column_slice), coverage)``, or None if the ellipse misses the grid.
    """
    ax = max(axes[0], 0.25 * spacing)
    ay = max(axes[1], 0.25 * spacing)
    cx, cy = centre
    c0, c1 = np.searchsorted(xs, [cx - ax - spacing, cx + ax + spacing])
    r0, r1 = np.searchsorted(ys, [cy - ay - spacing, cy + ay + spacing])
    if c1 <= c0 or r1 <= r0:
        return None
    dx = ((xs[c0:c1] - cx) / ax).astype(np.float32)[np.newaxis, :]
    dy = ((ys[r0:r1] - cy) / ay).astype(np.float32)[:, np.newaxis]
    r2 = dx * dx + dy * dy
    grad = 2.0 * np.sqrt((dx / ax) ** 2 + (dy / ay) ** 2) + np.float32(1e-6)
    distance = (r2 - 1.0) / grad
    cov = np.clip(0.5 - distance / np.float32(spacing), 0.0, 1.0).astype(np.float32)
    return (slice(int(r0), int(r1)), slice(int(c0), int(c1))), cov


def _blur_axis(image: FloatImage, axis: int) -> FloatImage:
    a = np.moveaxis(image, axis, 0)
    out = a * np.float32(2.0)
    out[1:] += a[:-1]
    out[:1] += a[:1]
    out[:-1] += a[1:]
    out[-1:] += a[-1:]
    out *= np.float32(0.25)
    return np.moveaxis(out, 0, axis)


def blur121(image: FloatImage, passes: int = 1) -> FloatImage:
    """Blur with the separable kernel [1, 2, 1] / 4, ``passes`` times, edges replicated."""
    out = np.asarray(image, dtype=np.float32)
    for _ in range(passes):
        out = _blur_axis(_blur_axis(out, 0), 1)
    return np.ascontiguousarray(out)


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], passes: int) -> FloatImage:
    """Return Gaussian noise blurred ``passes`` times and rescaled to unit standard deviation."""
    noise = rng.standard_normal(shape, dtype=np.float32)
    if passes == 0:
        return noise
    smooth = blur121(noise, passes)
    # The blur multiplies the standard deviation of white noise by sum(w**2) of the
    # 1-D kernel (applied along both axes).
    weights = np.array([1.0])
    for _ in range(passes):
        weights = np.convolve(weights, [0.25, 0.5, 0.25])
    result: FloatImage = (smooth / np.float32(np.sum(weights**2))).astype(np.float32)
    return result


def resize_bilinear(image: npt.NDArray[np.floating], rows: int, columns: int) -> FloatImage:
    """Resample ``image`` to ``rows`` x ``columns`` with bilinear interpolation (centres aligned)."""
    src_rows, src_cols = image.shape
    y = (np.arange(rows) + 0.5) * (src_rows / rows) - 0.5
    x = (np.arange(columns) + 0.5) * (src_cols / columns) - 0.5
    y0 = np.clip(np.floor(y).astype(np.intp), 0, max(src_rows - 2, 0))
    x0 = np.clip(np.floor(x).astype(np.intp), 0, max(src_cols - 2, 0))
    y = np.clip(y, 0, src_rows - 1)
    x = np.clip(x, 0, src_cols - 1)
    fy = (y - y0).astype(np.float32)[:, np.newaxis]
    fx = (x - x0).astype(np.float32)[np.newaxis, :]
    y1 = np.minimum(y0 + 1, src_rows - 1)
    x1 = np.minimum(x0 + 1, src_cols - 1)
    img = np.asarray(image, dtype=np.float32)
    top = img[y0][:, x0] * (1 - fx) + img[y0][:, x1] * fx
    bottom = img[y1][:, x0] * (1 - fx) + img[y1][:, x1] * fx
    result: FloatImage = (top * (1 - fy) + bottom * fy).astype(np.float32)
    return result
