"""Households: who lives together, and who insures each of them.

A household is drawn from its own ``random.Random`` (seeded by the master seed and the
household's number), so household *k* is the same whatever N is and whether the run was
interrupted: generation is a pure function of (seed, k, business date, data).

The head is 23 or older, drawn from the age pyramid; a spouse (by the head's age) is about as
old; children 0–22 come to heads old enough to be their parents, as many on average as the
pyramid needs (:meth:`Composer.children_rate`), 1% of births twins. Insurance by the head's
age: 75 and over 後期高齢 (each person alone); else an employer's insurance (協会けんぽ, 組合,
共済: 本人 with 被扶養者) or 国保 (市町村 or 国保組合: the 世帯 shares 記号・番号, each member
its 枝番). A share of households live on 生活保護, outside insurance.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from ..registry.model import Family, Insurer, Sex
from .data import AgeTable, PopulationData
from .insurers import Catalogue
from .people import Ages, Namer, Weighted, birthdate_for

__all__ = ["Member", "Household", "Composer", "EMPLOYEE_KINDS"]

EMPLOYEE_KINDS = ("kyokai", "kumiai", "kyosai")
HEAD_MIN_AGE = 23
CHILD_MAX_AGE = 22
KOKI_AGE = 75


@dataclass(slots=True)
class Member:
    sex: Sex
    birthdate: dt.date
    age: int
    family: Family
    kind: str  # insurers.yaml kind: kyokai … koki, welfare
    insurer: Insurer | None  # None on 生活保護
    branch: int  # 枝番 (0 本人)
    twin: bool = False


@dataclass(slots=True)
class Household:
    index: int
    prefecture: str
    prefecture_name: str
    municipality: str
    municipality_name: str
    members: list[Member] = field(default_factory=list)


class Composer:
    """Draws households from the data; one instance per generation run (it holds tables)."""

    def __init__(self, data: PopulationData, catalogue: Catalogue, today: dt.date) -> None:
        self.data = data
        self.catalogue = catalogue
        self.today = today
        self.ages = Ages(data)
        self.namer = Namer.from_faker(float(data.rates.get("variant_character_share", 0.005)))
        self.places = Weighted(data.municipalities, [m.weight for m in data.municipalities])
        shares = data.shares
        self.employers = Weighted(EMPLOYEE_KINDS, [shares[k] for k in EMPLOYEE_KINDS])
        self.twins = float(data.rates["twin_share_of_births"])
        self.welfare = float(shares["welfare"])
        self.spouse_dependent = float(data.households["spouse_dependent"])
        self.spouses = AgeTable(data.households["spouse_by_age"])
        self.employees = AgeTable(data.households["employee_by_age"])
        self.children_rate = self._children_rate()
        # Heads are drawn less often at ages where a spouse of the same age usually comes
        # along, so that adults of every age end up as many as the pyramid has.
        heads = [(key, count / (1 + self._spouse_rate(key[1])))
                 for key, count in sorted(self.ages.by_age.items()) if key[1] >= HEAD_MIN_AGE]
        self.heads = Weighted([k for k, _ in heads], [w for _, w in heads])

    def _spouse_rate(self, age: int) -> float:
        return self.spouses[age] or 0.0

    def _children_rate(self) -> float:
        """Children per eligible head so that the 0–22 share matches the pyramid."""
        child_share = self.ages.share(0, CHILD_MAX_AGE)
        adults = self.ages.share(HEAD_MIN_AGE, 200)
        gap = self.data.households["parent_gap"]
        eligible = self.ages.share(HEAD_MIN_AGE, gap["max"] + CHILD_MAX_AGE) / adults
        spouses = sum(self.ages.by_age[s, a] * self._spouse_rate(a)
                      for (s, a) in self.ages.by_age if a >= HEAD_MIN_AGE) / (
            adults * self.ages.total)
        per_household = child_share / adults * (1 + spouses)
        return per_household / eligible / (1 + self.twins)

    def household(self, rng: random.Random, index: int) -> Household:
        place = self.places.draw(rng)
        home = Household(index, place.prefecture, self.data.prefectures[place.prefecture][0],
                         place.code, place.name)
        sex, age = self.heads.draw(rng)
        welfare = rng.random() < self.welfare
        kind = self._kind(rng, age, welfare)
        head = self._member(rng, home, sex, age, Family.INSURED, kind, 0)
        home.members.append(head)
        if rng.random() < self._spouse_rate(age):
            self._add_spouse(rng, home, head, welfare)
        if age <= self.data.households["parent_gap"]["max"] + CHILD_MAX_AGE:
            self._add_children(rng, home, head)
        return home

    def _kind(self, rng: random.Random, age: int, welfare: bool) -> str:
        if welfare:
            return "welfare"
        if age >= KOKI_AGE:
            return "koki"
        if rng.random() < (self.employees[age] or 0.0):
            return self.employers.draw(rng)
        if rng.random() < self.data.households["kokuho_kumiai_of_kokuho"]:
            return "kokuho_kumiai"
        return "kokuho"

    def insurer(self, rng: random.Random, kind: str, home: Household) -> Insurer | None:
        c = self.catalogue
        match kind:
            case "kyokai":
                return c.kyokai[home.prefecture]
            case "koki":
                return c.koki[home.municipality]
            case "kokuho":
                return c.kokuho[home.municipality]
            case "welfare":
                return None
        group = getattr(c, kind)
        local = group.get(home.prefecture) or group[rng.choice(sorted(group))]
        return rng.choice(local)

    def _member(self, rng, home, sex, age, family, kind, branch, *, birthdate=None,
                insurer=None) -> Member:
        born = birthdate or birthdate_for(rng, age, self.today)
        return Member(sex, born, age, family, kind,
                      insurer if insurer is not None else self.insurer(rng, kind, home), branch)

    def _add_spouse(self, rng, home: Household, head: Member, welfare: bool) -> None:
        age = max(HEAD_MIN_AGE - 3, min(105, head.age + round(rng.gauss(-1 if head.sex is Sex.MALE
                                                                        else 1, 3))))
        sex = Sex.FEMALE if head.sex is Sex.MALE else Sex.MALE
        branch = len(home.members)
        if welfare or age >= KOKI_AGE:
            kind = "welfare" if welfare else "koki"
            home.members.append(self._member(rng, home, sex, age, Family.INSURED, kind, 0))
        elif head.kind in ("kokuho", "kokuho_kumiai"):
            home.members.append(self._member(rng, home, sex, age, Family.INSURED, head.kind,
                                             branch, insurer=head.insurer))
        elif head.kind in EMPLOYEE_KINDS and rng.random() < self.spouse_dependent:
            home.members.append(self._member(rng, home, sex, age, Family.DEPENDENT, head.kind,
                                             branch, insurer=head.insurer))
        else:  # works (or the head is 後期高齢): insured on their own
            kind = self._kind(rng, age, False)
            home.members.append(self._member(rng, home, sex, age, Family.INSURED, kind, 0))

    def _add_children(self, rng, home: Household, head: Member) -> None:
        gap = self.data.households["parent_gap"]
        low, high = max(0, head.age - gap["max"]), min(CHILD_MAX_AGE, head.age - gap["min"])
        if low > high:
            return
        count = _poisson(rng, self.children_rate)
        if head.kind == "koki":
            return
        family = Family.INSURED if head.kind in ("kokuho", "kokuho_kumiai") else Family.DEPENDENT
        while count > 0:
            sex, age = self.ages.draw(rng, low, high)
            child = self._member(rng, home, sex, age, family, head.kind, len(home.members),
                                 insurer=head.insurer)
            home.members.append(child)
            count -= 1
            if rng.random() < self.twins:
                twin_sex = rng.choice((Sex.MALE, Sex.FEMALE))
                home.members.append(self._member(
                    rng, home, twin_sex, age, family, head.kind, len(home.members),
                    birthdate=child.birthdate, insurer=head.insurer))
                child.twin = home.members[-1].twin = True


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth; the means here are small)."""
    limit, count, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
