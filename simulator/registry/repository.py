"""Queries and inserts on a connection. Repositories never commit: the unit of work does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from . import orm
from .model import (
    ElderlyCertificate,
    Family,
    Hold,
    Insurer,
    InsurerKind,
    LimitCertificate,
    Person,
    Qualification,
    ReasonOfLoss,
    Sex,
    SpecificDiseaseCertificate,
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


def _dates(raw: Any, *names: str) -> dict[str, Any]:
    return {k: (dt.date.fromisoformat(v) if k in names and v else v) for k, v in raw.items()}


_CERT_DATES = ("issued_on", "valid_start", "valid_end", "long_term_date")


def _certificates(cls, raw: Sequence[dict] | None) -> tuple:
    return tuple(cls(**_dates(item, *_CERT_DATES)) for item in raw or ())


def _certificate_json(certs: Iterable[Any]) -> list[dict[str, Any]]:
    out = []
    for cert in certs:
        item = {k: getattr(cert, k) for k in cert.__slots__}
        out.append({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in item.items()})
    return out


_FAMILY = {member.value: member for member in Family}
_SEX = {member.value: member for member in Sex}
_REASON = {member.value: member for member in ReasonOfLoss}


@lru_cache(maxsize=4096)
def _insurer(number: str, name: str, kind: str) -> Insurer:
    return Insurer(number, name, InsurerKind(kind))


def _qualification(row: Mapping[str, Any], holds: tuple[Hold, ...]) -> Qualification:
    """A record from a row of ``_RECORDS`` read as a dict (a SQLAlchemy ``Row`` attribute costs
    ten times a dict key: a bulk job's batch reads thousands of rows)."""
    sex2, reason = row["sex2"], row["reason_of_loss"]
    return Qualification(
        id=row["id"],
        person_id=row["person_id"],
        insurer=_insurer(row["insurer_number"], row["insurer_name"], row["insurer_kind"]),
        number=row["number"],
        symbol=row["symbol"],
        branch=row["branch"],
        family=_FAMILY[row["family"]],
        card_class=row["card_class"],
        name=row["name"],
        kana=row["kana"],
        birthdate=row["birthdate"],
        sex=_SEX[row["sex"]],
        sex2=_SEX[sex2] if sex2 else None,
        address=row["address"],
        post_number=row["post_number"],
        insured_name=row["insured_name"],
        name_other=row["name_other"],
        kana_other=row["kana_other"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        acquired_on=row["acquired_on"],
        reason_of_loss=_REASON[reason] if reason else None,
        registered_at=row["registered_at"],
        loss_registered_at=row["loss_registered_at"],
        card_issued_on=row["card_issued_on"],
        card_valid_start=row["card_valid_start"],
        card_valid_end=row["card_valid_end"],
        ratio=row["ratio"],
        preschool=row["preschool"],
        elderly=_certificates(ElderlyCertificate, row["elderly"]),
        limits=_certificates(LimitCertificate, row["limits"]),
        specific_diseases=_certificates(SpecificDiseaseCertificate, row["specific_diseases"]),
        holds=holds,
    )


def _qualification_values(q: Qualification) -> dict[str, Any]:
    return {
        "person_id": q.person_id,
        "insurer_number": q.insurer.number,
        "symbol": q.symbol,
        "number": q.number,
        "branch": q.branch,
        "family": q.family.value,
        "card_class": q.card_class,
        "name": q.name,
        "kana": q.kana,
        "birthdate": q.birthdate,
        "sex": q.sex.value,
        "sex2": q.sex2.value if q.sex2 else None,
        "address": q.address,
        "post_number": q.post_number,
        "insured_name": q.insured_name,
        "name_other": q.name_other,
        "kana_other": q.kana_other,
        "valid_from": q.valid_from,
        "valid_to": q.valid_to,
        "acquired_on": q.acquired_on,
        "reason_of_loss": q.reason_of_loss.value if q.reason_of_loss else None,
        "registered_at": q.registered_at,
        "loss_registered_at": q.loss_registered_at,
        "card_issued_on": q.card_issued_on,
        "card_valid_start": q.card_valid_start,
        "card_valid_end": q.card_valid_end,
        "ratio": q.ratio,
        "preschool": q.preschool,
        "elderly": _certificate_json(q.elderly),
        "limits": _certificate_json(q.limits),
        "specific_diseases": _certificate_json(q.specific_diseases),
    }


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
        return _group_holds(rows)

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
        for record in _group_holds(rows):
            by_person.setdefault(record.person_id, []).append(record)
        return {key: [r for p in sorted(ids) for r in by_person[p]]
                for key, ids in persons.items()}

    def counts(self) -> dict[str, int]:
        """Rows per registry table (persons, insurers, institutions, qualifications)."""
        tables = (orm.persons, orm.insurers, orm.institutions, orm.qualifications)
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
            insert(_q).values(_qualification_values(qualification))
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
        return None if row is None else _person(row)

    def person_by_handle(self, scenario: str, handle: str) -> Person | None:
        table = orm.persons
        row = self.connection.execute(
            select(table).where(table.c.scenario == scenario, table.c.handle == handle)
        ).first()
        return None if row is None else _person(row)

    def records_of(self, person_id: int) -> list[Qualification]:
        """Every record of the person (any insurer, visible or not), with holds."""
        rows = self.connection.execute(_PERSON_RECORDS, {"person_id": person_id}).all()
        return _group_holds(rows)

    def records_under(self, insurer: str, number: str) -> list[Qualification]:
        """Every record under one 保険者番号 + 番号 (all 枝番, all persons)."""
        statement = _RECORDS.where(_q.c.insurer_number == insurer, _q.c.number == number)
        return _group_holds(self.connection.execute(statement).all())

    def records_born(self, birthdate: dt.date) -> list[Qualification]:
        """Every record registered with that 生年月日 (the search without a card)."""
        statement = _RECORDS.where(_q.c.birthdate == birthdate)
        return _group_holds(self.connection.execute(statement).all())

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


def _person(row: Any) -> Person:
    return Person(row.name, row.kana, row.birthdate, Sex(row.sex), row.address,
                  row.post_number, row.id)


def _group_holds(rows: Sequence[Any]) -> list[Qualification]:
    """Records from ``_RECORDS`` rows (one row per hold, in record order)."""
    if not rows:
        return []
    names = tuple(rows[0]._fields)
    values = [dict(zip(names, row, strict=True)) for row in rows]
    records: list[Qualification] = []
    pending: list[Hold] = []
    for index, row in enumerate(values):
        if row["hold_id"] is not None:
            pending.append(Hold(row["held_from"], row["held_until"], row["hold_reason"],
                                row["hold_id"]))
        if index + 1 == len(values) or values[index + 1]["id"] != row["id"]:
            records.append(_qualification(row, tuple(pending)))
            pending = []
    return records
