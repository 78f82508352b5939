"""Reading admin request bodies and query strings, with errors that name the field.

A JSON body is checked against the route's schema in ``openapi.json`` (see :mod:`.schema`)
before a use case sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request

from ...clock import parse_instant
from ...registry.errors import InvalidInput, MissingField
from ...runtime import current_runtime
from ..common import json_body
from .ids import query_id
from .schema import check_body, route_of

__all__ = ["json_object", "optional_int", "person_arg", "flag_arg", "known_keys",
           "body_instant"]


def json_object(*, required: bool = True, checked: bool = True) -> Mapping[str, Any]:
    """The body as a JSON object the route's schema accepts (unless not ``checked``: the
    caller checks it); an empty body is ``{}`` unless ``required``."""
    if not request.content_length and not request.data:
        if required:
            raise InvalidInput("body", "must be a JSON object")
        document = {}
    else:
        document = _json_document()
    if not isinstance(document, Mapping):
        raise InvalidInput("body", "must be a JSON object")
    if checked:
        check_body(route_of(request.url_rule.rule), request.method.lower(), document)
    return document


def _json_document() -> object:
    try:
        return json_body(current_runtime().settings.max_body_bytes)
    except InvalidInput:
        raise
    except ValueError as error:  # a number of more than 4300 digits, say
        raise InvalidInput("body", f"not readable JSON: {error}") from None


def optional_int(name: str) -> int | None:
    """The query parameter ``name`` as an id, or None when absent or empty."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    return query_id(name, raw)


def person_arg(name: str = "person") -> int | str | None:
    """``?person=``: an id (range-checked) or ``scenario/handle``; None when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw.isascii() and raw.isdigit():
        return query_id(name, raw)
    return raw


def flag_arg(name: str) -> bool:
    """A yes/no query parameter: ``1``/``true`` or ``0``/``false`` (absent: no)."""
    raw = request.args.get(name, "")
    if raw in ("1", "true"):
        return True
    if raw in ("", "0", "false"):
        return False
    raise InvalidInput(name, f"must be 1, true, 0 or false, got {raw!r}")


def known_keys(body: Mapping[str, Any], keys: frozenset[str] | set[str]) -> None:
    """Refuse a key the endpoint does not know, naming it."""
    unknown = sorted(set(body) - keys)
    if unknown:
        raise InvalidInput(unknown[0], f"unknown key; expected {', '.join(sorted(keys))}")


def body_instant(body: Mapping[str, Any], key: str, *, required: bool = True):
    """An ISO 8601 instant of the body (no offset: JST; a date alone: 00:00 JST)."""
    value = body.get(key)
    if value is None and not required:
        return None
    if value is None or value == "":
        raise MissingField(key, "is required: an ISO 8601 instant")
    if not isinstance(value, str):
        raise InvalidInput(key, "must be an ISO 8601 instant (a string)")
    return parse_instant(value, field=key)
