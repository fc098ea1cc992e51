from collections.abc import Collection
from typing import Any

__test__: dict[str, str]

def splice(
    buf: Any,
    elements: tuple[Any, ...],
    removed: Collection[int],
    changed: Collection[int],
    pixel: list[Any],
    pixel_size: int,
) -> list[Any]: ...
def splice_records(
    buf: Any,
    records: Any,
    removed: Collection[int],
    changed: Collection[int],
    pixel: list[Any],
    pixel_size: int,
) -> list[Any]: ...
