"""Every message a clinic's staff can see is Japanese (element names and codes aside).

A corpus of malformed requests goes to every OQS interface; each ErrorMessage,
ProcessingResultMessage, MessageContents and login ``msg`` is stripped of what may stay ASCII
(the element or field it names, code values, format names such as YYYYMMDD) and must hold no
English word.
"""

from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from tests.e2e import world
from tests.e2e.conftest import LOGIN, SEARCH, login

#: ASCII that a Japanese message may carry: element paths and names, field names of the card
#: reader's JSON, code values, formats and technical names.
ALLOWED = re.compile(
    r"\(document\)|[A-Za-z0-9_]+\.xml|/?[A-Za-z][A-Za-z0-9_]*(?:/[A-Za-z0-9_\[\]]+)+"
    r"|(?<![A-Za-z])(?:[A-Z][A-Za-z0-9_]*|nonce|pin|signature|method|consents|charset"
    r"|certificate|confirmation_date|medical_treatment_flag|face_matched|limit_consent|body"
    r"|encoding|face|drug|checkup|diagnosis|operation|utf-8|shift_jis|true|false|base64url"
    r"|base64|oqs|card|challenge|ud800|euc-jp)(?![A-Za-z])|[0-9]+")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def english_left(message: str) -> list[str]:
    return ENGLISH_WORD.findall(ALLOWED.sub(" ", message))


def _file(kind: str, header: dict[str, str], body: str) -> tuple[str, bytes]:
    elements = "".join(f"<{k}>{v}</{k}>" for k, v in header.items())
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader>{elements}'
           f"</MessageHeader><MessageBody>{body}</MessageBody></XmlMsg>")
    return f"/oqs/files/{kind}req_0001.xml", xml.encode()


HEADER = {"QualificationConfirmationDate": "20260401", "MedicalInstitutionCode": "1311000002"}
SEARCH_ITEMS = "".join(f"<{k}>{v}</{k}>" for k, v in world.SEARCHES["1"].items())
FILES = {
    "search: bad flag": _file("OQSsiquc01", HEADER, "<QualificationConfirmSearchInfo>"
                              + SEARCH_ITEMS + "<LimitApplicationCertificateRelatedConsFlg>7"
                              "</LimitApplicationCertificateRelatedConsFlg>"
                              "</QualificationConfirmSearchInfo>"),
    "search: repeated": _file("OQSsiquc01", HEADER, "<QualificationConfirmSearchInfo>"
                              "<Birthdate>1</Birthdate><Birthdate>2</Birthdate>"
                              "</QualificationConfirmSearchInfo>"),
    "search: nested": _file("OQSsiquc01", HEADER, "<QualificationConfirmSearchInfo>"
                            "<Birthdate><x>1</x></Birthdate></QualificationConfirmSearchInfo>"),
    "search: full-width": _file("OQSsiquc01", HEADER, "<QualificationConfirmSearchInfo>"
                                "<InsurerNumber>０６１３００１７</InsurerNumber>"
                                "<InsuredIdentificationNumber>1</InsuredIdentificationNumber>"
                                "<Birthdate>19850510</Birthdate>"
                                "</QualificationConfirmSearchInfo>"),
    "search: bad branch": _file("OQSsiquc01", HEADER, "<QualificationConfirmSearchInfo>"
                                + SEARCH_ITEMS.replace("<InsuredCardSymbol>", "<InsuredBranch"
                                                       "Number>123</InsuredBranchNumber>"
                                                       "<InsuredCardSymbol>")
                                + "</QualificationConfirmSearchInfo>"),
    "search: wrong root": ("/oqs/files/OQSsiquc01req_0001.xml", b"<Message/>"),
    "search: doctype": ("/oqs/files/OQSsiquc01req_0001.xml",
                        b'<!DOCTYPE x [<!ENTITY a "b">]><XmlMsg/>'),
    "search: encoding": ("/oqs/files/OQSsiquc01req_0001.xml",
                         b'<?xml version="1.0" encoding="EUC-JP"?><XmlMsg/>'),
    "drug: bad month": _file("YZKsiquc01", {"MedicalInstitutionCode": "1311000002",
                                            "InsurerNumber": "06130017",
                                            "InsuredPersonIdentificationNumber": "5678"},
                             "<StartDate>2026-4</StartDate><FileCategory>2</FileCategory>"),
    "drug: flag": _file("YZKsiquc01", {"MedicalInstitutionCode": "1311000002",
                                       "InsurerNumber": "06130017",
                                       "InsuredPersonIdentificationNumber": "5678"},
                        "<FileCategory>2</FileCategory>"
                        "<MedicalTreatmentFlag>9</MedicalTreatmentFlag>"),
    "reference: too long": _file("OQSsiimm01", {"MedicalInstitutionCode": "1311000002"},
                                 "<ReferenceNumberRegistrationInfo><ReferenceNumber>"
                                 + "9" * 60 + "</ReferenceNumber><InsurerNumber>06130017"
                                 "</InsurerNumber><InsuredIdentificationNumber>5678"
                                 "</InsuredIdentificationNumber>"
                                 "</ReferenceNumberRegistrationInfo>"),
    "bulk: no items": _file("OQSmuquc01", HEADER, ""),
    "bulk: no number": _file("OQSmuquc02", {"MedicalInstitutionCode": "1311000002"}, ""),
    "another institution": _file("OQSsiquc01", {**HEADER, "MedicalInstitutionCode":
                                                "1331000008"}, ""),
    "bad name": ("/oqs/files/OQSsiquc01req_%E3%81%82.xml", b"<XmlMsg/>"),
    "unknown kind": ("/oqs/files/ABCsiquc01req_1.xml", b"<XmlMsg/>"),
}
CARD_BODIES = {
    "not an object": [], "unknown field": {"x": 1}, "no nonce": {"certificate": "x"},
    "bad nonce": {"nonce": "!!"}, "bad signature": {"nonce": "abc", "certificate": "x",
                                                    "signature": "***"},
    "bad method": {"nonce": "abc", "certificate": "x", "signature": "AA==", "method": "eye"},
    "bad pin": {"nonce": "abc", "certificate": "x", "signature": "AA==", "method": "pin",
                "pin": "12"},
    "bad consents": {"nonce": "abc", "certificate": "x", "signature": "AA==",
                     "method": "face", "consents": ["x"]},
    "bad date": {"nonce": "abc", "certificate": "x", "signature": "AA==", "method": "face",
                 "confirmation_date": 20260401},
    "unknown nonce": {"nonce": "abc", "certificate": "x", "signature": "AA==",
                      "method": "face"},
}
EMERGENCY_BODIES = {
    "no kana": {}, "latin kana": {"KanaName": "yamada", "Birthdate": "19800101", "Sex": "1"},
    "bad sex": {"KanaName": "ﾔﾏﾀﾞ", "Birthdate": "19800101", "Sex": "3"},
    "number": {"KanaName": "ﾔﾏﾀﾞ", "Birthdate": 19800101, "Sex": "1"},
}


