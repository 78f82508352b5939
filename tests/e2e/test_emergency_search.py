"""The search without a card (``POST /oqs/emergency/search``) and emergency mode
(緊急時医療情報・資格確認機能, ``/sim/v1/emergency``) over HTTP (docs/decisions.md).

The store is the known one of ``medical_world`` plus two persons who share カナ, 生年月日 and 性別
and differ only by address (added here through the repository). Clinic B (ひまわり歯科医院,
Tokyo) has no consent of 花子's. Business now is 2026-04-01 09:00.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from lxml import etree

from simulator.registry.model import Sex
from simulator.store import SqlUnitOfWork
from tests.builders import KUMIAI, at, person, record
from tests.e2e import medical_world as mw
from tests.e2e import world
from tests.e2e.conftest import ADMIN_TOKEN, SEARCH, login
from tests.e2e.test_disaster_access import declare
from tests.e2e.test_medical_files import audit_rows, post

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
EMERGENCY = "/sim/v1/emergency"
FIND = "/oqs/emergency/search"
FAILED_AT = at(2026, 4, 1, 8, 0)  # the dental clinic's terminal failed an hour before now
LATER = at(2026, 4, 2, 9, 0)

MIYUKI_BORN = dt.date(1988, 2, 29)
CHIYODA = "東京都千代田区千代田１－１"  # as the insurer registered it (full-width)
OSAKA = "大阪府大阪市北区梅田3-1-1"
#: The two 田中美幸: same カナ, 生年月日, 性別; only the address tells them apart.
MIYUKI_CHIYODA = record(insurer=KUMIAI, symbol="8100", number="41", branch="00",
                        name="田中　美幸", kana="ﾀﾅｶ ﾐﾕｷ", birthdate=MIYUKI_BORN, sex=Sex.FEMALE,
                        address=CHIYODA)
MIYUKI_OSAKA = record(insurer=KUMIAI, symbol="8100", number="42", branch="00",
                      name="田中　美幸", kana="ﾀﾅｶ ﾐﾕｷ", birthdate=MIYUKI_BORN, sex=Sex.FEMALE,
                      address=OSAKA)
MIYUKI = {"KanaName": "ﾀﾅｶ ﾐﾕｷ", "Birthdate": "19880229", "Sex": "2"}
HANAKO = {"KanaName": "ｻｻｷ ﾊﾅｺ", "Birthdate": "19700615", "Sex": "2"}


@pytest.fixture
def store(medical):
    """The medical store plus the two 田中美幸; ``miyuki`` holds their person ids."""
    with SqlUnitOfWork(medical.application.extensions["oqs"].engine) as uow:
        ids = []
        for r in (MIYUKI_CHIYODA, MIYUKI_OSAKA):
            person_id = uow.repo.add_person(person(name=r.name, kana=r.kana,
                                                   birthdate=r.birthdate, sex=r.sex,
                                                   address=r.address))
            uow.repo.add_qualification(replace(r, person_id=person_id))
            ids.append(person_id)
        uow.commit()
    medical.miyuki = dict(zip(("chiyoda", "osaka"), ids, strict=True))
    return medical


def search_body(values: dict[str, str], *, institution: str = mw.CLINIC_B) -> dict:
    return {"XmlMsg": {"MessageHeader": {"MedicalInstitutionCode": institution},
                       "MessageBody": values}}


def find(client, values: dict[str, str] | None = None, *, body: object = None,
         token: str | None = None, **header):
    """Search as clinic B (account "dental"); ``body`` replaces the whole document."""
    document = search_body(values or HANAKO, **header) if body is None else body
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post(FIND, data=data, content_type="application/json",
                       headers={"Authorization": login(client, "dental") if token is None
                                else token})


def message_body(response) -> dict:
    assert response.status_code == 200, response.data
    return response.get_json()["XmlMsg"]["MessageBody"]


def listed(response) -> list[dict]:
    return [item["Candidate"] for item in message_body(response).get("CandidateList", [])]


def start_mode(client, institution: str = mw.CLINIC_B, **values) -> dict:
    response = client.post(EMERGENCY, headers=ADMIN, json={
        "institution": institution, "reason": "端末故障", "from": FAILED_AT.isoformat(),
        **values})
    assert response.status_code == 201, response.data
    return response.get_json()


def card_of(candidate: dict) -> dict[str, str]:
    """The drug request's card items, taken from a candidate of the search."""
    return {"InsurerNumber": candidate["InsurerNumber"],
            "InsuranceCardSymbol": candidate["InsuredCardSymbol"],
            "InsuredPersonIdentificationNumber": candidate["InsuredIdentificationNumber"],
            "BranchNumber": candidate["InsuredBranchNumber"]}


