"""The admin OpenAPI document: valid on its own, and saying what the code accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tests.e2e import openapi_document as doc
from tests.e2e.conftest import ADMIN_TOKEN

TOKEN = ADMIN_TOKEN
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
DOCUMENT = doc.load()
SCENARIO_SCHEMA = Path(__file__).parents[2] / "datasets" / "scenario.schema.json"


def test_the_document_is_a_valid_openapi_3_1_document() -> None:
    validate(DOCUMENT)

    assert DOCUMENT["openapi"].startswith("3.1")


def test_every_ref_resolves_inside_the_document() -> None:
    unresolved = []
    for ref in sorted(set(doc.refs(DOCUMENT))):
        try:
            doc.resolve(DOCUMENT, ref)
        except (KeyError, IndexError, ValueError):
            unresolved.append(ref)

    assert unresolved == []


def test_the_embedded_scenario_schema_is_the_published_one() -> None:
    published = json.loads(SCENARIO_SCHEMA.read_text(encoding="utf-8"))
    embedded = json.dumps(DOCUMENT["components"]["schemas"]["Scenario"], sort_keys=True)

    expected = {k: v for k, v in published.items() if k not in ("$schema", "$id")}
    assert json.loads(embedded.replace("#/components/schemas/Scenario/$defs/", "#/$defs/")) \
        == expected


def test_every_event_the_scenario_schema_knows_can_be_posted() -> None:
    event = DOCUMENT["paths"]["/events"]["post"]["requestBody"]["content"]["application/json"]
    published = json.loads(SCENARIO_SCHEMA.read_text(encoding="utf-8"))

    assert set(event["schema"]["properties"]) == (
        set(published["$defs"]["event"]["properties"]) | {"scenario"})


def test_the_events_that_need_a_person_are_those_the_code_reads_it_for() -> None:
    from simulator.timeline import WITHOUT_PERSON

    schema = DOCUMENT["paths"]["/events"]["post"]["requestBody"]["content"]["application/json"]
    kinds = DOCUMENT["components"]["schemas"]["Scenario"]["$defs"]["event"]["properties"]
    need = schema["schema"]["if"]["properties"]["event"]["enum"]

    assert set(need) == set(kinds["event"]["enum"]) - WITHOUT_PERSON
    assert schema["schema"]["then"] == {"required": ["person"]}


def _example_request(operation: dict) -> dict:
    query = {p["name"]: doc.parameter_example(DOCUMENT, p)
             for p in operation.get("parameters", []) if p["in"] == "query" and p["required"]}
    schema = doc.body_schema(operation)
    request = {"query_string": query, "headers": HEADERS}
    if schema is not None:
        request["json"] = doc.example(DOCUMENT, schema)
    return request


def _path(path: str, operation: dict) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = doc.parameter_example(DOCUMENT, parameter)
            path = path.replace(f"{{{parameter['name']}}}", value)
    return "/sim/v1" + path


@pytest.fixture
def loaded(admin):
    response = admin.post("/sim/v1/scenarios", json={"name": "job-change-lag"}, headers=HEADERS)
    assert response.status_code == 201, response.get_json()
    return admin


@pytest.fixture
def admin(admin_client):
    return admin_client


@pytest.mark.parametrize(("path", "method", "operation"), list(doc.operations(DOCUMENT)),
                         ids=[f"{m} {p}" for p, m, _ in doc.operations(DOCUMENT)])
def test_the_minimal_request_the_document_allows_is_not_refused_as_malformed(
        loaded, path, method, operation) -> None:
    response = getattr(loaded, method)(_path(path, operation), **_example_request(operation))

    assert response.status_code != 400, response.get_json()
    assert response.status_code < 500
