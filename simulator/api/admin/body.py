"""Reading admin request bodies and query strings, with errors that name the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request

from ...registry.errors import InvalidInput
from ...runtime import current_runtime
from ..common import json_body

__all__ = ["json_object", "optional_int"]


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
