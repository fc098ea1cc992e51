"""Replay the fuzz corpus (``fuzz/corpus``) through both decoders.

Each file is a fuzz input (3-byte size header, then the stream; see
``fuzz/fuzz_decode.py``).  The harness's ``check`` raises on any finding: an
exception other than ``ElscintError``, a wrong shape or dtype, a write outside
``out``, or two PMSCT_RLE1 decode paths that disagree.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
CORPUS = sorted((FUZZ / "corpus").glob("*"))


def load_harness():
    spec = importlib.util.spec_from_file_location("fuzz_decode", FUZZ / "fuzz_decode.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harness = load_harness()


def test_corpus_is_there_and_small():
    assert 20 <= len(CORPUS) < 200
    assert sum(path.stat().st_size for path in CORPUS) < 1_000_000


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
@pytest.mark.parametrize("decoder", ["rle1", "rgb1"])
def test_corpus_file_decodes_or_raises_elscint_error(path, decoder):
    harness.check(path.read_bytes(), decoder)


def test_header_round_trip():
    for rows, columns in [(1, 1), (256, 1024), (17, 300)]:
        data = harness.make_input(rows, columns, b"\x01")
        assert harness.dimensions(data) == (rows, columns)
    assert harness.dimensions(b"") == (1, 1)
    with pytest.raises(ValueError, match="cannot express"):
        harness.make_input(257, 1, b"")


def test_check_reports_a_write_outside_out(monkeypatch):
    """The guard slices really catch a decoder that writes too far."""
    import elscint_codec

    def sloppy(data, rows, columns, *, out):
        out.base.reshape(-1)[:] = 0
        return out

    monkeypatch.setattr(elscint_codec, "pmsct_rgb1_decode", sloppy)
    with pytest.raises(AssertionError, match="outside out"):
        harness.check(harness.make_input(2, 2, b"\x01\x01\x01\x01"), "rgb1")
