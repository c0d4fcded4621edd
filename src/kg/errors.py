"""The errors a user can meet, each with a message they can act on."""

from __future__ import annotations


class KgError(Exception):
    """Base of every error this package reports to a user."""


class InputError(KgError):
    """A file or request body that cannot be read: missing, unknown format, or bad syntax."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.source or "input"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class ShapeLoadError(KgError):
    """The SHACL shapes themselves cannot be loaded."""


class BuildError(KgError):
    """The sources do not assemble into a dataset (missing document, unreadable file)."""
