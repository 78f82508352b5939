"""一括照会 through the file interface (docs/interfaces.md): upload → 処理中 → result.

The store is tests/e2e/world.py (one person per QualificationValidity 1–5), business time
2026-04-01 09:00. The ``bulk_queries`` job is run by hand between upload and download.
"""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree
from sqlalchemy import func, select

from simulator import create_app, schema
from simulator.clock import FixedClock
from simulator.jobs import run_job
from simulator.registry.model import JST
from tests.e2e import world
from tests.e2e.conftest import ADMIN_TOKEN, login

UPLOAD = "/oqs/files/OQSmuquc01req_20260401090000001.xml"
DOWNLOAD = "/oqs/files/OQSmuquc02req_20260401090000002.xml"
BAD_CHECK_DIGIT = {"InsurerNumber": "06130018", "InsuredCardSymbol": "1234",
                   "InsuredIdentificationNumber": "5678", "Birthdate": "19850510"}
BAD_BIRTHDATE = {**world.SEARCHES["1"], "Birthdate": "1985051"}


def _elements(mapping: dict) -> str:
    return "".join(f"<{k}>{_elements(v) if isinstance(v, dict) else v}</{k}>"
                   for k, v in mapping.items())


def upload_xml(items: list[dict], *, institution: str = world.CLINIC.code,
               encoding: str = "UTF-8", extra: str = "") -> bytes:
    header = _elements({"QualificationConfirmationDate": world.CONFIRM_DATE,
                        "MedicalInstitutionCode": institution,
                        "ArbitraryFileIdentifier": "batch-0401"})
    body = "".join(f"<QualificationConfirmSearchInfo>{_elements(item)}"
                   "</QualificationConfirmSearchInfo>" for item in items)
    text = (f'<?xml version="1.0" encoding="{encoding}"?>\n<XmlMsg><MessageHeader>{header}'
            f"</MessageHeader><MessageBody>{body}{extra}</MessageBody></XmlMsg>")
    return text.encode("cp932" if encoding == "Shift_JIS" else "utf-8")


def download_xml(number: str, *, institution: str = world.CLINIC.code) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader>'
            f"<MedicalInstitutionCode>{institution}</MedicalInstitutionCode></MessageHeader>"
            f"<MessageBody><ReceptionNumber>{number}</ReceptionNumber></MessageBody>"
            "</XmlMsg>").encode()


def items_of_every_validity() -> list[dict]:
    return [{**search, "ArbitraryIdentifier": f"patient-{v}"}
            for v, search in world.SEARCHES.items()]


def post(client, path: str, body: bytes, token: str):
    return client.post(path, data=body, headers={"Authorization": token})


def upload(client, token: str, items: list[dict]) -> str:
    response = post(client, UPLOAD, upload_xml(items), token)
    assert response.status_code == 200, response.data
    assert response.headers["X-OQS-File-Name"] == "OQSmuquc01res_20260401090000001.xml"
    root = etree.fromstring(response.data)
    now = client.application.extensions["oqs"].clock.now().astimezone(JST)
    assert root.findtext("MessageBody/ReceptionDateTime") == f"{now:%Y%m%d%H%M%S}"
    return root.findtext("MessageBody/ReceptionNumber")


def fetch(client, token: str, number: str, **kwargs) -> etree._Element:
    response = post(client, DOWNLOAD, download_xml(number, **kwargs), token)
    assert response.status_code == 200, response.data
    return etree.fromstring(response.data)


def run_bulk(client, **settings) -> int:
    runtime = client.application.extensions["oqs"]
    from simulator.config import Settings
    return run_job("bulk_queries", engine=runtime.engine, clock=runtime.clock,
                   settings=Settings(**settings))


