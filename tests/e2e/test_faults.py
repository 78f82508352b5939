"""Injected faults over HTTP: what a client of each interface gets while an outage,
a maintenance window, latency or intermittent errors are in force; that a refused request
leaves the store unchanged; the admin API ``/sim/v1/faults``; and how soon a server sees a
fault written to the store by another process.

The store is the known one of ``medical_world`` (fixture ``medical``): hanako consented at
clinic A (drug, checkup) at 08:30 for 24 hours; clinic B has no consent. Tests of the admin API
alone use an empty store (fixture ``client``). Business now is 2026-04-01 09:00 JST.
"""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest
from lxml import etree
from sqlalchemy import select

from simulator import create_app, schema
from simulator.clock import FixedClock
from simulator.faults.model import Fault, Kind, Route
from simulator.store import SqlUnitOfWork
from tests.builders import at
from tests.e2e import medical_world as mw
from tests.e2e import world
from tests.e2e.conftest import ADMIN_TOKEN, LOGIN, SEARCH, login
from tests.e2e.test_card_reader import Reader, issue
from tests.e2e.test_medical_files import PATHS, audit_rows

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SINGLE_FILE = "/oqs/files/OQSsiquc01req_02260401090000001.xml"
EMERGENCY_SEARCH = "/oqs/emergency/search"

BUSINESS_NOW = world.BUSINESS_NOW  # 2026-04-01 09:00 JST
WINDOW_FROM = at(2026, 4, 1, 12, 0)
WINDOW_TO = at(2026, 4, 1, 13, 0)  # exclusive
TICK = dt.timedelta(seconds=1)

OUTAGE = ("E9001", "システム障害のため処理できません。しばらくしてから再度実行してください。")
MAINTENANCE = ("E9002", "メンテナンス中のため処理できません。")
JPKI_MAINTENANCE = ("E9005", "公的個人認証サービスのメンテナンス中のため、マイナンバーカードによる"
                             "資格確認はできません。被保険者証または資格確認書で確認してください。")
SEED = 7


# -- helpers -------------------------------------------------------------------------------------


def start_fault(client, **body) -> dict:
    response = client.post("/sim/v1/faults", json=body, headers=ADMIN)
    assert response.status_code == 201, response.data
    return response.get_json()


def end_fault(client, name: str):
    return client.post(f"/sim/v1/faults/{name}/end", headers=ADMIN)


def listed(client) -> list[dict]:
    response = client.get("/sim/v1/faults", headers=ADMIN)
    assert response.status_code == 200
    return response.get_json()["faults"]


class Clinic:
    """One institution's terminal, logged in before any fault starts (a login is gated too)."""

    def __init__(self, client, user: str = "clinic") -> None:
        self.client = client
        self.token = login(client, user)
        self.code = mw.CLINIC_A if user == "clinic" else mw.CLINIC_B

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": self.token}

    def search(self):
        return self.client.post(SEARCH, headers=self.headers, json=world.request_tree(
            world.SEARCHES["1"], institution_code=self.code))

    def file(self, kind: str, *, encoding: str = "UTF-8"):
        body = mw.request_xml(kind, mw.HANAKO_CARD, encoding=encoding, institution=self.code)
        return self.client.post(PATHS[kind], data=body, headers=self.headers,
                                content_type="application/xml")

    def single_file(self):
        body = world.request_xml(world.SEARCHES["1"], MedicalInstitutionCode=self.code)
        return self.client.post(SINGLE_FILE, data=body, headers=self.headers,
                                content_type="application/xml")

    def challenge(self):
        return self.client.post("/oqs/card/challenge", headers=self.headers)

    def emergency_search(self):
        return self.client.post(EMERGENCY_SEARCH, headers=self.headers, json={"XmlMsg": {
            "MessageHeader": {"MedicalInstitutionCode": self.code},
            "MessageBody": {"KanaName": mw.HANAKO.kana, "Birthdate": "19700615", "Sex": "2"}}})


@pytest.fixture
def clinic(medical) -> Clinic:
    return Clinic(medical)


@pytest.fixture
def card(medical) -> dict:
    """A registered card of hanako."""
    return issue(medical, medical.person_id)


