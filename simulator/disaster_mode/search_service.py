"""The search without a card, as a use case: validate, find the basis, search, audit.

One request at business now, in one transaction. A malformed request raises
:class:`InvalidInput` before anything is read (nothing audited). Without a disaster declaration
covering the institution or its emergency mode, the answer is the refusal
``disaster_not_covered``, audited with basis none. Otherwise every person found gets an audit
entry (kind ``search``, route ``emergency``, the basis and its id, count = persons found); a
search finding nobody is audited once without a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ..clock import Clock
from ..registry.lookup import AuditEntry
from ..registry.services import UnitOfWork
from .access import Basis, special_basis_in
from .search import Candidate, candidates, search_query

__all__ = ["SearchAnswer", "search_without_card"]


@dataclass(frozen=True, slots=True)
class SearchAnswer:
    as_of: dt.datetime
    refusal: str | None = None
    basis: Basis | None = None
    candidates: tuple[Candidate, ...] = ()


def _audits(answer: SearchAnswer, institution: str) -> list[AuditEntry]:
    basis = answer.basis
    common = dict(basis=basis.name if basis else "none", basis_id=basis.id if basis else None,
                  outcome=answer.refusal or "ok", count=len(answer.candidates))
    people = [c.person_id for c in answer.candidates] or [None]
    return [AuditEntry(answer.as_of, institution, "search", "emergency", person_id=person,
                       **common) for person in people]


def search_without_card(*, uow: UnitOfWork, clock: Clock, institution: str,
                        request: Mapping[str, object]) -> SearchAnswer:
    """Find the patients matching ``request`` (values by element name) for ``institution``.

    :raises InvalidInput: for a malformed request.
    """
    query = search_query(request)
    as_of = clock.now()
    with uow:
        basis = special_basis_in(uow.repo, institution=institution, at=as_of)
        if basis is None:
            answer = SearchAnswer(as_of, "disaster_not_covered")
        else:
            found = candidates(uow.repo.records_born(query.birthdate), query, as_of=as_of)
            answer = SearchAnswer(as_of, basis=basis, candidates=tuple(found))
        for entry in _audits(answer, institution):
            uow.repo.add_audit(entry)
        uow.commit()
    return answer
