"""The admin OpenAPI document, read as the tests need it: refs resolved, example requests."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from simulator.api.admin.openapi import DOCUMENT

METHODS = ("get", "put", "post", "delete", "patch")


def load() -> dict:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


def refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` value in ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(document: dict, ref: str) -> Any:
    """The node a local ``#/...`` pointer names. :raises KeyError: it names nothing."""
    if not ref.startswith("#/"):
        raise KeyError(f"{ref} is not inside the document")
    node: Any = document
    for token in ref.removeprefix("#/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def body_schema(operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


def example(document: dict, schema: dict) -> Any:
    """The minimal value ``schema`` accepts: its example, else required keys only (with those
    an ``if`` may require), the first enum value or oneOf branch, a minimum number, the fewest
    array items."""
    if "examples" in schema:
        return schema["examples"][0]
    if "$ref" in schema:
        return example(document, resolve(document, schema["$ref"]))
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "oneOf" in schema:
        return example(document, schema["oneOf"][0])
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        properties = schema.get("properties", {})
        keys = list(schema.get("required", []))
        keys += [k for k in schema.get("then", {}).get("required", []) if k not in keys]
        missing = max(0, schema.get("minProperties", 0) - len(keys))
        keys += [k for k in properties if k not in keys][:missing]
        value = {key: example(document, properties[key]) for key in keys}
        extra = schema.get("additionalProperties")
        if len(value) < schema.get("minProperties", 0) and isinstance(extra, dict):
            value["k"] = example(document, extra)
        return value
    if kind == "array":
        return [example(document, schema["items"])] * schema.get("minItems", 0)
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    return _string(schema.get("pattern"))


#: Strings tried, in order, for a pattern without an example: the first it matches is used.
_CANDIDATES = ("x", "1", "17", "100", "1234", "123456", "123456789", "1311234569", "A01", "1A",
               "123-4567", "2026-04", "2026-04-01", "2026-04-01T09:00:00+09:00")


def _string(pattern: str | None) -> str:
    if pattern is None:
        return "x"
    for candidate in _CANDIDATES:
        if re.search(pattern, candidate):
            return candidate
    raise ValueError(f"no example string for the pattern {pattern!r}: give one in the document")


def parameter_example(document: dict, parameter: dict) -> str:
    return str(example(document, parameter["schema"]))
