from typing import Any, TypeAlias

__test__: dict[str, str]

OK: int
TRUNCATED: int
TAIL_NONE: int
TAIL_PAD: int
TAIL_EXCESS: int
RLE1_PATHS: tuple[str, ...]

_Outcome: TypeAlias = tuple[int, int, int, int, int]

def select_rle1_path(name: str) -> str: ...
def rle1_decode_into(src: Any, dst: Any) -> _Outcome: ...
def raw16_into(src: Any, dst: Any) -> None: ...
def rgb1_decode_into(src: Any, dst: Any) -> _Outcome: ...
