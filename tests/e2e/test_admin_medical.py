"""The admin API on the audit trail (/sim/v1/audit) and consents (/sim/v1/consents), with the
business clock moved through the admin clock API."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from simulator import create_app, schema
from simulator.store import SqlUnitOfWork
from tests.builders import at, person
from tests.e2e import world
from tests.e2e.conftest import ADMIN_TOKEN, SEARCH, login

HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SCENARIO = "audit-story"
GIVEN = "2026-04-01T09:00:00+09:00"
JUST_BEFORE_GIVEN = "2026-04-01T08:59:59+09:00"
JUST_BEFORE_EXPIRY = "2026-04-02T08:59:59+09:00"
EXPIRY = "2026-04-02T09:00:00+09:00"
DAY_AFTER_EXPIRY = "2026-04-03T09:00:00+09:00"
HOME_VISIT_HOURS = 72


@pytest.fixture
def admin(database_url):
    """The world of tests/e2e/world.py on the simulated business clock (moved by the admin
    API), with the valid person also known to a scenario as ``audit-story/taro``."""
    app = create_app({"database_url": database_url, "admin_token": ADMIN_TOKEN,
                      "secret_key": "test-secret",
                      "consent_hours_home_visit": HOME_VISIT_HOURS})
    engine = app.extensions["oqs"].engine
    world.build(engine)
    with SqlUnitOfWork(engine) as uow:
        uow.repo.add_scenario(name=SCENARIO, title="監査", description="", source="test",
                              clock=world.BUSINESS_NOW)
        uow.repo.add_person(person(), scenario=SCENARIO, handle="taro")
        uow.commit()
    client = app.test_client()
    set_clock(client, GIVEN)
    yield client
    engine.dispose()


def set_clock(client, now: str) -> None:
    response = client.put("/sim/v1/clock", json={"now": now, "mode": "frozen"}, headers=HEADERS)
    assert response.status_code == 200, response.get_json()


def valid_person(client) -> int:
    """The id of the world's valid person (the one under 06130017 1234-5678)."""
    engine = client.application.extensions["oqs"].engine
    q = schema.qualifications
    with engine.connect() as connection:
        return connection.execute(select(q.c.person_id).where(q.c.number == "5678")).scalar_one()


def look_up(client, user: str = "clinic", search: str = "1") -> None:
    code = {"clinic": world.CLINIC.code, "dental": world.DENTAL.code}[user]
    response = client.post(SEARCH, json=world.request_tree(world.SEARCHES[search],
                                                           institution_code=code),
                           headers={"Authorization": login(client, user)})
    assert response.status_code == 200


def give(client, **body):
    return client.post("/sim/v1/consents", json=body, headers=HEADERS)


def consents(client, person) -> list[dict]:
    response = client.get("/sim/v1/consents", query_string={"person": person}, headers=HEADERS)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["consents"]


def consent_rows(client) -> int:
    engine = client.application.extensions["oqs"].engine
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(schema.consents)).scalar()


# -- the audit trail ---------------------------------------------------------------------------


def test_the_audit_trail_shows_who_looked_oldest_first(admin) -> None:
    look_up(admin, "dental")
    set_clock(admin, "2026-04-01T10:30:00+09:00")
    look_up(admin, "clinic")
    person = valid_person(admin)

    response = admin.get("/sim/v1/audit", query_string={"person": person}, headers=HEADERS)

    document = response.get_json()
    assert response.status_code == 200
    assert document["person"] == {"id": person, "name": "山田　太郎", "kana": "ﾔﾏﾀﾞ ﾀﾛｳ",
                                  "birthdate": "1985-05-10", "sex": "1"}
    assert document["entries"] == [
        {"at": "2026-04-01T09:00:00+09:00",
         "institution": {"code": world.DENTAL.code, "name": "ひまわり歯科医院"},
         "kind": "qualification", "route": "insurance_card", "basis": "none",
         "basis_id": None, "outcome": "ok", "count": 1},
        {"at": "2026-04-01T10:30:00+09:00",
         "institution": {"code": world.CLINIC.code, "name": "さくら内科クリニック"},
         "kind": "qualification", "route": "insurance_card", "basis": "none",
         "basis_id": None, "outcome": "ok", "count": 1},
    ]


def test_the_audit_trail_can_be_narrowed_to_one_institution(admin) -> None:
    look_up(admin, "dental")
    look_up(admin, "clinic")
    look_up(admin, "clinic")

    response = admin.get("/sim/v1/audit", headers=HEADERS, query_string={
        "person": str(valid_person(admin)), "institution": world.DENTAL.code})

    entries = response.get_json()["entries"]
    assert [e["institution"]["code"] for e in entries] == [world.DENTAL.code]