def json_envelope(response) -> dict:
    """The header of a Web API envelope error; its body repeats the code."""
    document = response.get_json()["XmlMsg"]
    assert list(document) == ["MessageHeader", "MessageBody"]
    assert document["MessageBody"]["ProcessingResultCode"] == document["MessageHeader"][
        "ErrorCode"]
    return document["MessageHeader"]


def xml_envelope(response) -> etree._Element:
    """The header of an XML envelope error (.err or card reader); its body repeats the code."""
    root = etree.fromstring(response.data)
    assert root.findtext("MessageBody/ProcessingResultStatus") == "2"
    assert root.findtext("MessageBody/ProcessingResultCode") == root.findtext(
        "MessageHeader/ErrorCode")
    assert root.findtext("MessageHeader/SegmentOfResult") == "9"
    return root.find("MessageHeader")


def code_and_message(header) -> tuple[str | None, str | None]:
    if isinstance(header, dict):
        return header.get("ErrorCode"), header.get("ErrorMessage")
    return header.findtext("ErrorCode"), header.findtext("ErrorMessage")


def searched(response) -> str:
    """The validity a processed search answered (it was not refused)."""
    assert response.status_code == 200, response.data
    body = response.get_json()["XmlMsg"]["MessageBody"]
    assert body["ProcessingResultStatus"] == "1"
    return body["QualificationValidity"]


def drug_answered(response) -> str | None:
    assert response.status_code == 200, response.data
    assert response.headers["X-OQS-File-Name"].startswith("YZKsiquc01res_")
    return etree.fromstring(response.data).findtext("MessageHeader/ResultCode")


def timed(request):
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def snapshot(client) -> dict[str, list[str]]:
    """Every row of every table, in an order that does not depend on the backend."""
    with client.application.extensions["oqs"].engine.connect() as connection:
        return {table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
                for table in schema.metadata.sorted_tables}


# -- an outage answered as a segment: each interface's own refusal ------------------------------


def test_an_outage_refuses_a_web_api_search_with_segment_9_and_e9001(medical, clinic) -> None:
    start_fault(medical, kind="outage")

    response = clinic.search()

    assert response.status_code == 503
    assert response.content_type == "application/json; charset=UTF-8"
    assert json_envelope(response) == {
        "ProcessExecutionTime": "20260401090000", "QualificationConfirmationDate": "20260401",
        "MedicalInstitutionCode": mw.CLINIC_A, "ReferenceClassification": "2",
        "SegmentOfResult": "9", "ErrorCode": OUTAGE[0], "ErrorMessage": OUTAGE[1],
        "CharacterCodeIdentifier": "0"}


def test_an_outage_refuses_a_web_api_login_with_status_1_and_e9001(medical) -> None:
    start_fault(medical, kind="outage")

    response = medical.post(LOGIN, json={"userId": "clinic", "password": "sakura-pw"})

    assert response.status_code == 503
    assert response.get_json() == {"status": "1", "msg": OUTAGE[1], "code": OUTAGE[0]}


@pytest.mark.parametrize(("encoding", "codec", "identifier"),
                         [("UTF-8", "utf-8", "0"), ("Shift_JIS", "cp932", "1")])
def test_an_outage_answers_a_file_with_its_err_file_in_the_request_charset(
        medical, clinic, encoding, codec, identifier) -> None:
    start_fault(medical, kind="outage")

    response = clinic.file("drug", encoding=encoding)

    header = xml_envelope(response)
    assert OUTAGE[1] in response.data.decode(codec)
    assert response.status_code == 503
    assert response.headers["X-OQS-File-Name"] == "YZKsiquc01req_02260401090000001.err"
    assert response.content_type == f"application/xml; charset={encoding}"
    assert response.data.startswith(f'<?xml version="1.0" encoding="{encoding}"'.encode())
    assert code_and_message(header) == OUTAGE
    assert header.findtext("MedicalInstitutionCode") == mw.CLINIC_A
    assert header.findtext("CharacterCodeIdentifier") == identifier


