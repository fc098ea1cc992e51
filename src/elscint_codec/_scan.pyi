from typing import Any

__test__: dict[str, str]

def walk_explicit(
    buf: Any,
    pos: int,
    stop: int,
    kinds: dict[int, tuple[str, bool]],
    element: type,
    group_only: int = -1,
) -> tuple[list[Any], int]: ...
