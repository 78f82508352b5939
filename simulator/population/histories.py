"""Each member's qualification records: the current one and what came before it.

Histories are drawn over the last ``history_years`` before the business date from the rates
of ``rates.yaml``: 転職 (a new employer's insurance), 退職 → 国保, 75歳到達 → 後期高齢, 出生,
死亡 and 生活保護 (the last record lost, reason 02). Every filing reaches OQS after the
employer's and the insurer's delays (0–5 days each; a share of late filings take longer), so
records that changed in the last days are not known yet. A small share of new records are
typed with a different カナ氏名 and held (連携保留) from their registration.
"""

from __future__ import annotations

import datetime as dt
import random

from ..loaders.demo_cards import with_card_dates
from ..loaders.demo_people import elderly_certificate, preschool, shift_years
from ..registry.model import (
    JST,
    Family,
    Hold,
    Insurer,
    InsurerKind,
    Person,
    Qualification,
    ReasonOfLoss,
)
from .data import AgeTable, PopulationData
from .households import KOKI_AGE, Composer, Household, Member
from .insurers import with_check_digit

__all__ = ["Historian"]

_SCRAMBLE = 7919  # prime, coprime to 10: i → i·p mod 10^k is a bijection
_SYMBOL_FORMS = {
    InsurerKind.KYOKAI: lambda rng: str(rng.randint(1_000_000, 99_999_999)),
    InsurerKind.KUMIAI: lambda rng: str(rng.randint(1, 9999)),
    InsurerKind.KYOSAI: lambda rng: str(rng.randint(10, 999)),
    InsurerKind.KOKUHO: lambda rng: f"{rng.randint(1, 99):02d}-{rng.randint(1, 99):02d}",
}
_KOKI_RATIOS = (("010", "020", "030"), (0.75, 0.15, 0.10))


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    """An instant in office hours of ``day`` (JST)."""
    return dt.datetime.combine(day, dt.time(9 + rng.randrange(9), rng.randrange(60)), tzinfo=JST)


