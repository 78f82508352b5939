"""Bulk jobs in the store (part of the repository; never commits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update

from . import tables
from .model import BulkJob

__all__ = ["BulkQueries"]

_j, _i = tables.bulk_jobs, tables.bulk_items


class BulkQueries:
    """Mixed into :class:`~simulator.store.Repository`; uses ``self.connection``."""

    connection: Connection

    def add_bulk_job(self, job: BulkJob, items: Sequence[Mapping[str, str]], *,
                     scenario: str | None = None) -> int:
        """Insert the job and its items (in file order); return the job's id."""
        result = self.connection.execute(insert(_j).values(
            reception_number=job.reception_number, institution_code=job.institution,
            scenario=scenario, arbitrary_file_identifier=job.arbitrary_file_identifier,
            confirm_date=job.confirm_date, item_count=job.item_count, processed=0,
            received_at=job.received_at))
        job_id = result.inserted_primary_key[0]
        if items:
            self.connection.execute(insert(_i), [
                {"job_id": job_id, "seq": seq, "search": dict(search)}
                for seq, search in enumerate(items)])
        return job_id

    def reception_taken(self, reception_number: str) -> bool:
        found = select(_j.c.id).where(_j.c.reception_number == reception_number)
        return self.connection.execute(found).first() is not None

    def bulk_job(self, reception_number: str, *, institution: str) -> BulkJob | None:
        """The institution's job of that 受付番号 (another institution's is None)."""
        row = self.connection.execute(select(_j).where(
            _j.c.reception_number == reception_number,
            _j.c.institution_code == institution)).first()
        return None if row is None else _job(row)

    def unfinished_bulk_jobs(self) -> list[BulkJob]:
        """Jobs with items still pending, in the order they were received."""
        rows = self.connection.execute(
            select(_j).where(_j.c.finished_at.is_(None)).order_by(_j.c.id))
        return [_job(row) for row in rows]

    def pending_bulk_items(self, job_id: int, limit: int) -> list[tuple[int, dict[str, str]]]:
        """(seq, search) of the job's items without a unit, in file order."""
        rows = self.connection.execute(
            select(_i.c.seq, _i.c.search).where(_i.c.job_id == job_id, _i.c.unit.is_(None))
            .order_by(_i.c.seq).limit(limit))
        return [(seq, search) for seq, search in rows]  # a fresh dict per row (JSON)

    def save_bulk_units(self, job_id: int, units: Iterable[tuple[int, Any, bool]]) -> int:
        """Store each item's unit (seq, unit, normal) unless it has one already; return how
        many were stored (a second run of the same batch stores none)."""
        statement = (update(_i)
                     .where(and_(_i.c.job_id == job_id, _i.c.seq == bindparam("s"),
                                 _i.c.unit.is_(None)))
                     .values(unit=bindparam("u"), normal=bindparam("n")))
        rows = [{"s": seq, "u": unit, "n": normal} for seq, unit, normal in units]
        if not rows:
            return 0
        return self.connection.execute(statement, rows).rowcount

    def update_bulk_progress(self, job_id: int, *, at: dt.datetime,
                             retention: dt.timedelta) -> BulkJob:
        """Recount the job's processed items; finish it when none is pending."""
        done = self.connection.execute(select(func.count()).select_from(_i).where(
            _i.c.job_id == job_id, _i.c.unit.is_not(None))).scalar_one()
        row = self.connection.execute(select(_j).where(_j.c.id == job_id)).one()
        values: dict[str, Any] = {"processed": done}
        if done == row.item_count and row.finished_at is None:
            values.update(finished_at=at, expires_at=at + retention)
        self.connection.execute(update(_j).where(_j.c.id == job_id).values(values))
        return _job(self.connection.execute(select(_j).where(_j.c.id == job_id)).one())

    def bulk_units(self, job_id: int) -> list[tuple[Any, bool]]:
        """Every item's (unit, normal), in file order."""
        rows = self.connection.execute(
            select(_i.c.unit, _i.c.normal).where(_i.c.job_id == job_id).order_by(_i.c.seq))
        return [(unit, bool(normal)) for unit, normal in rows]


def _job(row: Any) -> BulkJob:
    return BulkJob(row.reception_number, row.institution_code, row.confirm_date,
                   row.item_count, row.received_at, row.arbitrary_file_identifier,
                   row.processed, row.finished_at, row.expires_at, row.id)