def ask_drugs(client, card: dict[str, str]) -> etree._Element:
    response = post(client, "drug", mw.request_xml("drug", card, institution=mw.CLINIC_B),
                    user="dental")
    assert response.status_code == 200, response.data
    return etree.fromstring(response.data)


def catalogue(client):
    return client.application.extensions["oqs"].catalogue


def summary(row) -> tuple:
    return (row.institution_code, row.person_id, row.kind, row.route, row.basis, row.basis_id,
            row.outcome, row.count)


# -- outside a disaster and emergency mode -------------------------------------------------------


def test_without_a_declaration_or_emergency_mode_the_search_is_refused_and_audited(
        store) -> None:
    response = find(store)

    body = message_body(response)
    header = response.get_json()["XmlMsg"]["MessageHeader"]
    entry = catalogue(store)["disaster_not_covered"]
    assert header["SegmentOfResult"] == "1"
    assert header["MedicalInstitutionCode"] == mw.CLINIC_B
    assert (body["ProcessingResultStatus"], body["ProcessingResultCode"]) == ("2", "E2002")
    assert body["ProcessingResultMessage"] == entry.message
    assert "AccessBasis" not in body
    assert "NumberOfCandidates" not in body
    assert "CandidateList" not in body
    assert body["SearchInfo"] == HANAKO
    assert [summary(r) for r in audit_rows(store)] == [
        (mw.CLINIC_B, None, "search", "emergency", "none", None, "disaster_not_covered", 0)]


def test_a_declaration_elsewhere_does_not_open_the_search(store) -> None:
    declare(store, ["17"], name="令和8年能登地震")

    body = message_body(find(store))

    assert body["ProcessingResultCode"] == "E2002"
    assert audit_rows(store)[-1].basis == "none"


# -- under a disaster declaration ----------------------------------------------------------------


def test_under_a_disaster_the_search_lists_the_candidate_with_the_card_items(store) -> None:
    disaster_id = declare(store, ["13"])

    response = find(store)

    body = message_body(response)
    assert (body["ProcessingResultStatus"], body["AccessBasis"]) == ("1", "disaster")
    assert "ProcessingResultCode" not in body
    assert body["NumberOfCandidates"] == "1"
    assert listed(response) == [{
        "Name": "佐々木　花子", "NameKana": "ｻｻｷ ﾊﾅｺ", "Birthdate": "19700615", "Sex1": "2",
        "Address": "東京都千代田区千代田1-1", "InsurerNumber": "06130017",
        "InsuredCardSymbol": "5000", "InsuredIdentificationNumber": "31",
        "InsuredBranchNumber": "00", "QualificationDate": "20150401"}]
    assert [summary(r) for r in audit_rows(store)] == [
        (mw.CLINIC_B, store.person_id, "search", "emergency", "disaster", disaster_id, "ok", 1)]


def test_an_ambiguous_search_lists_both_persons_and_audits_each(store) -> None:
    disaster_id = declare(store, ["13"])

    response = find(store, MIYUKI)

    body = message_body(response)
    assert body["NumberOfCandidates"] == "2"
    assert [(c["InsuredIdentificationNumber"], c["Address"]) for c in listed(response)] == [
        ("42", OSAKA), ("41", CHIYODA)]  # in カナ, then 住所 order: 大阪府 before 東京都
    assert [summary(r) for r in audit_rows(store)] == [
        (mw.CLINIC_B, store.miyuki[place], "search", "emergency", "disaster", disaster_id,
         "ok", 2) for place in ("osaka", "chiyoda")]


@pytest.mark.parametrize(("address", "number"), [
    ("千代田区千代田1-1", "41"), ("千代田１ー１", "41"), ("大阪市　北区", "42")])
def test_an_address_narrows_the_ambiguous_search_to_one(store, address, number) -> None:
    declare(store, ["13"])

    response = find(store, MIYUKI | {"Address": address})

    assert message_body(response)["NumberOfCandidates"] == "1"
    assert [c["InsuredIdentificationNumber"] for c in listed(response)] == [number]
    assert len(audit_rows(store)) == 1
    assert message_body(response)["SearchInfo"]["Address"] == address


def test_a_search_finding_nobody_is_audited_once_without_a_person(store) -> None:
    disaster_id = declare(store, ["13"])

    response = find(store, MIYUKI | {"Address": "北海道"})

    body = message_body(response)
    assert (body["ProcessingResultStatus"], body["NumberOfCandidates"]) == ("1", "0")
    assert "CandidateList" not in body
    assert [summary(r) for r in audit_rows(store)] == [
        (mw.CLINIC_B, None, "search", "emergency", "disaster", disaster_id, "ok", 0)]


