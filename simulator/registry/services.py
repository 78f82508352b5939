"""Use cases of the registry. Each takes its dependencies keyword-only and owns its transaction."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from . import rules
from .lookup import AuditEntry, Confirmation, InsuranceCardQuery, PersonQuery

if TYPE_CHECKING:
    from ..clock import Clock
    from ..store import Repository

__all__ = ["UnitOfWork", "confirm_by_insurance_card", "confirm_by_person"]


class UnitOfWork(Protocol):
    repo: Repository

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc) -> None: ...
    def commit(self) -> None: ...


def confirm_by_insurance_card(
    *, uow: UnitOfWork, clock: Clock, query: InsuranceCardQuery, institution: str
) -> Confirmation:
    """Confirm a qualification by insurance-card items (照会区分 2) for ``institution`` at the
    business time now, with its 照会番号 of each person shown, and audit the lookup.

    One transaction reads the candidates and the 照会番号 and writes the audit trail: one
    entry per person shown (kind qualification, route insurance_card, basis none, count = the
    number of results), or one without a person when nothing was found. A request refused
    before the lookup (a bad check digit or date: ProcessingResultStatus 2 at the interface)
    never reaches this service and is not audited, since nothing was looked up.
    """
    with uow:
        as_of = clock.now_on(uow.repo.connection)
        records = uow.repo.candidates(
            insurer=query.insurer_number, number=query.number, birthdate=query.birthdate
        )
        confirmation = rules.confirm_by_insurance_card(records, query=query, as_of=as_of)
        persons = [q.person_id for q in confirmation.results]
        numbers = uow.repo.reference_numbers(institution=institution, person_ids=persons)
        for person_id in persons or [None]:
            uow.repo.add_audit(AuditEntry(
                as_of, institution, "qualification", "insurance_card", person_id=person_id,
                count=len(persons)))
        uow.commit()
    return replace(confirmation, reference_numbers=tuple(numbers.items()))


def confirm_by_person(*, uow: UnitOfWork, clock: Clock, query: PersonQuery) -> Confirmation:
    """Confirm the qualification of a person a card identified (照会区分 1) at business now."""
    as_of = clock.now()
    with uow:
        records = uow.repo.records_of(query.person_id)
    return rules.confirm_by_person(records, query=query, as_of=as_of)
