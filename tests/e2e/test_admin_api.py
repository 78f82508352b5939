"""The admin API (/sim/v1): clock, scenarios, events, holds, persons, reset, OpenAPI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.scenarios.load import CATALOGUE
from tests.e2e.conftest import ADMIN_TOKEN

TOKEN = ADMIN_TOKEN
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
TARO = "job-change-lag/taro"
OLD_CARD = {"InsurerNumber": "06139992", "InsuredCardSymbol": "1234",
            "InsuredIdentificationNumber": "5678", "InsuredBranchNumber": "00",
            "Birthdate": "19850510"}
NEW_CARD = {"InsurerNumber": "01130012", "InsuredCardSymbol": "7001",
            "InsuredIdentificationNumber": "88", "InsuredBranchNumber": "00",
            "Birthdate": "19850510"}


@pytest.fixture
def admin(admin_client):
    return admin_client


def _load(client, name: str = "job-change-lag"):
    response = client.post("/sim/v1/scenarios", json={"name": name}, headers=HEADERS)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _validity(client, card: dict, date: str) -> str:
    token = client.post("/oqs-api-pro/MSA12020/ILI12020SV01/auth",
                        json={"userId": "sakura", "password": "sakura-pw"}).get_json()
    body = {"XmlMsg": {
        "MessageHeader": {"QualificationConfirmationDate": date,
                          "MedicalInstitutionCode": "1311234569"},
        "MessageBody": {"QualificationConfirmSearchInfo": {
            **card, "LimitApplicationCertificateRelatedConsFlg": "0"}}}}
    response = client.post("/oqs-api-pro/MSA01030/ILI01030SV01/search", json=body,
                           headers={"Authorization": token["result"]["idToken"]})
    return response.get_json()["XmlMsg"]["MessageBody"]["QualificationValidity"]


def test_every_route_needs_the_admin_token(admin) -> None:
    for method, path in (("get", "/sim/v1/clock"), ("post", "/sim/v1/reset"),
                         ("get", "/sim/v1/holds"), ("post", "/sim/v1/events")):
        response = getattr(admin, method)(path, headers={"Authorization": "Bearer wrong"})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "token_invalid"


def test_the_clock_is_set_and_advanced(admin) -> None:
    put = admin.put("/sim/v1/clock", json={"now": "2026-04-01T09:00+09:00", "mode": "frozen"},
                    headers=HEADERS)
    advanced = admin.post("/sim/v1/clock/advance", json={"by": "1d12h"}, headers=HEADERS)

    assert put.get_json()["now"] == "2026-04-01T09:00:00+09:00"
    assert advanced.get_json() == {"now": "2026-04-02T21:00:00+09:00", "mode": "frozen",
                                   "speed": 1.0}


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("put", "/sim/v1/clock", {"now": "yesterday"}, "now"),
    ("put", "/sim/v1/clock", {"now": "2026-04-01", "mode": "paused"}, "mode"),
    ("put", "/sim/v1/clock", {}, "now"),
    ("post", "/sim/v1/clock/advance", {"by": "-5d"}, "by"),
    ("post", "/sim/v1/events", {"event": "meteor", "person": 1}, "event"),
    ("post", "/sim/v1/events", {"event": "death", "person": 999}, "person"),
    ("post", "/sim/v1/reset", {"everything": True}, "everything"),
])
def test_bad_input_names_the_field(admin, method, path, body, field) -> None:
    response = getattr(admin, method)(path, json=body, headers=HEADERS)

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_a_catalogue_scenario_loads_twice_to_the_same_store(admin) -> None:
    first = _load(admin)
    second = _load(admin)
    listed = admin.get("/sim/v1/scenarios", headers=HEADERS).get_json()

    assert first["loaded"] == second["loaded"] == {
        "insurers": 2, "institutions": 1, "persons": 1, "events": 1}
    assert [s["name"] for s in listed["loaded"]] == ["job-change-lag"]
    assert {s["name"] for s in listed["catalogue"]} == {p.stem for p in CATALOGUE.glob("*.yaml")}
    assert admin.get("/sim/v1/clock", headers=HEADERS).get_json()["now"] == (
        "2026-04-01T09:00:00+09:00")


def test_a_scenario_file_sent_as_yaml_is_loaded_and_a_broken_one_changes_nothing(admin) -> None:
    text = (CATALOGUE / "job-change-lag.yaml").read_text(encoding="utf-8")
    loaded = admin.post("/sim/v1/scenarios", data=text.encode(),
                        content_type="application/yaml", headers=HEADERS)
    broken = admin.post("/sim/v1/scenarios", data=text.replace("event: job_change",
                                                               "event: job_chnage").encode(),
                        content_type="application/yaml", headers=HEADERS)

    assert loaded.status_code == 201
    assert broken.status_code == 400
    assert broken.get_json()["error"]["field"] == "timeline[0].event"
    assert "request.yaml: timeline[0].event" in broken.get_json()["error"]["message"]
    events = admin.get("/sim/v1/events", headers=HEADERS).get_json()["events"]
    assert [e["kind"] for e in events] == ["job_change"]


def test_a_scenario_is_checked_without_touching_the_store(admin) -> None:
    text = (CATALOGUE / "job-change-lag.yaml").read_text(encoding="utf-8")
    wrong = text.replace('result: {validity: "3"}', 'result: {validity: "1"}')

    passing = admin.post("/sim/v1/scenarios/check", data=text.encode(),
                         content_type="application/yaml", headers=HEADERS).get_json()
    failing = admin.post("/sim/v1/scenarios/check", data=wrong.encode(),
                         content_type="application/yaml", headers=HEADERS).get_json()

    assert passing["ok"] is True
    assert failing["ok"] is False
    (bad,) = [e for e in failing["expectations"] if not e["ok"]]
    assert bad["differences"] == ["validity: expected '1', got '3'"]
    assert admin.get("/sim/v1/scenarios", headers=HEADERS).get_json()["loaded"] == []


def test_an_event_posted_by_hand_changes_what_lookups_show(admin) -> None:
    _load(admin)
    admin.put("/sim/v1/clock", json={"now": "2026-04-10T09:00+09:00"}, headers=HEADERS)
    assert _validity(admin, NEW_CARD, "20260410") == "1"

    posted = admin.post("/sim/v1/events", json={
        "event": "death", "person": TARO, "date": "2026-04-10",
        "employer_notify_days": 1, "insurer_register_days": 2}, headers=HEADERS)
    assert posted.status_code == 201
    assert posted.get_json()["registered_at"] == "2026-04-13T09:00:00+09:00"

    assert _validity(admin, NEW_CARD, "20260412") == "1"  # not yet registered
    admin.put("/sim/v1/clock", json={"now": "2026-04-13T09:00+09:00"}, headers=HEADERS)
    assert _validity(admin, NEW_CARD, "20260410") == "1"  # the day of death: still valid
    assert _validity(admin, NEW_CARD, "20260411") == "2"  # 喪失日: the day after death


def test_a_hold_hides_the_record_until_released(admin) -> None:
    _load(admin)
    admin.put("/sim/v1/clock", json={"now": "2026-04-10T09:00+09:00"}, headers=HEADERS)
    admin.post("/sim/v1/events", json={"event": "hold", "person": TARO}, headers=HEADERS)
    (hold,) = admin.get("/sim/v1/holds", headers=HEADERS).get_json()["holds"]
    assert hold["insurer"] == "01130012"
    assert _validity(admin, NEW_CARD, "20260410") == "4"

    released = admin.post(f"/sim/v1/holds/{hold['id']}/release", headers=HEADERS)
    again = admin.post(f"/sim/v1/holds/{hold['id']}/release", headers=HEADERS)

    assert released.get_json()["held_until"] == "2026-04-10T09:00:00+09:00"
    assert again.status_code == 409
    assert admin.post("/sim/v1/holds/999/release", headers=HEADERS).status_code == 404
    assert _validity(admin, NEW_CARD, "20260410") == "1"
    assert admin.get("/sim/v1/holds", headers=HEADERS).get_json()["holds"] == []


def test_a_kana_typo_is_held_and_a_correction_releases_it(admin) -> None:
    _load(admin)
    admin.put("/sim/v1/clock", json={"now": "2026-04-10T09:00+09:00"}, headers=HEADERS)
    admin.post("/sim/v1/events", json={
        "event": "job_change", "person": TARO, "employer_notify_days": 0,
        "insurer_register_days": 1,
        "to": {"insurer": "06139992", "symbol": "9", "number": "10",
               "as_registered": {"kana": "ﾔﾏﾀﾞ ﾀﾛ"}}}, headers=HEADERS)
    typo = {"InsurerNumber": "06139992", "InsuredCardSymbol": "9",
            "InsuredIdentificationNumber": "10", "Birthdate": "19850510"}
    admin.put("/sim/v1/clock", json={"now": "2026-04-12T09:00+09:00"}, headers=HEADERS)
    (hold,) = admin.get("/sim/v1/holds", headers=HEADERS).get_json()["holds"]
    assert "カナ氏名" in hold["reason"]
    assert _validity(admin, typo, "20260412") == "4"

    corrected = admin.post(f"/sim/v1/holds/{hold['id']}/correct", json={"fields": ["kana"]},
                           headers=HEADERS).get_json()

    assert corrected["as_registered"]["kana"] == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert corrected["held_until"] == "2026-04-12T09:00:00+09:00"
    assert _validity(admin, typo, "20260412") == "1"


def test_a_person_shows_records_in_valid_and_knowledge_time(admin) -> None:
    _load(admin)
    person = admin.get("/sim/v1/events", headers=HEADERS).get_json()["events"][0]["person"]

    shown = admin.get(f"/sim/v1/persons/{person}", headers=HEADERS).get_json()

    assert [(q["insurer"], q["valid_from"], q["valid_to"], q["registered_at"])
            for q in shown["qualifications"]] == [
        ("06139992", "2015-04-01", "2026-04-01", "2015-04-03T10:00:00+09:00"),
        ("01130012", "2026-04-01", None, "2026-04-08T09:00:00+09:00")]
    assert admin.get("/sim/v1/persons/999", headers=HEADERS).status_code == 404


def test_reset_removes_one_scenario_one_person_or_everything(admin) -> None:
    _load(admin)
    person = admin.get("/sim/v1/events", headers=HEADERS).get_json()["events"][0]["person"]

    by_person = admin.post("/sim/v1/reset", json={"person": person}, headers=HEADERS)
    by_scenario = admin.delete("/sim/v1/scenarios/job-change-lag", headers=HEADERS)
    unknown = admin.delete("/sim/v1/scenarios/job-change-lag", headers=HEADERS)
    everything = admin.post("/sim/v1/reset", json={"all": True}, headers=HEADERS)

    assert by_person.status_code == by_scenario.status_code == 200
    assert unknown.status_code == 404
    assert everything.get_json()["counts"] == {
        "persons": 0, "insurers": 0, "institutions": 0, "qualifications": 0}


def test_the_openapi_document_matches_the_routes(admin) -> None:
    document = admin.get("/sim/v1/openapi.json", headers=HEADERS).get_json()
    app = admin.application
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/sim/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/sim/v1"))
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}

    documented = {(path, method) for path, item in document["paths"].items()
                  for method in item}

    assert documented == routes
    assert document["openapi"].startswith("3.1")


def test_the_openapi_document_ships_with_the_package() -> None:
    import simulator.api.admin.openapi as module

    assert Path(module.DOCUMENT).is_file()
