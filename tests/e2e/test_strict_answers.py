"""Every answer has the shape a strict client parses, and hostile input gets a clear answer.

The checks follow what strict real clients require of an OQS answer: a full ``XmlMsg`` with
``MessageHeader`` (ReferenceClassification always; QualificationConfirmationDate and
MedicalInstitutionCode when the request carried them) and a ``MessageBody``, the consent flag in
the echoed search, ``.err`` files in the request's encoding, text a strict Shift_JIS reader
reads. Each fuzz finding of the interfaces is pinned here.
"""

from __future__ import annotations

import json

import pytest
from lxml import etree
from sqlalchemy import func, select

from simulator import schema
from tests.e2e import world
from tests.e2e.conftest import LOGIN, SEARCH, login

FILE = "/oqs/files/OQSsiquc01req_0001.xml"
HEADER_ALWAYS = ("ProcessExecutionTime", "ReferenceClassification", "SegmentOfResult",
                 "ErrorCode", "ErrorMessage", "CharacterCodeIdentifier")
DEEP_JSON = b'{"XmlMsg": ' + b"[" * 1000 + b"]" * 1000 + b"}"


def strict_error(document: dict, *, reference: str = "2") -> tuple[dict, dict]:
    """Check an envelope error as a strict reader does; return its header and body."""
    assert list(document) == ["XmlMsg"]
    message = document["XmlMsg"]
    assert list(message) == ["MessageHeader", "MessageBody"]
    header, body = message["MessageHeader"], message["MessageBody"]
    for name in HEADER_ALWAYS:
        assert isinstance(header.get(name), str) and header[name], name
    assert header["ReferenceClassification"] == reference
    assert header["SegmentOfResult"] == "9"
    assert body["ProcessingResultStatus"] == "2"
    assert body["ProcessingResultCode"] == header["ErrorCode"]
    assert body["ProcessingResultMessage"] == header["ErrorMessage"]
    return header, body


def xml_as_dict(element: etree._Element) -> dict | str:
    if not len(element):
        return element.text or ""
    return {child.tag: xml_as_dict(child) for child in element}


def row_counts(client) -> dict[str, int]:
    engine = client.application.extensions["oqs"].engine
    with engine.connect() as connection:
        return {t.name: connection.execute(select(func.count()).select_from(t)).scalar()
                for t in schema.metadata.sorted_tables}


def search(client, body: bytes | dict, token: str | None):
    data = body if isinstance(body, bytes) else json.dumps(body)
    headers = {"Authorization": token} if token else {}
    return client.post(SEARCH, data=data, headers=headers, content_type="application/json")


# -- the Web API -------------------------------------------------------------------------------

VALID_SEARCH = world.request_tree(world.SEARCHES["1"], ArbitraryFileIdentifier="AFI-1")
OTHER_INSTITUTION = world.request_tree(world.SEARCHES["1"], institution_code="1331000008")
BAD_DATE = world.request_tree(world.SEARCHES["1"], confirm_date="2026O4O1")


@pytest.mark.parametrize(
    ("token", "body", "code", "echoes"),
    [
        (None, VALID_SEARCH, "E5003", True),
        ("not-a-token", VALID_SEARCH, "E5003", True),
        ("login", OTHER_INSTITUTION, "E5001", True),
        ("login", BAD_DATE, "E3004", False),
        ("login", b"{not json", "E3001", False),
        ("login", DEEP_JSON, "E3001", False),
        ("login", b'{"XmlMsg": {"MessageHeader": {"MedicalInstitutionCode": "\\ud800"}}}',
         "E3007", False),
        ("login", {"XmlMsg": {"MessageHeader": {}}}, "E3005", False),
    ],
    ids=["no token", "unknown token", "another institution", "bad date", "not json",
         "json nested 1000 deep", "lone surrogate", "no header values"],
)
def test_every_web_api_error_is_a_full_xml_msg_echoing_what_the_request_carried(
        oqs, token, body, code, echoes) -> None:
    response = search(oqs, body, login(oqs) if token == "login" else token)

    assert response.status_code in (400, 401, 403)
    header, message_body = strict_error(response.get_json())
    assert header["ErrorCode"] == code
    sent = body["XmlMsg"]["MessageHeader"] if isinstance(body, dict) else {}
    if echoes:
        for name in ("QualificationConfirmationDate", "MedicalInstitutionCode"):
            assert header[name] == sent[name]
        assert message_body["QualificationConfirmSearchInfo"][
            "LimitApplicationCertificateRelatedConsFlg"] == "0"
    if "ArbitraryFileIdentifier" in sent:
        assert header["ArbitraryFileIdentifier"] == sent["ArbitraryFileIdentifier"]


