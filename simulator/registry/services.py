"""Use cases of the registry. Each takes its dependencies keyword-only and owns its transaction."""

from __future__ import annotations

from typing import Protocol

from ..clock import Clock
from . import rules
from .model import Confirmation, InsuranceCardQuery, PersonQuery
from .repository import Repository

__all__ = ["UnitOfWork", "confirm_by_insurance_card", "confirm_by_person"]


class UnitOfWork(Protocol):
    repo: Repository

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc) -> None: ...
    def commit(self) -> None: ...


def confirm_by_insurance_card(
    *, uow: UnitOfWork, clock: Clock, query: InsuranceCardQuery
) -> Confirmation:
    """Confirm a qualification by insurance-card items (照会区分 2) at the business time now."""
    as_of = clock.now()
    with uow:
        records = uow.repo.candidates(
            insurer=query.insurer_number, number=query.number, birthdate=query.birthdate
        )
    return rules.confirm_by_insurance_card(records, query=query, as_of=as_of)


def confirm_by_person(*, uow: UnitOfWork, clock: Clock, query: PersonQuery) -> Confirmation:
    """Confirm the qualification of a person a card identified (照会区分 1) at business now."""
    as_of = clock.now()
    with uow:
        records = uow.repo.records_of(query.person_id)
    return rules.confirm_by_person(records, query=query, as_of=as_of)