def test_an_outage_refuses_the_card_reader_challenge_and_presentation(
        medical, clinic, card) -> None:
    reader = Reader(medical)
    nonce = reader.nonce()
    start_fault(medical, kind="outage")

    challenged = clinic.challenge()
    presented = reader.present(card, nonce=nonce)

    for response in (challenged, presented):
        assert response.status_code == 503
        assert "X-OQS-File-Name" not in response.headers
        assert code_and_message(xml_envelope(response)) == OUTAGE


# -- scope ---------------------------------------------------------------------------------------


def test_an_outage_of_the_file_interface_leaves_the_web_api_and_the_reader_answering(
        medical, clinic) -> None:
    start_fault(medical, kind="outage", route="files")

    refused = clinic.file("drug")

    assert refused.status_code == 503
    assert code_and_message(xml_envelope(refused)) == OUTAGE
    assert searched(clinic.search()) == "1"
    assert clinic.challenge().status_code == 200


def test_an_outage_of_one_institution_leaves_another_answering(medical, clinic) -> None:
    dental = Clinic(medical, "dental")
    start_fault(medical, kind="outage", institution=mw.CLINIC_B)

    refused = dental.file("drug")

    assert refused.status_code == 503
    assert code_and_message(xml_envelope(refused)) == OUTAGE
    assert xml_envelope(refused).findtext("MedicalInstitutionCode") == mw.CLINIC_B
    assert dental.search().status_code == 503
    assert drug_answered(clinic.file("drug")) == "1"
    assert searched(clinic.search()) == "1"
    login(medical, "dental")  # a login carries no idToken: only a fault for everyone refuses it


# -- maintenance window --------------------------------------------------------------------------


def test_a_maintenance_window_refuses_from_its_start_until_its_end(medical, clinic) -> None:
    start_fault(medical, kind="maintenance", name="planned", **{
        "from": WINDOW_FROM.isoformat(), "to": WINDOW_TO.isoformat()})
    answers = {}

    for instant in (BUSINESS_NOW, WINDOW_FROM - TICK, WINDOW_FROM, WINDOW_TO - TICK, WINDOW_TO):
        medical.clock.instant = instant
        response = clinic.search()
        status = listed(medical)[0]["status"]
        answers[instant.strftime("%H:%M:%S")] = (response.status_code, status)
        if response.status_code == 503:
            assert code_and_message(json_envelope(response)) == MAINTENANCE

    assert answers == {"09:00:00": (200, "scheduled"), "11:59:59": (200, "scheduled"),
                       "12:00:00": (503, "active"), "12:59:59": (503, "active"),
                       "13:00:00": (200, "over")}


def test_a_jpki_window_refuses_the_card_route_while_the_web_api_and_files_answer(
        medical, clinic, card) -> None:
    reader = Reader(medical)
    nonce = reader.nonce()
    start_fault(medical, kind="maintenance", system="jpki", **{
        "from": WINDOW_FROM.isoformat(), "to": WINDOW_TO.isoformat()})
    medical.clock.instant = WINDOW_FROM

    presented = reader.present(card, nonce=nonce, consents=["drug"])
    challenged = clinic.challenge()

    for response in (presented, challenged):
        assert response.status_code == 503
        assert code_and_message(xml_envelope(response)) == JPKI_MAINTENANCE
    assert searched(clinic.search()) == "1"
    assert drug_answered(clinic.file("drug")) == "1"
    medical.clock.instant = WINDOW_TO
    assert reader.present(card, nonce=nonce).status_code == 200  # the nonce was not used


# -- latency, and the answers of something in front of the system --------------------------------


def test_a_fixed_latency_holds_the_answer_back_and_it_still_succeeds(medical, clinic) -> None:
    start_fault(medical, kind="latency", latency_ms=150)

    response, took = timed(clinic.search)

    assert searched(response) == "1"
    assert took >= 0.15


@pytest.mark.parametrize(("extra", "status", "text"),
                         [({}, 503, "503 Service Unavailable\n"),
                          ({"http_status": 502}, 502, "502 Bad Gateway\n")],
                         ids=["default 503", "502"])
