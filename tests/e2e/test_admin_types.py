"""Every admin field refuses a value of the wrong JSON type with a 400 naming it, never a 500.

The fields are read from the OpenAPI document (each property of each JSON body, one level of
nesting, array items); the value thrown in replaces the field in the operation's minimal
request, over a store with job-change-lag loaded.
"""

from __future__ import annotations

import pytest

from tests.e2e import openapi_document as doc
from tests.e2e.conftest import ADMIN_TOKEN

TOKEN = ADMIN_TOKEN
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
DOCUMENT = doc.load()
BIG = 2**63
JUST_TOO_BIG = 2**31  # beyond PostgreSQL integer
VALUES = [{}, {"a": 1}, [], [1], 0, 1, 1.5, True, None, JUST_TOO_BIG, BIG, 10**30, -BIG, "x", "",
          "9" * 40]
ALL_TYPES = frozenset({"object", "array", "integer", "number", "boolean", "null", "string"})


def json_type(value: object) -> str:
    for name, python in (("null", type(None)), ("boolean", bool), ("integer", int),
                         ("number", float), ("string", str), ("array", list),
                         ("object", dict)):
        if isinstance(value, python):
            return name
    raise TypeError(value)


def resolved(schema: dict) -> dict:
    while "$ref" in schema:
        schema = {**doc.resolve(DOCUMENT, schema["$ref"]),
                  **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def allowed_types(schema: dict) -> frozenset[str]:
    """The JSON types ``schema`` lets through (a number field takes integers too)."""
    schema = resolved(schema)
    if "const" in schema:
        return frozenset({json_type(schema["const"])})
    if "enum" in schema:
        return frozenset(json_type(v) for v in schema["enum"])
    if "oneOf" in schema or "anyOf" in schema:
        return frozenset().union(*(allowed_types(s)
                                   for s in schema.get("oneOf", schema.get("anyOf"))))
    kinds = schema.get("type")
    if kinds is None:
        return ALL_TYPES
    kinds = frozenset([kinds] if isinstance(kinds, str) else kinds)
    return kinds | {"integer"} if "number" in kinds else kinds


def _fields(schema: dict, base: object, prefix: tuple = ()):
    """(path of keys, schema) of each property, nested objects and array items included."""
    schema = resolved(schema)
    for key, sub in schema.get("properties", {}).items():
        path = (*prefix, key)
        yield path, sub
        inner = resolved(sub)
        if len(path) < 2 and inner.get("type") == "object" and "properties" in inner:
            yield from _fields(inner, None, path)
        if len(path) < 2 and inner.get("type") == "array" and "items" in inner:
            yield (*path, 0), inner["items"]


def _spelled(path: tuple) -> str:
    out = ""
    for key in path:
        out = f"{out}[{key}]" if isinstance(key, int) else (f"{out}.{key}" if out else key)
    return out


def _with(body: dict, path: tuple, value: object) -> dict:
    """``body`` with the field at ``path`` set to ``value`` (containers made as needed)."""
    if len(path) == 1:
        return {**body, path[0]: value}
    head, *rest = path
    inner = body.get(head)
    if isinstance(rest[0], int):
        return {**body, head: [value]}
    inner = inner if isinstance(inner, dict) else doc.example(
        DOCUMENT, resolved(_property(body, head)))
    return {**body, head: _with(inner, tuple(rest), value)}


_PROPERTY_SCHEMAS: dict[str, dict] = {}


def _property(_body: dict, key: str) -> dict:
    return _PROPERTY_SCHEMAS[key]


def _body_fields(schema: dict):
    """(field path, field schema) of a body, its nested schemas remembered for :func:`_with`."""
    for field, sub in _fields(schema, None):
        if len(field) > 1:
            _PROPERTY_SCHEMAS[field[0]] = resolved(schema)["properties"][field[0]]
        yield field, sub


def _operations_with_a_body():
    for path, method, operation in doc.operations(DOCUMENT):
        if doc.body_schema(operation) is not None and not path.startswith("/scenarios"):
            yield pytest.param(path, method, operation, id=f"{method} {path}")
    # /scenarios bodies are scenario files, read by the scenario loader (its own tests)


def _url(path: str, operation: dict) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            path = path.replace(f"{{{parameter['name']}}}",
                                doc.parameter_example(DOCUMENT, parameter))
    return "/sim/v1" + path


@pytest.fixture
def admin(admin_client):
    response = admin_client.post("/sim/v1/scenarios", json={"name": "job-change-lag"},
                                 headers=HEADERS)
    assert response.status_code == 201, response.get_json()
    return admin_client


@pytest.mark.parametrize(("path", "method", "operation"), list(_operations_with_a_body()))
def test_a_wrong_json_type_is_a_400_naming_the_field(admin, path, method, operation) -> None:
    schema = doc.body_schema(operation)
    base = doc.example(DOCUMENT, schema)
    wrong = []
    for field, sub in _body_fields(schema):
        allowed, name = allowed_types(sub), _spelled(field)
        for value in VALUES:
            response = getattr(admin, method)(_url(path, operation),
                                              json=_with(base, field, value), headers=HEADERS)
            answer = response.get_json()
            refused = response.status_code == 400 and answer["error"].get("field") == name
            if response.status_code >= 500 or (json_type(value) not in allowed and not refused):
                wrong.append((name, value, response.status_code, answer))

    assert wrong == []


def test_every_field_of_every_body_is_thrown_at() -> None:
    fields = {(p.values[0], _spelled(f)) for p in _operations_with_a_body()
              for f, _ in _body_fields(doc.body_schema(p.values[2]))}

    assert {("/clock", "speed"), ("/consents", "kinds[0]"), ("/events", "child.name"),
            ("/holds/{hold_id}/correct", "fields"), ("/faults", "seed"),
            ("/reset", "person")} <= fields
    assert len(fields) > 80


@pytest.mark.parametrize("body", [[], "x", 1, None, True, 10**5000],
                         ids=["array", "string", "number", "null", "bool", "4300+ digits"])
def test_a_body_that_is_not_an_object_is_a_400(admin, body) -> None:
    import json

    try:
        data = json.dumps(body)
    except ValueError:  # Python refuses to print it: send the digits
        data = "1" * 5000
    response = admin.put("/sim/v1/clock", data=data, content_type="application/json",
                         headers=HEADERS)

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "body"
