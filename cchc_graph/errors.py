"""errors: the small exception hierarchy, mapped once to CLI exit codes."""

from __future__ import annotations

from pathlib import Path


class CchcError(Exception):
    """Base: a message a user can act on."""

    exit_code = 3


class SourceError(CchcError):
    """A source document that cannot be read or placed: names the file and the 1-based line."""

    exit_code = 2

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[SourceError], tuple[Path, int, str]]:
        # parsing runs in worker processes: the error must cross back whole
        return (SourceError, (self.path, self.line, self.message))


class VocabularyError(CchcError):
    """A vocabulary file under ontology/ or data/vocab/ is missing or malformed."""

    exit_code = 2


class BuildError(CchcError):
    """The build could not complete; the previous graph is left in place."""

    exit_code = 2


EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
