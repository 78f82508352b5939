"""照会番号 registration (OQSsiimm01req_) and the ReferenceNumber it puts in later results."""

from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import func, select

from simulator import schema
from simulator.store import SqlUnitOfWork
from tests.builders import KOKUHO, person, record
from tests.e2e import world
from tests.e2e.conftest import SEARCH, login

REGISTER = "/oqs/files/OQSsiimm01req_20260401090000001.xml"
QUALIFICATION_FILE = "/oqs/files/OQSsiquc01req_20260401090000002.xml"
RESULT = "MessageBody/ResultList/ResultOfQualificationConfirmation"
# The card items of the valid person of the world (no birthdate: 照会番号 requests carry none).
VALID_CARD = {"InsurerNumber": "06130017", "InsuredCardSymbol": "1234",
              "InsuredIdentificationNumber": "5678"}
TWINS_CARD = {"InsurerNumber": "06130017", "InsuredCardSymbol": "3000",
              "InsuredIdentificationNumber": "21"}


def registration_xml(info: dict[str, str], *, institution_code: str = world.CLINIC.code,
                     encoding: str = "UTF-8", **header: str) -> bytes:
    """An OQSsiimm01req file in ``encoding``."""
    head = "".join(f"<{k}>{v}</{k}>" for k, v in
                   {"MedicalInstitutionCode": institution_code, **header}.items())
    body = "".join(f"<{k}>{v}</{k}>" for k, v in info.items())
    text = (f'<?xml version="1.0" encoding="{encoding}" standalone="no"?>\n'
            f"<XmlMsg><MessageHeader>{head}</MessageHeader><MessageBody>"
            f"<ReferenceNumberRegistrationInfo>{body}</ReferenceNumberRegistrationInfo>"
            f"</MessageBody></XmlMsg>")
    return text.encode("cp932" if encoding == "Shift_JIS" else "utf-8")


def register(client, token: str, number: str, card: dict[str, str] = VALID_CARD, **options):
    response = client.post(REGISTER, data=registration_xml(
        {"ReferenceNumber": number, **card}, **options),
        headers={"Authorization": token}, content_type="application/xml")
    return response, etree.fromstring(response.data)


def code_of(client, name: str) -> str:
    return client.application.extensions["oqs"].catalogue[name].code


def web_results(client, token: str, search: dict[str, str], **header) -> list[dict]:
    response = client.post(SEARCH, json=world.request_tree(search, **header),
                           headers={"Authorization": token})
    body = response.get_json()["XmlMsg"]["MessageBody"]
    return [item["ResultOfQualificationConfirmation"] for item in body.get("ResultList", [])]


def file_result(client, token: str, search: dict[str, str]) -> etree._Element:
    response = client.post(QUALIFICATION_FILE, data=world.request_xml(search),
                           headers={"Authorization": token}, content_type="application/xml")
    return etree.fromstring(response.data).find(RESULT)


def counts(client) -> dict[str, int]:
    engine = client.application.extensions["oqs"].engine
    with engine.connect() as connection:
        return {t.name: connection.execute(select(func.count()).select_from(t)).scalar()
                for t in (schema.reference_numbers, schema.audit_entries)}


# -- registering -------------------------------------------------------------------------------


def test_a_registration_is_answered_with_the_number_it_stored(oqs) -> None:
    response, root = register(oqs, login(oqs), "KARTE-0001", ArbitraryFileIdentifier="F9")

    assert response.status_code == 200
    assert response.headers["X-OQS-File-Name"] == "OQSsiimm01res_20260401090000001.xml"
    assert [child.tag for child in root.find("MessageHeader")] == [
        "ProcessExecutionTime", "MedicalInstitutionCode", "ArbitraryFileIdentifier",
        "SegmentOfResult", "CharacterCodeIdentifier"]
    assert root.findtext("MessageHeader/ProcessExecutionTime") == "20260401090000"
    assert root.findtext("MessageHeader/MedicalInstitutionCode") == world.CLINIC.code
    assert root.findtext("MessageHeader/ArbitraryFileIdentifier") == "F9"
    assert root.findtext("MessageHeader/SegmentOfResult") == "1"
    assert root.findtext("MessageBody/ProcessingResultStatus") == "1"
    assert root.find("MessageBody/ProcessingResultCode") is None
    assert root.findtext("MessageBody/ReferenceNumber") == "KARTE-0001"