class Historian:
    def __init__(self, data: PopulationData, composer: Composer, today: dt.date) -> None:
        self.data = data
        self.composer = composer
        self.today = today
        self.now = dt.datetime.combine(today, dt.time(12), tzinfo=JST)
        rates = data.rates
        self.years = int(data.households["history_years"])
        self.job_change = float(rates["job_change_per_year"])
        self.retire_age = int(rates["retire_age"])
        self.hold_share = float(rates["hold_share"])
        self.late_share = float(rates["late_filing_share"])
        self.deaths = AgeTable(rates["deaths_per_1000_by_age"], lambda v: float(v) / 1000)
        self.window_start = shift_years(today, -self.years)

    # -- numbers -----------------------------------------------------------------------------

    @staticmethod
    def number(index: int, slot: int, insurer: Insurer) -> str:
        serial = (index * 32 + slot) * _SCRAMBLE
        if insurer.kind is InsurerKind.KOKI:
            return with_check_digit(f"{serial % 10**7:07d}")
        return str(serial % 10**8).zfill(6)

    def lag(self, rng: random.Random) -> int:
        if rng.random() < self.late_share:
            return rng.randint(11, 60)
        return rng.randint(0, 5) + rng.randint(0, 5)

    # -- records -----------------------------------------------------------------------------

    def records(self, rng: random.Random, home: Household, member: Member, person: Person,
                slot: int, position: int) -> tuple[list[Qualification], dt.date | None]:
        """The member's records, oldest first, and the day they died (None: alive).

        ``slot`` numbers the current coverage within the household (members of one family's
        coverage share it, and so its 記号・番号); ``position`` is the member's place.
        """
        born = member.birthdate
        died = self._death(rng, member)
        start = self._current_start(rng, member)
        records: list[Qualification] = []
        if member.kind == "welfare":
            previous = self._previous_kind(rng, member)
            since = max(born, self.window_start - dt.timedelta(days=365 * 3))
            if previous is not None and born < self.today - dt.timedelta(days=60):
                lost = self._day_between(rng, max(since, born), self.today - dt.timedelta(days=30))
                insurer = self.composer.insurer(rng, previous, home)
                old = self._record(rng, home, member, person, insurer, 16 + position,
                                   self._day_between(rng, since, lost), lost=lost,
                                   reason=ReasonOfLoss.WELFARE)
                records.append(old)
            return records, died
        change = self._change_day(rng, member, start)
        if change is not None:
            previous = self._previous_kind(rng, member)
            insurer = self.composer.insurer(rng, previous, home)
            if insurer is not None and insurer != member.insurer:
                records.append(self._record(
                    rng, home, member, person, insurer, 16 + position, start, lost=change,
                    reason=ReasonOfLoss.OTHER_INSURANCE))
                start = change
        records.append(self._record(rng, home, member, person, member.insurer, slot, start,
                                    lost=died, reason=ReasonOfLoss.DEATH, current=True))
        return records, died

    def _current_start(self, rng: random.Random, member: Member) -> dt.date:
        born = member.birthdate
        if member.kind == "koki":
            return max(shift_years(born, KOKI_AGE), dt.date(2008, 4, 1))
        if member.family is Family.DEPENDENT or member.age < 18:
            earliest = born
        else:
            earliest = shift_years(born, 18)
        earliest = max(earliest, shift_years(self.today, -30))
        return self._day_between(rng, earliest, self.today - dt.timedelta(days=1))

    def _change_day(self, rng: random.Random, member: Member, start: dt.date) -> dt.date | None:
        """The day the current coverage replaced an earlier one in the window, if it did."""
        if member.kind == "koki":
            seventy_five = shift_years(member.birthdate, KOKI_AGE)
            return seventy_five if seventy_five > self.window_start else None
        if member.age < 18 or member.family is Family.DEPENDENT:
            return None
        first = max(start, self.window_start)
        if member.kind in ("kokuho", "kokuho_kumiai") and member.age >= self.retire_age:
            retired = shift_years(member.birthdate, self.retire_age)
            return retired if retired > first else None
        if rng.random() < 1 - (1 - self.job_change) ** self.years:
            return self._day_between(rng, first, self.today - dt.timedelta(days=1))
        return None

    def _previous_kind(self, rng: random.Random, member: Member) -> str | None:
        if member.age < 18:
            return None
        if member.kind == "koki" or member.kind in ("kokuho", "kokuho_kumiai"):
            return "kokuho" if member.kind == "koki" and rng.random() < 0.8 else \
                self.composer.employers.draw(rng)
        if member.kind == "welfare":
            return "kokuho" if rng.random() < 0.7 else self.composer.employers.draw(rng)
        return self.composer.employers.draw(rng)

    def _death(self, rng: random.Random, member: Member) -> dt.date | None:
        """Died within the last year (the record is lost, reason 01), by the age's rate."""
        if rng.random() < self.deaths[member.age]:
            return self._day_between(rng, self.today - dt.timedelta(days=365), self.today)
        return None

    @staticmethod
    def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
        if last <= first:
            return first
        return first + dt.timedelta(days=rng.randrange((last - first).days + 1))

    def _record(self, rng, home, member: Member, person: Person, insurer: Insurer, slot: int,
                valid_from: dt.date, *, lost: dt.date | None, reason: ReasonOfLoss,
                current: bool = False) -> Qualification:
        valid_from = max(valid_from, member.birthdate)
        number = self.number(home.index, slot, insurer)
        symbol = None if insurer.kind is InsurerKind.KOKI else _SYMBOL_FORMS[insurer.kind](
            random.Random(home.index * 32 + slot))
        lag = self.lag(rng) + (rng.randint(7, 25) if valid_from == member.birthdate else 0)
        registered = _at(valid_from + dt.timedelta(days=lag), rng)
        kana = person.kana
        holds: tuple[Hold, ...] = ()
        if current and rng.random() < self.hold_share:
            kana = kana[:-1] + ("ｱ" if kana[-1] != "ｱ" else "ｲ")
            holds = (Hold(held_from=registered, reason="カナ氏名が住民票と一致しません"),)
        record = Qualification(
            person_id=0, insurer=insurer, number=number, symbol=symbol,
            branch=None if insurer.kind is InsurerKind.KOKI else f"{member.branch:02d}",
            family=member.family, card_class="01", name=person.name, kana=kana,
            birthdate=person.birthdate, sex=person.sex, address=person.address,
            post_number=person.post_number, valid_from=valid_from, registered_at=registered,
            valid_to=lost, reason_of_loss=reason if lost else None,
            loss_registered_at=_at(lost + dt.timedelta(days=self.lag(rng)), rng) if lost else None,
            holds=holds, **self._benefits(rng, member, insurer))
        return with_card_dates(record, self.today)

    def _benefits(self, rng: random.Random, member: Member, insurer: Insurer) -> dict:
        if insurer.kind is InsurerKind.KOKI:
            return {"ratio": rng.choices(*_KOKI_RATIOS)[0]}
        if preschool(member.birthdate, self.today):
            return {"ratio": "020", "preschool": True}
        if 70 <= member.age < KOKI_AGE:
            return {"ratio": "020",
                    "elderly": (elderly_certificate(member.birthdate, self.today),)}
        return {"ratio": "030"}
