"""PS3.15 de-identification with PET-safe defaults.

Typical use::

    from elscint_codec.deid import DeidOptions, Deidentifier

    deid = Deidentifier(DeidOptions(profile="pet-safe", key_path="study.key"))
    clean = deid.deidentify(ds)            # a new Dataset; ds is unchanged
    folders = deid.output_components(clean)

See ``docs/deidentification.md`` for what each preset and option does.
"""

from __future__ import annotations

from elscint_codec.deid.burned_in import burned_in_reason
from elscint_codec.deid.deidentify import IMPLEMENTATION_CLASS_UID, Deidentifier
from elscint_codec.deid.errors import ExcludedError, MappingError
from elscint_codec.deid.keys import KeyFile, default_key_path, ensure_key_file
from elscint_codec.deid.linkage import LinkageEntry, read_linkage, write_linkage
from elscint_codec.deid.options import DeidOptions
from elscint_codec.deid.profile import ALIASES, OPTION_TITLES, PRESETS, resolve_options
from elscint_codec.deid.pseudonyms import Pseudonym, load_mapping
from elscint_codec.deid.table import OPTION_IDS, load_table

__all__ = [
    "ALIASES",
    "IMPLEMENTATION_CLASS_UID",
    "OPTION_IDS",
    "OPTION_TITLES",
    "PRESETS",
    "DeidOptions",
    "Deidentifier",
    "ExcludedError",
    "KeyFile",
    "LinkageEntry",
    "MappingError",
    "Pseudonym",
    "burned_in_reason",
    "default_key_path",
    "ensure_key_file",
    "load_mapping",
    "load_table",
    "read_linkage",
    "resolve_options",
    "write_linkage",
]
