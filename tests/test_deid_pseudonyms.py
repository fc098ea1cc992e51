"""Pseudonyms from the key or a mapping CSV, and the owner-only linkage file."""

from __future__ import annotations

import os
import stat

import pytest
from pydicom.dataset import Dataset

from deid_cases import Identity, pet_slice
from elscint_codec.deid import (
    Deidentifier,
    DeidOptions,
    LinkageEntry,
    MappingError,
    load_mapping,
    read_linkage,
    write_linkage,
)
from elscint_codec.deid.pseudonyms import KeyedPseudonyms, patient_identity

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def _patient(pid: str = "", name: str = "", birth: str = "", study: str = "") -> Dataset:
    ds = Dataset()
    for keyword, value in (
        ("PatientID", pid),
        ("PatientName", name),
        ("PatientBirthDate", birth),
        ("StudyInstanceUID", study),
    ):
        if value:
            setattr(ds, keyword, value)
    return ds


def test_identity_prefers_id_then_name_then_study():
    assert patient_identity(_patient("P1", "Doe^Jane")) == "id:P1"
    assert patient_identity(_patient("", "Doe^Jane", "19700101")) == "name:Doe^Jane|19700101"
    assert patient_identity(_patient(study="1.2.3")) == "study:1.2.3"


def test_keyed_pseudonyms_are_stable_distinct_and_valid():
    keyed = KeyedPseudonyms(b"p" * 32)
    seen = {keyed(f"id:{n}").patient_id for n in range(500)}
    assert len(seen) == 500
    one = keyed("id:12345")
    assert one == KeyedPseudonyms(b"p" * 32)("id:12345")
    assert one != KeyedPseudonyms(b"q" * 32)("id:12345")
    assert one.patient_id.startswith("ANON-")
    assert len(one.patient_id) == 15
    assert one.patient_name == "ANON^" + one.patient_id[5:]
    assert "12345" not in one.patient_id


def _csv(tmp_path, text: str):
    path = tmp_path / "map.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_csv_is_used_for_name_and_id(tmp_path):
    path = _csv(
        tmp_path,
        "Patient ID,Pseudonym ID,Pseudonym Name,note\nPID4711XQ,SUBJ-001,Subject^One,x\nB,SUBJ-002,,\n",
    )
    mapping = load_mapping(path)
    assert mapping["B"].patient_name == "SUBJ-002"
    deid = Deidentifier(DeidOptions(key_secret=b"k" * 32, mapping_csv=path))
    out = deid.deidentify(pet_slice(Identity()))
    assert out.PatientID == "SUBJ-001"
    assert str(out.PatientName) == "Subject^One"
    assert "mapping file" in deid.describe()
    with pytest.raises(MappingError, match="not in the pseudonym mapping"):
        deid.deidentify(pet_slice(Identity(patient_id="UNLISTED")))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("id,name\n1,2\n", "header must name"),
        ("patient_id,pseudonym_id\nA,X\nA,Y\n", "row 3: this patient_id was already listed"),
        ("patient_id,pseudonym_id\nA,X\nB,X\n", "row 3: this pseudonym_id is given to two"),
        ("patient_id,pseudonym_id\nA,A\n", "equals the original"),
        ("patient_id,pseudonym_id\nA,\n", "pseudonym_id is empty"),
        ("patient_id,pseudonym_id\nA,a\\b\n", "without backslash"),
    ],
)
def test_bad_mapping_files_are_refused_without_quoting_values(tmp_path, text, match):
    path = _csv(tmp_path, text)
    with pytest.raises(MappingError, match=match) as info:
        load_mapping(path)
    assert "A,X" not in str(info.value)


@posix_only
def test_linkage_is_written_only_on_request_owner_only_and_merged(tmp_path):
    deid = Deidentifier(DeidOptions(key_secret=b"k" * 32))
    deid.deidentify(pet_slice(Identity()))
    assert deid.write_linkage() is None  # no path, nothing written
    assert list(tmp_path.iterdir()) == []
    deid.deidentify(pet_slice(Identity()))
    deid.deidentify(pet_slice(Identity(patient_id="OTHER7", seed=1)))
    path = tmp_path / "links" / "linkage.csv"
    assert deid.write_linkage(path) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = read_linkage(path)
    assert sorted(r.original_patient_id for r in rows) == ["OTHER7", "PID4711XQ"]
    pseudonym = deid.pseudonym(pet_slice(Identity()))
    assert LinkageEntry("PID4711XQ", Identity().patient_name, *vars(pseudonym).values()) in rows
    write_linkage(path, [LinkageEntry("Z", "Zed", "ANON-1", "ANON^1", "-400")])
    write_linkage(path, [LinkageEntry("Z", "Zed", "ANON-1", "ANON^1", "-400")])
    assert len(read_linkage(path)) == 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8").count("Zed") == 1


def test_modified_dates_record_the_shift_in_the_linkage():
    deid = Deidentifier(DeidOptions(key_secret=b"k" * 32, enable=("retain-modified-dates",)))
    ds = pet_slice(Identity())
    deid.deidentify(ds)
    (entry,) = deid.take_linkage()
    assert int(entry.date_shift_days) == deid.date_shift_days(ds) <= -366
    assert deid.take_linkage() == []
