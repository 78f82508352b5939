"""The audit trail: every lookup and every access to medical information (part of the
repository)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, insert, select

from .lookup import AuditEntry
from .orm import audit_entries as _a

__all__ = ["AuditQueries"]

_AUDIT_FIELDS = ("at", "institution_code", "person_id", "kind", "route", "basis", "basis_id",
                 "outcome", "count")


_INSERT = insert(_a)  # built once: every lookup writes one entry


class AuditQueries:
    """Mixed into :class:`simulator.store.Repository`; works on ``self.connection``."""

    connection: Connection

    def last_confirmations(self, *, institution: str, person_ids: list[int],
                           before: dt.datetime) -> dict[int, dt.datetime]:
        """When ``institution`` last confirmed each of ``person_ids``' qualification (any route,
        answered) before ``before``; persons it never confirmed are absent (one query)."""
        if not person_ids:
            return {}
        rows = self.connection.execute(
            select(_a.c.person_id, func.max(_a.c.at).label("at"))
            .where(_a.c.institution_code == institution, _a.c.kind == "qualification",
                   _a.c.outcome == "ok", _a.c.person_id.in_(person_ids), _a.c.at < before)
            .group_by(_a.c.person_id))
        return {row.person_id: row.at for row in rows}

    def add_audit(self, entry: AuditEntry) -> int:
        values = {name: getattr(entry, name) for name in _AUDIT_FIELDS}
        return self.connection.execute(_INSERT, values).inserted_primary_key[0]

    def add_audits(self, entries: Iterable[AuditEntry]) -> None:
        """Insert many entries in one statement (a bulk job's lookups)."""
        rows = [{name: getattr(e, name) for name in _AUDIT_FIELDS} for e in entries]
        if rows:
            self.connection.execute(_INSERT, rows)

    def audit(self, *, person_id: int | None = None, institution: str | None = None,
              kind: str | None = None) -> list[AuditEntry]:
        """Audit entries, oldest first, filtered by person, institution and kind."""
        statement = select(_a).order_by(_a.c.at, _a.c.id)
        if person_id is not None:
            statement = statement.where(_a.c.person_id == person_id)
        if institution is not None:
            statement = statement.where(_a.c.institution_code == institution)
        if kind is not None:
            statement = statement.where(_a.c.kind == kind)
        return [_audit(row) for row in self.connection.execute(statement)]


def _audit(row: Any) -> AuditEntry:
    values = {name: getattr(row, name) for name in _AUDIT_FIELDS}
    return AuditEntry(id=row.id, **values)
