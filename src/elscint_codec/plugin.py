"""Register elscint_codec with pydicom, and undo it.

:func:`register` picks the integration by pydicom version:

* pydicom >= 3: the private transfer syntax, ``ElscintDecoder`` and the native
  fallback (:mod:`elscint_codec.plugin_v3`);
* every version that still has the old backend: the pixel data handler
  (:mod:`elscint_codec.plugin_v2`);
* every version: a wrapper on ``Dataset.decompress`` that sends Elscint
  datasets to :func:`elscint_codec.dicom.decompress` and everything else to
  pydicom.

This module imports pydicom only when :func:`register` runs, so that
``import elscint_codec`` stays cheap; :func:`register_on_import` defers the
registration until pydicom is imported.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["is_registered", "register", "register_on_import", "unregister"]

_LOCK = threading.RLock()
_UNDO: list[Callable[[], None]] = []
_ACTIVE = [False]


def is_registered() -> bool:
    """Return True while the pydicom integration is installed."""
    return _ACTIVE[0]


def register() -> None:
    """Install the pydicom integration; calling it again does nothing.

    Imports pydicom.  Every change is undone by :func:`unregister`.
    """
    with _LOCK:
        if _ACTIVE[0]:
            return
        import pydicom

        from elscint_codec import plugin_v2

        undo: list[Callable[[], None]] = []
        try:
            if int(pydicom.__version__.split(".")[0]) >= 3:
                from elscint_codec import plugin_v3

                undo += plugin_v3.install()
            undo += plugin_v2.install()
            undo.append(_wrap_decompress())
        except BaseException:
            for step in reversed(undo):
                step()
            raise
        _UNDO[:] = undo
        _ACTIVE[0] = True


def unregister() -> None:
    """Remove the pydicom integration (and any pending registration); idempotent."""
    with _LOCK:
        _unwatch()
        _ACTIVE[0] = False
        while _UNDO:
            _UNDO.pop()()


def register_on_import() -> None:
    """Register now if pydicom is loaded, else as soon as pydicom is imported."""
    if "pydicom" in sys.modules:
        register()
        return
    try:
        import _elscint_codec_autoload
    except ImportError:  # the hook module was not shipped: register eagerly
        register()
        return
    _elscint_codec_autoload.watch()


def _unwatch() -> None:
    hook = sys.modules.get("_elscint_codec_autoload")
    if hook is not None:
        hook.unwatch()


def _decompress_elscint(
    ds: Any,
    handler_name: str = "",
    *,
    generate_instance_uid: bool | None = None,
    decoding_plugin: str = "",
    **kwargs: Any,
) -> None:
    """``Dataset.decompress`` for Elscint datasets: keeps every UID unless asked not to."""
    from pydicom.uid import generate_uid

    from elscint_codec import dicom

    plugin = decoding_plugin or handler_name
    if plugin and plugin != "elscint_codec":
        raise ValueError(
            f"Elscint-compressed pixel data can only be decoded by the 'elscint_codec' "
            f"plugin, not {plugin!r}"
        )
    dicom.decompress(ds)
    if generate_instance_uid:
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID


def _wrap_decompress() -> Callable[[], None]:
    """Wrap ``Dataset.decompress``; return the callable that restores it."""
    from pydicom.dataset import Dataset

    from elscint_codec import dicom

    original = Dataset.decompress

    @functools.wraps(original)
    def decompress(self: Dataset, *args: Any, **kwargs: Any) -> Any:
        if _ACTIVE[0] and dicom.is_elscint(self):
            return _decompress_elscint(self, *args, **kwargs)
        return original(self, *args, **kwargs)

    Dataset.decompress = decompress  # type: ignore[method-assign]

    def restore() -> None:
        if Dataset.__dict__.get("decompress") is decompress:
            Dataset.decompress = original  # type: ignore[method-assign]
        # otherwise someone wrapped it after us; ours stays inert (_ACTIVE is False)

    return restore
