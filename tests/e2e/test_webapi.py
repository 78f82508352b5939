"""The Web API over HTTP: login, then search for every validity value; every refusal with its
catalogue code and HTTP status, never a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from itsdangerous import URLSafeSerializer

from tests.e2e import world
from tests.e2e.conftest import LOGIN, SEARCH, login


def search(client, body, token):
    return client.post(SEARCH, json=body, headers={"Authorization": token})


def test_login_answers_the_real_shape_in_order(oqs) -> None:
    response = oqs.post(LOGIN, json={"userId": "clinic", "password": "sakura-pw"})

    document = json.loads(response.data)
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=UTF-8"
    assert list(document) == ["status", "msg", "result"]
    assert (document["status"], document["msg"]) == ("0", "")
    assert list(document["result"]) == ["accessToken", "refreshToken", "idToken", "linkSysCharCd"]
    assert len({document["result"][k] for k in ("accessToken", "refreshToken", "idToken")}) == 3


@pytest.mark.parametrize(
    ("validity", "results"),
    [("1", 1), ("2", 1), ("3", 1), ("4", 0), ("5", 2)],
    ids=["valid", "invalid", "invalid with a newer one", "not found", "multiple"],
)
def test_login_then_search_answers_each_validity(oqs, validity, results) -> None:
    token = login(oqs)

    response = search(oqs, world.request_tree(world.SEARCHES[validity]), token)

    body = response.get_json()["XmlMsg"]["MessageBody"]
    assert response.status_code == 200
    assert body["ProcessingResultStatus"] == "1"
    assert body["QualificationValidity"] == validity
    assert len(body.get("ResultList", [])) == results
    assert all(list(item) == ["ResultOfQualificationConfirmation"]
               for item in body.get("ResultList", []))


def test_an_invalid_result_carries_the_loss(oqs) -> None:
    response = search(oqs, world.request_tree(world.SEARCHES["2"]), login(oqs))

    (item,) = response.get_json()["XmlMsg"]["MessageBody"]["ResultList"]
    result = item["ResultOfQualificationConfirmation"]
    assert (result["ReasonOfLoss"], result["DisqualificationDate"]) == ("01", "20260301")


def test_twins_come_back_with_their_own_branch_numbers(oqs) -> None:
    response = search(oqs, world.request_tree(world.SEARCHES["5"]), login(oqs))

    items = response.get_json()["XmlMsg"]["MessageBody"]["ResultList"]
    shown = [(i["ResultOfQualificationConfirmation"]["InsuredBranchNumber"],
              i["ResultOfQualificationConfirmation"]["PreschoolClassification"]) for i in items]
    assert shown == [("01", "1"), ("02", "1")]


def test_the_limit_certificate_comes_only_with_consent(oqs) -> None:
    token = login(oqs)
    consenting = dict(world.SEARCHES["1"], LimitApplicationCertificateRelatedConsFlg="1")

    without = search(oqs, world.request_tree(world.SEARCHES["1"]), token).get_json()
    with_consent = search(oqs, world.request_tree(consenting), token).get_json()

    def result(document):
        return document["XmlMsg"]["MessageBody"]["ResultList"][0][
            "ResultOfQualificationConfirmation"]

    assert "LimitApplicationCertificateRelatedInfo" not in result(without)
    assert result(without)["LimitApplicationCertificateRelatedConsFlg"] == "0"
    info = result(with_consent)["LimitApplicationCertificateRelatedInfo"]
    assert info["LimitApplicationCertificateClassificationFlag"] == "A03"
    assert result(with_consent)["LimitApplicationCertificateRelatedConsTime"] == "20260401090000"


def test_the_search_echoes_what_was_asked(oqs) -> None:
    asked = dict(world.SEARCHES["1"], ArbitraryIdentifier="P-001")

    document = search(oqs, world.request_tree(asked), login(oqs)).get_json()["XmlMsg"]

    assert document["MessageBody"]["QualificationConfirmSearchInfo"]["ArbitraryIdentifier"] == (
        "P-001")
    assert document["MessageHeader"]["ProcessExecutionTime"] == "20260401090000"
    assert document["MessageHeader"]["CharacterCodeIdentifier"] == "0"


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credentials", "code"),
    [
        ({"userId": "clinic", "password": "wrong"}, "E5004"),
        ({"userId": "nobody", "password": "x"}, "E5005"),
        ({"userId": "clinic"}, "E5004"),
        ({"userId": 7, "password": "x"}, "E5004"),
    ],
    ids=["wrong password", "unknown institution", "no password", "userId not a string"],
)
def test_a_refused_login_names_its_code(oqs, credentials, code) -> None:
    response = oqs.post(LOGIN, json=credentials)

    document = json.loads(response.data)
    assert response.status_code == 401
    assert (document["status"], document["code"]) == ("1", code)
    assert document["msg"]  # the Japanese message, shown as-is


def test_a_login_body_that_is_not_json_is_malformed(oqs) -> None:
    response = oqs.post(LOGIN, data=b"userId=clinic", content_type="application/json")

    assert response.status_code == 400
    assert json.loads(response.data)["code"] == "E3001"


def _envelope(response) -> dict:
    return response.get_json()["XmlMsg"]["MessageHeader"]


@pytest.mark.parametrize(
    ("token", "code"),
    [(None, "E5003"), ("garbage", "E5003"), ("Bearer x.y", "E5003")],
    ids=["no token", "not a token", "bearer junk"],
)
def test_a_search_without_a_valid_token_is_refused(oqs, token, code) -> None:
    headers = {"Authorization": token} if token else {}

    response = oqs.post(SEARCH, json=world.request_tree(world.SEARCHES["1"]), headers=headers)

    assert response.status_code == 401
    assert (_envelope(response)["SegmentOfResult"], _envelope(response)["ErrorCode"]) == (
        "9", code)


def test_a_token_signed_by_another_server_is_refused(oqs) -> None:
    foreign = URLSafeSerializer("another-secret", salt="oqs-id-token").dumps(
        [world.CLINIC.code, 4_102_444_800, "n"])

    response = search(oqs, world.request_tree(world.SEARCHES["1"]), foreign)

    assert (response.status_code, _envelope(response)["ErrorCode"]) == (401, "E5003")


def test_an_access_token_is_not_an_id_token(oqs) -> None:
    result = oqs.post(LOGIN, json={"userId": "clinic", "password": "sakura-pw"}).get_json()

    response = search(oqs, world.request_tree(world.SEARCHES["1"]),
                      result["result"]["accessToken"])

    assert (response.status_code, _envelope(response)["ErrorCode"]) == (401, "E5003")


def test_a_token_expires_after_its_lifetime_of_wall_time(oqs, wall) -> None:
    token = login(oqs)
    wall.instant += dt.timedelta(seconds=1799)
    still = search(oqs, world.request_tree(world.SEARCHES["1"]), token)
    wall.instant += dt.timedelta(seconds=1)

    expired = search(oqs, world.request_tree(world.SEARCHES["1"]), token)

    assert still.status_code == 200
    assert (expired.status_code, _envelope(expired)["ErrorCode"]) == (401, "E5002")


def test_another_institutions_code_is_forbidden(oqs) -> None:
    body = world.request_tree(world.SEARCHES["1"], institution_code=world.DENTAL.code)

    response = search(oqs, body, login(oqs))

    assert (response.status_code, _envelope(response)["ErrorCode"]) == (403, "E5001")
    assert _envelope(response)["MedicalInstitutionCode"] == world.DENTAL.code


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (world.request_tree(world.SEARCHES["1"], confirm_date="2026040A"), 400, "E3004"),
        (world.request_tree(world.SEARCHES["1"], confirm_date=""), 400, "E3005"),
        (world.request_tree(world.SEARCHES["1"], institution_code="1311000003"), 400, "E3003"),
        ({"XmlMsg": {"MessageHeader": {}}}, 400, "E3005"),
        ({"Xml": {}}, 400, "E3001"),
        ([1, 2], 400, "E3001"),
        ({"XmlMsg": {"MessageHeader": {"QualificationConfirmationDate": 20260401}}}, 400,
         "E3001"),
    ],
    ids=["letters in the date", "empty date", "bad institution check digit",
         "no body", "wrong root", "not an object", "a number for a string"],
)
def test_a_broken_envelope_is_refused_with_its_code(oqs, body, status, code) -> None:
    response = search(oqs, body, login(oqs))

    assert response.status_code == status
    assert (_envelope(response)["SegmentOfResult"], _envelope(response)["ErrorCode"]) == (
        "9", code)
    assert _envelope(response)["ErrorMessage"]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"InsurerNumber": "06130018"}, "E3003", "InsurerNumber"),
        ({"Birthdate": "1985051X"}, "E3004", "Birthdate"),
        ({"InsuredIdentificationNumber": ""}, "E3005", "InsuredIdentificationNumber"),
        ({"InsuredBranchNumber": "ABC"}, "E3006", "InsuredBranchNumber"),
    ],
    ids=["bad insurer check digit", "letters in the birthdate", "no card number",
         "letters in the branch"],
)
def test_a_bad_search_item_is_a_processed_error_naming_the_field(oqs, change, code, field):
    response = search(oqs, world.request_tree(dict(world.SEARCHES["1"], **change)), login(oqs))

    document = response.get_json()["XmlMsg"]
    assert response.status_code == 200
    assert document["MessageHeader"]["SegmentOfResult"] == "1"
    assert document["MessageBody"]["ProcessingResultStatus"] == "2"
    assert document["MessageBody"]["ProcessingResultCode"] == code
    assert field in document["MessageBody"]["ProcessingResultMessage"]
    assert "QualificationValidity" not in document["MessageBody"]


def test_a_wrong_method_is_not_a_500(oqs) -> None:
    assert oqs.get(SEARCH).status_code == 405
