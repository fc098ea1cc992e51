"""De-identification of a whole synthetic PET/CT study: leaks, PET values, fusion, marks."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import pickle

import pydicom
import pytest
from pydicom.dataset import Dataset

from deid_cases import (
    CT_CLASS,
    PET_CLASS,
    Identity,
    burned_in_capture,
    ct_slice,
    make_study,
    pet_slice,
)
from elscint_codec.deid import Deidentifier, DeidOptions, ExcludedError
from elscint_codec.deid.deidentify import IMPLEMENTATION_CLASS_UID
from elscint_codec.errors import DatasetError

KEY = b"0123456789abcdef0123456789abcdef"
MODIFIED = ("retain-modified-dates",)
ALL_BUT_RETAIN = ("clean-structured-content", "clean-graphics", "retain-modified-dates")


def _encode(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def _walk(ds: Dataset, path: str = ""):
    for elem in ds:
        where = f"{path}{elem.tag}"
        yield where, elem
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                yield from _walk(item, f"{where}[{i}]>")


def _run(profile: str = "pet-safe", enable=(), **kw) -> tuple[list[Dataset], list[Dataset]]:
    deid = Deidentifier(DeidOptions(profile=profile, enable=enable, key_secret=KEY, **kw))
    inputs = make_study()
    return inputs, [deid.deidentify(ds) for ds in inputs]


def _uids(ds: Dataset) -> set[str]:
    return {str(e.value) for _, e in _walk(ds) if e.VR == "UI" and e.value} - {
        CT_CLASS,
        PET_CLASS,
    }


def _forms(text: str) -> list[bytes]:
    forms = [text.encode("utf-8")]
    with contextlib.suppress(UnicodeEncodeError):
        forms.append(text.encode("latin-1"))
    return forms


@pytest.mark.parametrize(
    ("profile", "enable", "dates_kept"),
    [
        ("pet-safe", (), True),
        ("basic", (), False),
        ("pet-safe", MODIFIED, False),
        ("basic", ALL_BUT_RETAIN, False),
    ],
)
def test_no_identifying_value_survives_anywhere_in_the_output_bytes(profile, enable, dates_kept):
    ident = Identity()
    inputs, outputs = _run(profile, enable)
    secrets = ident.identifying_strings()
    secrets += sorted(set().union(*(_uids(ds) for ds in inputs)))
    if not dates_kept:
        secrets += [ident.study_date, ident.study_date[2:]]
    for ds in outputs:
        data = _encode(ds)
        for secret in secrets:
            for form in _forms(secret):
                assert form not in data, f"{secret!r} leaked ({profile} {enable})"
        if not dates_kept and profile == "basic" and not enable:
            for where, elem in _walk(ds):
                if elem.VR in ("TM", "DT") and elem.value:
                    assert str(elem.value).strip("0.") == "", f"time kept at {where}"


def test_pet_safe_keeps_every_suv_input_identical():
    inputs, outputs = _run()
    for before, after in zip(inputs, outputs, strict=True):
        for keyword in (
            "PatientWeight",
            "PatientSize",
            "PatientSex",
            "PatientAge",
            "SeriesDate",
            "SeriesTime",
            "AcquisitionDate",
            "AcquisitionTime",
            "StudyDate",
            "StudyTime",
            "RescaleSlope",
            "RescaleIntercept",
            "PixelData",
        ):
            assert after[keyword].value == before[keyword].value, keyword
        if before.Modality != "PT":
            continue
        for keyword in (
            "Units",
            "DecayCorrection",
            "CorrectedImage",
            "FrameReferenceTime",
            "DecayFactor",
        ):
            assert after[keyword].value == before[keyword].value, keyword
        rp_in = before.RadiopharmaceuticalInformationSequence[0]
        rp_out = after.RadiopharmaceuticalInformationSequence[0]
        for keyword in (
            "RadiopharmaceuticalStartTime",
            "RadiopharmaceuticalStartDateTime",
            "RadionuclideTotalDose",
            "RadionuclideHalfLife",
            "RadionuclidePositronFraction",
        ):
            assert rp_out[keyword].value == rp_in[keyword].value, keyword
        for element in (0x00, 0x09):
            block_in = before.private_block(0x7053, "Philips PET Private Group")
            block_out = after.private_block(0x7053, "Philips PET Private Group")
            assert block_out[element].value == block_in[element].value
        assert 0x70531003 not in after  # the private file name is not on the safe list


def test_basic_profile_removes_what_pet_safe_keeps():
    _, outputs = _run("basic")
    pet = outputs[-1]
    assert "PatientWeight" not in pet
    assert "PatientAge" not in pet
    assert pet.PatientSex == ""
    rp = pet.RadiopharmaceuticalInformationSequence[0]
    assert "RadiopharmaceuticalStartDateTime" not in rp
    assert "RadiopharmaceuticalStartTime" not in rp
    assert rp.RadionuclideTotalDose == Identity().dose  # not in Table E.1-1: kept
    assert not any(int(e.tag) >> 16 & 1 for _, e in _walk(pet))  # no private element


def test_modified_dates_shift_every_date_by_the_same_whole_days_and_keep_times():
    inputs, outputs = _run("pet-safe", MODIFIED)
    shifts = set()
    for before, after in zip(inputs, outputs, strict=True):
        mapped = dict(_walk(after))
        checked = 0
        for where, elem in _walk(before):
            if elem.VR not in ("DA", "DT", "TM") or not elem.value or elem.tag == 0x00100030:
                continue  # the birth date is emptied (Z) by every profile
            new = str(mapped[where].value)
            old = str(elem.value)
            if elem.VR == "TM":
                assert new == old, where
                continue
            assert new[8:] == old[8:], where  # time part of DT untouched
            days = (dt.date.fromisoformat(_iso(new)) - dt.date.fromisoformat(_iso(old))).days
            shifts.add(days)
            checked += 1
        assert checked >= 5
        if before.Modality == "PT":
            rp = after.RadiopharmaceuticalInformationSequence[0]
            assert rp.RadiopharmaceuticalStartDateTime[8:] == rp.RadiopharmaceuticalStartTime
        assert after.LongitudinalTemporalInformationModified == "MODIFIED"
    assert len(shifts) == 1
    (days,) = shifts
    assert -3652 <= days <= -366


def _iso(da: str) -> str:
    return f"{da[:4]}-{da[4:6]}-{da[6:8]}"


def test_pet_and_ct_keep_one_study_and_frame_of_reference_after_remapping():
    inputs, outputs = _run()
    assert len({ds.FrameOfReferenceUID for ds in outputs}) == 1
    assert len({ds.StudyInstanceUID for ds in outputs}) == 1
    assert outputs[0].FrameOfReferenceUID != inputs[0].FrameOfReferenceUID
    assert len({ds.SeriesInstanceUID for ds in outputs}) == 2
    assert len({ds.SOPInstanceUID for ds in outputs}) == len(outputs)
    ct_sops = {ds.SOPInstanceUID for ds in outputs if ds.Modality == "CT"}
    for pet in (ds for ds in outputs if ds.Modality == "PT"):
        nested = pet.ReferencedSeriesSequence[0].ReferencedInstanceSequence[0]
        assert nested.ReferencedSOPInstanceUID in ct_sops
        assert pet.ReferencedSeriesSequence[0].SeriesInstanceUID == outputs[0].SeriesInstanceUID
        assert pet.ReferencedImageSequence[0].ReferencedSOPInstanceUID in ct_sops
        assert pet.file_meta.MediaStorageSOPInstanceUID == pet.SOPInstanceUID


def test_same_key_file_gives_identical_output_and_another_key_does_not(tmp_path):
    key = tmp_path / "project.key"
    first = Deidentifier(DeidOptions(key_path=key))
    second = Deidentifier(DeidOptions(key_path=key))
    other = Deidentifier(DeidOptions(key_path=tmp_path / "other.key"))
    for ds in make_study():
        a, b, c = first.deidentify(ds), second.deidentify(ds), other.deidentify(ds)
        assert _encode(a) == _encode(b)
        assert a.PatientID == b.PatientID != c.PatientID
        assert str(a.PatientName) != str(c.PatientName)
        assert not _uids(a) & _uids(c)
    later_study = pet_slice(Identity(study_uid="1.2.3.99", frame_of_reference="1.2.3.98", seed=5))
    assert first.deidentify(later_study).PatientID == a.PatientID  # same patient links up


def test_marks_name_the_profile_and_every_option():
    _, outputs = _run()
    for ds in outputs:
        assert ds.PatientIdentityRemoved == "YES"
        codes = [item.CodeValue for item in ds.DeidentificationMethodCodeSequence]
        assert codes == ["113100", "113111", "113108", "113106", "113105"]
        assert all(
            item.CodingSchemeDesignator == "DCM" for item in ds.DeidentificationMethodCodeSequence
        )
        assert any("2024b" in v for v in ds.DeidentificationMethod)
        assert all(len(v) <= 64 for v in ds.DeidentificationMethod)
        assert ds.LongitudinalTemporalInformationModified == "UNMODIFIED"
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert ds.file_meta.ImplementationClassUID == IMPLEMENTATION_CLASS_UID
    _, basic = _run("basic")
    assert [i.CodeValue for i in basic[0].DeidentificationMethodCodeSequence] == ["113100"]
    assert basic[0].LongitudinalTemporalInformationModified == "REMOVED"


@pytest.mark.parametrize(
    ("profile", "enable"), [("pet-safe", ()), ("basic", ()), ("basic", ("rtnSafePrivOpt",))]
)
def test_elscint_stream_copy_never_survives(profile, enable):
    inputs, outputs = _run(profile, enable)
    for before, after in zip(inputs, outputs, strict=True):
        stream = before.private_block(0x07A1, "ELSCINT1")[0x0A].value
        assert not any(e.tag.group == 0x07A1 for e in after)
        assert stream not in _encode(after)
        safe = "rtnSafePrivOpt" in DeidOptions(profile=profile, enable=enable).options
        assert (0x00E11021 in after) is safe  # DLP: on the safe list
        assert (0x01F11026 in after) is safe  # pitch: on the safe list
        assert 0x00E1107E not in after  # the patient name in an ELSCINT1 block
        if safe:
            assert after[0x00E10010].value == "ELSCINT1"


def test_curves_overlays_and_retired_free_text_are_removed():
    _, outputs = _run("pet-safe", ("clean-graphics",))
    for ds in outputs:
        assert not any(0x5000 <= e.tag.group <= 0x60FF for e in ds)
        assert "Reference" not in ds  # retired (0020,1020)


def test_type_decides_combined_actions_in_the_basic_profile():
    ident = Identity()
    deid = Deidentifier(DeidOptions(profile="basic", key_secret=KEY))
    ct, pet = deid.deidentify(ct_slice(ident)), deid.deidentify(pet_slice(ident))
    assert "SeriesDate" not in ct  # X/D, Type 3 in General Series
    assert pet.SeriesDate == "19000101"  # X/D, Type 1 in PET Series: dummy
    assert "AcquisitionDate" not in ct  # X/Z, Type 3
    assert pet.AcquisitionDate == ""  # X/Z, Type 2 in PET Image
    assert ct.ContrastBolusAgent == ""  # Z/D, Type 2 in Contrast/Bolus
    assert ct.ContentDate == ""  # Z/D, Type 2 in General Image
    assert "InstitutionName" not in ct  # X/Z/D, Type 3
    assert ct.PatientID.startswith("ANON-")  # Z/D: pseudonym as dummy
    assert "ReferencedImageSequence" in pet  # X/Z/U*, needed with Referenced Series Seq.
    assert pet.AcquisitionContextSequence == []


def test_clean_descriptors_keeps_useful_text_without_names():
    _, outputs = _run()
    pet = outputs[-1]
    assert pet.SeriesDescription == "PT WB"
    assert pet.StudyDescription == "PET-CT Whole Body"
    assert pet.ProtocolName == "WB_FDG"
    assert pet.RequestAttributesSequence[0].RequestedProcedureDescription == "PET FDG"
    assert "RequestedProcedureID" not in pet.RequestAttributesSequence[0]
    assert outputs[0].ContrastBolusAgent == "Omnipaque"
    _, basic = _run("basic")
    assert "SeriesDescription" not in basic[-1]
    assert "RequestAttributesSequence" not in basic[-1]


def test_input_dataset_is_not_modified():
    inputs = make_study()
    before = [_encode(copy.deepcopy(ds)) for ds in inputs]
    deid = Deidentifier(DeidOptions(key_secret=KEY))
    for ds in inputs:
        deid.deidentify(ds)
    assert [_encode(ds) for ds in inputs] == before


@pytest.mark.parametrize(
    ("change", "excluded"),
    [
        ({}, True),  # the burned-in RGB secondary capture of the factory
        ({"BurnedInAnnotation": "NO"}, True),  # still a Secondary Capture SOP class
        ({"SOPClassUID": CT_CLASS, "BurnedInAnnotation": "NO"}, False),
        ({"SOPClassUID": CT_CLASS, "BurnedInAnnotation": None}, True),  # SECONDARY, RGB
        ({"SOPClassUID": CT_CLASS, "ImageType": ["DERIVED", "SECONDARY", "SCREEN SHOT"]}, True),
    ],
)
def test_burned_in_images_are_excluded_unless_asked(change, excluded):
    ds = burned_in_capture(Identity())
    for keyword, value in change.items():
        if value is None:
            delattr(ds, keyword)
        else:
            setattr(ds, keyword, value)
    deid = Deidentifier(DeidOptions(key_secret=KEY))
    if excluded:
        with pytest.raises(ExcludedError, match=r"^excluded: burned-in annotation") as info:
            deid.deidentify(ds)
        assert Identity().patient_id not in info.value.reason
        kept = Deidentifier(DeidOptions(key_secret=KEY, keep_burned_in=True)).deidentify(ds)
        assert kept.PatientIdentityRemoved == "YES"
        assert "kept" in Deidentifier(DeidOptions(key_secret=KEY, keep_burned_in=True)).describe()
    else:
        assert deid.deidentify(ds).PatientIdentityRemoved == "YES"


def test_still_compressed_input_is_refused():
    ds = pet_slice(Identity())
    ds.file_meta.TransferSyntaxUID = "1.3.46.670589.33.1.4.1"
    deid = Deidentifier(DeidOptions(key_secret=KEY))
    with pytest.raises(DatasetError, match="decompress"):
        deid.deidentify(ds)
    ds = pet_slice(Identity())
    del ds.PixelData
    with pytest.raises(DatasetError, match="decompress"):
        deid.deidentify(ds)


def test_output_components_come_from_pseudonyms_and_new_uids_only():
    ident = Identity()
    deid = Deidentifier(DeidOptions(key_secret=KEY))
    inputs = make_study(ident)
    names = []
    for ds in inputs:
        out = deid.deidentify(ds)
        parts = deid.output_components(out)
        names.append(parts)
        text = "/".join(parts)
        assert parts[0] == out.PatientID
        assert parts[3].endswith(".dcm")
        for secret in [*ident.identifying_strings(), *_uids(ds), ident.study_date]:
            assert secret not in text
    assert len({n[1] for n in names}) == 1
    assert len({n[2] for n in names}) == 2
    assert len({n[3] for n in names}) == len(names)
    with pytest.raises(ValueError, match="de-identified"):
        deid.output_components(inputs[0])


def test_remap_uid_is_the_mapping_deidentify_applies():
    ds = pet_slice(Identity())
    deid = Deidentifier(DeidOptions(key_secret=KEY))
    out = deid.deidentify(ds)
    assert deid.remap_uid(ds.FrameOfReferenceUID) == out.FrameOfReferenceUID
    assert deid.remap_uid(ds.SOPInstanceUID) == out.SOPInstanceUID
    retain = Deidentifier(DeidOptions(key_secret=KEY, enable=("retain-uids",)))
    kept = retain.deidentify(ds)
    assert kept.SOPInstanceUID == ds.SOPInstanceUID == retain.remap_uid(ds.SOPInstanceUID)
    assert kept.ReferencedImageSequence[0].ReferencedSOPInstanceUID == (
        ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID
    )
    assert kept.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID


def test_deidentifier_pickles_by_its_options(tmp_path):
    deid = Deidentifier(DeidOptions(key_path=tmp_path / "k.key"))
    clone = pickle.loads(pickle.dumps(deid))
    ds = pet_slice(Identity())
    assert _encode(clone.deidentify(ds)) == _encode(deid.deidentify(ds))
    assert KEY not in pickle.dumps(deid)
    assert (tmp_path / "k.key").read_bytes() not in pickle.dumps(deid)