@pytest.mark.parametrize("kana", ["ささき　はなこ", "ササキ　ハナコ", "ササキ・ハナコ", "ｻｻｷﾊﾅｺ"],
                         ids=["hiragana", "full-width katakana", "nakaguro", "no space"])
def test_kana_typed_another_way_finds_the_half_width_record(store, kana) -> None:
    declare(store, ["13"])

    response = find(store, HANAKO | {"KanaName": kana})

    assert [c["NameKana"] for c in listed(response)] == ["ｻｻｷ ﾊﾅｺ"]
    assert message_body(response)["SearchInfo"]["KanaName"] == kana


def test_another_sex_or_birthdate_finds_nobody(store) -> None:
    declare(store, ["13"])

    assert listed(find(store, HANAKO | {"Sex": "1"})) == []
    assert listed(find(store, HANAKO | {"Birthdate": "19700616"})) == []


# -- under an emergency mode ---------------------------------------------------------------------


def test_under_emergency_mode_the_basis_is_emergency(store) -> None:
    mode = start_mode(store)

    body = message_body(find(store))

    assert (body["ProcessingResultStatus"], body["AccessBasis"]) == ("1", "emergency")
    assert body["NumberOfCandidates"] == "1"
    assert [(r.basis, r.basis_id, r.person_id) for r in audit_rows(store)] == [
        ("emergency", mode["id"], store.person_id)]


def test_another_institutions_emergency_mode_opens_nothing(store) -> None:
    start_mode(store, mw.CLINIC_A)

    assert message_body(find(store))["ProcessingResultCode"] == "E2002"


def test_a_disaster_is_the_basis_before_an_emergency_mode(store) -> None:
    disaster_id = declare(store, ["13"])
    start_mode(store)

    assert message_body(find(store))["AccessBasis"] == "disaster"
    assert audit_rows(store)[-1].basis_id == disaster_id


def test_a_candidate_found_in_emergency_mode_gets_drugs_without_consent(store) -> None:
    mode = start_mode(store)
    (candidate,) = listed(find(store))

    answer = ask_drugs(store, card_of(candidate))

    assert answer.findtext("MessageHeader/ResultCode") == "1"
    assert answer.findtext("MessageHeader/QuaInf/Name") == "佐々木　花子"
    assert len(list(answer.iter("DrugC", "CzDrugC", "ShDrugC"))) == mw.SHOWN_DRUGS
    last = audit_rows(store)[-1]
    assert summary(last) == (mw.CLINIC_B, store.person_id, "drug", "file", "emergency",
                             mode["id"], "ok", mw.SHOWN_DRUGS)


def test_after_the_mode_is_ended_drugs_need_consent_and_the_search_is_refused(store) -> None:
    mode = start_mode(store)
    (candidate,) = listed(find(store))

    ended = store.post(f"{EMERGENCY}/{mode['id']}/end", headers=ADMIN)
    answer = ask_drugs(store, card_of(candidate))

    assert ended.status_code == 200, ended.data
    assert ended.get_json()["status"] == "ended"
    assert answer.findtext("MessageHeader/ResultCode") == catalogue(store)[
        "consent_missing"].code == "E2001"
    assert answer.find("MessageBody") is None
    assert message_body(find(store))["ProcessingResultCode"] == "E2002"
    assert [(r.kind, r.basis, r.outcome) for r in audit_rows(store)[-2:]] == [
        ("drug", "none", "consent_missing"), ("search", "none", "disaster_not_covered")]


def test_a_mode_that_runs_out_closes_the_search_at_its_end(store) -> None:
    start_mode(store, to=LATER.isoformat())
    store.clock.instant = LATER - dt.timedelta(seconds=1)
    assert message_body(find(store))["AccessBasis"] == "emergency"

    store.clock.instant = LATER

    assert message_body(find(store))["ProcessingResultCode"] == "E2002"


def test_a_scheduled_mode_opens_nothing_before_its_start(store) -> None:
    start_mode(store, **{"from": LATER.isoformat()})

    assert message_body(find(store))["ProcessingResultCode"] == "E2002"


def test_qualification_lookups_are_the_same_in_emergency_mode(store) -> None:
    token = login(store, "clinic")
    bodies = [world.request_tree(world.SEARCHES[v]) for v in ("1", "4")]
    before = [store.post(SEARCH, json=b, headers={"Authorization": token}) for b in bodies]

    start_mode(store, mw.CLINIC_A)
    after = [store.post(SEARCH, json=b, headers={"Authorization": token}) for b in bodies]

    assert [r.status_code for r in after] == [200, 200]
    assert [r.get_json() for r in after] == [r.get_json() for r in before]
    validity = [r.get_json()["XmlMsg"]["MessageBody"]["QualificationValidity"] for r in after]
    assert validity == ["1", "4"]
    assert {r.basis for r in audit_rows(store)} == {"none"}


