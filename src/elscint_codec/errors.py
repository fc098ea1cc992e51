"""Exception and warning classes shared by every layer of elscint_codec."""

from __future__ import annotations

__all__ = [
    "DatasetError",
    "DecodeError",
    "ElscintError",
    "ElscintWarning",
    "TruncatedDataError",
    "UnsupportedError",
]


class ElscintError(Exception):
    """Base class of every error raised by elscint_codec."""


class DecodeError(ElscintError, ValueError):
    """A compressed stream cannot be decoded.

    Parameters
    ----------
    message : str
        What went wrong, in words that stand on their own.
    offset : int
        Byte index into the stored stream where the offending token starts.
    """

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class TruncatedDataError(DecodeError):
    """The stream ends before the last pixel of the image is complete.

    Parameters
    ----------
    message : str
        What went wrong.
    offset : int
        Byte index where the incomplete token starts (the stream length when
        the stream ends cleanly between two pixels).
    expected : int
        Number of pixels the image needs.
    got : int
        Number of pixels decoded before the stream ran out.
    """

    def __init__(self, message: str, offset: int, expected: int, got: int) -> None:
        super().__init__(message, offset)
        self.expected = expected
        self.got = got


class UnsupportedError(ElscintError, NotImplementedError):
    """A variant that is valid DICOM but that elscint_codec does not handle."""


class DatasetError(ElscintError, ValueError):
    """A dataset lacks an element it needs, or its elements contradict each other."""


class ElscintWarning(UserWarning):
    """Something unusual but recoverable, e.g. trailing data after a complete image."""
