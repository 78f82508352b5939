"""Consents, drug records, checkups, 照会番号 and the audit trail (part of the repository)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from ..registry import orm
from ..registry.model import AuditEntry
from .model import (
    Checkup,
    CheckupResult,
    Consent,
    DrugRecord,
    DrugSource,
    InfoKind,
    TreatmentFlag,
    WithdrawReason,
)

__all__ = ["MedicalQueries"]

_c, _d, _k = orm.consents, orm.drug_records, orm.checkups
_r, _a = orm.reference_numbers, orm.audit_entries

_DRUG_FIELDS = (
    "person_id", "dispensed_on", "prescribed_on", "dispensing_code", "dispensing_name",
    "prescribing_code", "prescribing_name", "in_out", "drug_code", "drug_name", "ingredient",
    "quantity", "unit", "usage", "special", "days", "usage_class", "visible_at",
)
_AUDIT_FIELDS = ("at", "institution_code", "person_id", "kind", "route", "basis", "basis_id",
                 "outcome", "count")


class MedicalQueries:
    """Mixed into :class:`~.repository.Repository`; works on ``self.connection``."""

    connection: Connection

    # -- consents ----------------------------------------------------------------------------

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

    # -- drug records and checkups -----------------------------------------------------------

    def add_drug(self, record: DrugRecord) -> int:
        values = {name: getattr(record, name) for name in _DRUG_FIELDS}
        values["source"] = record.source.value
        return self.connection.execute(insert(_d).values(values)).inserted_primary_key[0]

    def drugs_of(self, person_id: int) -> list[DrugRecord]:
        """Every drug record of the person, known or not (the rules filter)."""
        statement = (select(_d).where(_d.c.person_id == person_id)
                     .order_by(_d.c.dispensed_on, _d.c.source, _d.c.id))
        return [_drug(row) for row in self.connection.execute(statement)]

    def add_checkup(self, checkup: Checkup) -> int:
        result = self.connection.execute(insert(_k).values(
            person_id=checkup.person_id,
            exam_date=checkup.exam_date,
            insurer_number=checkup.insurer_number,
            items=[{"code": r.code, "value": r.value} for r in checkup.results],
            visible_at=checkup.visible_at,
        ))
        return result.inserted_primary_key[0]

    def checkups_of(self, person_id: int) -> list[Checkup]:
        """Every checkup of the person, uploaded or not (the rules filter)."""
        statement = (select(_k).where(_k.c.person_id == person_id)
                     .order_by(_k.c.exam_date, _k.c.id))
        return [_checkup(row) for row in self.connection.execute(statement)]

    # -- 照会番号 ----------------------------------------------------------------------------

    def set_reference_number(self, *, institution: str, person_id: int, number: str,
                             at: dt.datetime) -> None:
        """Register (or replace) the institution's 照会番号 for the person."""
        where = (_r.c.institution_code == institution, _r.c.person_id == person_id)
        updated = self.connection.execute(
            update(_r).where(*where).values(number=number, registered_at=at))
        if not updated.rowcount:
            self.connection.execute(insert(_r).values(
                institution_code=institution, person_id=person_id, number=number,
                registered_at=at))

    def reference_number(self, *, institution: str, person_id: int) -> str | None:
        return self.reference_numbers(institution=institution, person_ids=[person_id]).get(
            person_id)

    def reference_numbers(self, *, institution: str, person_ids: list[int]) -> dict[int, str]:
        """The institution's 照会番号 of each of ``person_ids`` that has one (one query)."""
        if not person_ids:
            return {}
        rows = self.connection.execute(
            select(_r.c.person_id, _r.c.number).where(_r.c.institution_code == institution,
                                                      _r.c.person_id.in_(person_ids)))
        return {row.person_id: row.number for row in rows}

    # -- audit -------------------------------------------------------------------------------

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
        return self.connection.execute(insert(_a).values(values)).inserted_primary_key[0]

    def add_audits(self, entries: Iterable[AuditEntry]) -> None:
        """Insert many entries in one statement (a bulk job's lookups)."""
        rows = [{name: getattr(e, name) for name in _AUDIT_FIELDS} for e in entries]
        if rows:
            self.connection.execute(insert(_a), rows)

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


def _drug(row: Any) -> DrugRecord:
    values = {name: getattr(row, name) for name in _DRUG_FIELDS}
    return DrugRecord(id=row.id, source=DrugSource(row.source), **values)


def _checkup(row: Any) -> Checkup:
    results = tuple(CheckupResult(item["code"], item["value"]) for item in row.items)
    return Checkup(id=row.id, person_id=row.person_id, exam_date=row.exam_date,
                   results=results, visible_at=row.visible_at,
                   insurer_number=row.insurer_number)


def _audit(row: Any) -> AuditEntry:
    values = {name: getattr(row, name) for name in _AUDIT_FIELDS}
    return AuditEntry(id=row.id, **values)
