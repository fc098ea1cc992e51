from typing import Any

__test__: dict[str, str]

def rle1_encode(
    pixels: Any, force_absolute: int = -1, all_absolute: bool = False, use_runs: bool = True
) -> bytes: ...
def rgb1_encode(pixels: Any) -> bytes: ...
