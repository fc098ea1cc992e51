AVAILABLE: bool
__test__: dict[str, str]

def syncfs(fd: int) -> int: ...
