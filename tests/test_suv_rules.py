"""Every branch of the SUV rules, on datasets built in the test (tests/suv_cases.py).

Expected factors are written out from the textbook formula
``SUVbw factor = weight[g] / (dose[Bq] x 2^(-decay time / half-life))``.
"""

from __future__ import annotations

import math
import struct

import pytest

import suv_cases as cases
from elscint_codec.errors import DatasetError
from elscint_codec.suv import SeriesRecord, SUVError, compute_factors, suv_report
from elscint_codec.suv.values import parse_float

F18 = 6586.2


def factors_of(count=3, **kwargs):
    return compute_factors(SeriesRecord.from_datasets(cases.pet_series(count, **kwargs)))


def bqml(weight_kg=70.0, dose_bq=370e6, seconds=3600.0, half_life=F18):
    return weight_kg * 1000.0 / (dose_bq * 2.0 ** (-seconds / half_life))


def refusal(**kwargs):
    with pytest.raises(SUVError) as info:
        factors_of(**kwargs)
    return info.value


def test_baseline_bqml_start():
    factors = factors_of()
    assert factors.bw == pytest.approx([bqml()] * 3, rel=1e-12)
    assert factors.source == "computed"
    assert (factors.scan.rule, factors.injection.rule) == ("series", "start-time")
    assert factors.decay_time_s == 3600.0
    assert factors.warnings == ()


def test_refusal_is_a_dataset_error():
    error = refusal(PatientWeight=None)
    assert isinstance(error, DatasetError)
    assert isinstance(error, ValueError)


# --- refusals name the element --------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "attribute"),
    [
        ({"PatientWeight": None}, "(0010,1030) Patient's Weight"),
        ({"PatientWeight": "0"}, "(0010,1030) Patient's Weight"),
        ({"RadionuclideTotalDose": None}, "(0018,1074) Radionuclide Total Dose"),
        ({"RadionuclideHalfLife": None}, "(0018,1075) Radionuclide Half Life"),
        ({"RadiopharmaceuticalStartTime": None}, "(0018,1072) Radiopharmaceutical Start Time"),
        ({"DecayCorrection": None}, "(0054,1102) Decay Correction"),
        ({"DecayCorrection": "WEIRD"}, "(0054,1102) Decay Correction"),
        ({"CorrectedImage": None}, "(0028,0051) Corrected Image"),
        ({"CorrectedImage": ["ATTN"]}, "(0028,0051) Corrected Image"),
        ({"CorrectedImage": ["DECY"]}, "(0028,0051) Corrected Image"),
        ({"Units": None}, "(0054,1001) Units"),
        ({"Units": "CPS"}, "(0054,1001) Units"),
        ({"Units": "CNTS"}, "(7053,xx00) SUV Scale Factor"),
        ({"Units": "GML", "SUVType": "BSA"}, "(0054,1006) SUV Type"),
        (
            {"Units": "GML", "SUVType": "LBMJANMA", "PatientSize": None},
            "(0010,1020) Patient's Size",
        ),
        ({"Modality": "CT"}, "(0008,0060) Modality"),
        (
            {"SeriesTime": None, "AcquisitionTime": None},
            "(0008,0021)/(0008,0031) Series Date/Time",
        ),
        (
            {"RadiopharmaceuticalStartDateTime": "20210304120000"},
            "(0018,1078) Radiopharmaceutical Start DateTime",
        ),
    ],
)
def test_refusal_names_the_element(change, attribute):
    error = refusal(**change)
    assert error.attribute == attribute
    assert attribute.split(")")[0] in str(error)


def test_refusal_when_series_values_differ_between_files():
    # cornerstone: "series-level metadata are different" (here: half-life)
    error = refusal(per_slice={"RadionuclideHalfLife": ["6586.2", "6586.2", "6588"]})
    assert error.attribute == "(0018,1075) Radionuclide Half Life"
    assert "6586.2, 6588" in str(error)


