"""The confirmation service with a fake unit of work and a fixed clock (fakes, not mocks)."""

from __future__ import annotations

import datetime as dt

from simulator.clock import FixedClock
from simulator.registry import services
from simulator.registry.model import Validity
from tests.builders import at, query, record

CLINIC = "1311000002"


class FakeRepository:
    connection = None  # the clock reads on it; a FixedClock needs none

    def __init__(self, records) -> None:
        self.records = list(records)
        self.audit: list = []

    def reference_numbers(self, *, institution, person_ids):
        return {}

    def add_audit(self, entry) -> int:
        self.audit.append(entry)
        return len(self.audit)

    def candidates(self, *, insurer, number, birthdate):
        persons = {
            r.person_id
            for r in self.records
            if (r.insurer.number, r.number, r.birthdate) == (insurer, number, birthdate)
        }
        return [r for r in self.records if r.person_id in persons]


class FakeUnitOfWork:
    def __init__(self, records) -> None:
        self.repo = FakeRepository(records)
        self.entered = self.committed = 0

    def __enter__(self):
        self.entered += 1
        return self

    def __exit__(self, *exc) -> None:
        pass

    def commit(self) -> None:
        self.committed += 1


def test_the_service_confirms_at_the_business_time_of_the_clock() -> None:
    late = record(registered_at=at(2026, 4, 9))
    uow = FakeUnitOfWork([late])

    before = services.confirm_by_insurance_card(
        uow=uow, clock=FixedClock(at(2026, 4, 8)), query=query(late, day=dt.date(2026, 4, 8)),
        institution=CLINIC,
    )
    after = services.confirm_by_insurance_card(
        uow=uow, clock=FixedClock(at(2026, 4, 9)), query=query(late, day=dt.date(2026, 4, 8)),
        institution=CLINIC,
    )

    assert before.validity == Validity.NOT_FOUND
    assert after.validity == Validity.VALID
    assert after.as_of == at(2026, 4, 9)


def test_a_lookup_reads_and_writes_its_audit_entry_in_one_transaction() -> None:
    uow = FakeUnitOfWork([record()])

    services.confirm_by_insurance_card(
        uow=uow, clock=FixedClock(at(2026, 4, 10)), query=query(day=dt.date(2026, 4, 10)),
        institution=CLINIC,
    )

    assert (uow.entered, uow.committed) == (1, 1)
    (entry,) = uow.repo.audit
    assert (entry.at, entry.institution_code, entry.person_id, entry.kind, entry.route,
            entry.basis, entry.count) == (
        at(2026, 4, 10), CLINIC, 1, "qualification", "insurance_card", "none", 1)
