"""The population as households, each with the rows it adds to the store.

Household *k* is drawn from ``Random(seed · 2^32 + k)`` alone, and its ids are fixed by *k*:
person ``first + 16k + position``, qualification ``first + 64k + n``. So the same seed gives
the same households whatever N is, households can be made in any order (in parallel, by worker
processes), and an interrupted run resumes at the first household it had not stored.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from ..medical.masters import checkup_items, drugs
from ..registry.model import Person
from ..registry.rows import qualification_values
from .data import PopulationData, population_data
from .encode import Encoder
from .histories import Historian
from .households import Composer
from .insurers import Catalogue, catalogue
from .medical import Carer, institution_code

__all__ = ["Plan", "Generated", "Generator", "MAX_MEMBERS", "MAX_RECORDS"]

MAX_MEMBERS = 16  # persons of one household, at most (ids leave room for them)
MAX_RECORDS = 64  # qualification records of one household, at most
_CLINICS = ("内科", "こどもクリニック", "整形外科", "医院", "総合病院", "ファミリークリニック")


@dataclass(frozen=True)
class Plan:
    seed: int
    today: dt.date  # the business date the population is drawn for
    first_person_id: int = 1
    first_qualification_id: int = 1


@dataclass(slots=True)
class Generated:
    """One household's rows, per table, in :data:`~.encode.COLUMNS` order."""

    index: int
    rows: dict[str, list[tuple]] = field(default_factory=dict)
    cut: bool = False  # the last household of a run, cut short at N persons

    @property
    def persons(self) -> int:
        return len(self.rows["persons"])

    def first(self, count: int) -> Generated:
        """The household cut to its first ``count`` persons (the last household of a run)."""
        kept = {row[0] for row in self.rows["persons"][:count]}
        qualifications = [r for r in self.rows["qualifications"] if r[1] in kept]
        records = {r[0] for r in qualifications}
        rows = {name: [r for r in table if r[0] in kept] for name, table in self.rows.items()
                if name not in ("persons", "qualifications", "holds")}
        rows.update(persons=self.rows["persons"][:count], qualifications=qualifications,
                    holds=[r for r in self.rows["holds"] if r[0] in records])
        return Generated(self.index, rows, cut=True)


class Generator:
    def __init__(self, plan: Plan, encoder: Encoder | None = None,
                 data: PopulationData | None = None, insurers: Catalogue | None = None) -> None:
        self.plan = plan
        self.encoder = encoder or Encoder(None)
        self.data = data or population_data()
        self.catalogue = insurers or catalogue()
        self.composer = Composer(self.data, self.catalogue, plan.today)
        self.historian = Historian(self.data, self.composer, plan.today)
        self.carer = Carer(self.data, drugs(), checkup_items(), plan.today)

    def household(self, index: int) -> Generated:
        rng = random.Random((self.plan.seed << 32) + index)
        home = self.composer.household(rng, index)
        namer, encode = self.composer.namer, self.encoder.row
        surname = namer.surname(rng)
        address = namer.home(rng, home.prefecture_name, home.municipality_name)
        places = {
            "clinic": (institution_code(home.prefecture, "1", rng.randrange(10**6)),
                       f"{home.municipality_name}{rng.choice(_CLINICS)}"),
            "pharmacy": (institution_code(home.prefecture, "4", rng.randrange(10**6)),
                         f"{namer.surname(rng)[0]}薬局{home.municipality_name}店"),
        }
        rows: dict[str, list] = {"persons": [], "qualifications": [], "holds": [], "cards": [],
                                 "drug_records": [], "checkups": []}
        head = home.members[0]
        person_base = self.plan.first_person_id + index * MAX_MEMBERS
        record_id = self.plan.first_qualification_id + index * MAX_RECORDS
        record_end = record_id + MAX_RECORDS
        for position, member in enumerate(home.members[:MAX_MEMBERS]):
            shared = position > 0 and member.insurer is not None and \
                member.insurer == head.insurer and member.kind != "koki"
            own = namer.surname(rng) if (position and not shared and rng.random() < 0.1) \
                else surname
            person = namer.person(rng, own, member.sex, member.birthdate, address)
            records, died = self.historian.records(rng, home, member, person,
                                                   0 if position == 0 or shared
                                                   else 1 + position, position)
            pid = person_base + position
            rows["persons"].append(encode("persons", _person_values(pid, person)))
            for record in records[: max(0, record_end - record_id)]:
                values = qualification_values(record)
                values.update(id=record_id, person_id=pid)
                rows["qualifications"].append(encode("qualifications", values))
                rows["holds"] += [encode("holds", {"qualification_id": record_id,
                                                   "held_from": h.held_from,
                                                   "held_until": h.held_until,
                                                   "reason": h.reason}) for h in record.holds]
                record_id += 1
            until = died or self.plan.today
            card = self.carer.card(rng, pid, member.birthdate, died)
            if card is not None:
                rows["cards"].append(encode("cards", card))
            rows["drug_records"] += self.carer.drugs(rng, pid, member.age, places, until,
                                                     self.encoder)
            current = records[-1].insurer.number if records else None
            rows["checkups"] += [encode("checkups", c) for c in self.carer.checkups(
                rng, pid, member.birthdate, member.sex, member.kind, current, until)]
        return Generated(index, rows)


def _person_values(person_id: int, person: Person) -> dict:
    return {"id": person_id, "name": person.name, "kana": person.kana,
            "birthdate": person.birthdate, "sex": person.sex.value, "address": person.address,
            "post_number": person.post_number, "scenario": None, "handle": None}

