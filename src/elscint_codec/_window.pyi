from typing import Any

__test__: dict[str, str]

def percentiles(
    pixels: Any,
    slope: float,
    intercept: float,
    signed: bool,
    bits_stored: int,
    qs: tuple[float, ...],
) -> tuple[float, ...]: ...
def grey_levels(
    pixels: Any,
    slope: float,
    intercept: float,
    signed: bool,
    bits_stored: int,
    low: float,
    high: float,
    inverted: bool,
) -> bytes: ...
