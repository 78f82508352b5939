"""薬剤情報 and 特定健診 through the XML file interface, on a known store (medical_world.py).

Golden files hold whole answers for clinic A (ProcessExecutionTime comes from the fixed business
clock). Regenerate after a deliberate format change with
``OQS_UPDATE_GOLDEN=1 pytest tests/e2e/test_medical_files.py`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select

from simulator import schema
from tests.e2e import medical_world as mw
from tests.e2e.conftest import login

GOLDEN = Path(__file__).with_name("golden")
DRUG_FILE = "/oqs/files/YZKsiquc01req_02260401090000001.xml"
CHECKUP_FILE = "/oqs/files/TKKsiquc01req_02260401090000001.xml"
PATHS = {"drug": DRUG_FILE, "checkup": CHECKUP_FILE}


def post(client, kind: str, body: bytes, *, user: str = "clinic"):
    return client.post(PATHS[kind], data=body, headers={"Authorization": login(client, user)},
                       content_type="application/xml")


def audit_rows(client) -> list:
    engine = client.application.extensions["oqs"].engine
    with engine.connect() as connection:
        return connection.execute(
            select(schema.audit_entries).order_by(schema.audit_entries.c.id)).all()


def _compare(name: str, actual: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("OQS_UPDATE_GOLDEN") == "1":
        path.write_bytes(actual)
    assert path.exists(), f"{name} missing: run with OQS_UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_bytes()


GOLDEN_CASES = {
    "drug-utf8.xml": ("drug", "UTF-8", "clinic"),
    "drug-shift_jis.xml": ("drug", "Shift_JIS", "clinic"),
    "checkup-utf8.xml": ("checkup", "UTF-8", "clinic"),
    "checkup-shift_jis.xml": ("checkup", "Shift_JIS", "clinic"),
    "drug-consent-missing-shift_jis.xml": ("drug", "Shift_JIS", "dental"),
}
_INSTITUTIONS = {"clinic": mw.CLINIC_A, "dental": mw.CLINIC_B}


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_the_answers_match_their_golden_files(medical, name) -> None:
    kind, encoding, user = GOLDEN_CASES[name]
    body = mw.request_xml(kind, mw.HANAKO_CARD, encoding=encoding,
                          institution=_INSTITUTIONS[user])

    response = post(medical, kind, body, user=user)

    assert response.status_code == 200
    assert response.headers["X-OQS-File-Name"] == PATHS[kind].rsplit("/", 1)[1].replace(
        "req_", "res_")
    _compare(name, response.data)


def test_the_drug_answer_leaves_out_a_claim_in_its_lag_and_one_older_than_3_years(
        medical) -> None:
    root = etree.fromstring(post(medical, "drug", mw.request_xml("drug", mw.HANAKO_CARD)).data)

    codes = [e.text for e in root.iter("DrugC", "CzDrugC", "ShDrugC")]
    assert codes == ["620098801", "610407447", "620004391", "620004357"]
    assert root.findtext("MessageHeader/ResultCode") == "1"
    assert root.findtext("MessageHeader/QuaInf/Name") == "佐々木　花子"
    assert root.findtext("MessageBody/MeTrMonthInf/MeTrMonth") == "202601"
    assert root.findtext("MessageBody/CzDiInf/CzDiMonthInf/CzPrIsOrg") == "1"


def test_the_month_filter_keeps_only_the_months_asked_for(medical) -> None:
    body = mw.request_xml("drug", mw.HANAKO_CARD, StartDate="202603", EndDate="202603")

    root = etree.fromstring(post(medical, "drug", body).data)

    assert [e.text for e in root.iter("CzDrugC", "ShDrugC", "DrugC")] == [
        "620004391", "620004357"]


def test_the_checkup_answer_leaves_out_one_not_yet_uploaded_and_one_older_than_5_years(
        medical) -> None:
    root = etree.fromstring(post(medical, "checkup",
                                 mw.request_xml("checkup", mw.HANAKO_CARD)).data)

    dates = [e.text for e in root.iter("EffectiveTime")]
    assert dates == ["20250610", "20210401"]
    first = root.find("MessageBody/SpecificHealthCheckupInfo")
    metabolic = [i for i in first.iter("HealthCheckupResultAndQuestionInfo")
                 if i.findtext("ItemCode") == "9N501000000000011"][0]
    assert metabolic.findtext("DataValueName") == "予備群該当"
    assert metabolic.findtext("Oid") == "1.2.392.200119.6.1008"
    assert root.findtext("MessageHeader/QualificationsInfo/KanasName") == "ｻｻｷ ﾊﾅｺ"


def _refused(response, name: str, catalogue) -> etree._Element:
    assert response.status_code == 200
    root = etree.fromstring(response.data)
    assert root.findtext("MessageHeader/ResultCode") == catalogue[name].code
    assert root.find("MessageBody") is None
    assert root.find("MessageHeader/QuaInf") is None
    assert root.find("MessageHeader/QualificationsInfo") is None
    return root


@pytest.mark.parametrize("kind", ["drug", "checkup"])
def test_clinic_b_without_consent_is_refused(medical, kind) -> None:
    body = mw.request_xml(kind, mw.HANAKO_CARD, institution=mw.CLINIC_B)

    response = post(medical, kind, body, user="dental")

    catalogue = medical.application.extensions["oqs"].catalogue
    root = _refused(response, "consent_missing", catalogue)
    assert root.findtext("MessageHeader/MessageContents") == catalogue["consent_missing"].message


@pytest.mark.parametrize("kind", ["drug", "checkup"])
def test_a_consent_is_refused_from_the_instant_it_expires(medical, kind) -> None:
    medical.clock.instant = mw.CONSENT_ENDS - dt.timedelta(seconds=1)
    still = post(medical, kind, mw.request_xml(kind, mw.HANAKO_CARD))
    medical.clock.instant = mw.CONSENT_ENDS
    expired = post(medical, kind, mw.request_xml(kind, mw.HANAKO_CARD))

    assert etree.fromstring(still.data).findtext("MessageHeader/ResultCode") == "1"
    _refused(expired, "consent_missing", medical.application.extensions["oqs"].catalogue)


@pytest.mark.parametrize(("kind", "category"), [("drug", "1"), ("drug", "3"), ("checkup", "1")])
def test_a_pdf_is_refused(medical, kind, category) -> None:
    body = mw.request_xml(kind, mw.HANAKO_CARD, file_category=category)

    root = _refused(post(medical, kind, body), "file_category_unsupported",
                    medical.application.extensions["oqs"].catalogue)

    assert f"FileCategory={category}" in root.findtext("MessageHeader/MessageContents")


def test_drug_and_clinical_xml_is_answered_with_the_drug_xml(medical) -> None:
    both = post(medical, "drug", mw.request_xml("drug", mw.HANAKO_CARD, file_category="4"))
    drug = post(medical, "drug", mw.request_xml("drug", mw.HANAKO_CARD))

    assert both.data == drug.data


@pytest.mark.parametrize("kind", ["drug", "checkup"])
def test_twins_without_a_branch_number_are_refused_as_several_persons(medical, kind) -> None:
    root = _refused(post(medical, kind, mw.request_xml(kind, mw.TWINS_CARD)), "person_multiple",
                    medical.application.extensions["oqs"].catalogue)

    assert root.findtext("MessageHeader/ArbitraryFileIdentifier") == f"{kind.upper()}-0001"


@pytest.mark.parametrize("kind", ["drug", "checkup"])
def test_an_unknown_card_is_refused_as_nobody(medical, kind) -> None:
    _refused(post(medical, kind, mw.request_xml(kind, mw.NOBODY_CARD)), "person_not_found",
             medical.application.extensions["oqs"].catalogue)


@pytest.mark.parametrize(("values", "field"), [
    ({"StartDate": "202613"}, "StartDate"),
    ({"StartDate": "202604", "EndDate": "202603"}, "EndDate"),
    ({"MedicalTreatmentFlag": "9"}, "MedicalTreatmentFlag"),
    ({"FileCategory": "7"}, "FileCategory"),
])
def test_a_malformed_value_is_an_err_file_naming_it(medical, values, field) -> None:
    body = mw.request_xml("drug", mw.HANAKO_CARD, **values)

    response = post(medical, "drug", body)

    assert response.status_code == 422
    assert response.headers["X-OQS-File-Name"] == "YZKsiquc01req_02260401090000001.err"
    root = etree.fromstring(response.data)
    assert root.findtext("MessageHeader/SegmentOfResult") == "9"
    assert field in root.findtext("MessageHeader/ErrorMessage")
    assert audit_rows(medical) == []


def test_another_institutions_code_in_the_header_is_forbidden(medical) -> None:
    body = mw.request_xml("checkup", mw.HANAKO_CARD, institution=mw.CLINIC_B)

    response = post(medical, "checkup", body)

    assert response.status_code == 403
    assert audit_rows(medical) == []


def test_every_processed_request_is_audited_with_its_basis(medical) -> None:
    post(medical, "drug", mw.request_xml("drug", mw.HANAKO_CARD))
    post(medical, "checkup", mw.request_xml("checkup", mw.HANAKO_CARD))
    post(medical, "drug", mw.request_xml("drug", mw.HANAKO_CARD, institution=mw.CLINIC_B),
         user="dental")
    post(medical, "checkup", mw.request_xml("checkup", mw.HANAKO_CARD, file_category="1"))
    post(medical, "drug", mw.request_xml("drug", mw.TWINS_CARD))
    post(medical, "checkup", mw.request_xml("checkup", mw.NOBODY_CARD))

    rows = [(r.institution_code, r.person_id, r.kind, r.route, r.basis, r.outcome, r.count)
            for r in audit_rows(medical)]
    hanako = medical.person_id
    a, b = mw.CLINIC_A, mw.CLINIC_B
    assert rows == [
        (a, hanako, "drug", "file", "consent", "ok", mw.SHOWN_DRUGS),
        (a, hanako, "checkup", "file", "consent", "ok", mw.SHOWN_CHECKUPS),
        (b, hanako, "drug", "file", "none", "consent_missing", 0),
        (a, hanako, "checkup", "file", "none", "file_category_unsupported", 0),
        (a, None, "drug", "file", "none", "person_multiple", 0),
        (a, None, "checkup", "file", "none", "person_not_found", 0),
    ]


def test_an_allowed_answer_names_the_consent_it_relied_on(medical) -> None:
    post(medical, "drug", mw.request_xml("drug", mw.HANAKO_CARD))

    engine = medical.application.extensions["oqs"].engine
    with engine.connect() as connection:
        consent_id = connection.execute(
            select(func.min(schema.consents.c.id)).where(schema.consents.c.kind == "drug")).scalar()
    assert [r.basis_id for r in audit_rows(medical)] == [consent_id]


def test_a_broken_tree_is_an_err_file_naming_the_element(medical) -> None:
    body = mw.request_xml("drug", mw.HANAKO_CARD).replace(b"<MessageBody>", b"<MessageBody>"
                                                             b"<FileCategory>2</FileCategory>")

    response = post(medical, "drug", body)

    assert response.status_code == 422
    message = etree.fromstring(response.data).findtext("MessageHeader/ErrorMessage")
    assert "/XmlMsg/MessageBody/FileCategory" in message


HEADER = ["MedicalInstitutionCode", "InsurerNumber", "InsuranceCardSymbol",
          "InsuredPersonIdentificationNumber", "BranchNumber", "ArbitraryFileIdentifier"]
BODY = ["StartDate", "EndDate", "FileCategory", "PrDiInfClassification", "MedicalTreatmentFlag"]
values = st.text(max_size=12) | st.sampled_from(["2", "202604", "06130017", "5000", "31", "00",
                                                 mw.CLINIC_A])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["drug", "checkup"]),
       header=st.dictionaries(st.sampled_from(HEADER), values, max_size=6),
       body=st.dictionaries(st.sampled_from(BODY), values, max_size=5))
def test_any_values_get_a_result_file_or_an_err_file_never_a_500(medical, kind, header,
                                                                 body) -> None:
    def elements(mapping):
        return "".join(f"<{k}>{escape(v)}</{k}>" for k, v in mapping.items())

    text = (f"<XmlMsg><MessageHeader>{elements(header)}</MessageHeader>"
            f"<MessageBody>{elements(body)}</MessageBody></XmlMsg>")

    response = post(medical, kind, text.encode("utf-8"))

    assert response.status_code in (200, 403, 422)
    assert etree.fromstring(response.data).find("MessageHeader") is not None
