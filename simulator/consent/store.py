"""Consents (part of the repository)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .model import Consent, InfoKind, TreatmentFlag, WithdrawReason
from .tables import consents as _c

__all__ = ["ConsentQueries"]


class ConsentQueries:
    """Mixed into :class:`simulator.store.Repository`; works on ``self.connection``."""

    connection: Connection

    def add_consent(self, consent: Consent) -> int:
        result = self.connection.execute(insert(_c).values(
            person_id=consent.person_id,
            institution_code=consent.institution_code,
            kind=consent.kind.value,
            given_at=consent.given_at,
            available_until=consent.available_until,
            treatment_flag=consent.treatment_flag.value,
            withdrawn_at=consent.withdrawn_at,
            withdraw_reason=consent.withdraw_reason.value if consent.withdraw_reason else None,
            source=consent.source,
        ))
        return result.inserted_primary_key[0]

    def consents_of(self, person_id: int, *, institution: str | None = None) -> list[Consent]:
        """The person's consents (for one institution when given), oldest first."""
        statement = select(_c).where(_c.c.person_id == person_id).order_by(_c.c.given_at, _c.c.id)
        if institution is not None:
            statement = statement.where(_c.c.institution_code == institution)
        return [_consent(row) for row in self.connection.execute(statement)]

    def consent(self, consent_id: int) -> Consent | None:
        row = self.connection.execute(select(_c).where(_c.c.id == consent_id)).first()
        return None if row is None else _consent(row)

    def withdraw_consent(self, consent_id: int, *, at: dt.datetime,
                         reason: WithdrawReason) -> None:
        self.connection.execute(
            update(_c).where(_c.c.id == consent_id)
            .values(withdrawn_at=at, withdraw_reason=reason.value)
        )


def _consent(row: Any) -> Consent:
    return Consent(
        id=row.id,
        person_id=row.person_id,
        institution_code=row.institution_code,
        kind=InfoKind(row.kind),
        given_at=row.given_at,
        available_until=row.available_until,
        treatment_flag=TreatmentFlag(row.treatment_flag),
        withdrawn_at=row.withdrawn_at,
        withdraw_reason=WithdrawReason(row.withdraw_reason) if row.withdraw_reason else None,
        source=row.source,
    )
