"""What a generated person carries besides insurance: a My Number card, 3 years of drugs and
5 years of 特定健診, as rows ready for the store (dicts keyed by column).

- Cards: held by the share of ``rates.yaml``; the 電子証明書 runs 5 years from its last issue
  (spread over the last 5 years), a share registered for insurance use (保険証利用登録) since
  the scheme began on 2021-10-20; the 暗証番号 is the default (1234). Cards are *held*: the
  store keeps no certificate until a user asks for the card's bundle (``oqs-sim card bundle``).
- Drugs: dispensings arrive as a Poisson process at the age's yearly rate (``drug_use.yaml``),
  each with 1–N lines drawn from the drug master by weight and age. Every dispensing is a
  claim (source 1, known from the 10th of the second month after); a share also comes as a
  調剤結果 (2) the same evening and as an 電子処方箋 (3), both only from 2023-01-26 and for the
  last 100 days, as the 電子処方箋管理サービス keeps them.
- 特定健診: ages 40–74, each fiscal year by the insurer kind's participation rate; values by
  sex and age band (``checkup_values.yaml``), uploaded 2–4 months after the exam.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
import random
from collections.abc import Mapping

from ..auth import hash_password
from ..cards.service import DEFAULT_PIN
from ..loaders.demo_people import shift_years
from ..medical.masters import CheckupItems, Drugs
from ..medical.model import claims_visible_at
from ..registry.model import JST, Sex
from .data import AgeTable, PopulationData
from .encode import COLUMNS, Encoder
from .insurers import with_check_digit

__all__ = ["Carer"]

CARD_START = dt.date(2016, 1, 1)  # マイナンバーカード交付開始
REGISTRATION_START = dt.datetime(2021, 10, 20, 9, tzinfo=JST)  # 保険証利用 本格運用
ELECTRONIC_START = dt.date(2023, 1, 26)  # 電子処方箋 運用開始
#: 電子処方箋 and 調剤結果 data cover the last 100 days (claims-derived data, 3 years).
ELECTRONIC_DAYS = dt.timedelta(days=100)
_CHECKUP_AGES = range(40, 75)
_DAYS = ("3", "5", "7", "14", "14", "28", "30")
_DRUG_COLUMNS = ("person_id", "source", "dispensed_on", "prescribed_on", "dispensing_code",
                 "dispensing_name", "prescribing_code", "prescribing_name", "in_out", "drug_code",
                 "drug_name", "ingredient", "quantity", "unit", "usage", "special", "days",
                 "usage_class", "visible_at")
assert COLUMNS["drug_records"] == _DRUG_COLUMNS, "drug rows are built in this column order"


@functools.cache
def _default_pin_hash() -> str:
    """Every generated card has the default 暗証番号, hashed once per process (salted)."""
    return hash_password(DEFAULT_PIN)


class Carer:
    def __init__(self, data: PopulationData, drugs: Drugs, items: CheckupItems,
                 today: dt.date) -> None:
        self.today = today
        self.now = dt.datetime.combine(today, dt.time(12), tzinfo=JST)
        rates = data.rates
        self.card_share = float(rates["my_number_card_holding"])
        self.pin_hash = _default_pin_hash()
        self.registered_share = float(rates["insurance_registration_of_holders"])
        self.participation = {str(k): float(v)
                              for k, v in rates["checkup_participation_by_kind"].items()}
        use = data.drug_use
        self.dispensings = AgeTable(use["dispensings_per_year"])
        self.extra_lines = 1 / max(0.01, float(use["lines_per_dispensing"]["mean"]) - 1)
        self.lines_max = int(use["lines_per_dispensing"]["max"])
        mix = use["source_mix"]
        self.dispensing_share = float(mix["dispensing"])
        self.eprescription_share = float(mix["eprescription"])
        self._drugs_by_age = self._drug_tables(drugs)
        self.items = [item for item in items if item.name in data.checkup_values]
        self.draws = {sex: [self._draw_table(data.checkup_values[item.name], sex)
                            for item in self.items] for sex in (Sex.MALE, Sex.FEMALE)}

    @staticmethod
    def _draw_table(spec: Mapping, sex: Sex):
        """How to draw one item's value: (codes, weights) or an AgeTable of (mean, sd, min,
        decimals)."""
        if "codes" in spec:
            return list(spec["codes"]), list(spec["codes"].values())
        decimals = spec.get("decimals")

        def band(raw):
            mean = float(raw["mean"])
            places = int(decimals if decimals is not None else (1 if mean < 100 else 0))
            return mean, float(raw["sd"]), float(raw.get("min", 0)), places

        return AgeTable(spec["male" if sex is Sex.MALE else "female"], band)

    @staticmethod
    def _drug_tables(drugs: Drugs):
        """Per 5-year band: the drugs given at that age and their cumulative weights."""
        tables = {}
        for low in range(0, 110, 5):
            entries = [e for e in drugs if e.fits(low + 2)] or list(drugs)
            tables[low] = (entries, list(itertools.accumulate(e.weight for e in entries)))
        return tables

    # -- the My Number card ----------------------------------------------------------------

    def card(self, rng: random.Random, person_id: int, birthdate: dt.date,
             died: dt.date | None) -> dict | None:
        if rng.random() >= self.card_share:
            return None
        first = max(CARD_START, birthdate)
        if first >= self.today:
            return None
        issued = first + dt.timedelta(days=rng.randrange((self.today - first).days))
        while shift_years(issued, 5) <= self.today and rng.random() < 0.95:  # renewed
            issued = shift_years(issued, 5)
        not_before = dt.datetime.combine(issued, dt.time(10), tzinfo=JST)
        registered = None
        if rng.random() < self.registered_share:
            start = max(not_before, REGISTRATION_START)
            if start < self.now:
                registered = start + dt.timedelta(
                    seconds=rng.randrange(int((self.now - start).total_seconds())))
        return {
            "person_id": person_id, "serial": f"{(1 << 60) | person_id:x}", "certificate": None,
            "not_before": not_before,
            "not_after": dt.datetime.combine(shift_years(issued, 5), dt.time(10), tzinfo=JST),
            "expires_at": None if died is None else dt.datetime.combine(died, dt.time(0),
                                                                        tzinfo=JST),
            "insurance_registered_at": registered, "revoked_at": None, "revoke_reason": None,
            "pin_hash": self.pin_hash, "pin_failures": 0, "pin_locked_at": None,
        }

    # -- drugs -----------------------------------------------------------------------------

    def drugs(self, rng: random.Random, person_id: int, age: int,
              places: Mapping[str, tuple[str, str]], until: dt.date, encoder: Encoder) -> list:
        """The person's drug rows (``drug_records`` columns, encoded), oldest first."""
        rate = self.dispensings[age]
        if not rate:
            return []
        rows: list[tuple] = []
        date, instant = encoder.date, encoder.instant
        pharmacy, clinic = places["pharmacy"], places["clinic"]
        entries, cumulative = self._drugs_by_age[min(105, age // 5 * 5)]
        day = shift_years(self.today, -3) + dt.timedelta(days=rng.expovariate(rate / 365.0))
        recent = max(ELECTRONIC_START, self.today - ELECTRONIC_DAYS)
        while day <= until:
            lines = min(self.lines_max, 1 + int(rng.expovariate(self.extra_lines)))
            electronic = day >= recent
            as_dispensing = electronic and rng.random() < self.dispensing_share
            as_prescription = electronic and rng.random() < self.eprescription_share
            days = rng.choice(_DAYS)
            on = date(day)
            claims = instant(claims_visible_at(day))
            evening = dt.datetime.combine(day, dt.time(18), tzinfo=JST)
            for _ in range(lines):
                drug = entries[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]
                tail = (clinic[0], clinic[1], "2", drug.code, drug.name, drug.ingredient, "1",
                        drug.unit, drug.usage, None, days, "01")
                rows.append((person_id, "1", on, on, pharmacy[0], pharmacy[1], *tail, claims))
                if as_dispensing:
                    rows.append((person_id, "2", on, on, pharmacy[0], pharmacy[1], *tail,
                                 instant(evening)))
                if as_prescription:
                    rows.append((person_id, "3", on, on, None, None, *tail,
                                 instant(evening - dt.timedelta(hours=6))))
            day += dt.timedelta(days=max(1.0, rng.expovariate(rate / 365.0)))
        return rows

    # -- 特定健診 ---------------------------------------------------------------------------

    def checkups(self, rng: random.Random, person_id: int, birthdate: dt.date, sex: Sex,
                 kind: str, insurer_number: str | None, until: dt.date) -> list[dict]:
        share = self.participation.get(kind, 0.0)
        rows = []
        for back in range(5, 0, -1):
            year_start = dt.date(self.today.year - back + (self.today.month >= 4), 4, 1)
            exam = year_start + dt.timedelta(days=rng.randrange(365))
            age = exam.year - birthdate.year - ((exam.month, exam.day) <
                                                (birthdate.month, birthdate.day))
            if exam > until or exam < shift_years(self.today, -5) or age not in _CHECKUP_AGES:
                continue
            if rng.random() >= share:
                continue
            rows.append({
                "person_id": person_id, "exam_date": exam, "insurer_number": insurer_number,
                "items": self._values(rng, sex, age),
                "visible_at": dt.datetime.combine(exam + dt.timedelta(days=rng.randint(60, 120)),
                                                  dt.time(9), tzinfo=JST),
            })
        return rows

    def _values(self, rng: random.Random, sex: Sex, age: int) -> list[dict]:
        out = []
        for item, draw in zip(self.items, self.draws[sex], strict=True):
            if isinstance(draw, tuple):
                value = rng.choices(draw[0], draw[1])[0]
            else:
                mean, sd, low, places = draw[age]
                value = max(low, rng.gauss(mean, sd))
                value = f"{value:.{places}f}" if places else str(int(math.floor(value + 0.5)))
            out.append({"code": item.code, "value": value})
        return out

def institution_code(prefecture: str, kind: str, number: int) -> str:
    """A 医療機関コード of the right form: 都道府県, 点数表, 6 digits, check digit."""
    return with_check_digit(f"{prefecture}{kind}{number % 10**6:06d}")
