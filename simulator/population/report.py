"""What a store's population looks like (``oqs-sim store stats``) and a digest of its content
(``oqs-sim store digest``), so a user can see it is Japan-shaped and prove two stores equal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections import Counter
from typing import Any

from sqlalchemy import JSON, Connection, Engine, func, select

from ..cards import tables as card_tables
from ..clock import Clock
from ..loaders.demo_people import age_on
from ..medical import tables as medical_tables
from ..registry import orm, rules
from ..registry.lookup import InsuranceCardQuery
from ..registry.model import JST
from ..registry.repository import RegistryQueries

__all__ = ["store_stats", "store_digest", "DIGEST_TABLES"]

#: The tables a digest covers, each ordered by a stable key; surrogate ids the database
#: assigns (and may skip after a rollback) are left out, the ids the generator fixes are kept.
DIGEST_TABLES = {
    "insurers": ("number",),
    "persons": ("id",),
    "qualifications": ("id",),
    "holds": ("qualification_id", "held_from"),
    "cards": ("serial",),
    "drug_records": ("person_id", "dispensed_on", "source", "drug_code", "visible_at"),
    "checkups": ("person_id", "exam_date"),
}
_ASSIGNED_IDS = {"holds", "cards", "drug_records", "checkups"}
_UNSTABLE = {"pin_hash"}  # salted: equal PINs hash differently by design
_TABLES = {t.name: t for t in (orm.insurers, orm.persons, orm.qualifications, orm.holds,
                               card_tables.cards, medical_tables.drug_records,
                               medical_tables.checkups)}
AGE_BANDS = ((0, 14), (15, 64), (65, 74), (75, 200))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def store_digest(engine: Engine) -> dict[str, str]:
    """SHA-256 of each table's rows (and of them all, ``"store"``), read in a stable order."""
    digests = {}
    whole = hashlib.sha256()
    with engine.connect() as connection:
        for name, order in DIGEST_TABLES.items():
            table = _TABLES[name]
            columns = [c for c in table.columns if c.name not in _UNSTABLE
                       and not (c.name == "id" and name in _ASSIGNED_IDS)]
            ordered = [c for c in columns if not isinstance(c.type, JSON)]  # JSON: no order
            statement = select(*columns).order_by(*(table.c[k] for k in order), *ordered)
            digest = hashlib.sha256()
            for row in connection.execution_options(yield_per=10_000).execute(statement):
                line = json.dumps([_plain(v) for v in row], ensure_ascii=False,
                                  sort_keys=True).encode()
                digest.update(line + b"\n")
            digests[name] = digest.hexdigest()
            whole.update(f"{name}:{digests[name]}\n".encode())
    digests["store"] = whole.hexdigest()
    return digests


def store_stats(engine: Engine, *, clock: Clock, sample: int = 2_000) -> dict[str, Any]:
    """Counts and shares of the store's population at the business time."""
    now = clock.now()
    today = now.astimezone(JST).date()
    with engine.connect() as connection:
        persons = connection.execute(select(func.count()).select_from(orm.persons)
                                     ).scalar_one()
        stats: dict[str, Any] = {"business_time": now.astimezone(JST).isoformat(),
                                 "persons": persons}
        if not persons:
            return stats
        stats["age_bands"] = _age_bands(connection, today, persons)
        stats["insurer_kinds"] = _insurer_kinds(connection, today, persons)
        stats["cards"] = _cards(connection, now, persons)
        stats["medical"] = _medical(connection, now, persons)
        stats["validity"] = _validity(connection, now, today, sample)
    return stats


def _share(count: int, total: int) -> dict[str, float | int]:
    return {"count": count, "share": round(count / total, 4) if total else 0.0}


def _age_bands(connection: Connection, today: dt.date, persons: int) -> dict:
    ages = Counter()
    for (birthdate,) in connection.execution_options(yield_per=50_000).execute(
            select(orm.persons.c.birthdate)):
        age = age_on(birthdate, today)
        ages[next(f"{lo}-{hi}" if hi < 200 else f"{lo}+" for lo, hi in AGE_BANDS
                  if lo <= age <= hi)] += 1
    return {band: _share(ages[band], persons) for band in
            (f"{lo}-{hi}" if hi < 200 else f"{lo}+" for lo, hi in AGE_BANDS)}


def _insurer_kinds(connection: Connection, today: dt.date, persons: int) -> dict:
    """The insurer kind of each person's record valid today (none: 生活保護, died, not yet)."""
    q, i = orm.qualifications, orm.insurers
    valid = (q.c.valid_from <= today) & ((q.c.valid_to.is_(None)) | (q.c.valid_to > today))
    rows = connection.execute(
        select(i.c.kind, func.count(func.distinct(q.c.person_id)))
        .select_from(q.join(i, q.c.insurer_number == i.c.number)).where(valid)
        .group_by(i.c.kind)).all()
    kinds = {kind: _share(count, persons) for kind, count in sorted(rows)}
    covered = sum(count for _, count in rows)
    kinds["none"] = _share(persons - covered, persons)
    return kinds


def _cards(connection: Connection, now: dt.datetime, persons: int) -> dict:
    k = card_tables.cards
    held = connection.execute(select(func.count()).select_from(k).where(
        k.c.not_after > now, k.c.revoked_at.is_(None))).scalar_one()
    registered = connection.execute(select(func.count()).select_from(k).where(
        k.c.not_after > now, k.c.insurance_registered_at <= now)).scalar_one()
    return {"held": _share(held, persons), "registered_for_insurance": _share(registered, held)}


def _medical(connection: Connection, now: dt.datetime, persons: int) -> dict:
    d, c = medical_tables.drug_records, medical_tables.checkups
    drugs = connection.execute(select(func.count(), func.count(func.distinct(d.c.person_id)))
                               .where(d.c.visible_at <= now)).one()
    checkups = connection.execute(select(func.count(), func.count(func.distinct(c.c.person_id)))
                                  .where(c.c.visible_at <= now)).one()
    return {"drug_lines_per_person": round(drugs[0] / persons, 2),
            "persons_with_drugs": _share(drugs[1], persons),
            "checkups_per_person": round(checkups[0] / persons, 3),
            "persons_with_checkups": _share(checkups[1], persons)}


def _validity(connection: Connection, now: dt.datetime, today: dt.date, sample: int) -> dict:
    """QualificationValidity of lookups by the items of a sample of every card ever issued
    (each record's key), asked today: with the 枝番 and, as on cards without one, without."""
    q = orm.qualifications
    ids = connection.execute(select(q.c.id)).scalars().all()
    chosen = sorted(random.Random(0).sample(ids, min(sample, len(ids))))
    keys = []
    for start in range(0, len(chosen), 500):
        keys += connection.execute(
            select(q.c.insurer_number, q.c.number, q.c.symbol, q.c.branch, q.c.birthdate)
            .where(q.c.id.in_(chosen[start:start + 500]))).all()
    repo = RegistryQueries(connection)
    with_branch, without = Counter(), Counter()
    for key in keys:
        records = repo.candidates(insurer=key.insurer_number, number=key.number,
                                  birthdate=key.birthdate)
        for branch, tally in ((key.branch, with_branch), (None, without)):
            query = InsuranceCardQuery(key.insurer_number, key.number, key.birthdate, today,
                                       symbol=key.symbol, branch=branch)
            tally[rules.confirm_by_insurance_card(records, query=query,
                                                  as_of=now).validity.value] += 1
    return {"lookups": len(keys),
            "with_branch": {v: _share(with_branch[v], len(keys)) for v in "12345"},
            "without_branch": {v: _share(without[v], len(keys)) for v in "12345"}}
