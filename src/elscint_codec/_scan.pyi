from typing import Any

__test__: dict[str, str]

def walk_explicit(
    buf: Any, pos: int, stop: int, kinds: dict[int, tuple[str, bool]], element: type
) -> tuple[list[Any], int]: ...