def test_an_http_answer_is_a_bare_http_error_without_an_oqs_message(
        medical, clinic, extra, status, text) -> None:
    start_fault(medical, kind="outage", answer="http", **extra)

    for response in (clinic.search(), clinic.file("drug"), clinic.challenge()):
        assert response.status_code == status
        assert response.content_type == "text/plain; charset=utf-8"
        assert response.get_data(as_text=True) == text
        assert "X-OQS-File-Name" not in response.headers


def test_a_timeout_answer_holds_the_request_then_answers_504_with_nothing(
        medical, clinic) -> None:
    start_fault(medical, kind="outage", answer="timeout", hold_seconds=0.2)

    response, took = timed(clinic.search)

    assert response.status_code == 504
    assert response.data == b""
    assert took >= 0.2


# -- intermittent errors -------------------------------------------------------------------------


def test_errors_refuse_exactly_the_requests_the_seeded_draws_predict(medical, clinic) -> None:
    start_fault(medical, kind="errors", rate=0.5, seed=SEED)
    draws = random.Random(SEED)
    predicted = [draws.random() < 0.5 for _ in range(40)]

    refused = []
    for _ in range(40):
        response = clinic.search()
        assert response.status_code in (200, 503)
        refused.append(response.status_code == 503)
        if response.status_code == 503:
            assert code_and_message(json_envelope(response)) == OUTAGE

    assert refused == predicted
    assert 10 < sum(refused) < 30


# -- a refused request changes nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status"),
    [({"kind": "outage"}, 503),
     ({"kind": "maintenance", "answer": "http"}, 503),
     ({"kind": "errors", "rate": 1.0, "answer": "timeout", "hold_seconds": 0}, 504)],
    ids=["outage", "maintenance answered by http", "errors answered by a timeout"],
)
def test_refused_requests_of_every_interface_leave_the_store_unchanged(
        medical, clinic, card, fault, status) -> None:
    reader = Reader(medical)
    nonce = reader.nonce()
    audited = len(audit_rows(medical))
    start_fault(medical, name="down", **fault)
    before = snapshot(medical)

    responses = [
        medical.post(LOGIN, json={"userId": "clinic", "password": "sakura-pw"}),
        clinic.search(), clinic.single_file(), clinic.file("drug"), clinic.file("checkup"),
        clinic.challenge(), reader.present(card, nonce=nonce, consents=["drug"]),
        reader.present(card, nonce=nonce, path="register"), clinic.emergency_search(),
    ]

    assert [r.status_code for r in responses] == [status] * len(responses)
    assert snapshot(medical) == before
    assert end_fault(medical, "down").status_code == 200
    assert drug_answered(clinic.file("drug")) == "1"
    assert len(audit_rows(medical)) == audited + 1


# -- admin API -----------------------------------------------------------------------------------


def test_posting_a_fault_answers_its_view_and_lists_it(medical) -> None:
    view = start_fault(medical, kind="outage", name="core-down", route="files",
                       institution=mw.CLINIC_B, answer="http", http_status=502)

    assert listed(medical) == [view]
    assert isinstance(view.pop("id"), int)
    assert view == {
        "name": "core-down", "kind": "outage", "route": "files", "institution": mw.CLINIC_B,
        "from": "2026-04-01T09:00:00+09:00", "to": None, "ended_at": None, "status": "active",
        "active": True, "code": "outage", "answer": "http", "http_status": 502,
        "hold_seconds": 30.0}


def test_each_kind_shows_its_own_parameters(client) -> None:
    latency = start_fault(client, kind="latency", latency_ms=150, jitter_ms=30,
                          distribution="uniform")
    errors = start_fault(client, kind="errors", rate=0.25, seed=SEED)
    jpki = start_fault(client, kind="maintenance", system="jpki")

    assert {k: latency[k] for k in ("name", "latency_ms", "jitter_ms", "distribution")} == {
        "name": "latency-1", "latency_ms": 150, "jitter_ms": 30, "distribution": "uniform"}
    assert "code" not in latency
    assert {k: errors[k] for k in ("name", "code", "rate", "seed")} == {
        "name": "errors-1", "code": "outage", "rate": 0.25, "seed": SEED}
    assert {k: jpki[k] for k in ("name", "route", "system", "code")} == {
        "name": "maintenance-1", "route": "card", "system": "jpki", "code": "jpki_maintenance"}


