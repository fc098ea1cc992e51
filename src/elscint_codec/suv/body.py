"""Body-size formulas used to normalise SUV: lean body mass, surface area, ideal weight.

Pure formulas, no range checks (the caller decides what is plausible). Weight
``w`` is in kg, height ``h`` in metres; every function returns kg or cm2.
Sex is ``"M"``, ``"F"`` or ``"O"``; for ``"O"`` (other) the mean of the male
and female formulas is returned, as the IBSI SUV manual recommends.

Sources: James (1976) and its DICOM variants as restated in the IBSI SUV
manual and PS3.16 CID 85; Janmahasatian et al., Clin Pharmacokinet 2005;
Du Bois & Du Bois 1916; ideal body weight as in the IBSI manual and the QIICR
SUVFactorCalculator (not capped at the body weight).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from elscint_codec.suv.rules import SEX, SIZE, WEIGHT, height_in_m, sex_code

__all__ = [
    "LBM_LABELS",
    "BodySizes",
    "bsa_du_bois",
    "ideal_body_weight",
    "lbm_james",
    "lbm_janmahasatian",
]

#: Human-readable label of each lean-body-mass variant, keyed by the short name
#: used in reports and JSON.
LBM_LABELS: dict[str, str] = {
    "janma": "Janmahasatian 2005 (DICOM SUV Type LBMJANMA)",
    "james128": "James 1976, male multiplier 128 (DICOM SUV Type LBMJAMES128)",
    "james120": "James as printed by Sugawara 1999, male multiplier 120 (DICOM SUV Type LBM)",
}


def _by_sex(sex: str, male: Callable[[], float], female: Callable[[], float]) -> float:
    if sex == "M":
        return male()
    if sex == "F":
        return female()
    if sex == "O":
        return (male() + female()) / 2.0
    raise ValueError(f"sex must be 'M', 'F' or 'O', not {sex!r}")


def lbm_james(
    weight_kg: float, height_m: float, sex: str, *, male_multiplier: float = 128.0
) -> float:
    """Lean body mass by James' formula [kg].

    Male ``1.10 w - k (w/h)^2``, female ``1.07 w - 148 (w/h)^2`` with ``h`` in cm;
    ``k`` is 128 in James (1976) and DICOM's LBMJAMES128, 120 in Sugawara's
    reprint that DICOM's plain "LBM", PixelMed and cornerstone follow.
    """
    ratio2 = (weight_kg / (height_m * 100.0)) ** 2
    return _by_sex(
        sex,
        lambda: 1.10 * weight_kg - male_multiplier * ratio2,
        lambda: 1.07 * weight_kg - 148.0 * ratio2,
    )


def lbm_janmahasatian(weight_kg: float, height_m: float, sex: str) -> float:
    """Lean body mass by Janmahasatian et al. (2005) [kg].

    ``BMI = w / h^2``; male ``9270 w / (6680 + 216 BMI)``,
    female ``9270 w / (8780 + 244 BMI)``.
    """
    bmi = weight_kg / (height_m * height_m)
    return _by_sex(
        sex,
        lambda: 9270.0 * weight_kg / (6680.0 + 216.0 * bmi),
        lambda: 9270.0 * weight_kg / (8780.0 + 244.0 * bmi),
    )


def bsa_du_bois(weight_kg: float, height_m: float) -> float:
    """Body surface area by Du Bois [cm2]: ``71.84 w^0.425 h[cm]^0.725``."""
    area: float = 71.84 * math.pow(weight_kg, 0.425) * math.pow(height_m * 100.0, 0.725)
    return area


def ideal_body_weight(height_m: float, sex: str) -> float:
    """Ideal body weight [kg]: male ``48.0 + 1.06 (h - 152)``, female ``45.5 + 0.91 (h - 152)``.

    ``h`` in cm. Not capped at the actual weight.
    """
    height_cm = height_m * 100.0
    return _by_sex(
        sex,
        lambda: 48.0 + 1.06 * (height_cm - 152.0),
        lambda: 45.5 + 0.91 * (height_cm - 152.0),
    )


class BodySizes:
    """Body sizes of one patient with the reason for each size that is unknown.

    Parameters
    ----------
    weight : float or None
        Weight in kg (already unit-checked), None when unusable.
    weight_reason : str or None
        Why the weight is unusable.
    size, sex_raw : raw Patient's Size (0010,1020) and Patient's Sex (0010,0040).

    Attributes
    ----------
    lbm : dict
        Lean body mass in kg per formula key ("janma", "james128", "james120").
    bsa : float or None
        Du Bois body surface area in cm2.
    ibw : float or None
        Ideal body weight in kg.
    reasons : dict
        Factor key ("sul_janma", ..., "bsa", "ibw") -> (element, reason).
    """

    def __init__(
        self,
        weight: float | None,
        weight_reason: str | None,
        size: float | None,
        sex_raw: str | None,
    ) -> None:
        self.weight = weight
        self.height, height_reason = height_in_m(size)
        self.sex, sex_reason = sex_code(sex_raw)
        #: variant key -> (element, reason) for every variant that cannot be computed
        self.reasons: dict[str, tuple[str, str]] = {}
        self.lbm: dict[str, float] = {}
        self.bsa: float | None = None
        self.ibw: float | None = None
        for key in ("sul_janma", "sul_james128", "sul_james120", "bsa", "ibw"):
            if weight_reason:
                self.reasons[key] = (WEIGHT, weight_reason)
            elif height_reason:
                self.reasons[key] = (SIZE, height_reason)
            elif sex_reason and key != "bsa":
                self.reasons[key] = (SEX, sex_reason)
        if weight is None or self.height is None:
            return
        self.bsa = bsa_du_bois(weight, self.height)
        if self.sex is None:
            return
        height, sex = self.height, self.sex
        self.ibw = ideal_body_weight(height, sex)
        formulas: dict[str, Callable[[], float]] = {
            "janma": lambda: lbm_janmahasatian(weight, height, sex),
            "james128": lambda: lbm_james(weight, height, sex),
            "james120": lambda: lbm_james(weight, height, sex, male_multiplier=120.0),
        }
        for name, formula in formulas.items():
            mass = formula()
            if mass > 0:
                self.lbm[name] = mass
            else:
                self.reasons["sul_" + name] = (
                    SIZE,
                    f"the {name} formula gives a lean body mass of {mass:.1f} kg at this BMI",
                )
        if self.ibw <= 0:
            self.reasons["ibw"] = (SIZE, f"ideal body weight {self.ibw:.1f} kg at this height")
            self.ibw = None

    def mass(self, key: str) -> float | None:
        """Mass (kg) or area (cm2) of a variant key, None when unavailable."""
        if key == "bsa":
            return self.bsa
        if key == "ibw":
            return self.ibw
        return self.lbm.get(key.removeprefix("sul_"))
