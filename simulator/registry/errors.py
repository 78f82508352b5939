"""The simulator's error tree.

Every error a user can cause derives from :class:`OqsError`. Domain code raises these; each
interface translates them once, at its edge, into its own format (JSON for the admin API,
result codes for the OQS interfaces, a message and exit status for the CLI)::

    OqsError                      base; ``code`` names the catalogue entry, ``message`` says why
    ├── InvalidInput              a value the caller sent is malformed; ``field`` names it
    │   ├── CheckDigitError       a number whose check digit (検証番号) does not verify
    │   └── DateFormatError       a date or instant that is not in the expected format
    ├── NotFound                  the thing named does not exist (person, institution, ...)
    ├── Unauthorized              missing or wrong credentials (admin token, institution login)
    └── Conflict                  the request contradicts the store (duplicate key, ...)

Configuration problems are not user input at run time: they raise
:class:`simulator.config.ConfigError` and stop start-up.
"""

from __future__ import annotations

__all__ = [
    "OqsError",
    "InvalidInput",
    "CheckDigitError",
    "DateFormatError",
    "NotFound",
    "Unauthorized",
    "Conflict",
]


class OqsError(Exception):
    """Base of every error the simulator reports to a caller."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(OqsError):
    """A value sent by the caller is malformed; ``field`` names it as the interface spells it."""

    code = "invalid_input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class CheckDigitError(InvalidInput):
    """The check digit (検証番号) of an insurer, 後期高齢 or institution number does not verify."""

    code = "check_digit"


class DateFormatError(InvalidInput):
    """A date (YYYYMMDD / YYYY-MM-DD) or an instant (ISO 8601) could not be read."""

    code = "date_format"


class NotFound(OqsError):
    """The entity named by the request does not exist."""

    code = "not_found"


class Unauthorized(OqsError):
    """Credentials are missing or wrong."""

    code = "unauthorized"


class Conflict(OqsError):
    """The request contradicts what the store holds."""

    code = "conflict"
