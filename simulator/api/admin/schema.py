"""Request bodies checked against the OpenAPI document's schemas, before any use case runs.

The document (``openapi.json``) is the contract: a body it refuses is a 400 naming the first
offending field (``kinds[1]``, ``fields.kana``), and one it accepts reaches the use case, which
checks what a schema cannot say (a date that exists, a person that does). JSON integers are
whole numbers only (``1.0`` is not one) and ``true`` is never a number.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from ...registry.errors import InvalidInput, MissingField
from .openapi import document

__all__ = ["check_body", "body_schema_pointer", "route_of"]

_DOCUMENT_URI = "urn:oqs-sim:admin-openapi"
_JSON_TYPES = {"object": "an object", "array": "an array", "string": "a string",
               "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "null": "null"}


def _is_integer(_checker, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def body_schema_pointer(path: str, method: str) -> str:
    """The JSON pointer of the JSON body schema of ``method path`` in the document."""
    return "/".join(("#", "paths", _escape(path), method, "requestBody", "content",
                     _escape("application/json"), "schema"))


@cache
def _registry() -> Registry:
    return Registry().with_resource(_DOCUMENT_URI, DRAFT202012.create_resource(document()))


@cache
def _validator(path: str, method: str) -> _Validator | None:
    operation = document()["paths"].get(path, {}).get(method, {})
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    pointer = body_schema_pointer(path, method).removeprefix("#")
    return _Validator({"$ref": f"{_DOCUMENT_URI}#{pointer}"}, registry=_registry())


def _field(path) -> str:
    field = ""
    for key in path:
        field = f"{field}[{key}]" if isinstance(key, int) else (f"{field}.{key}" if field
                                                                 else str(key))
    return field or "body"


def _json_type(value: object) -> str:
    for name, python in (("null", type(None)), ("boolean", bool), ("integer", int),
                         ("number", float), ("string", str), ("array", list),
                         ("object", dict)):
        if isinstance(value, python):
            return _JSON_TYPES[name]
    return type(value).__name__


def _translated(error: ValidationError) -> InvalidInput:
    """One schema error as the project's error, naming the field as the client spells it."""
    where = list(error.absolute_path)
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return MissingField(_field([*where, missing[0]]), "is required")
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        unknown = sorted(k for k in error.instance if k not in known)
        expected = ", ".join(sorted(known)) or "no keys"
        return InvalidInput(_field([*where, unknown[0]]), f"unknown key; expected {expected}")
    if error.validator == "type":
        wanted = error.validator_value
        names = [wanted] if isinstance(wanted, str) else wanted
        return InvalidInput(_field(where), f"must be {' or '.join(_JSON_TYPES[n] for n in names)}"
                                           f", got {_json_type(error.instance)}")
    if error.validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return InvalidInput(_field(where), f"must be one of {choices}, got {error.instance!r}")
    return InvalidInput(_field(where), error.message)


def check_body(path: str, method: str, body: Any) -> None:
    """Refuse ``body`` unless the document's schema for ``method path`` accepts it.

    :raises InvalidInput: naming the first offending field.
    """
    validator = _validator(path, method)
    if validator is None:
        return
    error = best_match(validator.iter_errors(body))
    if error is not None:
        raise _translated(error)


def route_of(rule: str) -> str:
    """``/sim/v1/holds/<id:hold_id>/release`` → ``/holds/{hold_id}/release``."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.removeprefix("/sim/v1"))

