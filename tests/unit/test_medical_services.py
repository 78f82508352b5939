"""The drug / checkup request: validation by element name, the basis, and one transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.clock import FixedClock
from simulator.consent.model import Consent, InfoKind, TreatmentFlag
from simulator.medical import service as medical_services
from simulator.registry.errors import InvalidInput
from tests.builders import at, record

CLINIC = "1311000002"
NOW = at(2026, 4, 1, 9, 0)
REQUEST = {"MedicalInstitutionCode": CLINIC, "InsurerNumber": "06130017",
           "InsuranceCardSymbol": "1234", "InsuredPersonIdentificationNumber": "5678",
           "BranchNumber": "00", "StartDate": "202501", "EndDate": "202604",
           "FileCategory": "2", "PrDiInfClassification": "1", "MedicalTreatmentFlag": "1"}


def query(kind=InfoKind.DRUG, **values):
    raw = {k: v for k, v in (REQUEST | values).items() if v is not None}
    return medical_services.medical_query(raw, kind=kind)


def test_a_drug_request_reads_the_card_items_months_and_category() -> None:
    q = query(InsurerNumber="  138057", BranchNumber="1", MedicalTreatmentFlag="2")

    assert (q.insurer_number, q.symbol, q.number, q.branch) == ("138057", "1234", "5678", "01")
    assert (q.start_month, q.end_month, q.file_category) == ("202501", "202604", "2")
    assert q.treatment_flag is TreatmentFlag.HOME_VISIT


def test_optional_elements_may_be_left_out() -> None:
    q = query(InsuranceCardSymbol=None, BranchNumber="", StartDate=None, EndDate=None,
              MedicalTreatmentFlag=None)

    assert (q.symbol, q.branch, q.start_month, q.end_month) == (None, None, None, None)
    assert q.treatment_flag is TreatmentFlag.OUTPATIENT


def test_a_checkup_request_ignores_months() -> None:
    assert query(InfoKind.CHECKUP, StartDate="bad").start_month is None


@pytest.mark.parametrize(("kind", "values", "field"), [
    (InfoKind.DRUG, {"InsurerNumber": "06130018"}, "InsurerNumber"),
    (InfoKind.DRUG, {"InsuredPersonIdentificationNumber": None},
     "InsuredPersonIdentificationNumber"),
    (InfoKind.DRUG, {"InsurerNumber": "39131016",
                      "InsuredPersonIdentificationNumber": "12345678"},
     "InsuredPersonIdentificationNumber"),
    (InfoKind.DRUG, {"BranchNumber": "123"}, "BranchNumber"),
    (InfoKind.DRUG, {"InsuranceCardSymbol": "x" * 21}, "InsuranceCardSymbol"),
    (InfoKind.DRUG, {"FileCategory": None}, "FileCategory"),
    (InfoKind.DRUG, {"FileCategory": "5"}, "FileCategory"),
    (InfoKind.CHECKUP, {"FileCategory": "4"}, "FileCategory"),
    (InfoKind.DRUG, {"MedicalTreatmentFlag": "0"}, "MedicalTreatmentFlag"),
    (InfoKind.DRUG, {"StartDate": "2026-01"}, "StartDate"),
    (InfoKind.DRUG, {"StartDate": "202600"}, "StartDate"),
    (InfoKind.DRUG, {"EndDate": "202613"}, "EndDate"),
    (InfoKind.DRUG, {"StartDate": "202604", "EndDate": "202603"}, "EndDate"),
], ids=lambda v: str(v))
def test_a_malformed_request_names_the_element(kind, values, field) -> None:
    with pytest.raises(InvalidInput) as raised:
        query(kind, **values)

    assert raised.value.field == field


def consent(**overrides) -> Consent:
    values = dict(person_id=1, institution_code=CLINIC, kind=InfoKind.DRUG,
                  given_at=at(2026, 4, 1, 8, 0), available_until=at(2026, 4, 2, 8, 0), id=3)
    return Consent(**(values | overrides))


def test_the_basis_is_the_live_consent_of_that_kind() -> None:
    drug, checkup = query(), query(InfoKind.CHECKUP)

    basis = medical_services.basis_for([consent()], institution=CLINIC, query=drug, at=NOW)

    assert (basis.name, basis.id) == ("consent", 3)
    assert medical_services.basis_for([consent()], institution=CLINIC, query=checkup,
                                      at=NOW) is None
    assert medical_services.basis_for([consent()], institution=CLINIC, query=drug,
                                      at=at(2026, 4, 2, 8, 0)) is None


class FakeRepository:
    def __init__(self) -> None:
        self.records = [record(person_id=1)]
        self.consents = [consent()]
        self.audited = []

    def records_under(self, insurer, number):
        return [r for r in self.records if (r.insurer.number, r.number) == (insurer, number)]

    def records_of(self, person_id):
        return [r for r in self.records if r.person_id == person_id]

    def consents_of(self, person_id, *, institution):
        return [c for c in self.consents if c.institution_code == institution]

    def drugs_of(self, person_id):
        return []

    def add_audit(self, entry) -> None:
        self.audited.append(entry)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.repo = FakeRepository()
        self.entered = self.committed = 0

    def __enter__(self):
        self.entered += 1
        return self

    def __exit__(self, *exc) -> None:
        pass

    def commit(self) -> None:
        self.committed += 1


def test_an_answer_and_its_audit_entry_share_one_transaction() -> None:
    uow = FakeUnitOfWork()

    answer = medical_services.drug_information(uow=uow, clock=FixedClock(NOW),
                                               institution=CLINIC, request=REQUEST)

    assert answer.refusal is None and answer.record == uow.repo.records[0]
    assert (uow.entered, uow.committed) == (1, 1)
    (entry,) = uow.repo.audited
    assert (entry.at, entry.person_id, entry.basis, entry.basis_id, entry.count) == (
        NOW, 1, "consent", 3, 0)


def test_a_malformed_request_reads_and_audits_nothing() -> None:
    uow = FakeUnitOfWork()

    with pytest.raises(InvalidInput):
        medical_services.drug_information(uow=uow, clock=FixedClock(NOW), institution=CLINIC,
                                          request=REQUEST | {"StartDate": "2026"})

    assert (uow.entered, uow.repo.audited) == (0, [])


def test_the_person_is_shown_by_the_record_valid_today() -> None:
    uow = FakeUnitOfWork()
    old = record(person_id=1, valid_to=dt.date(2026, 1, 1), name="旧姓　花子")
    new = record(person_id=1, symbol="9", number="77", valid_from=dt.date(2026, 1, 1))
    uow.repo.records = [old, new]

    answer = medical_services.drug_information(
        uow=uow, clock=FixedClock(NOW), institution=CLINIC, request=REQUEST)

    assert answer.record == new
