"""The run's bookkeeping: batched report rows and series members, first files of UIDs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom

from convert_builders import by_name, dicom_files, elscint_file, report_rows
from elscint_codec.converter import ConvertOptions, convert
from elscint_codec.converter.state import _BATCH, RunState, UidOwner

INLINE = ConvertOptions(jobs=1, previews=False)


def _row(name: str, status: str = "converted", reason: str = "") -> dict[str, str]:
    return {"input": name, "output": f"out/{name}", "status": status, "reason": reason}


def test_rows_keep_order_and_latest_wins_across_batches():
    state = RunState()
    names = [f"f{i:05d}" for i in range(2 * _BATCH + 7)]  # two full batches and a pending rest
    for name in names:
        state.put_row(_row(name))
    state.put_row(_row(names[3], "failed", "second thought"))  # replaces an early row
    rows = list(state.rows())
    assert [row["input"] for row in rows] == [*names[:3], *names[4:], names[3]]
    assert rows[-1]["status"] == "failed"
    assert rows[-1]["reason"] == "second thought"
    assert rows[0]["sop_instance_uid"] == ""  # missing columns are empty text
    assert state.status_counts() == {"converted": len(names) - 1, "failed": 1}
    state.close()


def test_a_note_reaches_a_row_still_waiting_in_the_batch():
    state = RunState()
    state.put_row(_row("a", reason="first"))
    state.put_row(_row("b"))
    state.add_note("a", "also this")
    state.add_note("b", "only this")
    rows = {row["input"]: row["reason"] for row in state.rows()}
    assert rows == {"a": "first; also this", "b": "only this"}
    state.close()


def test_series_members_are_read_with_the_pending_ones():
    state = RunState()
    for position in (3.0, None, 1.0, 2.0):
        state.add_series_member("1.2.3", "CT", position, f"s/{position}")
    state.add_series_member("1.2.4", "PT", 0.0, "p/0")
    assert list(state.series()) == [
        ("1.2.3", "CT", ["s/1.0", "s/2.0", "s/3.0", "s/None"]),
        ("1.2.4", "PT", ["p/0"]),
    ]
    state.close()


def test_first_file_of_a_uid_is_remembered_moved_and_forgotten():
    state = RunState()
    assert state.first_with_uid("1.2", "a/IM1", "in/a", "/src/a", None) is None
    owner = state.first_with_uid("1.2", "b/IM1", "in/b", "/src/b", "m")
    assert owner == UidOwner("", "a/IM1", "in/a", "/src/a", None)
    state.set_fingerprint("1.2", "abc")
    state.move_uid("1.2", "a/IM1~2")
    assert state.first_with_uid("1.2", "c", "in/c", "/src/c", None) == UidOwner(
        "abc", "a/IM1~2", "in/a", "/src/a", None
    )
    state.move_uid("1.2", None)  # the first file failed after all
    assert state.first_with_uid("1.2", "d", "in/d", "/src/d", None) is None
    state.close()


def test_renamed_first_file_of_a_uid_is_where_its_duplicate_points(tmp_path: Path):
    # "x/IM1" and "x/im1" are one file on a case-insensitive disk: the second is
    # written as "x/im1~2"; an identical copy of it later must point there.
    root = tmp_path / "src"
    elscint_file(root / "x" / "IM1", 1, sop_instance_uid="2.25.1", instance=1)
    image = elscint_file(root / "x" / "im1", 2, sop_instance_uid="2.25.2", instance=2)
    (root / "y").mkdir()
    shutil.copy(root / "x" / "im1", root / "y" / "copy")
    out = tmp_path / "out"
    summary = convert([root], out, options=INLINE)
    assert (summary.converted, summary.skipped, summary.duplicates) == (2, 1, 1)
    assert sorted(dicom_files(out)) == ["x/IM1", "x/im1~2"]
    assert (pydicom.dcmread(out / "x" / "im1~2").pixel_array == image).all()
    rows = by_name(report_rows(out))
    assert "written as x/im1~2 because x/im1 belongs to" in rows["x/im1"]["reason"]
    assert rows["x/im1"]["output"] == "x/im1~2"
    assert rows["y/copy"]["status"] == "skipped"
    assert rows["y/copy"]["output"] == "x/im1~2"
    assert "written once as x/im1~2" in rows["y/copy"]["reason"]