def test_refusal_none_needs_frame_duration():
    error = refusal(DecayCorrection="NONE", ActualFrameDuration=None)
    assert error.attribute == "(0018,1242) Actual Frame Duration"


# --- decay correction ------------------------------------------------------------------


def test_admin_does_not_decay_the_dose():
    factors = factors_of(DecayCorrection="ADMIN", RadionuclideHalfLife=None)
    assert factors.bw == pytest.approx([70000 / 370e6] * 3, rel=1e-12)
    assert factors.scan is None


def test_none_has_frame_duration_term_per_slice():
    # slices acquired 11:00, 11:02, 11:04 with 120 s frames; not decay corrected
    factors = factors_of(
        DecayCorrection="NONE",
        CorrectedImage=["ATTN"],
        per_slice={"AcquisitionTime": ["110000", "110200", "110400"]},
    )
    lam = math.log(2) / F18
    term = lam * 120 / (1 - math.exp(-lam * 120))
    expected = [70000 / 370e6 * term * math.exp(lam * (3600 + 120 * i)) for i in range(3)]
    assert factors.bw == pytest.approx(expected, rel=1e-12)
    assert factors.uniform() is None
    assert factors.injection.when.hour == 10


def test_decy_spelled_decay_is_accepted():
    assert factors_of(CorrectedImage=["ATTN", "DECAY"]).bw[0] == pytest.approx(bqml())


# --- injection time ------------------------------------------------------------------------


def test_injection_before_midnight():
    # IBSI DRO_4_2: injection 23:30 (time only), scan 00:30 the next day
    factors = factors_of(
        RadiopharmaceuticalStartTime="233000",
        SeriesDate="20210305",
        SeriesTime="003000",
        AcquisitionDate="20210305",
        AcquisitionTime="003000",
    )
    assert factors.injection.rule == "start-time-day-before"
    assert factors.decay_time_s == 3600.0
    assert factors.bw[0] == pytest.approx(bqml(), rel=1e-12)


def test_multi_day_gap_from_start_datetime():
    # Zr-89 (half-life 78.41 h): injection three days and two hours before the scan
    half_life = 78.41 * 3600
    factors = factors_of(
        RadionuclideHalfLife=str(half_life),
        RadiopharmaceuticalStartDateTime="20210301090000",
        RadiopharmaceuticalStartTime="090000",
    )
    assert factors.injection.rule == "start-datetime"
    assert factors.decay_time_s == (3 * 24 + 2) * 3600
    assert factors.bw[0] == pytest.approx(bqml(seconds=74 * 3600, half_life=half_life))
    assert any("h between injection and scan" in w for w in factors.warnings)


def test_start_datetime_wins_over_start_time():
    factors = factors_of(
        RadiopharmaceuticalStartDateTime="20210304093000.000000+0100",
        RadiopharmaceuticalStartTime="100000",
    )
    assert factors.decay_time_s == 5400.0


def test_start_datetime_with_date_only_uses_start_time():
    factors = factors_of(RadiopharmaceuticalStartDateTime="20210304")
    assert factors.injection.rule == "start-date-and-time"
    assert factors.decay_time_s == 3600.0


# --- scan reference time ---------------------------------------------------------------


def test_series_after_acquisition_back_computes():
    # IBSI DRO_3_2: Series Time 11:30 after Acquisition 11:02:30, FRT 450 s, AFD 603 s
    factors = factors_of(
        SeriesTime="113000",
        AcquisitionTime="110230",
        FrameReferenceTime="450000",
        ActualFrameDuration="603000",
    )
    lam = math.log(2) / F18
    t_ave = math.log(lam * 603 / (1 - math.exp(-lam * 603))) / lam
    seconds = 3600 + 150 + t_ave - 450
    assert factors.scan.rule == "back-computed"
    assert factors.decay_time_s == pytest.approx(seconds, abs=1e-6)
    assert factors.bw[0] == pytest.approx(bqml(seconds=seconds), rel=1e-9)


