"""Translation of errors into the admin API's JSON, once, at the edge.

Shape: ``{"error": {"code": "...", "message": "...", "field": "..."}}`` (field when one is named).
The OQS interfaces (Web API, XML files) translate through their own result codes instead.
"""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.exceptions import HTTPException

from ..registry.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    OqsError,
    TooLarge,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger(__name__)

_STATUS = {
    TooLarge: 413,
    InvalidInput: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Unavailable: 503,
}


def error_body(code: str, message: str, field: str | None = None) -> dict:
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    return {"error": body}


def _status_of(error: OqsError) -> int:
    for cls in type(error).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 400


def _oqs_error(error: OqsError):
    return error_body(error.code, error.message, getattr(error, "field", None)), _status_of(error)


def _http_error(error: HTTPException):
    """The error as JSON, keeping the headers it carries (``Allow`` of a 405, ...)."""
    code = (error.name or "error").lower().replace(" ", "_")
    headers = [(name, value) for name, value in error.get_headers()
               if name.lower() != "content-type"]
    return error_body(code, error.description or error.name), error.code, headers


def _unexpected(error: Exception):
    log.exception("unexpected error", exc_info=error)
    return error_body("internal", "internal error; see the server log"), 500


def register(app: Flask) -> None:
    app.register_error_handler(OqsError, _oqs_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