def test_a_fault_without_a_name_is_numbered_after_its_kind(client) -> None:
    names = [start_fault(client, kind="outage")["name"],
             start_fault(client, kind="outage")["name"],
             start_fault(client, kind="latency", latency_ms=1)["name"]]

    assert names == ["outage-1", "outage-2", "latency-1"]


def test_the_list_shows_each_fault_with_its_status_at_business_now(client) -> None:
    start_fault(client, kind="outage", name="later", **{"from": WINDOW_FROM.isoformat()})
    start_fault(client, kind="outage", name="now")
    start_fault(client, kind="outage", name="earlier", **{
        "from": at(2026, 4, 1, 8, 0).isoformat(), "to": at(2026, 4, 1, 8, 30).isoformat()})
    start_fault(client, kind="outage", name="called-off", **{"from": WINDOW_TO.isoformat()})
    assert end_fault(client, "called-off").status_code == 200

    statuses = [(f["name"], f["status"], f["active"]) for f in listed(client)]

    assert statuses == [("earlier", "over", False), ("now", "active", True),
                        ("later", "scheduled", False), ("called-off", "cancelled", False)]


def test_a_fault_started_by_hand_begins_at_business_now_and_ending_it_stops_it_at_once(
        medical, clinic) -> None:
    started = start_fault(medical, kind="outage", name="core-down")
    assert started["from"] == "2026-04-01T09:00:00+09:00"
    assert clinic.search().status_code == 503
    medical.clock.instant = at(2026, 4, 1, 9, 30)

    ended = end_fault(medical, "core-down")

    assert ended.status_code == 200
    view = ended.get_json()
    assert (view["ended_at"], view["status"], view["active"]) == (
        "2026-04-01T09:30:00+09:00", "ended", False)
    assert searched(clinic.search()) == "1"


def test_a_fault_can_be_ended_at_a_later_instant(medical, clinic) -> None:
    start_fault(medical, kind="outage", name="core-down")

    ended = medical.post("/sim/v1/faults/core-down/end", headers=ADMIN,
                         json={"at": "2026-04-01T10:00:00+09:00"})

    assert (ended.status_code, ended.get_json()["status"]) == (200, "active")
    assert clinic.search().status_code == 503
    medical.clock.instant = at(2026, 4, 1, 10, 0)
    assert searched(clinic.search()) == "1"
    assert listed(medical)[0]["status"] == "ended"


#: Bad bodies of POST /sim/v1/faults, each with the field its 400 answer names.
BAD_FAULTS = {
    "unknown key": ({"kind": "outage", "colour": "red"}, "colour"),
    "kind missing": ({"name": "core-down"}, "kind"),
    "unknown kind": ({"kind": "meltdown"}, "kind"),
    "rate on an outage": ({"kind": "outage", "rate": 0.5}, "rate"),
    "latency_ms missing": ({"kind": "latency"}, "latency_ms"),
    "rate out of range": ({"kind": "errors", "rate": 2}, "rate"),
    "bad http_status": ({"kind": "outage", "http_status": 418}, "http_status"),
    "jpki on an outage": ({"kind": "outage", "system": "jpki"}, "system"),
    "jpki on the files route": ({"kind": "maintenance", "system": "jpki", "route": "files"},
                                "route"),
    "bad check digit": ({"kind": "outage", "institution": "1311000003"}, "institution"),
    "institution not registered": ({"kind": "outage", "institution": mw.PHARMACY},
                                   "institution"),
    "name with a space": ({"kind": "outage", "name": "core down"}, "name"),
    "impossible from": ({"kind": "outage", "from": "2026-04-31T09:00"}, "from"),
    "to equal to from": ({"kind": "outage", "from": "2026-04-01T12:00",
                          "to": "2026-04-01T12:00"}, "to"),
    "to before now": ({"kind": "outage", "to": "2026-04-01T08:00"}, "to"),
    "not an object": ([{"kind": "outage"}], "body"),
}


