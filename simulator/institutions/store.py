"""Institutions, their Web API accounts and client certificates (part of the repository)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from ..registry.identifiers import InstitutionKind
from ..registry.model import Institution
from . import tables

__all__ = ["InstitutionQueries"]


class InstitutionQueries:
    """Mixed into :class:`~.repository.Repository`; works on ``self.connection``."""

    connection: Connection

    def add_institution(self, institution: Institution, *, scenario: str | None = None) -> None:
        self.connection.execute(
            insert(tables.institutions).values(
                scenario=scenario,
                code=institution.code,
                name=institution.name,
                kind=institution.kind.value,
                prefecture=institution.prefecture,
                municipality=institution.municipality,
            )
        )

    def counts(self) -> dict[str, int]:
        """Rows of the institutions table."""
        total = select(func.count()).select_from(tables.institutions)
        return {"institutions": self.connection.execute(total).scalar_one()}

    def get_institution(self, code: str) -> Institution | None:
        table = tables.institutions
        row = self.connection.execute(select(table).where(table.c.code == code)).first()
        return None if row is None else _institution(row)

    def institution_scenario(self, code: str) -> str | None:
        """The scenario that first loaded the institution (None: CLI, demo, or no such code)."""
        table = tables.institutions
        return self.connection.execute(
            select(table.c.scenario).where(table.c.code == code)).scalar_one_or_none()

    def list_institutions(self) -> list[Institution]:
        table = tables.institutions
        rows = self.connection.execute(select(table).order_by(table.c.code)).all()
        return [_institution(row) for row in rows]

    def set_account(self, code: str, *, account: str, password_hash: str) -> None:
        """Give the institution a Web API login (userId) with this password hash."""
        table = tables.institutions
        self.connection.execute(
            update(table)
            .where(table.c.code == code)
            .values(account=account, password_hash=password_hash)
        )

    def account(self, account: str) -> tuple[Institution, str] | None:
        """The institution with this login and its password hash, or None."""
        table = tables.institutions
        row = self.connection.execute(select(table).where(table.c.account == account)).first()
        return None if row is None else (_institution(row), row.password_hash)

    def add_certificate(
        self, *, serial: int, institution_code: str, not_before: dt.datetime,
        not_after: dt.datetime,
    ) -> None:
        self.connection.execute(
            insert(tables.institution_certificates).values(
                serial=f"{serial:x}",
                institution_code=institution_code,
                not_before=not_before,
                not_after=not_after,
            )
        )

    def certificate(self, serial: int) -> Any | None:
        """The stored row of a client certificate (institution_code, revoked_at, ...), or None."""
        table = tables.institution_certificates
        return self.connection.execute(
            select(table).where(table.c.serial == f"{serial:x}")
        ).first()

    def certificates_of(self, institution_code: str) -> list[Any]:
        table = tables.institution_certificates
        return self.connection.execute(
            select(table)
            .where(table.c.institution_code == institution_code)
            .order_by(table.c.not_before)
        ).all()

    def revoke_certificate(self, serial: int, *, at: dt.datetime) -> bool:
        """Revoke it from ``at``; False when no such certificate or already revoked."""
        table = tables.institution_certificates
        result = self.connection.execute(
            update(table)
            .where(table.c.serial == f"{serial:x}", table.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount == 1


def _institution(row: Any) -> Institution:
    return Institution(
        row.code, row.name, InstitutionKind(row.kind), row.prefecture, row.municipality,
        row.account,
    )