def test_frame_reference_time_zero_falls_back_to_earliest_acquisition():
    factors = factors_of(
        SeriesTime="113000",
        FrameReferenceTime="0",
        per_slice={"AcquisitionTime": ["110500", "110100", "110300"]},
    )
    assert factors.scan.rule == "earliest-acquisition"
    assert factors.decay_time_s == 3660.0


def test_back_computed_times_that_disagree_are_not_used():
    factors = factors_of(
        SeriesTime="113000",
        per_slice={"AcquisitionTime": ["110100", "110100", "110400"]},
    )
    assert factors.scan.rule == "earliest-acquisition"
    assert any("disagree" in w for w in factors.warnings)


def test_ge_private_scan_datetime():
    # post-processed GE series: Series Time after the acquisition, (0009,100D) = 11:00
    factors = factors_of(SeriesTime="114500", AcquisitionTime="113000", ge_scan="20210304110000")
    assert factors.scan.rule == "ge-private"
    assert factors.bw[0] == pytest.approx(bqml(), rel=1e-12)
    assert not any("no private creator" in n for n in factors.notes)


def test_ge_private_without_creator_is_read_with_a_note():
    factors = factors_of(
        SeriesTime="114500", AcquisitionTime="113000", ge_scan="20210304110000", ge_creator=False
    )
    assert factors.scan.rule == "ge-private"
    assert any("group 0009 has no private creator" in n for n in factors.notes)


def test_series_time_later_than_acquisition_without_other_information():
    factors = factors_of(SeriesTime="113000", FrameReferenceTime=None)
    assert factors.scan.rule == "earliest-acquisition"
    assert factors.decay_time_s == 3600.0


# --- units ---------------------------------------------------------------------------------


def test_dose_in_mbq_is_detected():
    factors = factors_of(RadionuclideTotalDose="370")  # IBSI DRO_3_0
    assert factors.dose_bq == 370e6
    assert factors.bw[0] == pytest.approx(bqml(), rel=1e-12)
    assert any("read as MBq" in n for n in factors.notes)


def test_weight_in_grams_is_detected():
    factors = factors_of(PatientWeight="70000")
    assert factors.weight_kg == 70.0
    assert factors.bw[0] == pytest.approx(bqml(), rel=1e-12)
    assert any("read as grams" in n for n in factors.notes)


def test_per_slice_rescale_slope_does_not_change_the_factor():
    # IBSI DRO_1_0: the factor applies to the rescaled value, whatever the slope
    factors = factors_of(per_slice={"RescaleSlope": ["4.0", "3.0", "0.5"]})
    assert factors.uniform() == pytest.approx(bqml(), rel=1e-12)


def test_rescale_intercept_is_applied_with_a_warning():
    factors = factors_of(RescaleIntercept="-5")
    assert any("Rescale Intercept" in w for w in factors.warnings)


def test_gml_suv_types():
    # IBSI DRO_2_x: GML pixels are already SUV of the SUV Type; SUVbw = SUV x weight / mass
    assert factors_of(Units="GML").bw == (1.0, 1.0, 1.0)
    assert factors_of(Units="GML", SUVType="BW").source == "gml"
    lbm = factors_of(Units="GML", SUVType="LBMJAMES128")
    james = 1.10 * 70 - 128 * (70 / 175) ** 2
    assert lbm.bw[0] == pytest.approx(70 / james, rel=1e-12)
    assert lbm.sul_james128[0] == pytest.approx(1.0, rel=1e-12)
    ibw = factors_of(Units="GML", SUVType="IBW", PatientSex="O")
    mean_ibw = (48.0 + 1.06 * 23 + 45.5 + 0.91 * 23) / 2
    assert ibw.bw[0] == pytest.approx(70 / mean_ibw, rel=1e-12)


