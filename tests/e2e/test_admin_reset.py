"""POST /sim/v1/reset wipes everything only when asked in so many words."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ADMIN_TOKEN

TOKEN = ADMIN_TOKEN
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
CHOICES = '{"all": true}'


@pytest.fixture
def admin(admin_client):
    response = admin_client.post("/sim/v1/scenarios", json={"name": "job-change-lag"},
                                 headers=HEADERS)
    assert response.status_code == 201, response.get_json()
    return admin_client


@pytest.mark.parametrize(("body", "field"), [
    ({}, "body"),
    ({"person": None}, "person"),
    ({"scenario": None}, "scenario"),
    ({"scenario": ""}, "scenario"),
    ({"all": False}, "all"),
    ({"all": None}, "all"),
    ({"everything": True}, "everything"),
    ({"all": True, "scenario": "job-change-lag"}, "scenario"),
], ids=["empty", "null person", "null scenario", "empty scenario", "all false", "all null",
        "unknown key", "two targets"])
def test_a_missing_or_empty_target_is_a_400_listing_the_choices(admin, body, field) -> None:
    before = admin.get("/sim/v1/events", headers=HEADERS).get_json()["events"]

    response = admin.post("/sim/v1/reset", json=body, headers=HEADERS)

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field
    assert CHOICES in error["message"] and '{"scenario": name}' in error["message"]
    assert admin.get("/sim/v1/events", headers=HEADERS).get_json()["events"] == before


def test_no_body_at_all_is_a_400_too(admin) -> None:
    response = admin.post("/sim/v1/reset", headers=HEADERS)

    assert response.status_code == 400
    assert CHOICES in response.get_json()["error"]["message"]


@pytest.mark.parametrize("request_", [{"json": {"all": True}},
                                      {"query_string": {"all": "1"}},
                                      {"query_string": {"all": "true"}}],
                         ids=["all true", "?all=1", "?all=true"])
def test_everything_goes_when_asked_explicitly(admin, request_) -> None:
    response = admin.post("/sim/v1/reset", headers=HEADERS, **request_)

    assert response.status_code == 200
    assert response.get_json()["reset"] == {"all": True}
    assert response.get_json()["counts"]["persons"] == 0


def test_a_query_all_and_a_body_target_together_are_refused(admin) -> None:
    response = admin.post("/sim/v1/reset", query_string={"all": "1"},
                          json={"scenario": "job-change-lag"}, headers=HEADERS)

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "?all"


def test_one_scenario_or_one_person_goes_as_before(admin) -> None:
    person = admin.get("/sim/v1/events", headers=HEADERS).get_json()["events"][0]["person"]

    by_person = admin.post("/sim/v1/reset", json={"person": person}, headers=HEADERS)
    by_scenario = admin.post("/sim/v1/reset", json={"scenario": "job-change-lag"},
                             headers=HEADERS)
    unknown = admin.post("/sim/v1/reset", json={"scenario": "job-change-lag"}, headers=HEADERS)

    assert by_person.get_json()["reset"] == {"person": person}
    assert by_scenario.get_json()["reset"] == {"scenario": "job-change-lag"}
    assert unknown.status_code == 404
