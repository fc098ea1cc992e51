"""dicom3tools' dciodvfy finds no new error in de-identified output."""

from __future__ import annotations

import re
import subprocess

import pydicom
import pytest

from deid_cases import Identity, burned_in_capture, make_study
from elscint_codec.deid import Deidentifier, DeidOptions
from tooling import require_tool

pytestmark = pytest.mark.tools

PROFILES = [
    ("pet-safe", ()),
    ("basic", ()),
    ("pet-safe", ("retain-modified-dates", "retain-uids", "retain-device-identity")),
    ("basic", ("clean-descriptors", "clean-structured-content", "clean-graphics")),
]


def _errors(dciodvfy: str, path) -> set[str]:
    run = subprocess.run([dciodvfy, str(path)], capture_output=True, text=True, check=False)
    lines = (run.stdout + run.stderr).splitlines()
    # Keep the kind of error and the attribute, drop values quoted in the message.
    return {re.sub(r"(Value|value)\s*=\s*<[^>]*>", "", line) for line in lines if "Error" in line}


@pytest.mark.parametrize(("profile", "enable"), PROFILES)
def test_deidentified_files_have_no_new_dciodvfy_errors(tmp_path, profile, enable):
    dciodvfy = require_tool("dciodvfy")
    deid = Deidentifier(
        DeidOptions(profile=profile, enable=enable, key_secret=b"d" * 32, keep_burned_in=True)
    )
    for i, ds in enumerate([*make_study(), burned_in_capture(Identity())]):
        source, target = tmp_path / f"in{i}.dcm", tmp_path / f"out{i}.dcm"
        pydicom.dcmwrite(source, ds, enforce_file_format=True)
        pydicom.dcmwrite(target, deid.deidentify(ds), enforce_file_format=True)
        before, after = _errors(dciodvfy, source), _errors(dciodvfy, target)
        assert not before, f"the test input itself is invalid: {before}"
        assert after <= before, f"{ds.Modality} {profile} {enable}: {after - before}"