def test_cm2ml_bsa():
    # IBSI DRO_2_3: CM2ML pixels are SUVbsa [cm2/ml]
    factors = factors_of(Units="CM2ML", SUVType="BSA")
    bsa = 71.84 * 70**0.425 * 175**0.725
    assert factors.bw[0] == pytest.approx(70000 / bsa, rel=1e-12)
    assert factors.bsa[0] == pytest.approx(1.0, rel=1e-12)


# --- Philips private factors ---------------------------------------------------------------


def test_cnts_with_suv_scale_factor():
    # IBSI DRO_2_4: CNTS, (7053,1000) = 0.0005
    factors = factors_of(Units="CNTS", philips={"suv": "0.0005"})
    assert factors.bw == (0.0005, 0.0005, 0.0005)
    assert factors.source == "philips-suv-factor"


def test_cnts_without_suv_scale_factor_uses_activity_factor():
    # IBSI DRO_2_5: CNTS, (7053,1009) = 0.5: Bq/ml = CNTS x 0.5, then the BQML factor
    factors = factors_of(Units="CNTS", philips={"activity": "0.5"})
    assert factors.source == "philips-activity-factor"
    assert factors.bw[0] == pytest.approx(0.5 * bqml(), rel=1e-12)


def test_cnts_factor_zero_means_cannot_convert():
    error = refusal(Units="CNTS", philips={"suv": "0", "activity": "0"})
    assert "(7053,xx00)" in str(error)


def test_cnts_factor_missing_on_some_files():
    error = refusal(Units="CNTS", philips={"suv": ["0.0005", None, "0.0005"]})
    assert error.attribute == "(7053,xx00) SUV Scale Factor"


def test_cnts_mismatch_warns_above_one_percent():
    ours = bqml()
    good = factors_of(Units="CNTS", philips={"suv": repr(2 * ours * 1.009), "activity": "2"})
    assert good.warnings == ()
    assert good.philips_check.startswith("agrees")
    bad = factors_of(Units="CNTS", philips={"suv": repr(2 * ours * 1.011), "activity": "2"})
    assert bad.philips_check == "differs by 1.10%"
    assert any("differs from ours by 1.10%" in w for w in bad.warnings)
    assert bad.bw[0] == pytest.approx(2 * ours * 1.011)  # the vendor factor is still used


def test_bqml_philips_ratio_check():
    ours = bqml()
    good = factors_of(philips={"suv": repr(4.7 * ours * 0.995), "activity": "4.7"})
    assert good.philips_check == "agrees within 0.500%"
    bad = factors_of(philips={"suv": repr(4.7 * ours * 1.02), "activity": "4.7"})
    assert bad.bw[0] == pytest.approx(ours, rel=1e-12)
    assert any("differs from ours by 2.00%" in w for w in bad.warnings)


def test_philips_creator_at_another_block():
    # the real creator reserves block 0x11; a foreign creator owns 0x10 with a decoy
    factors = factors_of(
        Units="CNTS",
        philips={"suv": "0.0005"},
        philips_block=0x11,
        foreign_creator=(0x10, "SOMEONE ELSE"),
    )
    assert factors.bw[0] == 0.0005
    assert factors.notes == ()


def test_foreign_creator_at_block_10_is_not_read_as_philips():
    error = refusal(
        Units="CNTS", philips={}, philips_block=0x11, foreign_creator=(0x10, "SOMEONE ELSE")
    )
    assert error.attribute == "(7053,xx00) SUV Scale Factor"


def test_philips_elements_without_creator_fall_back_with_a_note():
    factors = factors_of(Units="CNTS", philips={"suv": "0.0005"}, philips_block=None)
    assert factors.bw[0] == 0.0005
    assert any("group 7053 has no private creator" in n for n in factors.notes)


# --- body size ------------------------------------------------------------------------------


