"""The confirmation service with a fake unit of work and a fixed clock (fakes, not mocks)."""

from __future__ import annotations

import datetime as dt

from simulator.clock import FixedClock
from simulator.registry import services
from simulator.registry.model import Validity
from tests.builders import at, query, record


class FakeRepository:
    def __init__(self, records) -> None:
        self.records = list(records)

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
        uow=uow, clock=FixedClock(at(2026, 4, 8)), query=query(late, day=dt.date(2026, 4, 8))
    )
    after = services.confirm_by_insurance_card(
        uow=uow, clock=FixedClock(at(2026, 4, 9)), query=query(late, day=dt.date(2026, 4, 8))
    )

    assert before.validity == Validity.NOT_FOUND
    assert after.validity == Validity.VALID
    assert after.as_of == at(2026, 4, 9)


def test_a_lookup_reads_in_one_transaction_and_writes_nothing() -> None:
    uow = FakeUnitOfWork([record()])

    services.confirm_by_insurance_card(
        uow=uow, clock=FixedClock(at(2026, 4, 10)), query=query(day=dt.date(2026, 4, 10))
    )

    assert (uow.entered, uow.committed) == (1, 0)