def test_the_registering_institution_sees_its_number_in_web_api_and_file_results(oqs) -> None:
    clinic = login(oqs)
    register(oqs, clinic, "KARTE-0001")

    (web,) = web_results(oqs, clinic, world.SEARCHES["1"])
    in_file = file_result(oqs, clinic, world.SEARCHES["1"])

    assert web["ReferenceNumber"] == "KARTE-0001"
    assert in_file.findtext("ReferenceNumber") == "KARTE-0001"


def test_another_institution_never_sees_the_number(oqs) -> None:
    register(oqs, login(oqs), "KARTE-0001")
    dental = login(oqs, "dental")

    (web,) = web_results(oqs, dental, world.SEARCHES["1"],
                         institution_code=world.DENTAL.code)

    assert "ReferenceNumber" not in web


def test_each_institution_sees_only_its_own_number(oqs) -> None:
    clinic, dental = login(oqs), login(oqs, "dental")
    register(oqs, clinic, "CLINIC-1")
    register(oqs, dental, "DENTAL-1", institution_code=world.DENTAL.code)

    (for_clinic,) = web_results(oqs, clinic, world.SEARCHES["1"])
    (for_dental,) = web_results(oqs, dental, world.SEARCHES["1"],
                                institution_code=world.DENTAL.code)

    assert (for_clinic["ReferenceNumber"], for_dental["ReferenceNumber"]) == (
        "CLINIC-1", "DENTAL-1")


def test_a_second_registration_replaces_the_number(oqs) -> None:
    token = login(oqs)
    register(oqs, token, "OLD-1")

    register(oqs, token, "NEW-2")

    (web,) = web_results(oqs, token, world.SEARCHES["1"])
    assert web["ReferenceNumber"] == "NEW-2"
    assert counts(oqs)["reference_numbers"] == 1


def test_a_shift_jis_registration_keeps_a_japanese_number(oqs) -> None:
    token = login(oqs)

    response, root = register(oqs, token, "カルテ１２３", encoding="Shift_JIS")

    assert response.content_type == "application/xml; charset=Shift_JIS"
    assert root.findtext("MessageHeader/CharacterCodeIdentifier") == "1"
    assert root.findtext("MessageBody/ReferenceNumber") == "カルテ１２３"
    assert web_results(oqs, token, world.SEARCHES["1"])[0]["ReferenceNumber"] == "カルテ１２３"


def test_a_lost_qualification_still_names_its_person(oqs) -> None:
    token = login(oqs)
    lost = {"InsurerNumber": "01130012", "InsuredCardSymbol": "7001",
            "InsuredIdentificationNumber": "99"}

    _, root = register(oqs, token, "LOST-1", lost)

    assert root.findtext("MessageBody/ProcessingResultStatus") == "1"
    assert web_results(oqs, token, world.SEARCHES["2"])[0]["ReferenceNumber"] == "LOST-1"


@pytest.mark.parametrize("insurer", ["  138057", "00138057", "138057"],
                         ids=["space-padded", "zero-padded", "bare"])
def test_a_kokuho_number_names_its_person_however_it_is_padded(oqs, insurer) -> None:
    token = login(oqs)
    engine = oqs.application.extensions["oqs"].engine
    with SqlUnitOfWork(engine) as uow:
        person_id = uow.repo.add_person(person())
        uow.repo.add_qualification(record(person_id, insurer=KOKUHO, symbol="12-34",
                                          number="77"))
        uow.commit()

    _, root = register(oqs, token, "PAD-1", {"InsurerNumber": insurer,
                                             "InsuredIdentificationNumber": "77"})

    assert root.findtext("MessageBody/ProcessingResultStatus") == "1"
    assert root.findtext("MessageBody/ReferenceNumber") == "PAD-1"


def test_twins_registered_by_branch_each_show_their_own_number_in_a_multiple_result(oqs):
    token = login(oqs)
    register(oqs, token, "TWIN-A", {**TWINS_CARD, "InsuredBranchNumber": "01"})
    register(oqs, token, "TWIN-B", {**TWINS_CARD, "InsuredBranchNumber": "2"})

    results = web_results(oqs, token, world.SEARCHES["5"])

    assert [(r["InsuredBranchNumber"], r["ReferenceNumber"]) for r in results] == [
        ("01", "TWIN-A"), ("02", "TWIN-B")]


def test_one_twin_registered_shows_the_number_on_that_twin_only(oqs) -> None:
    token = login(oqs)
    register(oqs, token, "TWIN-B", {**TWINS_CARD, "InsuredBranchNumber": "02"})

    results = web_results(oqs, token, world.SEARCHES["5"])

    assert [r.get("ReferenceNumber") for r in results] == [None, "TWIN-B"]