def test_the_audit_trail_shows_only_the_persons_own_lookups(admin) -> None:
    look_up(admin, "clinic", search="2")
    look_up(admin, "clinic", search="4")  # nobody found: an entry without a person

    response = admin.get("/sim/v1/audit", query_string={"person": valid_person(admin)},
                         headers=HEADERS)

    assert response.get_json()["entries"] == []


def test_a_person_is_named_by_scenario_and_handle(admin) -> None:
    response = admin.get("/sim/v1/audit", query_string={"person": f"{SCENARIO}/taro"},
                         headers=HEADERS)

    assert response.status_code == 200
    assert response.get_json()["person"]["name"] == "山田　太郎"


@pytest.mark.parametrize("query", [{}, {"person": ""}, {"person": "999"},
                                   {"person": "nobody/none"}, {"person": "taro"}],
                         ids=["absent", "empty", "unknown id", "unknown handle",
                              "handle without scenario"])
@pytest.mark.parametrize("path", ["/sim/v1/audit", "/sim/v1/consents"])
def test_an_absent_or_unknown_person_is_a_400_naming_person(admin, path, query) -> None:
    response = admin.get(path, query_string=query, headers=HEADERS)

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "person"


# -- consents ----------------------------------------------------------------------------------


def test_consents_are_recorded_as_if_given_at_the_reader(admin) -> None:
    person = valid_person(admin)

    response = give(admin, person=person, institution=world.CLINIC.code,
                    kinds=["drug", "checkup"])

    assert response.status_code == 201
    given = response.get_json()["consents"]
    assert [c["kind"] for c in given] == ["drug", "checkup"]
    assert given[0] | {"id": None} == {
        "id": None, "person": person, "kind": "drug",
        "institution": {"code": world.CLINIC.code, "name": "さくら内科クリニック"},
        "given_at": GIVEN, "available_until": EXPIRY, "treatment_flag": "1",
        "withdrawn_at": None, "withdraw_reason": None, "source": "admin",
        "state": "1", "live": True,
    }


def test_a_consent_lasts_the_hours_configured_for_its_care_setting(admin) -> None:
    response = give(admin, person=f"{SCENARIO}/taro", institution=world.CLINIC.code,
                    kinds=["operation"], medical_treatment_flag="2",
                    at="2026-03-31T15:00:00+09:00")

    (consent,) = response.get_json()["consents"]
    assert (consent["given_at"], consent["available_until"], consent["treatment_flag"]) == (
        "2026-03-31T15:00:00+09:00", "2026-04-03T15:00:00+09:00", "2")


@pytest.mark.parametrize(
    ("now", "state", "live"),
    [(JUST_BEFORE_GIVEN, "0", False), (GIVEN, "1", True), (JUST_BEFORE_EXPIRY, "1", True),
     (EXPIRY, "2", False), (DAY_AFTER_EXPIRY, "2", False)],
    ids=["before it was given", "when given", "just before expiry", "at expiry",
         "a day after expiry"],
)
def test_the_state_of_a_consent_follows_the_business_clock(admin, now, state, live) -> None:
    person = valid_person(admin)
    give(admin, person=person, institution=world.CLINIC.code, kinds=["drug"])

    set_clock(admin, now)

    (consent,) = consents(admin, person)
    assert (consent["state"], consent["live"]) == (state, live)


def test_a_withdrawn_consent_is_expired_and_cannot_be_withdrawn_again(admin) -> None:
    person = valid_person(admin)
    (consent,) = give(admin, person=person, institution=world.CLINIC.code,
                      kinds=["drug"]).get_json()["consents"]
    set_clock(admin, "2026-04-01T12:00:00+09:00")
    path = f"/sim/v1/consents/{consent['id']}/withdraw"

    first = admin.post(path, json={"reason": "2"}, headers=HEADERS)
    again = admin.post(path, json={"reason": "1"}, headers=HEADERS)

    assert first.status_code == 200
    assert {k: first.get_json()[k] for k in ("state", "live", "withdrawn_at",
                                             "withdraw_reason")} == {
        "state": "2", "live": False, "withdrawn_at": "2026-04-01T12:00:00+09:00",
        "withdraw_reason": "2"}
    assert again.status_code == 409
    (listed,) = consents(admin, person)
    assert (listed["state"], listed["withdraw_reason"]) == ("2", "2")


def test_an_expired_consent_cannot_be_withdrawn(admin) -> None:
    (consent,) = give(admin, person=valid_person(admin), institution=world.CLINIC.code,
                      kinds=["drug"]).get_json()["consents"]
    set_clock(admin, DAY_AFTER_EXPIRY)

    response = admin.post(f"/sim/v1/consents/{consent['id']}/withdraw", json={"reason": "1"},
                          headers=HEADERS)

    assert response.status_code == 409