def test_a_malformed_header_value_is_not_echoed_so_the_answer_stays_parseable(oqs) -> None:
    header, _ = strict_error(search(oqs, BAD_DATE, login(oqs)).get_json())

    assert "QualificationConfirmationDate" not in header
    assert header["MedicalInstitutionCode"] == world.CLINIC.code


def test_a_search_without_the_consent_flag_is_read_as_0_and_echoed_with_it(oqs) -> None:
    body = world.request_tree(world.SEARCHES["1"])
    del body["XmlMsg"]["MessageBody"]["QualificationConfirmSearchInfo"][
        "LimitApplicationCertificateRelatedConsFlg"]

    answer = search(oqs, body, login(oqs)).get_json()["XmlMsg"]["MessageBody"]

    assert answer["QualificationConfirmSearchInfo"][
        "LimitApplicationCertificateRelatedConsFlg"] == "0"
    result = answer["ResultList"][0]["ResultOfQualificationConfirmation"]
    assert result["LimitApplicationCertificateRelatedConsFlg"] == "0"
    assert result["SpecificDiseasesCertificateRelatedConsFlg"] == "0"


@pytest.mark.parametrize("route", [LOGIN, SEARCH, "/oqs/card/present", "/oqs/emergency/search"])
def test_json_nested_1000_deep_is_refused_on_every_json_route_without_a_500(oqs, route):
    response = oqs.post(route, data=DEEP_JSON, content_type="application/json",
                        headers={"Authorization": login(oqs)})

    assert response.status_code == 400
    assert "入れ子が深すぎます" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["userId", "password"])
def test_a_lone_surrogate_in_the_login_is_refused_naming_the_field(oqs, field) -> None:
    body = {"userId": "clinic", "password": "sakura-pw"}
    raw = json.dumps(body).replace(body[field], "a\\ud800b").encode()

    response = oqs.post(LOGIN, data=raw, content_type="application/json")

    assert response.status_code == 400
    answer = response.get_json()
    assert (answer["status"], answer["code"]) == ("1", "E3007")
    assert f"/{field}" in answer["msg"]


# -- the file interface ------------------------------------------------------------------------


def post_file(client, body: bytes, token: str | None, name: str = FILE):
    headers = {"Authorization": token} if token else {}
    return client.post(name, data=body, headers=headers, content_type="application/xml")


@pytest.mark.parametrize("encoding", ["UTF-8", "Shift_JIS"])
@pytest.mark.parametrize(
    ("case", "status", "code"),
    [("no token", 401, "E5003"), ("unknown kind", 422, "E3002"),
     ("broken body", 422, "E3007"), ("not well-formed", 422, "E3001")],
)
def test_an_err_file_is_always_in_the_requests_encoding(oqs, encoding, case, status, code):
    body = world.request_xml(world.SEARCHES["1"], encoding=encoding,
                             ArbitraryFileIdentifier="AFI-2")
    token, name = login(oqs), FILE
    if case == "no token":
        token = None
    elif case == "unknown kind":
        name = "/oqs/files/OQSxxxxx01req_0001.xml"
    elif case == "broken body":
        body = body.replace(b"</XmlMsg>", b"\x81\xff</XmlMsg>" if encoding == "Shift_JIS"
                            else b"\xff</XmlMsg>")
    else:
        body = body.replace(b"</XmlMsg>", b"")

    response = post_file(oqs, body, token, name)

    assert response.status_code == status
    assert response.data.startswith(f'<?xml version="1.0" encoding="{encoding}"'.encode())
    codec = "shift_jis" if encoding == "Shift_JIS" else "utf-8"
    root = etree.fromstring(response.data.decode(codec).split("\n", 1)[1])
    header, _ = strict_error({"XmlMsg": xml_as_dict(root)})
    assert header["ErrorCode"] == code
    assert header["CharacterCodeIdentifier"] == ("1" if encoding == "Shift_JIS" else "0")
    if case in ("no token", "unknown kind"):
        assert header["ArbitraryFileIdentifier"] == "AFI-2"
        assert header["MedicalInstitutionCode"] == world.CLINIC.code


