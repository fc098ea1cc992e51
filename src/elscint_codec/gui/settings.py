"""Remember the window's last folders and options in a small JSON file.

The file lives in the user's configuration folder:

- Linux and other Unix: ``$XDG_CONFIG_HOME/elscint-codec/gui.json``
  (``~/.config/elscint-codec/gui.json`` when the variable is unset);
- Windows: ``%APPDATA%\\elscint-codec\\gui.json``;
- macOS: ``~/Library/Application Support/elscint-codec/gui.json``.

A missing, unreadable or damaged file gives the defaults: settings are a
convenience and must never stop the window from opening.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["LAYOUTS", "Settings", "config_dir", "load", "save", "settings_path"]

log = logging.getLogger(__name__)

APP_FOLDER = "elscint-codec"
FILE_NAME = "gui.json"
FORMAT_VERSION = 1

#: Output layouts the window offers: converter value -> words shown to the user.
LAYOUTS: dict[str, str] = {
    "mirror": "Same folders as the input",
    "series": "Patient / study / series folders",
}


@dataclass(frozen=True)
class Settings:
    """Everything the window remembers between runs.

    The defaults are the safe choices: nothing is overwritten, every written
    file is checked, standard files are copied so the output is a complete
    study, and patient identity is kept exactly as it is unless the user asks.
    ``output_auto`` says the output folder was the suggestion beside the
    inputs (so it follows them when they change); ``jobs`` 0 means automatic (every core for a large input);
    ``extra`` keeps keys written by a newer version.
    """

    inputs: tuple[str, ...] = ()
    output: str = ""
    output_auto: bool = False
    deidentify: bool = False
    suv_report: bool = False
    jobs: int = 0
    layout: str = "mirror"
    only_elscint: bool = False
    verify: bool = True
    overwrite: bool = False
    last_folder: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.jobs < 0:
            raise ValueError(f"jobs must be >= 0 (0 means automatic), got {self.jobs}")
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {sorted(LAYOUTS)}, got {self.layout!r}")


def config_dir() -> Path:
    """Return the folder that holds the window's settings and log file (not created)."""
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(base) / APP_FOLDER
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / APP_FOLDER
    base = os.environ.get("XDG_CONFIG_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    root = Path(base) if base and Path(base).is_absolute() else home / ".config"
    return root / APP_FOLDER


def settings_path() -> Path:
    """Return the path of the settings file."""
    return config_dir() / FILE_NAME


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Return ``value`` if it has the type of ``default``, else raise TypeError."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(default, str):
        if isinstance(value, str):
            return value
    elif (
        isinstance(default, tuple)
        and isinstance(value, list)
        and all(isinstance(v, str) for v in value)
    ):
        return tuple(value)
    raise TypeError(f"setting {name!r} has the wrong type ({type(value).__name__})")


def from_mapping(data: dict[str, Any]) -> Settings:
    """Build settings from a decoded JSON object, keeping each valid value.

    Unknown keys are kept in :attr:`Settings.extra` (so a newer version's
    settings survive a round trip through an older one); a value of the wrong
    type or out of range falls back to its default.
    """
    defaults = Settings()
    known = {f.name for f in fields(Settings)} - {"extra"}
    values: dict[str, Any] = {}
    for name in sorted(known & data.keys()):
        try:
            candidate = _coerce(name, data[name], getattr(defaults, name))
            replace(defaults, **{name: candidate})
        except (TypeError, ValueError) as exc:
            log.warning("ignoring a remembered setting: %s", exc)
            continue
        values[name] = candidate
    extra = {k: v for k, v in data.items() if k not in known and k != "version"}
    return replace(defaults, extra=extra, **values)


def load(path: Path | None = None) -> Settings:
    """Read the settings file; return the defaults if it is missing or damaged."""
    path = settings_path() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        log.warning("cannot read the settings file %s: %s", path, exc)
        return Settings()
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        log.warning("the settings file %s is damaged (%s); using the defaults", path, exc)
        return Settings()
    if not isinstance(data, dict):
        log.warning("the settings file %s does not hold an object; using the defaults", path)
        return Settings()
    return from_mapping(data)


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically (temporary file, then rename); return the path.

    Raises
    ------
    OSError
        When the configuration folder cannot be created or written.
    """
    path = settings_path() if path is None else path
    path.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = dict(settings.extra)
    data.update(asdict(settings))
    del data["extra"]
    data["inputs"] = list(settings.inputs)
    data["version"] = FORMAT_VERSION
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path
