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
def index_explicit(
    buf: Any, pos: int, stop: int, kinds: dict[int, tuple[str, bool]]
) -> tuple[bytes, int]: ...
def record_elements(
    records: Any, kinds: dict[int, tuple[str, bool]], element: type
) -> list[Any]: ...
def record_find(
    records: Any, tag: int, kinds: dict[int, tuple[str, bool]], element: type
) -> Any | None: ...
def record_tags(records: Any, low: int, high: int) -> list[int]: ...
def record_values(buf: Any, records: Any, tags: tuple[int, ...]) -> list[bytes]: ...
def values(buf: Any, index: dict[int, Any], tags: tuple[int, ...]) -> list[bytes]: ...
