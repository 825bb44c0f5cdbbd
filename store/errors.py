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
    """The disk refused a write (full, read-only, I/O error). Nothing was half-written."""


class Locked(RapportError):
    """The vault was locked (keys dropped); unlock again to continue."""