def test_a_registration_is_audited(oqs) -> None:
    register(oqs, login(oqs), "KARTE-0001")

    engine = oqs.application.extensions["oqs"].engine
    with engine.connect() as connection:
        (entry,) = connection.execute(select(schema.audit_entries)).all()
    assert (entry.institution_code, entry.kind, entry.route, entry.basis, entry.outcome) == (
        world.CLINIC.code, "reference_number", "file", "none", "ok")
    assert entry.person_id is not None


# -- refused items: status 2, nothing stored ---------------------------------------------------

TOO_LONG = "X" * 51


@pytest.mark.parametrize(
    ("number", "card", "code", "field"),
    [
        ("R-1", {**VALID_CARD, "InsuredIdentificationNumber": "9999"}, "person_not_found", None),
        ("R-1", TWINS_CARD, "person_multiple", None),
        (TOO_LONG, VALID_CARD, "invalid_input", "ReferenceNumber"),
        ("", VALID_CARD, "required", "ReferenceNumber"),
        ("R-1", {**VALID_CARD, "InsurerNumber": "06130018"}, "check_digit", "InsurerNumber"),
        ("R-1", {**VALID_CARD, "InsuredBranchNumber": "123"}, "invalid_input",
         "InsuredBranchNumber"),
        ("R-1", {**VALID_CARD, "InsuredIdentificationNumber": ""}, "required",
         "InsuredIdentificationNumber"),
        ("R-1", {**VALID_CARD, "InsurerNumber": "39131016", "InsuredIdentificationNumber":
                 "12345678"}, "check_digit", "InsuredIdentificationNumber"),
    ],
    ids=["unknown person", "twins without branch", "number of 51 characters", "no number",
         "bad insurer check digit", "branch of 3 digits", "no card number",
         "bad 後期高齢 number check digit"],
)
def test_a_refused_item_is_status_2_with_its_code_and_stores_nothing(
    oqs, number, card, code, field
) -> None:
    token = login(oqs)

    response, root = register(oqs, token, number, card)

    assert response.status_code == 200
    assert response.headers["X-OQS-File-Name"] == "OQSsiimm01res_20260401090000001.xml"
    assert root.findtext("MessageHeader/SegmentOfResult") == "1"
    assert root.findtext("MessageBody/ProcessingResultStatus") == "2"
    assert root.findtext("MessageBody/ProcessingResultCode") == code_of(oqs, code)
    assert (field or "") in root.findtext("MessageBody/ProcessingResultMessage")
    assert root.findtext("MessageBody/ReferenceNumber") == (number or None)
    assert counts(oqs) == {"reference_numbers": 0, "audit_entries": 0}


def test_a_number_of_50_characters_is_accepted(oqs) -> None:
    _, root = register(oqs, login(oqs), "X" * 50)

    assert root.findtext("MessageBody/ProcessingResultStatus") == "1"


# -- envelope problems: .err -------------------------------------------------------------------


def test_a_registration_for_another_institution_is_forbidden(oqs) -> None:
    response, root = register(oqs, login(oqs), "R-1", institution_code=world.DENTAL.code)

    assert response.status_code == 403
    assert response.headers["X-OQS-File-Name"] == "OQSsiimm01req_20260401090000001.err"
    assert root.findtext("MessageHeader/SegmentOfResult") == "9"
    assert root.findtext("MessageHeader/ErrorCode") == code_of(oqs, "institution_mismatch")
    assert counts(oqs) == {"reference_numbers": 0, "audit_entries": 0}


def test_a_registration_without_its_info_element_is_an_err_file(oqs) -> None:
    body = (b'<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader>'
            b"<MedicalInstitutionCode>1311000002</MedicalInstitutionCode>"
            b"<ArbitraryFileIdentifier>F1</ArbitraryFileIdentifier></MessageHeader>"
            b"<MessageBody/></XmlMsg>")

    response = oqs.post(REGISTER, data=body, headers={"Authorization": login(oqs)},
                        content_type="application/xml")

    root = etree.fromstring(response.data)
    assert response.status_code == 422
    assert root.findtext("MessageHeader/ErrorCode") == code_of(oqs, "required")
    assert "ReferenceNumberRegistrationInfo" in root.findtext("MessageHeader/ErrorMessage")
    assert root.findtext("MessageHeader/ArbitraryFileIdentifier") == "F1"


def test_a_registration_without_a_token_is_unauthenticated(oqs) -> None:
    response = oqs.post(REGISTER, data=registration_xml({"ReferenceNumber": "R", **VALID_CARD}),
                        content_type="application/xml")

    assert response.status_code == 401
    assert counts(oqs) == {"reference_numbers": 0, "audit_entries": 0}
