"""Exceptions of the de-identification layer."""

from __future__ import annotations

from elscint_codec.errors import ElscintError

__all__ = ["ExcludedError", "MappingError"]


class ExcludedError(ElscintError):
    """The dataset is deliberately not de-identified (policy, not a failure).

    Parameters
    ----------
    reason : str
        Why, in words that carry no identifying value, e.g.
        ``"excluded: burned-in annotation (Burned In Annotation is YES)"``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MappingError(ElscintError, LookupError):
    """A user-supplied pseudonym mapping is unusable or lacks the patient."""
