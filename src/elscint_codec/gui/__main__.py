"""``python -m elscint_codec.gui`` opens the window."""

from __future__ import annotations

import sys

from elscint_codec.gui import main

if __name__ == "__main__":
    sys.exit(main())
