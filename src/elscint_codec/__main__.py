"""``python -m elscint_codec``: the ``elscint`` command."""

from __future__ import annotations

import sys

from elscint_codec.cli import command

if __name__ == "__main__":
    sys.exit(command())
