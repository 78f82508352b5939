"""The simulator's error tree.

Every error a user can cause derives from :class:`OqsError`. Domain code raises these; each
interface translates them once, at its edge, into its own format (JSON for the admin API,
result codes for the OQS interfaces, a message and exit status for the CLI)::

    OqsError                      base; ``code`` names the catalogue entry, ``message`` says why
    ├── InvalidInput              a value the caller sent is malformed; ``field`` names it
    │   ├── MissingField         a required element or value is absent
    │   ├── CheckDigitError       a number whose check digit (検証番号) does not verify
    │   ├── DateFormatError       a date or instant that is not in the expected format
    │   ├── MalformedMessage      the message itself is broken; ``field`` is the element path
    │   ├── EncodingError         bytes that the declared encoding cannot read
    │   └── TooLarge              a body over the size limit
    ├── NotFound                  the thing named does not exist (person, institution, ...)
    ├── Unauthorized              missing or wrong credentials (admin token, login, token)
    ├── Forbidden                 authenticated, but not allowed this (another institution's code)
    ├── Conflict                  the request contradicts the store (duplicate key, ...)
    ├── Unavailable               the simulated system is down (injected outage, maintenance)
    └── CardRefused               a My Number card the reader cannot use (a normal answer,
                                  ProcessingResultStatus 2; ``detail`` fills its message)

``code`` is the *name* of an entry of ``datasets/codes/result_codes.yaml`` (the catalogue gives
the code value and the Japanese message). A class sets its default; an instance may name a more
precise entry with ``code=...`` (e.g. ``Unauthorized("...", code="token_expired")``).

Configuration problems are not user input at run time: they raise
:class:`simulator.config.ConfigError` and stop start-up.
"""

from __future__ import annotations

__all__ = [
    "OqsError",
    "InvalidInput",
    "CheckDigitError",
    "DateFormatError",
    "MissingField",
    "MalformedMessage",
    "EncodingError",
    "TooLarge",
    "NotFound",
    "Unauthorized",
    "Forbidden",
    "Conflict",
    "Unavailable",
    "CardRefused",
]


class OqsError(Exception):
    """Base of every error the simulator reports to a caller."""

    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(OqsError):
    """A value sent by the caller is malformed; ``field`` names it as the interface spells it."""

    code = "invalid_input"

    def __init__(self, field: str, message: str, *, code: str | None = None) -> None:
        super().__init__(f"{field}: {message}", code=code)
        self.field = field
        self.reason = message


class MissingField(InvalidInput):
    """A required element or value is absent."""

    code = "required"

    def __init__(self, field: str, message: str = "is required") -> None:
        super().__init__(field, message)


class CheckDigitError(InvalidInput):
    """The check digit (検証番号) of an insurer, 後期高齢 or institution number does not verify."""

    code = "check_digit"


class DateFormatError(InvalidInput):
    """A date (YYYYMMDD / YYYY-MM-DD) or an instant (ISO 8601) could not be read."""

    code = "date_format"


class MalformedMessage(InvalidInput):
    """The message is not well-formed, has a DTD, or the wrong structure; ``field`` is its path."""

    code = "malformed_message"


class EncodingError(InvalidInput):
    """The body's bytes cannot be read in the declared (or default) encoding."""

    code = "encoding"


class TooLarge(InvalidInput):
    """The body is larger than the configured maximum (``limit`` bytes)."""

    code = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__("body", f"larger than {limit} bytes")
        self.limit = limit


class NotFound(OqsError):
    """The entity named by the request does not exist."""

    code = "not_found"


class Unauthorized(OqsError):
    """Credentials are missing or wrong."""

    code = "token_invalid"


class Forbidden(OqsError):
    """The caller is known but may not do this (e.g. query for another institution)."""

    code = "institution_mismatch"


class Conflict(OqsError):
    """The request contradicts what the store holds."""

    code = "invalid_input"


class Unavailable(OqsError):
    """The simulated system does not serve the request now (injected outage or maintenance)."""

    code = "outage"


class CardRefused(OqsError):
    """The card cannot be used (ProcessingResultStatus 2); ``code`` names the result code and
    ``detail`` fills its message (the tries left after a wrong PIN)."""

    code = "card_signature_invalid"

    def __init__(self, code: str, message: str, *, detail: str | None = None) -> None:
        super().__init__(message, code=code)
        self.detail = detail
