"""Keyed UID remapping and the key file."""

from __future__ import annotations

import os
import re
import stat
import sys
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elscint_codec.deid import Deidentifier, DeidOptions
from elscint_codec.deid.keys import KEY_BYTES, default_key_path, derive, ensure_key_file
from elscint_codec.deid.uids import UidRemapper
from elscint_codec.errors import ElscintWarning

UID_RE = re.compile(r"^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$")
uids = st.lists(st.integers(0, 10**12), min_size=2, max_size=8).map(
    lambda parts: "1.2.826." + ".".join(map(str, parts))
)
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@given(uids)
def test_new_uid_is_a_valid_uuid_derived_uid(uid):
    new = UidRemapper(b"k" * 32)(uid)
    assert new.startswith("2.25.")
    assert len(new) <= 64
    assert UID_RE.match(new)
    value = uuid.UUID(int=int(new[5:]))
    assert value.version == 8
    assert value.variant == uuid.RFC_4122
    assert new != uid


@given(st.lists(uids, min_size=2, max_size=20, unique=True))
def test_remapping_is_consistent_injective_and_key_dependent(originals):
    first, again = UidRemapper(b"k" * 32), UidRemapper(b"k" * 32)
    other = UidRemapper(b"j" * 32)
    mapped = [first(u) for u in originals]
    assert mapped == [again(u) for u in originals]
    assert len(set(mapped)) == len(originals)
    assert not set(mapped) & {other(u) for u in originals}


def test_padding_standard_and_empty_uids():
    remap = UidRemapper(b"k" * 32)
    assert remap("1.2.3.4\x00") == remap("1.2.3.4") == remap(" 1.2.3.4 ")
    assert remap("1.2.840.10008.5.1.4.1.1.128") == "1.2.840.10008.5.1.4.1.1.128"
    assert remap("") == ""
    with pytest.raises(ValueError, match="at least 16 bytes"):
        UidRemapper(b"short")


@posix_only
def test_missing_key_file_is_created_owner_only_and_then_reused(tmp_path):
    path = tmp_path / "secret" / "project.key"
    created = ensure_key_file(path)
    assert created.created
    assert created.path == path
    assert len(created.secret) == KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = ensure_key_file(path)
    assert not again.created
    assert again.secret == created.secret
    assert "secret=" not in repr(again)
    assert list(path.parent.iterdir()) == [path]  # no temporary left behind


def test_two_new_key_files_differ(tmp_path):
    assert ensure_key_file(tmp_path / "a").secret != ensure_key_file(tmp_path / "b").secret


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG layout")
def test_default_key_follows_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_key_path() == tmp_path / "elscint-codec" / "deid.key"
    deid = Deidentifier(DeidOptions())
    assert deid.key_file is not None
    assert deid.key_file.path == tmp_path / "elscint-codec" / "deid.key"
    assert deid.key_file.created


def test_short_or_folder_key_is_refused(tmp_path):
    short = tmp_path / "short.key"
    short.write_bytes(b"0123456789")
    with pytest.raises(ValueError, match="at least 16"):
        ensure_key_file(short)
    with pytest.raises(ValueError, match="folder"):
        ensure_key_file(tmp_path)


@posix_only
def test_key_readable_by_others_warns(tmp_path):
    path = tmp_path / "open.key"
    path.write_bytes(os.urandom(32))
    path.chmod(0o644)
    with pytest.warns(ElscintWarning, match="readable by other users"):
        ensure_key_file(path)


def test_subkeys_are_independent():
    secret = b"s" * 32
    assert len({derive(secret, p) for p in ("uid", "date", "pseudonym")}) == 3
    assert derive(secret, "uid") == derive(secret, "uid")