def _messages(response) -> list[str]:
    if response.content_type.startswith("application/json"):
        document = response.get_json()
        if "msg" in document:
            return [document["msg"]]
        text = json.dumps(document, ensure_ascii=False)
        found = re.findall(r'"(?:ErrorMessage|ProcessingResultMessage)": "([^"]*)"', text)
        return found
    root = etree.fromstring(response.data)
    return [e.text or "" for e in root.iter("ErrorMessage", "ProcessingResultMessage",
                                             "MessageContents")]


def _assert_japanese(response) -> None:
    messages = _messages(response)
    assert messages, response.data[:300]
    for message in messages:
        assert english_left(message) == [], message


@pytest.mark.parametrize("case", FILES, ids=FILES.keys())
def test_file_interface_messages_are_japanese(oqs, case) -> None:
    path, body = FILES[case]
    _assert_japanese(oqs.post(path, data=body, headers={"Authorization": login(oqs)}))


@pytest.mark.parametrize("body", [b"{", b'{"XmlMsg": 1}', b'{"XmlMsg": {"MessageHeader": []}}',
                                  json.dumps(world.request_tree(dict(
                                      world.SEARCHES["1"], Birthdate="19850231"))).encode()])
def test_web_api_messages_are_japanese(oqs, body) -> None:
    _assert_japanese(oqs.post(SEARCH, data=body, content_type="application/json",
                              headers={"Authorization": login(oqs)}))


@pytest.mark.parametrize("body", [{"userId": "nobody", "password": "x"},
                                  {"userId": "clinic", "password": "wrong"}, {"userId": 1}])
def test_login_messages_are_japanese(oqs, body) -> None:
    _assert_japanese(oqs.post(LOGIN, json=body))


@pytest.mark.parametrize("case", CARD_BODIES, ids=CARD_BODIES.keys())
def test_card_reader_messages_are_japanese(oqs, case) -> None:
    _assert_japanese(oqs.post("/oqs/card/present", json=CARD_BODIES[case],
                              headers={"Authorization": login(oqs)}))


@pytest.mark.parametrize("case", EMERGENCY_BODIES, ids=EMERGENCY_BODIES.keys())
def test_emergency_search_messages_are_japanese(oqs, case) -> None:
    body = {"XmlMsg": {"MessageHeader": {"MedicalInstitutionCode": "1311000002"},
                       "MessageBody": EMERGENCY_BODIES[case]}}
    _assert_japanese(oqs.post("/oqs/emergency/search", json=body,
                              headers={"Authorization": login(oqs)}))


def test_the_check_itself_finds_an_english_sentence() -> None:
    assert english_left("InsurerNumberの値が正しくありません。must be 8 digits") == [
        "must", "be", "digits"]
    assert english_left("必須項目（/XmlMsg/MessageHeader/MedicalInstitutionCode）が"
                        "設定されていません。この要素は必須です。") == []
