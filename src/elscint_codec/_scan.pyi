from typing import Any

__test__: dict[str, str]

def walk_explicit(
    buf: Any,
    pos: int,
    stop: int,
    kinds: dict[int, tuple[str, bool]],
    element: type,
    group_only: int = -1,
    index: dict[int, Any] | None = None,
) -> tuple[list[Any], int]: ...
def values(buf: Any, index: dict[int, Any], tags: tuple[int, ...]) -> list[bytes]: ...
