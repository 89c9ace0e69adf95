"""Errors the engine raises; each carries a message that is safe to show a user."""

from __future__ import annotations

__all__ = [
    "AmbiguousSubjectError",
    "EditConflictError",
    "ImportValidationError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "SchemaTooNewError",
    "ShowbotError",
    "UnknownSubjectError",
    "WriteRefusedError",
]


class ShowbotError(Exception):
    """Base class: ``str(error)`` is a short, user-safe explanation."""


class InvalidInputError(ShowbotError):
    """A command argument is malformed (bad date, unknown status, text too long...)."""


class NotFoundError(ShowbotError):
    """An id or name does not exist (or is not visible in this server)."""


class UnknownSubjectError(ShowbotError):
    """A subject name matched nothing well enough; ``suggestions`` are the closest names."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f" Closest: {', '.join(suggestions)}." if suggestions else ""
        super().__init__(f"I don't know a subject called {query!r}.{hint}")


class AmbiguousSubjectError(ShowbotError):
    """A subject name fits several entities; ``candidates`` are (entity id, label) pairs."""

    def __init__(self, query: str, candidates: list[tuple[int, str]]) -> None:
        self.query = query
        self.candidates = candidates
        listed = ", ".join(f"#{eid} {label}" for eid, label in candidates)
        super().__init__(f"{query!r} could mean several subjects: {listed}. Pick one by its #id.")


class EditConflictError(ShowbotError):
    """The row changed since the caller read it (optimistic version check)."""


class PermissionDeniedError(ShowbotError):
    """The caller may not change this (a global fact, another server's fact)."""


class ImportValidationError(ShowbotError):
    """An interchange file has bad records; ``problems`` lists each by position and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"{len(problems)} problem(s): {shown}{more}")


class WriteRefusedError(ShowbotError):
    """SQLite refused to commit a write for a reason that is not the disk's state (a
    constraint checked at COMMIT): it was rolled back, nothing changed."""


class SchemaTooNewError(ShowbotError):
    """The database was written by a newer showbot; refusing to touch it."""


# SQLite result codes (``sqlite3.Error.sqlite_errorname``, primary part) by what they mean
# for the person who asked: the store is busy, or it cannot be written; anything else
# (no such column, a syntax error, a constraint) is a bug in showbot.
_BUSY = frozenset(("SQLITE_BUSY", "SQLITE_LOCKED"))
_UNWRITABLE = frozenset(
    ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PERM")
)
_DAMAGED = frozenset(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def database_problem(exc: BaseException) -> str:
    """``busy``, ``unwritable``, ``damaged`` (not a database, or a corrupt one: restore a
    backup) or ``bug`` for a sqlite3 error."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    primary = "_".join(name.split("_")[:2])  # SQLITE_IOERR_WRITE -> SQLITE_IOERR
    if primary in _BUSY:
        return "busy"
    if primary in _UNWRITABLE:
        return "unwritable"
    if primary in _DAMAGED:
        return "damaged"
    return "bug"


DATABASE_REPLIES = {
    "busy": "The fact store is busy right now; nothing was changed. Please try again in a moment.",
    "unwritable": (
        "The fact store can't be written right now (the disk is full or read-only);"
        " nothing was changed. Please try again later."
    ),
    "damaged": (
        "The fact store is damaged and can't be read; nothing was changed. The bot's"
        " operator has been told (see the README's Backups and restore)."
    ),
}