def test_upload_then_processing_then_every_unit_with_its_counts(oqs) -> None:
    token = login(oqs)
    items = [*items_of_every_validity(), {**BAD_CHECK_DIGIT, "ArbitraryIdentifier": "typo"},
             {**BAD_BIRTHDATE, "ArbitraryIdentifier": "bad-date"}]
    number = upload(oqs, token, items)
    assert len(number) == 16 and number.startswith("20260401")

    waiting = fetch(oqs, token, number)
    assert waiting.findtext("MessageHeader/SegmentOfResult") == "2"
    assert waiting.findtext("MessageHeader/ErrorCode") == "I4002"
    assert waiting.findtext("MessageBody/ProcessingResultCode") == "I4002"
    assert "処理中" in waiting.findtext("MessageBody/ProcessingResultMessage")
    assert waiting.find("MessageBody/ProcessingResultStatus") is None  # not a refusal

    assert run_bulk(oqs) == 7
    done = fetch(oqs, token, number)

    header = done.find("MessageHeader")
    assert [header.findtext(t) for t in (
        "SegmentOfResult", "ReceptionNumber", "QualificationConfirmationDate",
        "ArbitraryFileIdentifier", "NumberOfProcessingResult", "NumberOfNormalProcessing",
        "NumberOfError")] == ["1", number, "20260401", "batch-0401", "7", "5", "2"]
    units = done.findall("MessageBody/BulkConfirmUnit")
    assert [u.findtext("QualificationConfirmSearchInfo/ArbitraryIdentifier") for u in units] == [
        "patient-1", "patient-2", "patient-3", "patient-4", "patient-5", "typo", "bad-date"]
    assert [u.findtext("QualificationValidity") for u in units[:5]] == ["1", "2", "3", "4", "5"]
    assert len(units[4].findall("ResultOfQualificationConfirmation")) == 2  # twins
    assert [(u.findtext("ProcessingResultStatus"), u.findtext("ProcessingResultCode"))
            for u in units[5:]] == [("2", "E3003"), ("2", "E3004")]
    assert "Birthdate" in units[6].findtext("ProcessingResultMessage")
    first = units[0].find("ResultOfQualificationConfirmation")
    assert first.findtext("Name") == "●橋　德子"  # 髙 outside the character set, as single
    assert first.find("LimitApplicationCertificateRelatedConsFlg") is None  # the subset only


def limit_flags(root: etree._Element) -> dict[str, list[str]]:
    return {u.findtext("QualificationConfirmSearchInfo/ArbitraryIdentifier"):
            [r.findtext("LimitApplicationCertificateChanged")
             for r in u.findall("ResultOfQualificationConfirmation")]
            for u in root.findall("MessageBody/BulkConfirmUnit")}


def test_limit_certificate_changed_is_unknown_first_then_judged_from_the_last_look(oqs) -> None:
    """OQSCD014: 1 (判定不能) for persons this clinic never confirmed; 0 once it has and the
    限度額 certificates in force are the same. Every route's confirmation counts."""
    token = login(oqs)
    first = upload(oqs, token, items_of_every_validity())
    run_bulk(oqs)
    assert limit_flags(fetch(oqs, token, first)) == {
        "patient-1": ["1"], "patient-2": ["1"], "patient-3": ["1"], "patient-4": [],
        "patient-5": ["1", "1"]}

    oqs.application.extensions["oqs"].clock.advance(dt.timedelta(hours=1))
    other = login(oqs, "dental")  # a clinic that never looked: still 判定不能 for it
    second = upload(oqs, token, items_of_every_validity())
    response = post(oqs, UPLOAD, upload_xml(items_of_every_validity(),
                                            institution=world.DENTAL.code), other)
    theirs = etree.fromstring(response.data).findtext("MessageBody/ReceptionNumber")
    run_bulk(oqs)
    assert limit_flags(fetch(oqs, token, second)) == {
        "patient-1": ["0"], "patient-2": ["0"], "patient-3": ["0"], "patient-4": [],
        "patient-5": ["0", "0"]}
    assert limit_flags(fetch(oqs, other, theirs, institution=world.DENTAL.code))[
        "patient-1"] == ["1"]
    first_result = fetch(oqs, token, second).find(
        "MessageBody/BulkConfirmUnit/ResultOfQualificationConfirmation")
    assert first_result.find("LimitApplicationCertificateRelatedInfo") is None  # never given
    assert first_result[-1].tag == "LimitApplicationCertificateChanged"


def test_a_second_run_processes_nothing_and_duplicates_nothing(oqs) -> None:
    token = login(oqs)
    number = upload(oqs, token, items_of_every_validity())

    assert run_bulk(oqs, bulk_items_per_run=2) == 2
    assert fetch(oqs, token, number).findtext("MessageHeader/SegmentOfResult") == "2"
    assert run_bulk(oqs) == 3
    assert run_bulk(oqs) == 0

    done = fetch(oqs, token, number)
    assert done.findtext("MessageHeader/NumberOfProcessingResult") == "5"
    engine = oqs.application.extensions["oqs"].engine
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(schema.bulk_items)).scalar() == 5


