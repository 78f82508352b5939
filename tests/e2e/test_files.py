"""The XML file interface over HTTP: encodings, ●, echoes, and hostile input."""

from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import func, select

from simulator import schema
from tests.e2e import world
from tests.e2e.conftest import login

FILE = "/oqs/files/OQSsiquc01req_20260401090000001.xml"
HALF_WIDTH_KANA_NAME = "ｽｽﾞｷ ﾊﾅｺ"


def post(client, body: bytes, token: str | None, path: str = FILE):
    headers = {"Authorization": token} if token else {}
    return client.post(path, data=body, headers=headers, content_type="application/xml")


def parse(response, encoding: str) -> etree._Element:
    assert response.data.startswith(
        f'<?xml version="1.0" encoding="{encoding}" standalone="no"?>'.encode("ascii"))
    return etree.fromstring(response.data)


@pytest.mark.parametrize("encoding", ["UTF-8", "Shift_JIS"])
def test_a_request_is_answered_in_its_own_encoding(oqs, encoding) -> None:
    body = world.request_xml(world.SEARCHES["3"], encoding=encoding, ArbitraryFileIdentifier="F1")

    response = post(oqs, body, login(oqs))

    root = parse(response, encoding)
    identifier = {"UTF-8": "0", "Shift_JIS": "1"}[encoding]
    assert response.status_code == 200
    assert response.headers["X-OQS-File-Name"] == "OQSsiquc01res_20260401090000001.xml"
    assert response.content_type == f"application/xml; charset={encoding}"
    assert root.findtext("MessageHeader/CharacterCodeIdentifier") == identifier
    assert root.findtext("MessageHeader/ArbitraryFileIdentifier") == "F1"
    assert root.findtext("MessageBody/QualificationValidity") == "3"
    result = root.find("MessageBody/ResultList/ResultOfQualificationConfirmation")
    assert result.findtext("Name") == "鈴木　花子"
    assert result.findtext("NameKana") == HALF_WIDTH_KANA_NAME


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("UTF-8", "●橋　德子"), ("Shift_JIS", "●橋　●子")],
    ids=["utf-8: 德 passes through", "shift_jis: JIS X 0208 only"],
)
def test_an_unsupported_kanji_comes_back_as_a_black_circle(oqs, encoding, expected) -> None:
    response = post(oqs, world.request_xml(world.SEARCHES["1"], encoding=encoding), login(oqs))

    name = parse(response, encoding).findtext(
        "MessageBody/ResultList/ResultOfQualificationConfirmation/Name")
    assert name == expected  # 髙 is outside JIS X 0208 in both


def test_the_registry_keeps_the_true_name(oqs) -> None:
    post(oqs, world.request_xml(world.SEARCHES["1"]), login(oqs))

    engine = oqs.application.extensions["oqs"].engine
    with engine.connect() as connection:
        names = connection.execute(select(schema.qualifications.c.name)).scalars().all()
    assert "髙橋　德子" in names


def test_the_arbitrary_identifier_is_echoed_in_the_search_info_and_the_result(oqs) -> None:
    body = world.request_xml(dict(world.SEARCHES["1"], ArbitraryIdentifier="患者0001"),
                             encoding="Shift_JIS")

    root = parse(post(oqs, body, login(oqs)), "Shift_JIS")

    assert root.findtext("MessageBody/QualificationConfirmSearchInfo/ArbitraryIdentifier") == (
        "患者0001")
    assert root.findtext(
        "MessageBody/ResultList/ResultOfQualificationConfirmation/ArbitraryIdentifier") == (
        "患者0001")


def test_each_validity_value_through_the_file_interface(oqs) -> None:
    token = login(oqs)

    answers = {v: parse(post(oqs, world.request_xml(s), token), "UTF-8").findtext(
        "MessageBody/QualificationValidity") for v, s in world.SEARCHES.items()}

    assert answers == {v: v for v in world.SEARCHES}