def test_sex_other_is_the_mean_of_both_formulas():
    male, female, other = (factors_of(PatientSex=s) for s in ("M", "F", "O"))
    for key in ("sul_janma", "sul_james128", "sul_james120", "ibw"):
        mean = (male.variant(key)[0] + female.variant(key)[0]) / 2
        assert other.variant(key)[0] == pytest.approx(mean, rel=1e-12)


def test_height_in_centimetres_is_refused_for_size_based_variants():
    factors = factors_of(PatientSize="175")
    assert factors.bw[0] == pytest.approx(bqml())
    assert factors.sul is None
    assert factors.bsa is None
    assert "not a height in metres" in dict(factors.unavailable)["sul_janma"]


def test_missing_sex_keeps_bsa():
    factors = factors_of(PatientSex=None)
    assert factors.sul is None
    assert factors.ibw is None
    assert factors.bsa is not None
    assert "(0010,0040)" in dict(factors.unavailable)["ibw"]


def test_ibw_is_not_capped_at_the_weight():
    factors = factors_of(PatientWeight="50", PatientSize="1.90")
    assert factors.ibw_kg == pytest.approx(48.0 + 1.06 * 38)
    assert factors.ibw[0] > factors.bw[0]


def test_james_lean_mass_below_zero_is_unavailable():
    # James predicts a falling LBM at very high BMI; Janmahasatian does not
    factors = factors_of(PatientWeight="300", PatientSize="1.50")
    reasons = dict(factors.unavailable)
    assert "sul_james128" in reasons
    assert factors.sul_janma is not None


def test_several_radiopharmaceuticals_warn():
    datasets = cases.pet_series(2)
    for ds in datasets:
        seq = ds.RadiopharmaceuticalInformationSequence
        seq.append(seq[0])
    factors = compute_factors(SeriesRecord.from_datasets(datasets))
    assert any("several radiopharmaceuticals" in w for w in factors.warnings)


# --- reading values -----------------------------------------------------------------------


def test_missing_series_date_uses_the_acquisition_date_with_a_note():
    factors = factors_of(SeriesDate=None)
    assert factors.scan.when.isoformat() == "2021-03-04T11:00:00"
    assert any("Series Date is missing" in n for n in factors.notes)


def test_private_values_read_as_un_bytes():
    assert parse_float(b"0.000551 ") == 0.000551
    assert parse_float(struct.pack("<d", 2.5e-4)) == 2.5e-4
    assert parse_float(struct.pack("<f", 0.5)) == 0.5
    assert parse_float(b"") is None
    assert parse_float("  ") is None
    assert parse_float("nan") is None


def test_implicit_vr_files(tmp_path):
    suv = f"{1.5 * bqml():.10g}"
    datasets = cases.pet_series(
        2,
        Units="CNTS",
        philips={"suv": suv, "activity": "1.5"},
        ge_scan="20210304110000",
        SeriesTime="114500",
    )
    cases.write_series(tmp_path / "pet", datasets, implicit=True)
    (result,) = suv_report([tmp_path / "pet"])
    assert result.ok
    assert result.factors.bw == (float(suv), float(suv))
    assert result.factors.philips_check.startswith("agrees")
    assert result.factors.scan.rule == "ge-private"


def test_private_elements_read_as_un():
    # a reader without the private dictionary hands the values over as raw bytes
    datasets = cases.pet_series(2, Units="CNTS", SeriesTime="114500")
    for ds in datasets:
        ds.add_new(0x70530010, "LO", "Philips PET Private Group")
        ds.add_new(0x70531000, "UN", b"0.0005")
        ds.add_new(0x70531009, "UN", struct.pack("<d", 0.0005 / bqml()))
        ds.add_new(0x00090010, "LO", "GEMS_PETD_01")
        ds.add_new(0x0009100D, "UN", b"20210304110000.00 ")
    factors = compute_factors(SeriesRecord.from_datasets(datasets))
    assert factors.bw == (0.0005, 0.0005)
    assert factors.philips_check.startswith("agrees")
    assert factors.scan.rule == "ge-private"
