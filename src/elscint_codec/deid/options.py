"""`DeidOptions`: the plain, picklable description of a de-identification run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from elscint_codec.deid.profile import PRESETS, resolve_options

__all__ = ["DeidOptions"]


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else Path(value)


@dataclass(frozen=True)
class DeidOptions:
    """What to apply and with which secrets; cheap to pickle into worker processes.

    Parameters
    ----------
    profile : str
        Preset: ``"pet-safe"`` (default) or ``"basic"``.
    enable, disable : tuple of str
        Option ids or aliases added to / removed from the preset
        (see `elscint_codec.deid.profile`).
    key_path : Path, optional
        Key file; created (32 random bytes, mode 0600) if missing; None uses the
        per-user default (`elscint_codec.deid.keys.default_key_path`).
    mapping_csv : Path, optional
        User-supplied pseudonym mapping; without it pseudonyms come from the key.
    keep_burned_in : bool
        De-identify images that may show burned-in text instead of excluding them.
    linkage_path : Path, optional
        Where `Deidentifier.write_linkage` writes the original -> pseudonym table.
    key_secret : bytes, optional
        Key material to use instead of a key file (tests, dry runs); never shown.

    Raises
    ------
    ValueError
        Unknown preset or option, or contradictory options.
    """

    profile: str = "pet-safe"
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    key_path: Path | None = None
    mapping_csv: Path | None = None
    keep_burned_in: bool = False
    linkage_path: Path | None = None
    key_secret: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.profile not in PRESETS:
            raise ValueError(
                f"unknown profile {self.profile!r}; choose one of {', '.join(PRESETS)}"
            )
        object.__setattr__(self, "enable", tuple(self.enable))
        object.__setattr__(self, "disable", tuple(self.disable))
        object.__setattr__(self, "key_path", _path(self.key_path))
        object.__setattr__(self, "mapping_csv", _path(self.mapping_csv))
        object.__setattr__(self, "linkage_path", _path(self.linkage_path))
        if self.key_secret is not None and len(self.key_secret) < 16:
            raise ValueError("key_secret must be at least 16 bytes")
        self.options  # noqa: B018 - validate the option names now, not in a worker

    @property
    def options(self) -> frozenset[str]:
        """The selected option column ids."""
        return resolve_options(self.profile, self.enable, self.disable)
