"""The people of the demo world: seeded identities, insurance cards and qualification records.

Pure: randomness comes from one ``random.Random`` per person, seeded from the world's master
``Random`` (:meth:`PeopleMaker.rng`), and every date from the business date ``today``.
``Faker("ja_JP")`` supplies 漢字氏名, カナ氏名 (converted to half-width), 住所 and 郵便番号.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from faker import Faker

from ..registry.identifiers import check_digit
from ..registry.model import (
    JST,
    ElderlyCertificate,
    Family,
    Insurer,
    InsurerKind,
    LimitCertificate,
    Person,
    Qualification,
    ReasonOfLoss,
    Sex,
)

__all__ = [
    "DemoPerson", "Card", "PeopleMaker", "INSURERS", "KYOKAI", "KUMIAI", "KYOSAI", "KOKUHO",
    "KOKUHO_KUMIAI", "KOKI", "TOKUREI", "JIEIKAN", "to_half_width_kana", "age_on", "at_ten",
    "benefit_year", "shift_years", "household", "lose", "preschool", "elderly_certificate",
]


def _insurer(body: str, name: str, kind: InsurerKind) -> Insurer:
    return Insurer(body + str(check_digit(body)), name, kind)


KYOKAI = _insurer("0113001", "全国健康保険協会東京支部", InsurerKind.KYOKAI)  # 01130012
KUMIAI = _insurer("0613002", "東京みらい商事健康保険組合", InsurerKind.KUMIAI)
KYOSAI = _insurer("3113001", "中央省庁共済組合", InsurerKind.KYOSAI)
KOKUHO = _insurer("13805", "杉並区", InsurerKind.KOKUHO)  # 138057, 6-digit 国保
KOKUHO_KUMIAI = _insurer("13301", "東京都文具商国民健康保険組合", InsurerKind.KOKUHO)
KOKI = _insurer("3913101", "東京都後期高齢者医療広域連合", InsurerKind.KOKI)  # 39131016
TOKUREI = _insurer("6313002", "東京みらい商事健康保険組合（特例退職）", InsurerKind.TOKUREI)
JIEIKAN = _insurer("0713001", "防衛省（自衛官）", InsurerKind.JIEIKAN)  # 自衛官診療証
INSURERS = (KYOKAI, KUMIAI, KYOSAI, KOKUHO, KOKUHO_KUMIAI, KOKI, TOKUREI, JIEIKAN)

# (choices, weights) for random.choices
_EMPLOYERS = ((KYOKAI, KUMIAI, KYOSAI), (50, 30, 20))
_KOKUHO_INSURERS = ((KOKUHO, KOKUHO_KUMIAI), (85, 15))
_KOKI_RATIOS = (("010", "020", "030"), (70, 20, 10))
KOKI_START = dt.date(2008, 4, 1)  # 後期高齢者医療制度 began

# -- half-width kana --------------------------------------------------------------------------


def _half_width_table() -> dict[str, str]:
    """Full-width → half-width katakana, voiced kana split into base + ﾞ/ﾟ (from NFKC)."""
    table = {"\u3000": " ", "゛": "ﾞ", "゜": "ﾟ", "ヵ": "ｶ", "ヶ": "ｹ", "ヮ": "ﾜ", "ヰ": "ｲ"}
    for half in map(chr, range(0xFF61, 0xFFA0)):
        table.setdefault(unicodedata.normalize("NFKC", half), half)
        for mark in ("ﾞ", "ﾟ"):
            full = unicodedata.normalize("NFKC", half + mark)
            if len(full) == 1:
                table.setdefault(full, half + mark)
    return table


_HALF_WIDTH = _half_width_table()


def to_half_width_kana(text: str) -> str:
    """Return ``text`` with full-width katakana and spaces in half-width (``ガ`` → ``ｶﾞ``)."""
    return "".join(_HALF_WIDTH.get(char, char) for char in unicodedata.normalize("NFC", text))


# -- dates ------------------------------------------------------------------------------------


def at_ten(day: dt.date) -> dt.datetime:
    """10:00 JST on ``day``: when the demo's insurers register their records."""
    return dt.datetime.combine(day, dt.time(10), tzinfo=JST)


def shift_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (earlier when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birthdate: dt.date, day: dt.date) -> int:
    return day.year - birthdate.year - ((day.month, day.day) < (birthdate.month, birthdate.day))


def benefit_year(today: dt.date) -> tuple[dt.date, dt.date]:
    """The 1 August – 31 July period holding ``today`` (高齢受給者証, 後期 限度額証)."""
    year = today.year if today.month >= 8 else today.year - 1
    return dt.date(year, 8, 1), dt.date(year + 1, 7, 31)


def preschool(birthdate: dt.date, today: dt.date) -> bool:
    """未就学: under 6 on the last 31 March before ``today``."""
    year = today.year if (today.month, today.day) > (3, 31) else today.year - 1
    return age_on(birthdate, dt.date(year, 3, 31)) < 6


