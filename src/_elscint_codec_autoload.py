"""Start-up hook of elscint-codec: register its pydicom plugin when pydicom is imported.

``elscint_codec.pth`` (Python up to 3.14) and ``elscint_codec.start`` (PEP 829,
Python 3.15+) call :func:`install` at interpreter start.  It imports nothing
but ``os`` and ``sys``: it puts a one-shot finder at the front of
``sys.meta_path`` that, once ``pydicom/__init__`` has run, imports
``elscint_codec`` and calls ``elscint_codec.register()``.  Set the environment
variable ``ELSCINT_CODEC_AUTOLOAD=0`` (or ``false``, ``no``, ``off``) to switch
it off.  Nothing here ever raises; a failed registration is reported as a
``RuntimeWarning`` and ``import pydicom`` goes on.  See ``docs/pydicom.md``.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing is not imported at start-up: it costs milliseconds
if TYPE_CHECKING:
    from typing import Any

ENVIRONMENT_VARIABLE = "ELSCINT_CODEC_AUTOLOAD"
_OFF = ("0", "false", "no", "off")


def enabled() -> bool:
    """Return False when the environment switches the hook off."""
    return os.environ.get(ENVIRONMENT_VARIABLE, "1").strip().lower() not in _OFF


def install() -> None:
    """Entry point of the start-up hook: watch for pydicom unless switched off."""
    try:
        if enabled():
            watch()
    except Exception:  # noqa: BLE001, S110 - a start-up hook must never break Python
        pass


def watch() -> None:
    """Register when pydicom is imported (at once if it already is); idempotent."""
    if "pydicom" in sys.modules:
        _register()
    elif not any(getattr(f, "_elscint_codec_watcher", False) for f in sys.meta_path):
        sys.meta_path.insert(0, _PydicomWatcher())


def unwatch() -> None:
    """Remove a pending watcher, if any."""
    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "_elscint_codec_watcher", 0)]


def _register() -> None:
    try:
        import elscint_codec

        register = getattr(elscint_codec, "register", None)
        if register is None:
            return  # pydicom imported while elscint_codec initialises: it registers itself
        register()
    except Exception as exc:  # noqa: BLE001 - reported, never raised
        try:
            import warnings

            warnings.warn(
                f"elscint_codec could not register its pydicom plugin: {exc!r}",
                RuntimeWarning,
                stacklevel=2,
            )
        except Exception:  # noqa: BLE001, S110 - e.g. warnings turned into errors
            pass


class _PydicomWatcher:
    """Meta path finder that answers only for ``pydicom``, once."""

    _elscint_codec_watcher = True

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "pydicom":
            return None
        try:
            unwatch()
            for finder in sys.meta_path:
                find = getattr(finder, "find_spec", None)
                spec = None if find is None else find(fullname, path, target)
                if spec is not None:
                    if hasattr(spec.loader, "exec_module"):
                        spec.loader = _RegisteringLoader(spec.loader)
                    return spec
        except Exception:  # noqa: BLE001, S110 - the normal import machinery goes on
            pass
        return None


class _RegisteringLoader:
    """Loader proxy: runs pydicom's real loader, then registers elscint_codec."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        create = getattr(self._loader, "create_module", None)
        return None if create is None else create(spec)

    def exec_module(self, module: Any) -> None:
        # Hide the proxy before pydicom runs (importlib.resources, inspect, reload).
        spec = getattr(module, "__spec__", None)
        if spec is not None and spec.loader is self:
            spec.loader = self._loader
        module.__loader__ = self._loader
        self._loader.exec_module(module)
        _register()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)