# -- malformed requests --------------------------------------------------------------------------


def _without(values: dict[str, str], key: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if k != key}


MALFORMED = {
    "KanaName missing": (dict(values=_without(HANAKO, "KanaName")), "required", "KanaName"),
    "KanaName in kanji": (dict(values=HANAKO | {"KanaName": "佐々木　花子"}), "invalid_input",
                          "KanaName"),
    "Birthdate 19501301": (dict(values=HANAKO | {"Birthdate": "19501301"}), "date_format",
                           "Birthdate"),
    "Birthdate missing": (dict(values=_without(HANAKO, "Birthdate")), "required", "Birthdate"),
    "Sex 3": (dict(values=HANAKO | {"Sex": "3"}), "invalid_input", "Sex"),
    "Sex missing": (dict(values=_without(HANAKO, "Sex")), "required", "Sex"),
    "Address too long": (dict(values=HANAKO | {"Address": "あ" * 201}), "invalid_input",
                         "Address"),
    "Sex a number": (dict(body={"XmlMsg": {"MessageHeader": {
        "MedicalInstitutionCode": mw.CLINIC_B}, "MessageBody": HANAKO | {"Sex": 2}}}),
        "malformed_message", "/XmlMsg/MessageBody/Sex"),
    "bad JSON": (dict(body=b'{"XmlMsg": {'), "malformed_message", None),
    "not XmlMsg": (dict(body={"Msg": {}}), "malformed_message", "/Msg"),
    "no MessageBody": (dict(body={"XmlMsg": {"MessageHeader": {
        "MedicalInstitutionCode": mw.CLINIC_B}}}), "required", "MessageBody"),
    "no MedicalInstitutionCode": (dict(body={"XmlMsg": {"MessageHeader": {},
                                                        "MessageBody": HANAKO}}),
                                  "required", "MedicalInstitutionCode"),
    "another institution's code": (dict(institution=mw.CLINIC_A), "institution_mismatch",
                                   mw.CLINIC_A),
    "a code with a wrong check digit": (dict(institution="1331000009"), "check_digit",
                                        "MedicalInstitutionCode"),
    "no token": (dict(token=""), "token_invalid", None),
    "a forged token": (dict(token="not-a-token"), "token_invalid", None),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_request_is_refused_with_segment_9_naming_the_field_and_no_audit(
        store, case) -> None:
    declare(store, ["13"])
    arguments, name, named = MALFORMED[case]

    response = find(store, **arguments)

    entry = catalogue(store)[name]
    assert response.status_code == entry.http
    assert response.content_type == "application/json; charset=UTF-8"
    document = response.get_json()["XmlMsg"]
    header = document["MessageHeader"]
    assert (header["SegmentOfResult"], header["ErrorCode"]) == ("9", entry.code)
    assert document["MessageBody"] == {
        "ProcessingResultStatus": "2", "ProcessingResultCode": entry.code,
        "ProcessingResultMessage": header["ErrorMessage"]}
    if named is not None:
        assert named in header["ErrorMessage"]
    assert audit_rows(store) == []


def test_a_refusal_echoes_the_institution_code_it_was_sent(store) -> None:
    response = find(store, HANAKO | {"Sex": "3"})

    header = response.get_json()["XmlMsg"]["MessageHeader"]
    assert header["MedicalInstitutionCode"] == mw.CLINIC_B
    assert header["ErrorMessage"] == catalogue(store)["invalid_input"].text(
        field="Sex", detail="1（男）または2（女）にしてください（OQSCD007）。")


# -- the admin API -------------------------------------------------------------------------------


def test_starting_a_mode_answers_201_with_its_view_and_lists_it(store) -> None:
    response = store.post(EMERGENCY, headers=ADMIN, json={"institution": mw.CLINIC_B,
                                                          "reason": "  回線障害  "})

    assert response.status_code == 201
    view = response.get_json()
    assert view | {"id": None} == {
        "id": None, "institution": mw.CLINIC_B, "reason": "回線障害",
        "from": "2026-04-01T09:00:00+09:00", "to": None, "ended_at": None,
        "status": "active", "active": True}
    assert store.get(EMERGENCY, headers=ADMIN).get_json() == {"emergency_modes": [view]}


def test_the_list_shows_each_modes_status_at_business_now(store) -> None:
    scheduled = start_mode(store, **{"from": LATER.isoformat()})
    over = start_mode(store, mw.CLINIC_A, **{"from": "2026-03-01T00:00:00+09:00",
                                              "to": "2026-03-02T00:00:00+09:00"})
    active = start_mode(store, mw.CLINIC_A)

    modes = store.get(EMERGENCY, headers=ADMIN).get_json()["emergency_modes"]

    assert [(m["id"], m["status"], m["active"]) for m in modes] == [
        (over["id"], "over", False), (active["id"], "active", True),
        (scheduled["id"], "scheduled", False)]
    assert scheduled["status"] == "scheduled"


def test_ending_a_scheduled_mode_cancels_it(store) -> None:
    mode = start_mode(store, **{"from": LATER.isoformat()})

    ended = store.post(f"{EMERGENCY}/{mode['id']}/end", headers=ADMIN)

    assert ended.get_json()["status"] == "cancelled"
    assert start_mode(store, **{"from": LATER.isoformat()})["status"] == "scheduled"


def test_ending_at_a_given_instant(store) -> None:
    mode = start_mode(store)

    ended = store.post(f"{EMERGENCY}/{mode['id']}/end", headers=ADMIN,
                       json={"at": "2026-04-01T12:00:00+09:00"})

    assert ended.status_code == 200
    assert (ended.get_json()["ended_at"], ended.get_json()["status"]) == (
        "2026-04-01T12:00:00+09:00", "active")


def error_of(response) -> tuple[int, str | None]:
    return response.status_code, response.get_json()["error"].get("field")


def modes_stored(client) -> list[dict]:
    return client.get(EMERGENCY, headers=ADMIN).get_json()["emergency_modes"]


@pytest.mark.parametrize(("body", "field"), [
    ({"institution": mw.OTHER_CLINIC}, "institution"),
    ({"institution": "1331000009"}, "institution"),
    ({"institution": "13310000"}, "institution"),
    ({"institution": 1331000008}, "institution"),
    ({}, "institution"),
    ({"institution": mw.CLINIC_B, "area": "能登"}, "area"),
    ({"institution": mw.CLINIC_B, "from": "yesterday"}, "from"),
    ({"institution": mw.CLINIC_B, "to": "2026-04-01T08:00:00+09:00"}, "to"),
    ({"institution": mw.CLINIC_B, "reason": "あ" * 201}, "reason"),
    ({"institution": mw.CLINIC_B, "reason": 7}, "reason"),
], ids=["unknown institution", "bad check digit", "too short", "a number", "missing",
        "unknown key", "bad from", "to before now", "reason too long", "reason a number"])
def test_a_bad_mode_is_400_naming_the_field_and_stores_nothing(store, body, field) -> None:
    response = store.post(EMERGENCY, headers=ADMIN, json=body)

    assert error_of(response) == (400, field)
    assert modes_stored(store) == []


def test_an_overlapping_mode_is_409(store) -> None:
    start_mode(store)

    response = store.post(EMERGENCY, headers=ADMIN, json={"institution": mw.CLINIC_B})

    assert response.status_code == 409
    assert "already in emergency mode" in response.get_json()["error"]["message"]
    assert len(modes_stored(store)) == 1


def test_ending_an_unknown_mode_is_404(store) -> None:
    response = store.post(f"{EMERGENCY}/999/end", headers=ADMIN)

    assert error_of(response) == (404, None)


def test_ending_a_mode_twice_is_409_and_keeps_the_first_end(store) -> None:
    mode = start_mode(store)
    first = store.post(f"{EMERGENCY}/{mode['id']}/end", headers=ADMIN)
    store.clock.instant = LATER

    again = store.post(f"{EMERGENCY}/{mode['id']}/end", headers=ADMIN)

    assert again.status_code == 409
    assert again.get_json()["error"]["message"].endswith(
        f"emergency mode {mode['id']} has already stopped (2026-04-01T09:00:00+09:00)")
    assert modes_stored(store) == [first.get_json() | {"status": "ended", "active": False}]


def test_a_bad_end_instant_is_400_naming_at(store) -> None:
    mode = start_mode(store)

    response = store.post(f"{EMERGENCY}/{mode['id']}/end", headers=ADMIN, json={"at": "soon"})

    assert error_of(response) == (400, "at")
    assert modes_stored(store)[0]["ended_at"] is None


def test_the_emergency_routes_need_the_admin_token(store) -> None:
    assert store.get(EMERGENCY).status_code == 401
    assert store.post(EMERGENCY, json={"institution": mw.CLINIC_B}).status_code == 401
    assert modes_stored(store) == []
