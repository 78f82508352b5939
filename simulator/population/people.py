"""Who lives in a generated household: ages from the pyramid, names, an address.

Pure: every draw comes from the household's own ``random.Random``. Names and kana are the
weighted pairs of Faker's ja_JP person provider (read once, drawn with our ``Random``, so that
drawing stays fast and seeded); a small share carry an 異体字 outside JIS X 0208 (髙, 﨑, 𠮷 …),
which the interfaces show as ●.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from faker.providers.address.ja_JP import Provider as Addresses
from faker.providers.person.ja_JP import Provider as Names

from ..loaders.demo_people import to_half_width_kana
from ..registry.model import Person, Sex
from .data import PopulationData

__all__ = ["Ages", "Namer", "Weighted", "birthdate_for"]

#: Surnames with an 異体字 (outside JIS X 0208), with their kana.
_VARIANT_SURNAMES = (("髙橋", "タカハシ"), ("髙田", "タカダ"), ("山﨑", "ヤマザキ"),
                     ("宮﨑", "ミヤザキ"), ("𠮷田", "ヨシダ"), ("德永", "トクナガ"))


class Weighted:
    """Draw from weighted values with one ``random()`` and a bisect."""

    def __init__(self, values: Sequence, weights: Sequence[float]) -> None:
        self.values = list(values)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


class Ages:
    """The age pyramid, one year at a time (a band's count spread evenly over its years)."""

    def __init__(self, data: PopulationData, *, top: int = 109) -> None:
        self.by_age: dict[tuple[Sex, int], float] = {}
        for band in data.bands:
            years = range(band.start, min(band.end, top) + 1)
            for age in years:
                self.by_age[Sex.MALE, age] = band.male / len(years)
                self.by_age[Sex.FEMALE, age] = band.female / len(years)
        self.total = sum(self.by_age.values())
        self._draws: dict[tuple[int, int], Weighted] = {}

    def share(self, low: int, high: int) -> float:
        """The share of the population aged ``low``..``high`` (inclusive)."""
        return sum(v for (_, age), v in self.by_age.items() if low <= age <= high) / self.total

    def draw(self, rng: random.Random, low: int, high: int) -> tuple[Sex, int]:
        """A sex and an age in ``low``..``high``, as the pyramid has them."""
        key = (low, high)
        if key not in self._draws:
            items = [(k, v) for k, v in sorted(self.by_age.items()) if low <= k[1] <= high]
            self._draws[key] = Weighted([k for k, _ in items], [v for _, v in items])
        return self._draws[key].draw(rng)


def birthdate_for(rng: random.Random, age: int, today: dt.date) -> dt.date:
    """A birthdate that makes ``age`` on ``today``."""
    last_birthday = today - dt.timedelta(days=rng.randrange(365))
    try:
        return last_birthday.replace(year=last_birthday.year - age)
    except ValueError:  # 29 February
        return last_birthday.replace(year=last_birthday.year - age, day=28)


@dataclass(frozen=True)
class Namer:
    """Names, kana and addresses."""

    surnames: Weighted
    male: Weighted
    female: Weighted
    variant_share: float

    @classmethod
    def from_faker(cls, variant_share: float) -> Namer:
        def weighted(pairs):
            weights = list(pairs.values()) if hasattr(pairs, "values") else [1.0] * len(pairs)
            return Weighted([p[:2] for p in pairs], weights)

        return cls(weighted(Names.last_name_pairs), weighted(Names.first_name_male_pairs),
                   weighted(Names.first_name_female_pairs), variant_share)

    def surname(self, rng: random.Random) -> tuple[str, str]:
        if rng.random() < self.variant_share:
            return rng.choice(_VARIANT_SURNAMES)
        return self.surnames.draw(rng)

    def person(self, rng: random.Random, surname: tuple[str, str], sex: Sex,
               birthdate: dt.date, home: tuple[str, str]) -> Person:
        given = (self.male if sex is Sex.MALE else self.female).draw(rng)
        name = f"{surname[0]}\u3000{given[0]}"
        kana = to_half_width_kana(f"{surname[1]} {given[1]}")
        return Person(name, kana, birthdate, sex, home[0], home[1])

    @staticmethod
    def home(rng: random.Random, prefecture: str, municipality: str) -> tuple[str, str]:
        """An address in the municipality and a 郵便番号 of the right form."""
        town = rng.choice(Addresses.towns)
        street = f"{town}{rng.randint(1, 9)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
        return f"{prefecture}{municipality}{street}", f"{rng.randint(1, 999):03d}-" \
                                                      f"{rng.randint(0, 9999):04d}"