def elderly_certificate(birthdate: dt.date, today: dt.date) -> ElderlyCertificate:
    """高齢受給者証 (2割) for the August–July year of ``today``, from the month after the 70th
    birthday (the birthday itself when it is the 1st); issued two weeks before it starts."""
    start, end = benefit_year(today)
    seventy = shift_years(birthdate, 70)
    next_month = (seventy.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    start = max(start, seventy if seventy.day == 1 else next_month)
    return ElderlyCertificate("020", start - dt.timedelta(days=14), start, end)


# -- cards and records ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    """A person of the demo world, their records (``person_id`` 0 until saved) and their story."""

    person: Person
    qualifications: tuple[Qualification, ...]
    story: str | None = None


@dataclass(frozen=True)
class Card:
    """What the insurer printed: 保険者, 記号, 番号, 枝番, 本人・家族, 被保険者（世帯主）氏名."""

    insurer: Insurer
    symbol: str | None
    number: str
    branch: str | None = "00"  # None for 後期高齢: its 番号 is the person's own
    family: Family = Family.INSURED
    insured_name: str | None = None

    def member(self, branch: int, *, family: Family, insured_name: str) -> Card:
        """The card of another member of the household, under the same 記号・番号."""
        return replace(self, branch=f"{branch:02d}", family=family, insured_name=insured_name)


_SYMBOLS = {
    InsurerKind.KYOKAI: lambda rng: str(rng.randint(1_000_000, 99_999_999)),
    InsurerKind.KUMIAI: lambda rng: str(rng.randint(1, 9999)),
    InsurerKind.KYOSAI: lambda rng: str(rng.randint(10, 999)),
    InsurerKind.KOKUHO: lambda rng: f"{rng.randint(1, 99):02d}-{rng.randint(1, 99):02d}",
    InsurerKind.TOKUREI: lambda rng: str(rng.randint(1, 9999)),
    InsurerKind.JIEIKAN: lambda rng: str(rng.randint(100, 999)),
}


class PeopleMaker:
    """Makes the seeded people, cards and records of one world (one master ``Random``)."""

    def __init__(self, master: random.Random, today: dt.date) -> None:
        self.master = master
        self.today = today
        self.fake = Faker("ja_JP")
        self._serials = itertools.count(1)

    def rng(self) -> random.Random:
        """The next person's own ``Random``, seeded with a sub-seed of the master."""
        return random.Random(self.master.getrandbits(64))

    def birthdate(self, rng: random.Random, age: int) -> dt.date:
        """A birthdate giving ``age`` today, the last birthday at least 15 days ago."""
        last_birthday = self.today - dt.timedelta(days=rng.randint(15, 364))
        return shift_years(last_birthday, -age)

    def person(
        self, rng: random.Random, age: int | None = None, *, birthdate: dt.date | None = None,
        sex: Sex | None = None, like: Person | None = None, avoid: Sequence[str] = (),
    ) -> Person:
        """A person of ``age`` (or born on ``birthdate``); with ``like``, of their household."""
        self.fake.seed_instance(rng.getrandbits(64))
        sex = sex or rng.choice((Sex.MALE, Sex.FEMALE))
        born = birthdate or self.birthdate(rng, age)
        surname = tuple(like.name.split("\u3000")[:1] + like.kana.split(" ")[:1]) if like else (
            self.fake.last_name_pair()[:2])
        name, kana = self._name(surname, sex, avoid)
        address, post = (like.address, like.post_number) if like else self._home()
        return Person(name, to_half_width_kana(kana), born, sex, address, post)

    def _home(self) -> tuple[str, str]:
        """An address in 杉並区 (the demo's neighbourhood) and its 郵便番号."""
        fake = self.fake
        street = f"{fake.town()}{fake.chome()}{fake.ban()}{fake.gou()}"
        post = f"{fake.random_element(('166', '167'))}-{fake.numerify('####')}"
        return f"東京都杉並区{street}", post

    def _name(self, surname: Sequence[str], sex: Sex, avoid: Sequence[str]) -> tuple[str, str]:
        fake = self.fake
        pick = fake.first_name_male_pair if sex is Sex.MALE else fake.first_name_female_pair
        while True:
            given = pick()
            name = f"{surname[0]}\u3000{given[0]}"
            if name not in avoid:
                return name, f"{surname[1]} {given[1]}"

    def card(self, rng: random.Random, insurer: Insurer) -> Card:
        """A new card; its 番号 is unique in the world (a serial, scrambled) and random-looking."""
        body = f"{rng.randint(1, 9)}{next(self._serials) * 7919 % 1_000_000:06d}"
        if insurer.kind is InsurerKind.KOKI:
            return Card(insurer, None, body + str(check_digit(body)), branch=None)
        return Card(insurer, _SYMBOLS[insurer.kind](rng), body)

    def acquired(
        self, rng: random.Random, person: Person, *, before: dt.date | None = None
    ) -> dt.date:
        """A 資格取得日 in the past 25 working years, at least 15 days before ``before``."""
        latest = (before or self.today) - dt.timedelta(days=15)  # registered before today
        earliest = max(shift_years(person.birthdate, 18), shift_years(self.today, -25))
        return latest - dt.timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))

    def record(
        self, person: Person, card: Card, rng: random.Random, *, valid_from: dt.date,
        registered_at: dt.datetime | None = None,
    ) -> Qualification:
        """The record the insurer registered, 1–10 days after ``valid_from`` unless given."""
        registered_at = registered_at or at_ten(valid_from + dt.timedelta(days=rng.randint(1, 10)))
        return Qualification(
            person_id=0, insurer=card.insurer, number=card.number, symbol=card.symbol,
            branch=card.branch, family=card.family, card_class="01", name=person.name,
            kana=person.kana, birthdate=person.birthdate, sex=person.sex, address=person.address,
            post_number=person.post_number, insured_name=card.insured_name,
            valid_from=valid_from, registered_at=registered_at,
            card_issued_on=valid_from + dt.timedelta(days=rng.randint(1, 7)),
            **self._benefits(person.birthdate, card.insurer, rng),
        )

    def koki_record(self, rng: random.Random, person: Person) -> Qualification:
        """後期高齢: from the 75th birthday (or the start of the scheme), under a new 番号."""
        since = max(shift_years(person.birthdate, 75), KOKI_START)
        return self.record(person, self.card(rng, KOKI), rng, valid_from=since)

    def _benefits(self, birthdate: dt.date, insurer: Insurer, rng: random.Random) -> dict:
        if insurer.kind is InsurerKind.KOKI:
            return {"ratio": rng.choices(*_KOKI_RATIOS)[0]}
        if preschool(birthdate, self.today):
            return {"ratio": "020", "preschool": True}
        if age_on(birthdate, self.today) >= 70:
            return {"ratio": "020", "elderly": (self._elderly(birthdate),)}
        return {"ratio": "030"}

    def _elderly(self, birthdate: dt.date) -> ElderlyCertificate:
        return elderly_certificate(birthdate, self.today)

    def limit(self, rng: random.Random, since: dt.date) -> LimitCertificate:
        """限度額適用認定証 区分ウ (under 70) for a year from a recent first of the month."""
        months = self.today.year * 12 + self.today.month - 1 - rng.randint(0, 10)
        start = max(dt.date(months // 12, months % 12 + 1, 1), since)
        return LimitCertificate("01", "A03", start, start, shift_years(start, 1) - dt.timedelta(1))


def lose(
    record: Qualification, on: dt.date, reason: ReasonOfLoss,
    registered_at: dt.datetime | None = None,
) -> Qualification:
    """The record closed on ``on``; OQS learns it at ``registered_at`` (default 5 days later)."""
    known = registered_at or at_ten(on + dt.timedelta(days=5))
    return replace(record, valid_to=on, reason_of_loss=reason, loss_registered_at=known)


# -- ordinary households ----------------------------------------------------------------------


def household(make: PeopleMaker) -> list[DemoPerson]:
    """One ordinary household: a 後期高齢 person alone, or an insured head and their family."""
    rng = make.rng()
    age = rng.randint(18, 95)
    if age >= 75:
        person = make.person(rng, age)
        return [DemoPerson(person, (make.koki_record(rng, person),))]
    employed = age < 65 and rng.random() < 0.8
    head = make.person(rng, age)
    card, first = _head_record(make, rng, head, employed=employed)
    family = Family.DEPENDENT if employed else Family.INSURED
    members = (
        _member(make, head, card.member(branch, family=family, insured_name=head.name),
                first.valid_from, age=member_age, sex=sex)
        for branch, (member_age, sex) in enumerate(_family_plan(rng, age, head.sex), start=1)
    )
    return [DemoPerson(head, (first,)), *members]


def _head_record(
    make: PeopleMaker, rng: random.Random, head: Person, *, employed: bool
) -> tuple[Card, Qualification]:
    """An employee's card (1 in 20 with a 限度額 certificate), or a 国保 世帯主's."""
    card = make.card(rng, rng.choices(*(_EMPLOYERS if employed else _KOKUHO_INSURERS))[0])
    card = card if employed else replace(card, insured_name=head.name)
    first = make.record(head, card, rng, valid_from=make.acquired(rng, head))
    if employed and rng.random() < 0.05:
        first = replace(first, limits=(make.limit(rng, first.valid_from),))
    return card, first


def _family_plan(rng: random.Random, age: int, sex: Sex) -> Iterator[tuple[int, Sex | None]]:
    """Ages and sexes of a spouse (half the time) and 0–3 children."""
    if age >= 22 and rng.random() < 0.5:
        other = Sex.FEMALE if sex is Sex.MALE else Sex.MALE
        yield min(95, max(18, age + rng.randint(-5, 5))), other
    low, high = max(0, age - 45), min(22, age - 20)
    if low <= high:
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            yield rng.randint(low, high), None


def _member(
    make: PeopleMaker, head: Person, card: Card, since: dt.date, *, age: int, sex: Sex | None
) -> DemoPerson:
    """A member of the head's household; from 75 on they have their own 後期高齢 record."""
    rng = make.rng()
    person = make.person(rng, age, sex=sex, like=head)
    if age >= 75:
        return DemoPerson(person, (make.koki_record(rng, person),))
    valid_from = max(since, person.birthdate)
    return DemoPerson(person, (make.record(person, card, rng, valid_from=valid_from),))