def test_another_institution_cannot_download_the_job(oqs) -> None:
    number = upload(oqs, login(oqs), items_of_every_validity())
    run_bulk(oqs)

    answer = fetch(oqs, login(oqs, "dental"), number, institution=world.DENTAL.code)

    assert answer.findtext("MessageHeader/SegmentOfResult") == "9"
    assert answer.findtext("MessageHeader/ErrorCode") == "E4001"
    assert answer.findtext("MessageBody/ProcessingResultStatus") == "2"
    assert answer.findtext("MessageBody/ProcessingResultMessage") == answer.findtext(
        "MessageHeader/ErrorMessage")
    assert answer.findtext("MessageHeader/ReceptionNumber") is None


def test_an_unknown_reception_number_answers_segment_9(oqs) -> None:
    answer = fetch(oqs, login(oqs), "2026040100000000")

    assert (answer.findtext("MessageHeader/SegmentOfResult"),
            answer.findtext("MessageHeader/ErrorCode")) == ("9", "E4001")


def test_results_expire_after_the_retention_period_in_business_time(oqs) -> None:
    token = login(oqs)
    number = upload(oqs, token, items_of_every_validity())
    run_bulk(oqs, bulk_retention_hours=24)
    clock = oqs.application.extensions["oqs"].clock

    clock.instant = world.BUSINESS_NOW + dt.timedelta(hours=24) - dt.timedelta(seconds=1)
    assert fetch(oqs, token, number).findtext("MessageHeader/SegmentOfResult") == "1"
    clock.instant = world.BUSINESS_NOW + dt.timedelta(hours=24)
    assert fetch(oqs, token, number).findtext("MessageHeader/ErrorCode") == "E4001"


def test_a_malformed_item_becomes_an_error_unit_not_a_refused_file(oqs) -> None:
    token = login(oqs)
    nested = "<QualificationConfirmSearchInfo><InsurerNumber><x>1</x></InsurerNumber>" \
             "<ArbitraryIdentifier>nested</ArbitraryIdentifier></QualificationConfirmSearchInfo>"
    response = post(oqs, UPLOAD, upload_xml(items_of_every_validity()[:1], extra=nested), token)
    number = etree.fromstring(response.data).findtext("MessageBody/ReceptionNumber")
    run_bulk(oqs)

    units = fetch(oqs, token, number).findall("MessageBody/BulkConfirmUnit")

    assert [u.findtext("ProcessingResultStatus") for u in units] == ["1", "2"]
    assert units[1].findtext("ProcessingResultCode") == "E3001"
    assert units[1].findtext("QualificationConfirmSearchInfo/ArbitraryIdentifier") == "nested"


@pytest.fixture
def small(database_url, wall):
    app = create_app({"database_url": database_url, "admin_token": ADMIN_TOKEN,
                      "secret_key": "test-secret", "bulk_max_items": 3},
                     clock=FixedClock(world.BUSINESS_NOW), wall=wall)
    world.build(app.extensions["oqs"].engine)
    yield app.test_client()
    app.extensions["oqs"].engine.dispose()


def test_too_many_items_refuses_the_file_and_stores_nothing(small) -> None:
    response = post(small, UPLOAD, upload_xml(items_of_every_validity()), login(small))

    assert response.status_code == 422
    assert response.headers["X-OQS-File-Name"] == "OQSmuquc01req_20260401090000001.err"
    root = etree.fromstring(response.data)
    assert root.findtext("MessageHeader/ErrorCode") == "E4003"
    assert "3件" in root.findtext("MessageHeader/ErrorMessage")
    engine = small.application.extensions["oqs"].engine
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(schema.bulk_jobs)).scalar() == 0


def test_a_shift_jis_upload_is_answered_in_shift_jis(oqs) -> None:
    token = login(oqs)
    response = post(oqs, UPLOAD, upload_xml(items_of_every_validity(), encoding="Shift_JIS"),
                    token)

    assert response.data.startswith(b'<?xml version="1.0" encoding="Shift_JIS"')


def test_a_shift_jis_download_gets_the_stored_units_in_shift_jis(oqs) -> None:
    token = login(oqs)
    number = upload(oqs, token, items_of_every_validity())
    run_bulk(oqs)
    body = download_xml(number).replace(b'encoding="UTF-8"', b'encoding="Shift_JIS"')

    response = post(oqs, DOWNLOAD, body, token)

    text = response.data.decode("cp932")
    assert text.startswith('<?xml version="1.0" encoding="Shift_JIS"')
    root = etree.fromstring(response.data)
    assert root.findtext("MessageHeader/CharacterCodeIdentifier") == "1"
    # stored under the UTF-8 rules (德 kept), written in Shift_JIS, which lacks 德: as single
    assert root.findtext("MessageBody/BulkConfirmUnit/ResultOfQualificationConfirmation/Name") \
        == "●橋　●子"