# -- refusals and hostile input -----------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<XmlMsg><MessageHeader><MedicalInstitutionCode>&lol3;</MedicalInstitutionCode></MessageHeader>
</XmlMsg>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<XmlMsg><MessageHeader><MedicalInstitutionCode>&xxe;</MedicalInstitutionCode></MessageHeader>
</XmlMsg>"""
DEEP = b"<XmlMsg>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</XmlMsg>"
INVALID_SHIFT_JIS = ('<?xml version="1.0" encoding="Shift_JIS"?><XmlMsg><x>'.encode("ascii")
                     + b"\x81\xff\x82" + b"</x></XmlMsg>")
WRONG_ROOT = b"<Message><MessageHeader/></Message>"
NO_HEADER_DATE = world.request_xml(world.SEARCHES["1"]).replace(
    b"<QualificationConfirmationDate>20260401</QualificationConfirmationDate>", b"")
LETTERS_IN_DATE = world.request_xml(world.SEARCHES["1"], confirm_date="2026O4O1")
UNKNOWN_ENCODING = b'<?xml version="1.0" encoding="EUC-JP"?><XmlMsg/>'
NOT_XML = b"\x00\x01 definitely not xml"


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        (BILLION_LAUGHS, "E3001", "DTD"),
        (EXTERNAL_ENTITY, "E3001", "DTD"),
        (DEEP, "E3001", "形式"),
        (INVALID_SHIFT_JIS, "E3007", "バイト目"),
        (UNKNOWN_ENCODING, "E3007", "euc-jp"),
        (WRONG_ROOT, "E3001", "/Message"),
        (NO_HEADER_DATE, "E3005", "QualificationConfirmationDate"),
        (LETTERS_IN_DATE, "E3004", "QualificationConfirmationDate"),
        (NOT_XML, "E3001", "形式"),
        (b"", "E3001", "形式"),
    ],
    ids=["billion laughs", "external entity", "deeply nested", "invalid shift_jis bytes",
         "unknown encoding", "wrong root", "missing required element", "letters in a date",
         "not xml", "empty body"],
)
def test_hostile_or_broken_input_gets_an_err_file_and_changes_nothing(oqs, body, code, words):
    token = login(oqs)
    before = _row_counts(oqs)

    response = post(oqs, body, token)

    root = parse(response, "Shift_JIS" if body is INVALID_SHIFT_JIS else "UTF-8")
    assert response.status_code == 422
    assert response.headers["X-OQS-File-Name"] == "OQSsiquc01req_20260401090000001.err"
    assert root.findtext("MessageHeader/SegmentOfResult") == "9"
    assert root.findtext("MessageHeader/ErrorCode") == code
    assert words in root.findtext("MessageHeader/ErrorMessage")
    assert _row_counts(oqs) == before


def test_a_50_megabyte_body_is_refused_before_it_is_read(oqs) -> None:
    token = login(oqs)
    before = _row_counts(oqs)

    response = post(oqs, b"<" * (50 * 1024 * 1024), token)

    root = parse(response, "UTF-8")
    assert response.status_code == 422
    assert root.findtext("MessageHeader/ErrorCode") == "E3008"
    assert "20000000" in root.findtext("MessageHeader/ErrorMessage")
    assert _row_counts(oqs) == before


def test_an_unknown_file_kind_is_refused(oqs) -> None:
    response = post(oqs, world.request_xml(world.SEARCHES["1"]), login(oqs),
                    path="/oqs/files/OQSxxxxx01req_1.xml")

    assert response.status_code == 422
    assert response.headers["X-OQS-File-Name"] == "OQSxxxxx01req_1.err"
    assert parse(response, "UTF-8").findtext("MessageHeader/ErrorCode") == "E3002"


def test_a_file_without_a_token_is_refused_as_unauthenticated(oqs) -> None:
    response = post(oqs, world.request_xml(world.SEARCHES["1"]), None)

    assert response.status_code == 401
    assert parse(response, "UTF-8").findtext("MessageHeader/ErrorCode") == "E5003"


def test_a_file_for_another_institution_is_forbidden_in_the_requests_encoding(oqs) -> None:
    body = world.request_xml(world.SEARCHES["1"], encoding="Shift_JIS",
                             institution_code=world.DENTAL.code)

    response = post(oqs, body, login(oqs))

    root = parse(response, "Shift_JIS")
    assert response.status_code == 403
    assert root.findtext("MessageHeader/ErrorCode") == "E5001"
    assert root.findtext("MessageHeader/CharacterCodeIdentifier") == "1"


def _row_counts(client) -> dict[str, int]:
    engine = client.application.extensions["oqs"].engine
    with engine.connect() as connection:
        return {t.name: connection.execute(select(func.count()).select_from(t)).scalar()
                for t in schema.metadata.sorted_tables}
