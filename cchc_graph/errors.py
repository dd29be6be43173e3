"""errors: the small exception hierarchy, mapped once to CLI exit codes and once to HTTP statuses.

Every class says both: `exit_code` for the command line, `http_status` for the web app's one
error handler. A 4xx is the client's mistake or a limit it ran into; a 500 is only ever our bug.
"""

from __future__ import annotations

from pathlib import Path


class CchcError(Exception):
    """Base: a message a user can act on."""

    exit_code = 3
    http_status = 500
    # seconds a client should wait before asking again (sent as Retry-After), where that helps
    retry_after: int | None = None


class SourceError(CchcError):
    """A source document that cannot be read or placed: names the file and the 1-based line."""

    exit_code = 2
    http_status = 400

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


class BadRequestError(CchcError):
    """A request the server cannot use as sent: a malformed number, IRI or encoding."""

    exit_code = 2
    http_status = 400


class NotFoundError(CchcError):
    """Nothing is served at that address."""

    exit_code = 2
    http_status = 404


class NotAcceptableError(CchcError):
    """An Accept header none of whose media types the answer can be given in."""

    exit_code = 2
    http_status = 406


class PayloadTooLargeError(CchcError):
    """A request body past the configured limit."""

    exit_code = 2
    http_status = 413


class BusyError(CchcError):
    """The server cannot take the request now; the client may ask again after `retry_after`."""

    exit_code = 2
    http_status = 503

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[BusyError], tuple[str, int]]:
        return (type(self), (str(self), self.retry_after or 0))


class TooManyRequestsError(BusyError):
    """One client asks for more at once than its share."""

    http_status = 429


EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