def test_withdrawing_an_unknown_consent_is_404(admin) -> None:
    response = admin.post("/sim/v1/consents/999/withdraw", json={"reason": "1"},
                          headers=HEADERS)

    assert response.status_code == 404


def test_the_consent_list_can_be_narrowed_to_one_institution(admin) -> None:
    person = valid_person(admin)
    give(admin, person=person, institution=world.CLINIC.code, kinds=["drug"])
    give(admin, person=person, institution=world.DENTAL.code, kinds=["checkup"])

    response = admin.get("/sim/v1/consents", headers=HEADERS,
                         query_string={"person": person, "institution": world.DENTAL.code})

    assert [c["kind"] for c in response.get_json()["consents"]] == ["checkup"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kinds": ["drug", "x-ray"]}, "kinds[1]"),
        ({"kinds": []}, "kinds"),
        ({"kinds": "drug"}, "kinds"),
        ({"kinds": ["limit"]}, "kinds[0]"),
        ({"medical_treatment_flag": "5"}, "medical_treatment_flag"),
        ({"medical_treatment_flag": 1}, "medical_treatment_flag"),
        ({"institution": "1399999999"}, "institution"),
        ({"institution": None}, "institution"),
        ({"person": 999}, "person"),
        ({"person": True}, "person"),
        ({"at": "yesterday"}, "at"),
        ({"at": "2026-04-01T09:00:00"}, "at"),
    ],
    ids=["unknown kind", "no kinds", "kinds not a list", "限度額 is not a reader consent",
         "flag 5", "flag not a string", "unknown institution", "no institution",
         "unknown person", "person not a reference", "at not an instant", "at without offset"],
)
def test_a_bad_consent_is_a_400_naming_the_field_and_stores_nothing(admin, change, field):
    body = {"person": valid_person(admin), "institution": world.CLINIC.code,
            "kinds": ["drug"]} | change

    response = give(admin, **body)

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
    assert consent_rows(admin) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"reason": "0"}, "reason"), ({"reason": "9"}, "reason"), ({"reason": 2}, "reason"),
     ({}, "reason"), ({"reason": "1", "at": "2026-03-31T09:00:00+09:00"}, "at"),
     ({"reason": "1", "at": "soon"}, "at")],
    ids=["reason 0 is expiry, not a withdrawal", "reason 9", "reason not a string",
         "no reason", "before it was given", "at not an instant"],
)
def test_a_bad_withdrawal_is_a_400_naming_the_field_and_changes_nothing(admin, body, field):
    (consent,) = give(admin, person=valid_person(admin), institution=world.CLINIC.code,
                      kinds=["drug"]).get_json()["consents"]

    response = admin.post(f"/sim/v1/consents/{consent['id']}/withdraw", json=body,
                          headers=HEADERS)

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
    (listed,) = consents(admin, consent["person"])
    assert (listed["state"], listed["withdrawn_at"]) == ("1", None)


def test_the_medical_routes_need_the_admin_token(admin) -> None:
    for method, path in (("get", "/sim/v1/audit?person=1"), ("get", "/sim/v1/consents?person=1"),
                         ("post", "/sim/v1/consents"), ("post", "/sim/v1/consents/1/withdraw")):
        response = getattr(admin, method)(path, headers={"Authorization": "Bearer wrong"})
        assert response.status_code == 401


def test_the_openapi_document_describes_the_medical_routes(admin) -> None:
    document = admin.get("/sim/v1/openapi.json", headers=HEADERS).get_json()
    served = {(rule.rule, method.lower()) for rule in admin.application.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}
              if rule.rule.startswith(("/sim/v1/audit", "/sim/v1/consents"))}

    documented = {(f"/sim/v1{path}".replace("{consent_id}", "<id:consent_id>"), method)
                  for path, item in document["paths"].items() for method in item
                  if path.startswith(("/audit", "/consents"))}

    assert documented == served == {
        ("/sim/v1/audit", "get"), ("/sim/v1/consents", "get"), ("/sim/v1/consents", "post"),
        ("/sim/v1/consents/<id:consent_id>/withdraw", "post")}


def test_business_now_is_the_default_instant(admin) -> None:
    set_clock(admin, "2026-05-05T14:15:16+09:00")

    (consent,) = give(admin, person=valid_person(admin), institution=world.CLINIC.code,
                      kinds=["diagnosis"]).get_json()["consents"]

    assert consent["given_at"] == at(2026, 5, 5, 14, 15, 16).isoformat()
