"""Private attributes: the curated safe list (PS3.15 Table E.3.10-1) and block lookup.

A private data element (gggg,bbee) with odd gggg belongs to the block whose private
creator is (gggg,00bb); its identity is (group, creator string, ee). The safe list in
``elscint_codec/data/safe_private.json`` names elements that way, each with its source.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from pydicom.dataset import Dataset

from elscint_codec.constants import PRIVATE_CREATOR, PRIVATE_GROUP

__all__ = [
    "ELSCINT_CREATOR",
    "ELSCINT_GROUP",
    "SafePrivateEntry",
    "block_creators",
    "dataset_creators",
    "is_private_creator",
    "load_safe_private",
    "safe_private_key",
]

ELSCINT_GROUP = PRIVATE_GROUP
ELSCINT_CREATOR = PRIVATE_CREATOR


@dataclass(frozen=True)
class SafePrivateEntry:
    """One safe private element.

    Attributes
    ----------
    group : int
        Odd group number.
    creator : str
        Private creator string of the block.
    element : int
        Low byte of the element number (the ``ee`` of (gggg,xxee)).
    vr, name, source : str
        Value representation, name, and where the entry comes from.
    """

    group: int
    creator: str
    element: int
    vr: str
    name: str
    source: str


@functools.lru_cache(maxsize=1)
def load_safe_private() -> tuple[SafePrivateEntry, ...]:
    """Load the curated safe private list from the package data (cached)."""
    text = resources.files("elscint_codec").joinpath("data/safe_private.json").read_text("utf-8")
    entries = []
    for raw in json.loads(text)["entries"]:
        if not raw.get("source"):
            raise ValueError(f"safe_private.json: entry without a source: {raw!r}")
        group = int(raw["group"], 16)
        if group % 2 == 0:
            raise ValueError(f"safe_private.json: group {raw['group']} is not private")
        entries.append(
            SafePrivateEntry(
                group=group,
                creator=str(raw["creator"]),
                element=int(raw["element"], 16),
                vr=str(raw["vr"]),
                name=str(raw["name"]),
                source=str(raw["source"]),
            )
        )
    return tuple(entries)


@functools.lru_cache(maxsize=1)
def _safe_keys() -> frozenset[tuple[int, str, int]]:
    return frozenset((e.group, e.creator, e.element) for e in load_safe_private())


def is_private_creator(tag: int) -> bool:
    """Return whether ``tag`` is a private creator element (gggg,0010-00FF), gggg odd."""
    return bool((tag >> 16) & 1) and 0x0010 <= (tag & 0xFFFF) <= 0x00FF


def _creator_text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return str(value).strip(" \x00")


def block_creators(elements: Iterable[tuple[int, object]]) -> dict[tuple[int, int], str]:
    """Map (group, block byte) to the private creator string.

    Parameters
    ----------
    elements : iterable of (int, object)
        ``(tag, value)`` pairs of one dataset level.
    """
    creators: dict[tuple[int, int], str] = {}
    for tag, value in elements:
        if is_private_creator(tag):
            creators[(tag >> 16, tag & 0xFF)] = _creator_text(value)
    return creators


def safe_private_key(tag: int, creators: dict[tuple[int, int], str]) -> bool:
    """Return whether the private data element ``tag`` is on the safe list.

    Parameters
    ----------
    tag : int
        A private data element (gggg,bbee) with bb >= 0x10.
    creators : dict
        The result of `block_creators` for the same dataset level.
    """
    group, elem = tag >> 16, tag & 0xFFFF
    if not group & 1 or elem < 0x1000:
        return False
    creator = creators.get((group, elem >> 8))
    if creator is None:
        return False
    return (group, creator, elem & 0xFF) in _safe_keys()


def dataset_creators(ds: Dataset) -> dict[tuple[int, int], str]:
    """Return `block_creators` for the top level of ``ds``."""
    return block_creators(
        (int(elem.tag), elem.value) for elem in ds if is_private_creator(int(elem.tag))
    )
