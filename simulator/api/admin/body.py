"""Reading admin request bodies and query strings, with errors that name the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request

from ...clock import parse_instant
from ...registry.errors import InvalidInput, MissingField
from ...runtime import current_runtime
from ..common import json_body

__all__ = ["json_object", "optional_int", "known_keys", "body_instant"]


def json_object(*, required: bool = True) -> Mapping[str, Any]:
    """The body as a JSON object; an empty body is ``{}`` unless ``required``."""
    if not request.content_length and not request.data:
        if required:
            raise InvalidInput("body", "must be a JSON object")
        return {}
    document = json_body(current_runtime().settings.max_body_bytes)
    if not isinstance(document, Mapping):
        raise InvalidInput("body", "must be a JSON object")
    return document


def optional_int(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise InvalidInput(name, f"must be a whole number, got {raw!r}")
    return int(raw)


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
