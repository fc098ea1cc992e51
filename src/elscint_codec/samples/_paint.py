"""Paint the ellipses of an anatomical section onto CT-number and uptake maps."""

from __future__ import annotations

import numpy as np

from elscint_codec.samples._anatomy import Section
from elscint_codec.samples._raster import FloatImage, coverage, pixel_centres

__all__ = ["TEXTURED", "Canvas"]

#: Tissues whose texture is added after painting (one weight map each).
TEXTURED = ("soft", "lung", "bone", "fat")


class Canvas:
    """Maps of one section: CT number, SUV, body mask and per-tissue weights.

    Parameters
    ----------
    rows, columns : int
        Image size.
    spacing : float
        Pixel spacing (mm); the image is centred on x = y = 0.
    background_hu : float
        CT number outside the body.
    ct : bool
        Keep the CT-number and tissue-weight maps (PET needs only SUV and body).
    """

    def __init__(
        self, rows: int, columns: int, spacing: float, background_hu: float, *, ct: bool
    ) -> None:
        self.spacing = spacing
        self.xs = pixel_centres(columns, spacing)
        self.ys = pixel_centres(rows, spacing)
        self.ct = ct
        self.suv = np.zeros((rows, columns), np.float32)
        self.body = np.zeros((rows, columns), np.float32)
        self.hu = np.full((rows, columns), background_hu, np.float32) if ct else self.suv
        self.weights = {t: np.zeros((rows, columns), np.float32) for t in TEXTURED if ct}

    def _cover(self, sec: Section) -> tuple[tuple[slice, slice], FloatImage] | None:
        outer = coverage(self.xs, self.ys, (sec.cx, sec.cy), (sec.ax, sec.ay), self.spacing)
        if outer is None or sec.shell <= 0.0:
            return outer
        window, cov = outer
        inner = coverage(
            self.xs,
            self.ys,
            (sec.cx, sec.cy),
            (sec.ax * (1.0 - sec.shell), sec.ay * (1.0 - sec.shell)),
            self.spacing,
        )
        if inner is not None:
            (ir, ic), icov = inner
            r0 = ir.start - window[0].start
            c0 = ic.start - window[1].start
            view = cov[r0 : r0 + icov.shape[0], c0 : c0 + icov.shape[1]]
            view -= icov
            np.clip(cov, 0.0, 1.0, out=cov)
        return window, cov

    def paint(self, sec: Section, *, body: bool = True) -> None:
        """Blend ``sec`` over the maps, weighted by its anti-aliased coverage."""
        covered = self._cover(sec)
        if covered is None:
            return
        window, cov = covered
        if self.ct:
            hu = self.hu[window]
            hu += cov * (np.float32(sec.hu) - hu)
            for tissue, weight in self.weights.items():
                w = weight[window]
                w += cov * (np.float32(tissue == sec.tissue) - w)
        suv = self.suv[window]
        suv += cov * (np.float32(sec.suv) - suv)
        if body:
            b = self.body[window]
            b += cov * (1.0 - b)
