"""`Deidentifier`: the public entry point that the CLI, converter and GUI call."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pydicom
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.uid import UID, ExplicitVRLittleEndian

from elscint_codec._version import __version__
from elscint_codec.constants import (
    IMPLEMENTATION_CLASS_UID,
    IMPLEMENTATION_VERSION_NAME,
    PRIVATE_TRANSFER_SYNTAX,
    STREAM_OFFSET,
)
from elscint_codec.deid.burned_in import burned_in_reason
from elscint_codec.deid.clean import Cleaner, tokens_for_value
from elscint_codec.deid.conformance import COMMON_INSTANCE_REFERENCE, choose, required_type
from elscint_codec.deid.dates import shift_days_for
from elscint_codec.deid.engine import Walker, WalkSettings
from elscint_codec.deid.errors import ExcludedError
from elscint_codec.deid.keys import KeyFile, derive, ensure_key_file
from elscint_codec.deid.linkage import LinkageEntry, write_linkage
from elscint_codec.deid.options import DeidOptions
from elscint_codec.deid.private import ELSCINT_CREATOR, ELSCINT_GROUP
from elscint_codec.deid.profile import OPTION_CODES, OPTION_TITLES, PROFILE_CODE
from elscint_codec.deid.pseudonyms import (
    KeyedPseudonyms,
    MappedPseudonyms,
    Pseudonym,
    load_mapping,
    patient_identity,
)
from elscint_codec.deid.table import OPTION_IDS, ActionMap, load_table
from elscint_codec.deid.uids import UidRemapper
from elscint_codec.errors import DatasetError

__all__ = ["IMPLEMENTATION_CLASS_UID", "Deidentifier"]

#: Implementation Class UID written in the file meta of de-identified files (a
#: UUID-derived UID, PS3.5 B.2, from the name "urn:elscint-codec").
_PYDICOM_2 = pydicom.__version__.startswith("2.")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10))}) | frozenset(
    f"LPT{i}" for i in range(10)
)


def _short(uid: str) -> str:
    return hashlib.sha256(uid.encode("ascii", "replace")).hexdigest()[:16]


def _folder_name(text: str) -> str:
    name = _UNSAFE_NAME.sub("_", text.strip()).lstrip(".")[:64] or "ANON"
    return f"_{name}" if name.upper() in _RESERVED else name


class Deidentifier:
    """Apply PS3.15 de-identification with the options of a `DeidOptions`.

    Build one per process; it holds no open files and can be pickled (it is rebuilt
    from its options, re-reading the key file). `deidentify` returns a new dataset and
    never modifies its argument.

    Parameters
    ----------
    options : DeidOptions, optional
        Defaults to the ``pet-safe`` preset with the per-user key file.

    Raises
    ------
    ValueError
        Bad options or an unusable key file.
    MappingError
        An unusable mapping CSV.
    OSError
        The key file cannot be created or read.
    """

    def __init__(self, options: DeidOptions | None = None) -> None:
        self.options = options if options is not None else DeidOptions()
        self.enabled = self.options.options
        self.key_file: KeyFile | None = None
        if self.options.key_secret is not None:
            secret = self.options.key_secret
        else:
            self.key_file = ensure_key_file(self.options.key_path)
            secret = self.key_file.secret
        self._uids = UidRemapper(derive(secret, "uid"))
        self._date_key = derive(secret, "date")
        if self.options.mapping_csv is not None:
            self._pseudonyms: KeyedPseudonyms | MappedPseudonyms = MappedPseudonyms(
                load_mapping(self.options.mapping_csv)
            )
        else:
            self._pseudonyms = KeyedPseudonyms(derive(secret, "pseudonym"))
        self._actions = ActionMap.build(self.enabled)
        self._linkage: dict[str, LinkageEntry] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        return (Deidentifier, (self.options,))

    # -- small public helpers -------------------------------------------------------

    @property
    def full_dates(self) -> bool:
        """Whether dates and times are kept unchanged."""
        return "rtnLongFullDatesOpt" in self.enabled

    @property
    def modified_dates(self) -> bool:
        """Whether dates are shifted by whole days."""
        return "rtnLongModifDatesOpt" in self.enabled

    def remap_uid(self, uid: str) -> str:
        """Return the UID that replaces ``uid`` in de-identified output.

        The same mapping is applied to every U attribute by `deidentify`, so other
        writers (e.g. SUV Real World Value Mapping objects) stay consistent with it.
        With Retain UIDs the UID is returned unchanged.
        """
        if "rtnUIDsOpt" in self.enabled:
            return str(uid).strip("\x00 ")
        return self._uids(uid)

    def pseudonym(self, ds: Dataset) -> Pseudonym:
        """Return the replacement Patient ID and Name for the patient of ``ds``."""
        return self._pseudonyms(patient_identity(ds))

    def date_shift_days(self, ds: Dataset) -> int | None:
        """Return the whole-day shift for the patient of ``ds`` (None unless Modified Dates)."""
        if not self.modified_dates:
            return None
        return shift_days_for(self._date_key, patient_identity(ds))

    def exclusion_reason(self, ds: Dataset) -> str | None:
        """Return ``"excluded: ..."`` if `deidentify` would refuse ``ds``, else None."""
        reason = burned_in_reason(ds)
        if reason is None or self.options.keep_burned_in:
            return None
        return f"excluded: {reason}"

    # -- the work -------------------------------------------------------------------

    def deidentify(self, ds: Dataset) -> Dataset:
        """Return a de-identified copy of ``ds`` with file meta and PS3.15 marks.

        Parameters
        ----------
        ds : Dataset
            A standard (decompressed) DICOM dataset; it is not modified.

        Returns
        -------
        Dataset
            A new dataset with ``file_meta`` whose Media Storage SOP Instance UID is
            the new SOP Instance UID.

        Raises
        ------
        ExcludedError
            The image may show burned-in text and ``keep_burned_in`` is False.
        DatasetError
            The dataset is still Elscint-compressed (decompress it first).
        MappingError
            A mapping CSV is used and the patient is not in it.
        """
        reason = self.exclusion_reason(ds)
        if reason is not None:
            raise ExcludedError(reason)
        self._check_decompressed(ds)
        identity = patient_identity(ds)
        pseudonym = self._pseudonyms(identity)
        shift = self.date_shift_days(ds)
        sop_class = str(ds.get("SOPClassUID", "") or "") or None
        settings = WalkSettings(
            actions=self._actions,
            sop_class_uid=sop_class,
            safe_private="rtnSafePrivOpt" in self.enabled,
            full_dates=self.full_dates,
            shift_days=shift,
            remap_uid=self._uids,
            cleaner=self._cleaner(ds, sop_class),
            pseudonym=pseudonym,
            original_patient=(
                str(ds.get("PatientID", "") or "").strip(),
                str(ds.get("PatientName", "") or "").strip(),
            ),
            references_listed=any(tag in ds for tag in COMMON_INSTANCE_REFERENCE),
        )
        out = Walker(settings).dataset(ds)
        self._mark(out)
        out.file_meta = self._file_meta(ds, out)
        if _PYDICOM_2:  # pragma: no cover - pydicom 2.4 writes from these flags
            ts = out.file_meta.TransferSyntaxUID
            out.is_little_endian = ts.is_little_endian
            out.is_implicit_VR = ts.is_implicit_VR
        self._linkage[identity] = LinkageEntry(
            settings.original_patient[0],
            settings.original_patient[1],
            pseudonym.patient_id,
            pseudonym.patient_name,
            "" if shift is None else str(shift),
        )
        return out

    def _check_decompressed(self, ds: Dataset) -> None:
        meta = getattr(ds, "file_meta", None)
        ts = str(meta.get("TransferSyntaxUID", "")) if meta is not None else ""
        if ts == PRIVATE_TRANSFER_SYNTAX:
            raise DatasetError(
                "the dataset is Elscint-compressed (private transfer syntax); decompress it "
                "first with elscint_codec.dicom.decompress"
            )
        if "PixelData" not in ds:
            try:
                block = ds.private_block(ELSCINT_GROUP, ELSCINT_CREATOR)
                has_stream = STREAM_OFFSET in block
            except (KeyError, ValueError):
                has_stream = False
            if has_stream:
                raise DatasetError(
                    "the image is only in the ELSCINT1 compressed stream (07A1,xx0A), which "
                    "de-identification removes; decompress it first"
                )

    def _cleaner(self, ds: Dataset, sop_class: str | None) -> Cleaner:
        tokens: set[str] = set()
        self._collect_tokens(ds, sop_class, 0, tokens)
        return Cleaner(tokens, dates_identifying=not self.full_dates)

    def _collect_tokens(
        self, ds: Dataset, sop_class: str | None, depth: int, out: set[str]
    ) -> None:
        for elem in ds:
            tag = int(elem.tag)
            if tag >> 16 & 1:
                continue
            if elem.VR == "SQ":
                for item in elem.value or []:
                    self._collect_tokens(item, sop_class, depth + 1, out)
                continue
            code = self._actions.exact.get(tag)
            if code is None:
                continue
            code = choose(code, required_type(sop_class, tag, depth))
            dated = elem.VR in ("DA", "DT") and not self.full_dates
            if code in ("K", "C") and not dated and tag not in (0x00100010, 0x00100020):
                continue
            for value in _values(elem):
                out |= tokens_for_value(elem.VR, str(value))

    def _mark(self, out: Dataset) -> None:
        out.PatientIdentityRemoved = "YES"
        out.DeidentificationMethod = self._method_values()
        items = []
        for value, meaning in [PROFILE_CODE, *(OPTION_CODES[o] for o in self._ordered())]:
            item = Dataset()
            item.CodeValue = value
            item.CodingSchemeDesignator = "DCM"
            item.CodeMeaning = meaning
            items.append(item)
        out.DeidentificationMethodCodeSequence = items
        if self.full_dates:
            out.LongitudinalTemporalInformationModified = "UNMODIFIED"
        elif self.modified_dates:
            out.LongitudinalTemporalInformationModified = "MODIFIED"
        else:
            out.LongitudinalTemporalInformationModified = "REMOVED"

    def _ordered(self) -> list[str]:
        return [o for o in OPTION_IDS if o in self.enabled]

    def _method_values(self) -> list[str]:
        edition = load_table().edition
        values = [f"elscint-codec {__version__}", f"PS3.15 {edition} {PROFILE_CODE[1]}"]
        values += [OPTION_CODES[o][1] for o in self._ordered()]
        if "rtnUIDsOpt" not in self.enabled:
            values.append("UIDs replaced by keyed HMAC-SHA256 2.25 UIDs")
        if self.modified_dates:
            values.append("Dates shifted by whole days per patient")
        source = "mapping file" if self.options.mapping_csv is not None else "keyed HMAC"
        values.append(f"Patient Name and ID: pseudonyms from {source}")
        return values

    def _file_meta(self, src: Dataset, out: Dataset) -> FileMetaDataset:
        old = getattr(src, "file_meta", None)
        ts = old.get("TransferSyntaxUID") if old is not None else None
        meta = FileMetaDataset()
        meta.FileMetaInformationVersion = b"\x00\x01"
        meta.MediaStorageSOPClassUID = out.get("SOPClassUID", "")
        meta.MediaStorageSOPInstanceUID = out.get("SOPInstanceUID", "")
        meta.TransferSyntaxUID = UID(str(ts)) if ts else ExplicitVRLittleEndian
        meta.ImplementationClassUID = UID(IMPLEMENTATION_CLASS_UID)
        meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
        return meta

    # -- reporting ------------------------------------------------------------------

    def describe(self) -> str:
        """Return one sentence naming the profile and every option applied."""
        table = load_table()
        options = [OPTION_TITLES[o] for o in self._ordered()]
        text = (
            f"PS3.15 Basic Application Level Confidentiality Profile (Table E.1-1, edition "
            f"{table.edition})"
        )
        text += f" with options: {', '.join(options)}" if options else " without options"
        if "rtnUIDsOpt" not in self.enabled:
            text += "; UIDs replaced by keyed 2.25 UIDs (consistent for one key)"
        if self.modified_dates:
            text += "; dates shifted by one whole-day offset per patient, times unchanged"
        source = "the mapping file" if self.options.mapping_csv is not None else "the key"
        text += f"; Patient's Name and ID replaced by pseudonyms from {source}"
        if self.options.keep_burned_in:
            text += "; images that may show burned-in text were kept (not cleaned)"
        else:
            text += "; images that may show burned-in text excluded"
        return text + "."

    def output_components(self, ds: Dataset) -> tuple[str, str, str, str]:
        """Return (patient, study, series, file name) for the series layout.

        Parameters
        ----------
        ds : Dataset
            A dataset returned by `deidentify` (Patient Identity Removed YES).

        Returns
        -------
        tuple of str
            Names derived only from the pseudonym and the new UIDs, safe on every
            file system, e.g. ``("ANON-7K2Q9X3MZL", "ST-3f2a...", "SE-...",
            "IM-....dcm")``.

        Raises
        ------
        ValueError
            ``ds`` is not de-identified.
        DatasetError
            A UID needed for the layout is missing.
        """
        if str(ds.get("PatientIdentityRemoved", "")).strip() != "YES":
            raise ValueError(
                "output_components needs a de-identified dataset (Patient Identity Removed "
                "(0012,0062) is not YES)"
            )
        parts = []
        for keyword, prefix in (
            ("StudyInstanceUID", "ST-"),
            ("SeriesInstanceUID", "SE-"),
            ("SOPInstanceUID", "IM-"),
        ):
            uid = str(ds.get(keyword, "") or "").strip()
            if not uid:
                raise DatasetError(f"the de-identified dataset has no {keyword}")
            parts.append(prefix + _short(uid))
        patient = _folder_name(str(ds.get("PatientID", "") or ""))
        return patient, parts[0], parts[1], parts[2] + ".dcm"

    # -- linkage --------------------------------------------------------------------

    def take_linkage(self) -> list[LinkageEntry]:
        """Return the patients seen since the last call (original -> pseudonym) and forget them."""
        entries = sorted(self._linkage.values())
        self._linkage.clear()
        return entries

    def write_linkage(self, path: str | Path | None = None) -> Path | None:
        """Merge the patients seen so far into the linkage file (mode 0600).

        Parameters
        ----------
        path : str or Path, optional
            Defaults to ``options.linkage_path``; with neither, nothing is written.
        """
        target = Path(path) if path is not None else self.options.linkage_path
        if target is None:
            return None
        return write_linkage(target, self.take_linkage())


def _values(elem: DataElement) -> list[Any]:
    value = elem.value
    if value is None or value == "":
        return []
    if isinstance(value, (MultiValue, list)):
        return list(value)
    return [value]
