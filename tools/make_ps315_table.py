#!/usr/bin/env python3
"""Generate the package copy of DICOM PS3.15 Table E.1-1 used by elscint_codec.deid.

The input is the machine-readable table of the innolitics/dicom-standard project
(``standard/confidentiality_profile_attributes.json``), kept beside this repository in
``../shared/data/ps315/`` together with a README that names its commit and the edition
of the standard it was extracted from. The output,
``src/elscint_codec/data/ps315_e1_1.json``, holds the same rows in a normalised form
(tags as 8 hex digits, sorted) plus a ``source`` record. Never edit the output by hand:
re-run this script. Running it twice on the same input gives the same bytes. The
option columns and action codes come from ``elscint_codec.deid.table``, so the package
must be importable (e.g. ``pip install -e .``).

Usage::

    python tools/make_ps315_table.py [SOURCE_JSON] [--output FILE] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

from elscint_codec.deid.table import ACTION_CODES, OPTION_IDS

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = (
    REPO.parent / "shared" / "data" / "ps315" / "confidentiality_profile_attributes.json"
)
DEFAULT_OUTPUT = REPO / "src" / "elscint_codec" / "data" / "ps315_e1_1.json"

# The option columns (OPTION_IDS) and Basic Profile codes (ACTION_CODES) are the ones the
# package checks when it loads the table, so the generator and the reader cannot disagree.
OPTION_CODES = frozenset({"K", "C"})
# The rows whose "tag" is a pattern rather than one element, and how the output names them.
PATTERNS = {
    "(50XX,XXXX)": "50xxxxxx",
    "(60XX,3000)": "60xx3000",
    "(60XX,4000)": "60xx4000",
    "(GGGG,EEEE) WHERE GGGG IS ODD": "ggggeeee",
}
TAG_RE = re.compile(r"^\(([0-9A-F]{4}),([0-9A-F]{4})\)$")


def read_provenance(readme: Path) -> dict[str, str]:
    """Return commit, commit date and edition as stated in the shared folder's README."""
    text = readme.read_text(encoding="utf-8")
    commit = re.search(r"commit\s+([0-9a-f]{40})", text)
    date = re.search(r"[0-9a-f]{40}\s+of\s+(\d{4}-\d{2}-\d{2})", text)
    edition = re.search(r"edition\s+(\d{4}[a-e])", text)
    project = re.search(r"the\s+(\S+/\S+)\s+project", text)
    path = re.search(r"\(file\s+`([^`]+)`", text)
    missing = [
        name
        for name, match in (
            ("commit", commit),
            ("commit date", date),
            ("edition", edition),
            ("project", project),
            ("upstream path", path),
        )
        if match is None
    ]
    if missing or not (commit and date and edition and project and path):
        raise SystemExit(f"{readme}: cannot find {', '.join(missing)} in the README")
    return {
        "project": project.group(1),
        "path": path.group(1),
        "commit": commit.group(1),
        "commit_date": date.group(1),
        "edition": edition.group(1),
    }


def normalise_row(raw: dict[str, str], index: int) -> dict[str, object]:
    """Return one output row, checking every field of the input row."""
    where = f"row {index} ({raw.get('name', '?')!r})"
    tag_text = raw["tag"].strip()
    if tag_text in PATTERNS:
        tag = PATTERNS[tag_text]
    else:
        match = TAG_RE.match(tag_text.upper())
        if match is None:
            raise SystemExit(f"{where}: unexpected tag {tag_text!r}")
        tag = match.group(1) + match.group(2)
    basic = raw["basicProfile"].strip()
    if basic not in ACTION_CODES:
        raise SystemExit(f"{where}: unknown Basic Profile action {basic!r}")
    options: dict[str, str] = {}
    for column in OPTION_IDS:
        value = raw.get(column, "").strip()
        if not value:
            continue
        if value not in OPTION_CODES:
            raise SystemExit(f"{where}: unknown action {value!r} in column {column}")
        options[column] = value
    unknown = set(raw) - {"name", "tag", "stdCompIOD", "basicProfile", "id", *OPTION_IDS}
    if unknown:
        raise SystemExit(f"{where}: unexpected columns {sorted(unknown)}")
    std = raw["stdCompIOD"].strip()
    if std not in ("Y", "N"):
        raise SystemExit(f"{where}: stdCompIOD is {std!r}, expected Y or N")
    return {
        "tag": tag,
        "name": raw["name"].strip(),
        "std_comp_iod": std == "Y",
        "basic": basic,
        "options": options,
    }


def build_table(source: Path, readme: Path) -> str:
    """Return the text of the generated JSON file."""
    data = source.read_bytes()
    rows_in = json.loads(data)
    if not isinstance(rows_in, list):
        raise SystemExit(f"{source}: expected a JSON list of rows")
    rows = [normalise_row(raw, i) for i, raw in enumerate(rows_in)]
    tags = [str(row["tag"]) for row in rows]
    duplicates = sorted({t for t in tags if tags.count(t) > 1})
    if duplicates:
        raise SystemExit(f"{source}: duplicate tags {duplicates}")
    rows.sort(key=lambda row: str(row["tag"]))
    provenance = read_provenance(readme)
    document = {
        "table": "DICOM PS3.15 Table E.1-1 Application Level Confidentiality Profile Attributes",
        "edition": provenance["edition"],
        "source": {
            "project": provenance["project"],
            "path": provenance["path"],
            "commit": provenance["commit"],
            "commit_date": provenance["commit_date"],
            "licence": "MIT (see LICENSES/ps315-LICENSE.txt)",
            "sha256": hashlib.sha256(data).hexdigest(),
        },
        "generator": "tools/make_ps315_table.py (do not edit by hand)",
        "option_columns": list(OPTION_IDS),
        "rows": [],
    }
    # One row per line keeps the file short and its diffs readable.
    head = json.dumps(document, indent=1, ensure_ascii=False)
    assert head.endswith('"rows": []\n}')
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    return head[: -len("]\n}")] + "\n  " + ",\n  ".join(lines) + "\n ]\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument(
        "--readme",
        type=Path,
        default=None,
        help="README naming commit and edition (default: README.md beside SOURCE)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="'-' for stdout")
    parser.add_argument(
        "--check", action="store_true", help="only compare with OUTPUT; exit 1 if they differ"
    )
    args = parser.parse_args(argv)
    readme = args.readme if args.readme is not None else args.source.parent / "README.md"
    text = build_table(args.source, readme)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; re-run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    if str(args.output) == "-":
        sys.stdout.write(text)
    else:
        args.output.write_bytes(text.encode("utf-8"))
        print(f"wrote {args.output} ({text.count(chr(10))} lines)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
