"""A patient-sized body made of ellipsoids and cylinders, cut into axial sections.

Depth ``d`` is measured in mm from the vertex (top of the head) towards the feet; the
DICOM patient z coordinate of a section is ``-d``. x grows towards the patient's left,
y towards the back (LPS, image right and down for an axial head-first-supine image).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from elscint_codec.samples._identity import StudyFacts, rng_for, study_facts

__all__ = ["TABLE_Y", "Blob", "Section", "body_blobs", "lesion_blobs", "section"]

#: y (mm) of the table top, where the patient's back lies.
TABLE_Y = 120.0

# depth (mm), half width (mm), half depth (mm) of the head, neck and trunk outline.
_PROFILE = np.array(
    [
        (0, 12, 16), (10, 45, 58), (30, 62, 80), (60, 71, 90), (100, 75, 95),
        (140, 73, 93), (175, 66, 86), (205, 58, 74), (235, 52, 58), (265, 56, 60),
        (295, 78, 74), (315, 140, 95), (335, 178, 108), (370, 172, 112), (450, 168, 115),
        (540, 162, 117), (640, 158, 120), (760, 160, 118), (840, 172, 112),
        (930, 176, 108), (985, 166, 100), (1000, 150, 95),
    ],
    dtype=np.float64,
)  # fmt: skip
_TRUNK_FROM = 262.0
_LEGS_FROM = 995.0


@dataclass(frozen=True)
class Blob:
    """One body part: an ellipsoid (or a cylinder) with its CT number and uptake.

    ``frame`` says how ``x``, ``y`` and the axes are read: "norm" as fractions of the
    outline's half width / half depth at the section (axes too unless ``axes_mm``),
    "back" as mm along x from the midline and mm in front of the table top, "leg" as mm
    relative to the centre of each leg (mirrored for the right leg).
    """

    tissue: str
    hu: float
    suv: float
    x: float
    y: float
    ax: float
    ay: float
    d0: float
    ad: float
    frame: str = "norm"
    axes_mm: bool = False
    cylinder: bool = False
    shell: float = 0.0


@dataclass(frozen=True)
class Section:
    """One ellipse of a section in mm, to be painted in list order."""

    tissue: str
    hu: float
    suv: float
    cx: float
    cy: float
    ax: float
    ay: float
    shell: float


def _outline(d: float, width: float, depth: float) -> tuple[float, float]:
    a = float(np.interp(d, _PROFILE[:, 0], _PROFILE[:, 1]))
    b = float(np.interp(d, _PROFILE[:, 0], _PROFILE[:, 2]))
    if d > _TRUNK_FROM:
        ramp = min(1.0, (d - _TRUNK_FROM) / 60.0)
        a *= 1.0 + (width - 1.0) * ramp
        b *= 1.0 + (depth - 1.0) * ramp
    return a, b


def _leg(d: float, width: float) -> tuple[float, float, float]:
    """Return centre x, half width, half depth of the left leg at depth d."""
    t = min(1.0, (d - _LEGS_FROM) / 800.0)
    r = (80.0 - 40.0 * t) * width
    return 92.0 * width, r, r * 0.95


def _ribs() -> list[Blob]:
    blobs: list[Blob] = []
    for k in range(18):
        theta = math.radians(-90.0 + 20.0 * k)
        if abs(math.sin(theta)) > 0.93:
            continue  # no rib at the spine or the sternum
        phase = 12.0 * math.sin(theta) + 4.0 * k
        x, y = 0.9 * math.cos(theta), 0.9 * math.sin(theta)
        for level in np.arange(335.0 + phase, 640.0, 27.0):
            blobs += [
                Blob("bone", 380, 1.3, x, y, 9.0, 6.0, level, 6.0, "norm", True),
                Blob("cortex", 1150, 1.3, x, y, 9.0, 6.0, level, 6.0, "norm", True, False, 0.35),
            ]
    return blobs


def _lesions(facts: StudyFacts) -> list[Blob]:
    rng = rng_for(facts.seed, "lesions")
    out: list[Blob] = []
    for _ in range(int(rng.integers(4, 9))):
        site = int(rng.integers(0, 6))
        r = float(rng.uniform(4.0, 14.0))
        suv = float(rng.uniform(4.0, 16.0))
        side = 1.0 if rng.random() < 0.5 else -1.0
        if site == 0:  # lung nodule
            x, y, d, hu = (
                side * rng.uniform(0.3, 0.55),
                rng.uniform(-0.4, 0.3),
                rng.uniform(370, 560),
                30.0,
            )
        elif site == 1:  # liver metastasis
            x, y, d, hu = (
                rng.uniform(-0.55, -0.2),
                rng.uniform(-0.3, 0.3),
                rng.uniform(565, 670),
                38.0,
            )
        elif site == 2:  # mediastinal node
            x, y, d, hu = (
                rng.uniform(-0.1, 0.15),
                rng.uniform(-0.3, 0.05),
                rng.uniform(395, 450),
                35.0,
            )
        elif site == 3:  # cervical node
            x, y, d, hu = side * 0.45, -0.1, rng.uniform(240, 285), 35.0
        elif site == 4:  # pelvic node
            x, y, d, hu = side * rng.uniform(0.3, 0.45), -0.05, rng.uniform(820, 880), 35.0
        else:  # bone metastasis in a vertebra
            out.append(
                Blob("bone", 520, suv, 0.0, 58.0, r, r, float(rng.uniform(420, 800)), r, "back",
                     True)
            )  # fmt: skip
            continue
        out.append(Blob("soft", hu, suv, float(x), float(y), r, r, float(d), r, "norm", True))
    return out


def _bowel(facts: StudyFacts) -> list[Blob]:
    rng = rng_for(facts.seed, "bowel")
    out: list[Blob] = []
    for _ in range(16):
        x, y = float(rng.uniform(-0.6, 0.6)), float(rng.uniform(-0.75, 0.25))
        d, ad = float(rng.uniform(690, 870)), float(rng.uniform(20, 45))
        r = float(rng.uniform(12, 24))
        out.append(Blob("soft", 28, float(rng.uniform(1.2, 2.6)), x, y, r, r * 0.85, d, ad,
                        "norm", True))  # fmt: skip
        if rng.random() < 0.45:
            out.append(Blob("air", -990, 0.0, x, y - 0.02, r * 0.6, r * 0.5, d, ad * 0.8, "norm",
                            True))  # fmt: skip
    return out


@lru_cache(maxsize=16)
def body_blobs(seed: int) -> tuple[Blob, ...]:
    """Return the body parts of the patient made from ``seed``, in painting order."""
    facts = study_facts(seed)
    rng = rng_for(seed, "uptake")
    brain = float(rng.uniform(6.5, 10.0))
    myo = float(rng.uniform(1.5, 9.0))
    bladder = float(rng.uniform(25.0, 70.0))
    liver = float(rng.uniform(1.9, 2.7))
    b: list[Blob] = [
        # muscle wall of the trunk, visceral fat of the abdomen
        Blob("soft", 48, 0.8, 0, 0.02, 0.9, 0.88, 630, 368, cylinder=True),
        Blob("fat", -85, 0.3, 0, -0.05, 0.78, 0.74, 760, 190),
        # head
        Blob("cortex", 1250, 0.7, 0, 0, 0.965, 0.965, 105, 100, cylinder=True, shell=0.085),
        Blob("soft", 36, brain, 0, 0.01, 0.875, 0.875, 92, 82, cylinder=True),
        Blob("soft", 28, brain * 0.4, 0, 0.0, 0.6, 0.7, 85, 55),
        Blob("fluid", 8, 0.5, 0.12, -0.05, 0.07, 0.3, 78, 25),
        Blob("fluid", 8, 0.5, -0.12, -0.05, 0.07, 0.3, 78, 25),
        Blob("soft", 38, brain * 0.8, 0, 0.4, 0.6, 0.45, 165, 30),
        Blob("fluid", 12, 0.8, 0.38, -0.78, 12, 12, 125, 12, axes_mm=True),
        Blob("fluid", 12, 0.8, -0.38, -0.78, 12, 12, 125, 12, axes_mm=True),
        Blob("air", -950, 0.0, 0, -0.55, 0.35, 0.25, 160, 18),
        Blob("cortex", 1400, 0.9, 0, -0.42, 0.68, 0.5, 212, 20, cylinder=True, shell=0.16),
        # neck
        Blob("air", -1000, 0.0, 0, -0.45, 9, 8, 272, 48, axes_mm=True, cylinder=True),
        Blob("soft", 70, 1.5, 0.25, -0.45, 10, 14, 255, 20, axes_mm=True),
        Blob("soft", 70, 1.5, -0.25, -0.45, 10, 14, 255, 20, axes_mm=True),
        # thorax
        Blob("lung", -850, 0.4, 0.43, -0.02, 0.36, 0.66, 462, 125),
        Blob("lung", -850, 0.4, -0.43, -0.02, 0.37, 0.66, 457, 130),
        Blob("air", -1000, 0.0, 0, -0.15, 8, 8, 372, 52, axes_mm=True, cylinder=True),
        Blob("soft", 42, myo, 0.13, -0.28, 0.34, 0.36, 480, 65),
        Blob("soft", 38, 1.8, 0.13, -0.28, 0.22, 0.24, 476, 48),
        Blob("soft", 40, 1.8, 0.02, -0.2, 15, 15, 410, 30, axes_mm=True, cylinder=True),
        Blob("soft", 40, 1.8, 22, 80, 12, 12, 600, 200, "back", True, True),
        Blob("soft", 45, 1.2, -6, 92, 8, 7, 430, 130, "back", True, True),
        Blob("bone", 400, 1.4, 0, -0.93, 14, 7, 445, 95, axes_mm=True, cylinder=True),
        Blob(
            "cortex", 1000, 1.4, 0, -0.93, 14, 7, 445, 95, axes_mm=True, cylinder=True, shell=0.3
        ),
        Blob("cortex", 700, 1.0, 0.58, 0.66, 32, 5, 380, 60, axes_mm=True, cylinder=True),
        Blob("cortex", 700, 1.0, -0.58, 0.66, 32, 5, 380, 60, axes_mm=True, cylinder=True),
        # abdomen
        Blob("soft", 58, liver, -0.36, -0.02, 0.55, 0.72, 615, 95),
        Blob("fluid", 10, 0.8, -0.3, -0.5, 15, 20, 640, 25, axes_mm=True),
        Blob("soft", 50, liver * 0.85, 0.62, 0.35, 0.2, 0.3, 590, 55),
        Blob("soft", 25, 1.6, 0.35, -0.35, 0.28, 0.28, 580, 50),
        Blob("air", -990, 0.0, 0.35, -0.52, 0.18, 0.1, 565, 30),
        Blob("soft", 45, 1.4, 0.05, 0.05, 0.35, 0.1, 650, 20),
        Blob("soft", 35, 3.2, 0.42, 0.5, 28, 40, 670, 55, axes_mm=True),
        Blob("soft", 35, 3.2, -0.42, 0.5, 28, 40, 670, 55, axes_mm=True),
        Blob("fluid", 5, 12.0, 0.38, 0.48, 8, 12, 670, 20, axes_mm=True),
        Blob("fluid", 5, 12.0, -0.38, 0.48, 8, 12, 670, 20, axes_mm=True),
        Blob("soft", 50, 0.9, 45, 62, 20, 22, 790, 110, "back", True, True),
        Blob("soft", 50, 0.9, -45, 62, 20, 22, 790, 110, "back", True, True),
        *_bowel(facts),
        # pelvis
        Blob("fluid", 8, bladder, 0, -0.35, 0.28, 0.33, 900, 42),
        Blob("soft", 30, 1.3, 0, 70, 16, 16, 880, 40, "back", True),
        Blob("bone", 300, 1.5, 0.6, 0.3, 25, 55, 815, 60, axes_mm=True),
        Blob("cortex", 1100, 1.5, 0.6, 0.3, 25, 55, 815, 60, axes_mm=True, shell=0.25),
        Blob("bone", 300, 1.5, -0.6, 0.3, 25, 55, 815, 60, axes_mm=True),
        Blob("cortex", 1100, 1.5, -0.6, 0.3, 25, 55, 815, 60, axes_mm=True, shell=0.25),
        Blob("bone", 350, 1.6, 0, 40, 45, 22, 830, 55, "back", True),
        Blob("cortex", 1050, 1.6, 0, 40, 45, 22, 830, 55, "back", True, shell=0.2),
        Blob("bone", 400, 1.2, 0.55, 0.05, 24, 24, 925, 28, axes_mm=True),
        Blob("cortex", 1000, 1.2, 0.55, 0.05, 24, 24, 925, 28, axes_mm=True, shell=0.25),
        Blob("bone", 400, 1.2, -0.55, 0.05, 24, 24, 925, 28, axes_mm=True),
        Blob("cortex", 1000, 1.2, -0.55, 0.05, 24, 24, 925, 28, axes_mm=True, shell=0.25),
        # legs: femoral shafts
        Blob("fat", -20, 1.0, 0, 0, 13, 13, 1400, 440, "leg", True, True),
        Blob("cortex", 1300, 1.0, 0, 0, 13, 13, 1400, 440, "leg", True, True, 0.4),
        # ribs
        *_ribs(),
    ]
    if facts.sex == "F":
        b[:0] = [
            Blob("fat", -40, 0.5, s * 0.45, -0.86, 55, 26, 480, 60, axes_mm=True) for s in (1, -1)
        ]
    return tuple(b)


@lru_cache(maxsize=16)
def lesion_blobs(seed: int) -> tuple[Blob, ...]:
    """Return the hot lesions of the patient made from ``seed``."""
    return tuple(_lesions(study_facts(seed)))


def section(seed: int, depth: float) -> list[Section]:
    """Return the ellipses (mm) that make the axial section at ``depth`` mm below the vertex."""
    facts = study_facts(seed)
    a, b = _outline(depth, facts.body_width, facts.body_depth)
    yc = TABLE_Y - b
    out: list[Section] = []
    if depth <= _LEGS_FROM + 5.0 and a > 0:
        out.append(Section("fat", -100, 0.3, 0.0, yc, a, b, 0.0))
    legs = depth > _LEGS_FROM - 20.0
    if legs:
        lx, la, lb = _leg(depth, facts.body_width)
        for s in (1.0, -1.0):
            out.append(Section("fat", -100, 0.3, s * lx, TABLE_Y - lb, la, lb, 0.0))
            out.append(Section("soft", 50, 0.8, s * lx, TABLE_Y - lb, la * 0.85, lb * 0.85, 0.0))
    if 40.0 <= depth <= 300.0:  # arms raised beside the head
        r = 42.0 * facts.body_width * (0.75 if depth < 90 else 1.0)
        for s in (1.0, -1.0):
            out += [
                Section("fat", -100, 0.3, s * 135.0, 20.0, r, r * 0.95, 0.0),
                Section("soft", 50, 0.8, s * 135.0, 20.0, r * 0.85, r * 0.8, 0.0),
                Section("cortex", 1200, 1.0, s * 135.0, 22.0, 11.0, 11.0, 0.45),
            ]
    parts = [_place(blob, depth, a, b, legs, facts.body_width) for blob in body_blobs(seed)]
    parts.append(_vertebra(depth, _spine_geometry(depth)))
    parts += [_place(blob, depth, a, b, legs, facts.body_width) for blob in lesion_blobs(seed)]
    for part in parts:
        out += part
    return out


def _place(
    blob: Blob, depth: float, a: float, b: float, legs: bool, width: float
) -> list[Section]:
    """Return the ellipses of ``blob`` at ``depth`` (none, one, or one per leg)."""
    dz = depth - blob.d0
    if abs(dz) >= blob.ad:
        return []
    k = 1.0 if blob.cylinder else math.sqrt(1.0 - (dz / blob.ad) ** 2)
    if blob.frame == "leg":
        if not legs:
            return []
        lx, _, lb = _leg(depth, width)
        return [
            Section(blob.tissue, blob.hu, blob.suv, s * lx + s * blob.x, TABLE_Y - lb + blob.y,
                    blob.ax, blob.ay, blob.shell)
            for s in (1.0, -1.0)
        ]  # fmt: skip
    if blob.frame == "norm":
        cx, cy = blob.x * a, TABLE_Y - b + blob.y * b
        sx, sy = (1.0, 1.0) if blob.axes_mm else (a, b)
    else:
        cx, cy, sx, sy = blob.x, TABLE_Y - blob.y, 1.0, 1.0
    return [
        Section(blob.tissue, blob.hu, blob.suv, cx, cy, blob.ax * sx * k, blob.ay * sy * k,
                blob.shell)
    ]  # fmt: skip


def _spine_geometry(depth: float) -> tuple[float, float, float] | None:
    """Return (dy, rx, ry) of the vertebral body at ``depth``, or None outside the spine."""
    if not 200.0 <= depth <= 880.0:
        return None
    if depth < 320.0:
        return 42.0, 14.0, 11.0
    if depth < 640.0:
        t = (depth - 320.0) / 320.0
        return 52.0 + 8.0 * t, 16.0 + 4.0 * t, 13.0 + 2.0 * t
    return 62.0 + 8.0 * (depth - 640.0) / 240.0, 22.0, 17.0


def _vertebra(depth: float, geometry: tuple[float, float, float] | None) -> list[Section]:
    if geometry is None:
        return []
    dy, rx, ry = geometry
    cy = TABLE_Y - dy
    if (depth - 200.0) % 28.0 < 5.0:  # intervertebral disc
        body = [Section("soft", 85, 1.0, 0.0, cy, rx, ry, 0.0)]
    else:
        body = [
            Section("bone", 230, 1.8, 0.0, cy, rx, ry, 0.0),
            Section("cortex", 950, 1.8, 0.0, cy, rx, ry, 0.14),
        ]
    canal = cy + ry + 10.0
    return [
        *body,
        Section("cortex", 800, 1.2, 0.0, canal, rx * 0.75, 11.0, 0.3),
        Section("fluid", 12, 0.6, 0.0, canal, 7.5, 7.0, 0.0),
        Section("cortex", 700, 1.0, 0.0, canal + 17.0, 5.0, 9.0, 0.0),
    ]
