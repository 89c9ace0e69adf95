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


class SchemaTooNewError(ShowbotError):
    """The database was written by a newer showbot; refusing to touch it."""
