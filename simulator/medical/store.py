"""Drug records and checkups (part of the repository)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from .model import Checkup, CheckupResult, DrugRecord, DrugSource
from .tables import checkups as _k
from .tables import drug_records as _d

__all__ = ["MedicalQueries"]

_DRUG_FIELDS = (
    "person_id", "dispensed_on", "prescribed_on", "dispensing_code", "dispensing_name",
    "prescribing_code", "prescribing_name", "in_out", "drug_code", "drug_name", "ingredient",
    "quantity", "unit", "usage", "special", "days", "usage_class", "visible_at",
)


class MedicalQueries:
    """Mixed into :class:`simulator.store.Repository`; works on ``self.connection``."""

    connection: Connection

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

def _drug(row: Any) -> DrugRecord:
    values = {name: getattr(row, name) for name in _DRUG_FIELDS}
    return DrugRecord(id=row.id, source=DrugSource(row.source), **values)


def _checkup(row: Any) -> Checkup:
    results = tuple(CheckupResult(item["code"], item["value"]) for item in row.items)
    return Checkup(id=row.id, person_id=row.person_id, exam_date=row.exam_date,
                   results=results, visible_at=row.visible_at,
                   insurer_number=row.insurer_number)