def test_each_bad_fault_is_refused_with_400_naming_the_field_and_nothing_is_stored(
        client) -> None:
    answers = {}
    for case, (body, _) in BAD_FAULTS.items():
        response = client.post("/sim/v1/faults", json=body, headers=ADMIN)
        answers[case] = (response.status_code, response.get_json()["error"].get("field"))

    assert answers == {case: (400, field) for case, (_, field) in BAD_FAULTS.items()}
    assert listed(client) == []


def test_a_second_fault_of_the_same_name_is_a_conflict(client) -> None:
    first = start_fault(client, kind="outage", name="core-down")

    again = client.post("/sim/v1/faults", json={"kind": "latency", "name": "core-down",
                                                 "latency_ms": 10}, headers=ADMIN)

    assert again.status_code == 409
    assert listed(client) == [first]


def test_ending_a_fault_that_has_stopped_is_a_conflict(client) -> None:
    start_fault(client, kind="outage", name="core-down")
    start_fault(client, kind="outage", name="over", **{
        "from": at(2026, 4, 1, 8, 0).isoformat(), "to": at(2026, 4, 1, 8, 30).isoformat()})
    client.application.extensions["oqs"].clock.instant = at(2026, 4, 1, 9, 30)
    assert end_fault(client, "core-down").status_code == 200
    before = listed(client)

    again = end_fault(client, "core-down")
    over = end_fault(client, "over")

    assert (again.status_code, over.status_code) == (409, 409)
    assert "has already stopped" in again.get_json()["error"]["message"]
    assert listed(client) == before


def test_ending_an_unknown_fault_is_not_found(client) -> None:
    response = end_fault(client, "no-such-fault")

    assert response.status_code == 404
    assert "no-such-fault" in response.get_json()["error"]["message"]


def test_ending_with_an_unknown_key_is_refused_naming_it(client) -> None:
    start_fault(client, kind="outage", name="core-down")

    response = client.post("/sim/v1/faults/core-down/end", json={"when": "now"}, headers=ADMIN)

    assert (response.status_code, response.get_json()["error"]["field"]) == (400, "when")
    assert listed(client)[0]["status"] == "active"


def test_the_fault_api_needs_the_admin_token(client) -> None:
    listing = client.get("/sim/v1/faults")
    starting = client.post("/sim/v1/faults", json={"kind": "outage"})

    assert (listing.status_code, starting.status_code) == (401, 401)
    assert listed(client) == []


# -- a fault written to the store by another process ---------------------------------------------


class Monotonic:
    """The wall-clock seconds of the board's cache, moved by hand."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def write_outage(client, name: str = "written-elsewhere") -> None:
    """Store an outage the way another process would: not through this app's admin API."""
    with SqlUnitOfWork(client.application.extensions["oqs"].engine) as uow:
        uow.repo.add_fault(Fault(name=name, kind=Kind.OUTAGE, starts_at=BUSINESS_NOW,
                                 route=Route.WEBAPI))
        uow.commit()


def test_a_fault_written_to_the_store_is_seen_once_the_refresh_interval_has_passed(
        medical) -> None:
    monotonic = Monotonic()
    medical.application.extensions["oqs"].faults.monotonic = monotonic  # before any request
    clinic = Clinic(medical)
    assert searched(clinic.search()) == "1"  # the board reads the store: no fault
    write_outage(medical)

    monotonic.seconds = 1000.999
    cached = clinic.search()
    monotonic.seconds = 1001.0  # fault_refresh_ms defaults to 1000
    refreshed = clinic.search()

    assert searched(cached) == "1"
    assert refreshed.status_code == 503
    assert code_and_message(json_envelope(refreshed)) == OUTAGE


def test_with_no_refresh_interval_a_fault_written_to_the_store_refuses_the_next_request(
        database_url, wall) -> None:
    app = create_app({"database_url": database_url, "admin_token": ADMIN_TOKEN,
                      "secret_key": "test-secret", "fault_refresh_ms": 0},
                     clock=FixedClock(BUSINESS_NOW), wall=wall)
    try:
        client = app.test_client()
        mw.build(app.extensions["oqs"].engine)
        clinic = Clinic(client)
        assert searched(clinic.search()) == "1"

        write_outage(client)

        assert clinic.search().status_code == 503
    finally:
        app.extensions["oqs"].engine.dispose()