HOSTILE_NAMES = {
    "line feed": "OQSmuquc01req_%0aFAKE.xml",
    "carriage return": "OQSmuquc01req_%0d%0aX-Evil: 1.xml",
    "nul": "OQSmuquc01req_%00.xml",
    "escape": "OQSmuquc01req_%1b[31m.xml",
    "delete": "OQSmuquc01req_%7f.xml",
    "non-ascii": "OQSmuquc01req_%E3%81%82.xml",
    "too long": "OQSmuquc01req_" + "9" * 300 + ".xml",
    "a path": "OQSmuquc01req_../../x.xml",
    "no name": "",
    "a query instead": "?x=1.xml",
}


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_hostile_file_name_is_refused_before_anything_is_read_or_stored(oqs, name) -> None:
    token = login(oqs)
    body = world.request_xml(world.SEARCHES["1"])  # a bulk upload that would queue a job
    before = row_counts(oqs)

    response = post_file(oqs, body, token, f"/oqs/files/{name}")

    assert response.status_code == 422
    err_name = response.headers["X-OQS-File-Name"]
    assert err_name.endswith(".err") and err_name.isascii() and err_name.isprintable()
    assert len(err_name) <= 204
    root = etree.fromstring(response.data)
    assert root.findtext("MessageHeader/ErrorCode") == "E3006"
    assert "ファイル名" in root.findtext("MessageHeader/ErrorMessage")
    assert row_counts(oqs) == before


@pytest.mark.parametrize(
    ("sent", "declared"),
    [(b"A\xa0B", "Shift_JIS"), (b"A\xfd\xfe\xffB", "Shift_JIS"), (b"A\xf0\x40B", "Shift_JIS"),
     (b"A\x87\x40B", "Shift_JIS"), ("A\ue000B".encode(), "UTF-8"), ("A①B".encode(), "UTF-8")],
    ids=["0xA0", "0xFD-0xFF", "user-defined 0xF040", "NEC ①", "private use", "circled one"],
)
def test_an_echoed_value_outside_jis_x_0208_comes_back_as_a_black_circle(oqs, sent, declared):
    body = world.request_xml(world.SEARCHES["1"], encoding=declared,
                             ArbitraryFileIdentifier="AFI")
    body = body.replace(b"<ArbitraryFileIdentifier>AFI", b"<ArbitraryFileIdentifier>" + sent)

    response = post_file(oqs, body, login(oqs))

    assert response.status_code == 200
    text = response.data.decode("shift_jis" if declared == "Shift_JIS" else "utf-8")
    echoed = etree.fromstring(text.split("\n", 1)[1]).findtext(
        "MessageHeader/ArbitraryFileIdentifier")
    assert echoed.startswith("A") and echoed.endswith("B")
    assert set(echoed[1:-1]) == {"●"}


# -- the admin API's scenario check --------------------------------------------------------------

ADMIN = {"Authorization": "Bearer test-admin-token"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b'{"name": ' + b'{"a": ' * 3000 + b"1" + b"}" * 3000 + b"}", "application/json"),
     (b"name: " + b"[" * 3000 + b"]" * 3000, "application/yaml")],
    ids=["json 3000 deep", "yaml 3000 deep"],
)
def test_a_scenario_nested_3000_deep_is_refused_without_a_500(oqs, body, content_type):
    response = oqs.post("/sim/v1/scenarios/check", data=body, headers=ADMIN,
                        content_type=content_type)

    if content_type == "application/json":  # the body itself is refused
        assert response.status_code == 400, response.data[:300]
    else:  # a file that is not a scenario: the check reports it
        assert response.status_code == 200
        answer = response.get_json()
        assert answer["ok"] is False and "nested too deeply" in answer["error"]


@pytest.mark.parametrize("name", ["/etc/passwd", "../README", "x" * 300, 12])
def test_a_scenario_named_by_the_admin_api_is_a_catalogue_name_never_a_path(oqs, name) -> None:
    response = oqs.post("/sim/v1/scenarios/check", json={"name": name}, headers=ADMIN)

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "name"
