"""Queries and inserts on a connection. Repositories never commit: the unit of work does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from . import orm
from .model import (
    Hold,
    Insurer,
    InsurerKind,
    Person,
    Qualification,
    ReasonOfLoss,
    Sex,
)
from .rows import (
    person_of,
    qualification_values,
    records_of_rows,
)

__all__ = ["RegistryQueries"]

_q, _h, _i = orm.qualifications, orm.holds, orm.insurers

# Every record with its insurer and any holds (rare, so the outer join seldom multiplies rows).
_RECORDS = (
    select(_q, _i.c.name.label("insurer_name"), _i.c.kind.label("insurer_kind"),
           _h.c.id.label("hold_id"), _h.c.held_from, _h.c.held_until,
           _h.c.reason.label("hold_reason"))
    .join(_i, _i.c.number == _q.c.insurer_number)
    .outerjoin(_h, _h.c.qualification_id == _q.c.id)
    .order_by(_q.c.person_id, _q.c.valid_from, _q.c.id, _h.c.held_from)
)

# Built once: every record of every person who has a record under the key.
_CANDIDATES = _RECORDS.where(
    _q.c.person_id.in_(
        select(_q.c.person_id)
        .where(_q.c.insurer_number == bindparam("insurer"))
        .where(_q.c.number == bindparam("number"))
        .where(_q.c.birthdate == bindparam("birthdate"))
        .scalar_subquery()
    )
)

_PERSON_RECORDS = _RECORDS.where(_q.c.person_id == bindparam("person_id"))

# The persons with a record under one insurer and any of many 番号 (a bulk job's batch).
_NAMED_BY_INSURER = (
    select(_q.c.person_id, _q.c.number, _q.c.birthdate)
    .where(_q.c.insurer_number == bindparam("insurer"))
    .where(_q.c.number.in_(bindparam("numbers", expanding=True)))
)


class RegistryQueries:
    """Reads and writes the qualification core on one connection inside the caller's
    transaction; :class:`simulator.store.Repository` adds every capability's queries."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- reads -------------------------------------------------------------------------------

    def candidates(
        self, *, insurer: str, number: str, birthdate: dt.date
    ) -> list[Qualification]:
        """Return every record of every person with a record under (insurer, 番号, 生年月日)."""
        rows = self.connection.execute(
            _CANDIDATES, {"insurer": insurer, "number": number, "birthdate": birthdate}
        ).all()
        return records_of_rows(rows)

    def candidates_many(
        self, keys: Iterable[tuple[str, str, dt.date]]
    ) -> dict[tuple[str, str, dt.date], list[Qualification]]:
        """:meth:`candidates` for many (insurer, 番号, 生年月日) keys (a bulk job's batch):
        one query per insurer names the persons, one more reads their records; every key
        given is in the answer.

        Per insurer, ``insurer = ? AND 番号 IN (...)`` is looked up in the (insurer, 番号,
        生年月日) index on SQLite and PostgreSQL alike; a row-value IN over the three columns
        makes SQLite scan the whole index instead.
        """
        persons: dict[tuple[str, str, dt.date], set[int]] = {key: set() for key in keys}
        numbers: dict[str, set[str]] = {}
        for insurer, number, _ in persons:
            numbers.setdefault(insurer, set()).add(number)
        for insurer, wanted in numbers.items():
            hits = self.connection.execute(
                _NAMED_BY_INSURER, {"insurer": insurer, "numbers": sorted(wanted)})
            for person_id, number, birthdate in hits:
                if (insurer, number, birthdate) in persons:
                    persons[(insurer, number, birthdate)].add(person_id)
        everyone = sorted({p for ids in persons.values() for p in ids})
        rows = self.connection.execute(_RECORDS.where(_q.c.person_id.in_(everyone))).all() \
            if everyone else []
        by_person: dict[int, list[Qualification]] = {}
        for record in records_of_rows(rows):
            by_person.setdefault(record.person_id, []).append(record)
        return {key: [r for p in sorted(ids) for r in by_person[p]]
                for key, ids in persons.items()}

    def counts(self) -> dict[str, int]:
        """Rows per core table (persons, insurers, qualifications)."""
        tables = (orm.persons, orm.insurers, orm.qualifications)
        return {t.name: self.connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in tables}

    def get_insurer(self, number: str) -> Insurer | None:
        row = self.connection.execute(select(_i).where(_i.c.number == number)).first()
        return None if row is None else Insurer(row.number, row.name, InsurerKind(row.kind))

    # -- writes ------------------------------------------------------------------------------

    def add_insurer(self, insurer: Insurer) -> None:
        self.connection.execute(
            insert(_i).values(number=insurer.number, name=insurer.name, kind=insurer.kind.value)
        )

    def add_person(
        self, person: Person, *, scenario: str | None = None, handle: str | None = None
    ) -> int:
        values = {
            "scenario": scenario,
            "handle": handle,
            "name": person.name,
            "kana": person.kana,
            "birthdate": person.birthdate,
            "sex": person.sex.value,
            "address": person.address,
            "post_number": person.post_number,
        }
        result = self.connection.execute(insert(orm.persons).values(values))
        return result.inserted_primary_key[0]

    def add_qualification(self, qualification: Qualification) -> int:
        """Insert the record and its holds; return its id."""
        result = self.connection.execute(
            insert(_q).values(qualification_values(qualification))
        )
        new_id = result.inserted_primary_key[0]
        for hold in qualification.holds:
            self.add_hold(new_id, hold)
        return new_id

    def add_hold(self, qualification_id: int, hold: Hold) -> int:
        result = self.connection.execute(
            insert(_h).values(
                qualification_id=qualification_id,
                held_from=hold.held_from,
                held_until=hold.held_until,
                reason=hold.reason,
            )
        )
        return result.inserted_primary_key[0]

    def end_hold(self, hold_id: int, *, at: dt.datetime) -> None:
        self.connection.execute(update(_h).where(_h.c.id == hold_id).values(held_until=at))

    def record_loss(
        self,
        qualification_id: int,
        *,
        valid_to: dt.date,
        reason: ReasonOfLoss | None,
        registered_at: dt.datetime,
    ) -> None:
        """Close the record's valid time at ``valid_to``, known to OQS from ``registered_at``."""
        self.connection.execute(
            update(_q)
            .where(_q.c.id == qualification_id)
            .values(
                valid_to=valid_to,
                reason_of_loss=reason.value if reason else None,
                loss_registered_at=registered_at,
            )
        )

    # -- persons and their records (life events, scenarios, admin) ---------------------------

    def person(self, person_id: int) -> Person | None:
        row = self.connection.execute(
            select(orm.persons).where(orm.persons.c.id == person_id)
        ).first()
        return None if row is None else person_of(row)

    def person_by_handle(self, scenario: str, handle: str) -> Person | None:
        """The person ``handle`` of ``scenario``; an empty ``scenario`` means a person outside
        scenarios (imported, or born by an event posted to the admin API)."""
        table = orm.persons
        owner = table.c.scenario == scenario if scenario else table.c.scenario.is_(None)
        row = self.connection.execute(
            select(table).where(owner, table.c.handle == handle).order_by(table.c.id)
        ).first()
        return None if row is None else person_of(row)

    def unscoped_handles(self, handles: Iterable[str]) -> dict[str, int]:
        """The ids of the persons outside scenarios that bear one of ``handles``."""
        table = orm.persons
        wanted = sorted(set(handles))
        if not wanted:
            return {}
        rows = self.connection.execute(
            select(table.c.handle, table.c.id)
            .where(table.c.scenario.is_(None), table.c.handle.in_(wanted))).all()
        return {row.handle: row.id for row in rows}

    def records_of(self, person_id: int) -> list[Qualification]:
        """Every record of the person (any insurer, visible or not), with holds."""
        rows = self.connection.execute(_PERSON_RECORDS, {"person_id": person_id}).all()
        return records_of_rows(rows)

    def records_under(self, insurer: str, number: str) -> list[Qualification]:
        """Every record under one 保険者番号 + 番号 (all 枝番, all persons)."""
        statement = _RECORDS.where(_q.c.insurer_number == insurer, _q.c.number == number)
        return records_of_rows(self.connection.execute(statement).all())

    def records_born(self, birthdate: dt.date) -> list[Qualification]:
        """Every record registered with that 生年月日 (the search without a card)."""
        statement = _RECORDS.where(_q.c.birthdate == birthdate)
        return records_of_rows(self.connection.execute(statement).all())

    def correct_record(self, qualification_id: int, values: dict[str, Any]) -> None:
        """Replace as-registered personal values (name, kana, birthdate, sex, address)."""
        stored = {k: (v.value if isinstance(v, Sex) else v) for k, v in values.items()}
        self.connection.execute(update(_q).where(_q.c.id == qualification_id).values(stored))

    def holds(
        self, *, in_force_at: dt.datetime | None = None, hold_id: int | None = None
    ) -> list[Any]:
        """Holds with their record and person (all, one, or those in force at an instant)."""
        p = orm.persons
        statement = (
            select(_h.c.id, _h.c.held_from, _h.c.held_until, _h.c.reason,
                   _q.c.id.label("qualification_id"), _q.c.insurer_number, _q.c.symbol,
                   _q.c.number, _q.c.branch, _q.c.name, _q.c.kana, _q.c.birthdate,
                   _q.c.sex, _q.c.address, _q.c.registered_at,
                   p.c.id.label("person_id"), p.c.scenario, p.c.handle)
            .join(_q, _q.c.id == _h.c.qualification_id)
            .join(p, p.c.id == _q.c.person_id)
            .order_by(_h.c.held_from, _h.c.id)
        )
        if hold_id is not None:
            statement = statement.where(_h.c.id == hold_id)
        if in_force_at is not None:
            statement = statement.where(
                _h.c.held_from <= in_force_at,
                (_h.c.held_until.is_(None)) | (_h.c.held_until > in_force_at),
            )
        return self.connection.execute(statement).all()

    def hold(self, hold_id: int) -> Any | None:
        return self.connection.execute(select(_h).where(_h.c.id == hold_id)).first()
