"""Errors the store raises. Each carries a one-line, user-facing message (never note text)."""


class RapportError(Exception):
    """Base class: ``str(err)`` is a single line fit for ``rapport: error: ...``."""


class VaultMissing(RapportError):
    pass


class FileExists(RapportError):
    """The destination already exists: Rapport never writes over a file."""


class VaultExists(FileExists):
    pass


class NotAVault(RapportError):
    pass


class WrongPassphrase(RapportError):
    pass


class VaultBusy(RapportError):
    """Another rapport process holds the vault."""


class UnsafeParameters(RapportError):
    """The stored key-derivation parameters are outside the accepted range."""


class Damaged(RapportError):
    """A record failed authentication or the database failed its integrity check."""


class NotFound(RapportError):
    pass


class Ambiguous(RapportError):
    pass


class StorageError(RapportError):
    """The disk refused a write (full, read-only, I/O error). Nothing was half-written.

    ``refused``: the refusal alone ("the disk is full"), when the message goes on to say what
    became of the write ("nothing was saved"), for a command that says that in its own words
    ("nothing was imported") instead of adding them to the store's."""

    def __init__(self, message: str, *, refused: str = "") -> None:
        super().__init__(message)
        self.refused = refused


class Locked(RapportError):
    """The vault was locked (keys dropped); unlock again to continue."""
