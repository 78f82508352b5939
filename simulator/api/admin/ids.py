"""Ids the admin API takes: database keys, so between 1 and 2^31 − 1.

The id columns are ``Integer``: 64-bit in SQLite but 32-bit (``integer``) in PostgreSQL, so the
range is the one both stores hold. A larger id names nothing; sent to the store it would
overflow the column (a 500). In a path the ``id`` converter does not match it (404, like any
unknown path); in a query string it is a 400 naming the parameter.
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.routing import IntegerConverter

from ...registry.errors import InvalidInput

__all__ = ["MAX_ID", "IdConverter", "register_converter", "query_id"]

MAX_ID = 2**31 - 1  # PostgreSQL integer


class IdConverter(IntegerConverter):
    """``<id:name>``: a whole number from 1 to :data:`MAX_ID` (ASCII digits only)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_converter(bp: Blueprint) -> None:
    """Make ``<id:...>`` known to the app before ``bp``'s rules are added."""
    bp.record_once(lambda state: state.app.url_map.converters.setdefault("id", IdConverter))


def query_id(name: str, raw: str) -> int:
    """``raw`` (a query-string value) as an id. :raises InvalidInput: naming ``name``."""
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidInput(name, f"must be a whole number, got {raw!r}")
    value = int(raw)
    if not 1 <= value <= MAX_ID:
        raise InvalidInput(name, f"must be an id between 1 and {MAX_ID}, got {raw}")
    return value
