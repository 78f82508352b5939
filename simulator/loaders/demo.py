"""A small, deterministic demo world: insurers, three Tokyo institutions with logins, and people.

:func:`generate_demo_world` is pure: one master seed gives every person a sub-seed, and every
date derives from ``business_now``. :func:`save_demo_world` writes a world in one transaction.

Notable people carry a :class:`Story`, so the README and the tests can find them:

- 本人 — a 協会けんぽ insured: valid (1).
- 双子 — twins, 家族 of one insured under one 記号・番号, 枝番 01 and 02, the same birthdate:
  multiple (5) without 枝番, valid (1) with it. 双子の親 is the insured.
- 資格喪失 — lost a month or more ago, no newer record: invalid (2).
- 転職 — changed jobs (協会 → 組合), both registered: the old card gives 3, the new one 1.
- 転職（登録前） — changes jobs today (共済 → 協会), neither the loss nor the new record is
  registered yet (+2 and +3 days): the old card still gives 1, the new one 4.
- 国保 — a 6-digit 国保 member, 記号 with a hyphen. 高齢受給者 — 国保, 70–74, 2割.
- 後期高齢・限度額 — 後期高齢, 1割, 限度額適用・標準負担額減額認定証 (02, 低所得Ⅱ B05).
- 特定疾病 — 国保組合 member with a 特定疾病療養受療証 (人工透析, 10,000 yen).

After them comes the gallery (:mod:`.demo_gallery`): one person for each value of the code
tables a result carries that the people above do not show. New notable people are appended
there, so the earlier ones keep their numbers, names and dates (the README quotes them).

Every record has its insurance card's dates (:func:`.demo_cards.with_card_dates`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from ..registry.identifiers import check_digit, parse_institution_code
from ..registry.model import (
    JST,
    Family,
    Institution,
    Insurer,
    LimitCertificate,
    ReasonOfLoss,
    SpecificDiseaseCertificate,
)
from .demo_cards import with_card_dates
from .demo_gallery import GALLERY
from .demo_people import (
    INSURERS,
    KOKUHO,
    KOKUHO_KUMIAI,
    KUMIAI,
    KYOKAI,
    KYOSAI,
    DemoPerson,
    PeopleMaker,
    at_ten,
    benefit_year,
    household,
    lose,
)

__all__ = [
    "DemoAccount", "DemoPerson", "DemoWorld", "Story", "generate_demo_world", "save_demo_world",
]

log = logging.getLogger(__name__)

DEFAULT_SEED = 20260401
DEFAULT_BUSINESS_NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=JST)
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_SUGINAMI = "131156"  # 市区町村コード of 杉並区


class Story(StrEnum):
    """Why a demo person is worth a lookup."""

    INSURED = "本人"
    TWINS = "双子"
    TWINS_PARENT = "双子の親"
    LOST = "資格喪失"
    JOB_CHANGE = "転職"
    JOB_CHANGE_PENDING = "転職（登録前）"
    KOKUHO = "国保"
    ELDERLY = "高齢受給者"
    KOKI_LIMIT = "後期高齢・限度額"
    SPECIFIC_DISEASE = "特定疾病"


@dataclass(frozen=True)
class DemoAccount:
    """A Web API login of a demo institution; the plain password is shown to the user."""

    institution_code: str
    user: str
    password: str


@dataclass(frozen=True)
class DemoWorld:
    """Everything the demo loads, as of ``business_now``; people in generation order."""

    seed: int
    business_now: dt.datetime
    insurers: tuple[Insurer, ...]
    institutions: tuple[Institution, ...]
    accounts: tuple[DemoAccount, ...]
    persons: tuple[DemoPerson, ...]

    def with_story(self, story: str) -> tuple[DemoPerson, ...]:
        return tuple(p for p in self.persons if p.story == story)


def generate_demo_world(
    *, seed: int = DEFAULT_SEED, persons: int = 300,
    business_now: dt.datetime = DEFAULT_BUSINESS_NOW,
) -> DemoWorld:
    """Generate the demo world of ``persons`` people for ``seed`` as of ``business_now``.

    :raises ValueError: if ``persons`` is too few for the notable cases.
    """
    log.info("demo world seed=%d", seed)
    master = random.Random(seed)
    institutions = _institutions()
    accounts = tuple(_account(i, random.Random(master.getrandbits(64))) for i in institutions)
    make = PeopleMaker(master, business_now.astimezone(JST).date())
    people = tuple(_with_cards(demo, make.today)
                   for demo in itertools.islice(_people(make, persons), persons))
    return DemoWorld(seed, business_now, INSURERS, institutions, accounts, people)


def _people(make: PeopleMaker, count: int) -> Iterator[DemoPerson]:
    """The notable people first, then ordinary households for ever."""
    notable = [person for build in _NOTABLE for person in build(make)]
    if count < len(notable):
        raise ValueError(f"persons must be at least {len(notable)}, got {count}")
    yield from notable
    while True:
        yield from household(make)


def _with_cards(demo: DemoPerson, today: dt.date) -> DemoPerson:
    """Every record with its insurance card's dates (:func:`with_card_dates`)."""
    return replace(demo, qualifications=tuple(
        with_card_dates(record, today) for record in demo.qualifications))


# -- institutions and accounts ----------------------------------------------------------------


def _institution(body: str, name: str, user: str) -> Institution:
    parsed = parse_institution_code(body + str(check_digit(body)))
    return Institution(parsed.code, name, parsed.kind, parsed.prefecture, _SUGINAMI, user)


def _institutions() -> tuple[Institution, ...]:
    return (
        _institution("131150001", "さくら内科クリニック", "clinic"),  # 医科
        _institution("133150002", "けやき歯科医院", "dental"),  # 歯科
        _institution("134150003", "ひまわり調剤薬局", "pharmacy"),  # 調剤
    )


def _account(institution: Institution, rng: random.Random) -> DemoAccount:
    password = "".join(rng.choice(_PASSWORD_ALPHABET) for _ in range(12))
    return DemoAccount(institution.code, institution.account, password)


# -- notable people ---------------------------------------------------------------------------


def _single(make: PeopleMaker, insurer: Insurer, age: int, story: Story) -> list[DemoPerson]:
    """One insured person with one current record (国保: their own 世帯主)."""
    rng = make.rng()
    person = make.person(rng, age)
    card = make.card(rng, insurer)
    if insurer in (KOKUHO, KOKUHO_KUMIAI):
        card = replace(card, insured_name=person.name)
    since = make.acquired(rng, person)
    return [DemoPerson(person, (make.record(person, card, rng, valid_from=since),), story)]


def _twins(make: PeopleMaker) -> list[DemoPerson]:
    rng = make.rng()
    parent = make.person(rng, 38)
    card = make.card(rng, KUMIAI)
    since = make.acquired(rng, parent)
    born = make.birthdate(rng, 4)
    people = [DemoPerson(parent, (make.record(parent, card, rng, valid_from=since),),
                         Story.TWINS_PARENT)]
    for branch in (1, 2):
        twin_rng = make.rng()
        avoid = [p.person.name for p in people]
        twin = make.person(twin_rng, birthdate=born, like=parent, avoid=avoid)
        twin_card = card.member(branch, family=Family.DEPENDENT, insured_name=parent.name)
        record = make.record(twin, twin_card, twin_rng, valid_from=max(since, born))
        people.append(DemoPerson(twin, (record,), Story.TWINS))
    return people


def _lost(make: PeopleMaker) -> list[DemoPerson]:
    rng = make.rng()
    person = make.person(rng, 52)
    lost_on = make.today - dt.timedelta(days=rng.randint(30, 90))
    since = make.acquired(rng, person, before=lost_on)
    record = make.record(person, make.card(rng, KYOKAI), rng, valid_from=since)
    return [DemoPerson(person, (lose(record, lost_on, ReasonOfLoss.OTHER),), Story.LOST)]


def _job_change(make: PeopleMaker) -> list[DemoPerson]:
    """協会 → 組合 some weeks ago; OQS knows both the loss and the new record."""
    rng = make.rng()
    person = make.person(rng, 34)
    changed_on = make.today - dt.timedelta(days=rng.randint(40, 120))
    since = make.acquired(rng, person, before=changed_on)
    old = make.record(person, make.card(rng, KYOKAI), rng, valid_from=since)
    new = make.record(person, make.card(rng, KUMIAI), rng, valid_from=changed_on)
    old = lose(old, changed_on, ReasonOfLoss.OTHER, at_ten(changed_on + dt.timedelta(days=4)))
    return [DemoPerson(person, (old, new), Story.JOB_CHANGE)]


def _job_change_pending(make: PeopleMaker) -> list[DemoPerson]:
    """共済 → 協会 today; the loss is registered in 2 days, the new record in 3."""
    rng, today = make.rng(), make.today
    person = make.person(rng, 29)
    since = make.acquired(rng, person, before=today)
    old = make.record(person, make.card(rng, KYOSAI), rng, valid_from=since)
    new = make.record(person, make.card(rng, KYOKAI), rng, valid_from=today,
                      registered_at=at_ten(today + dt.timedelta(days=3)))
    old = lose(old, today, ReasonOfLoss.OTHER, at_ten(today + dt.timedelta(days=2)))
    new = replace(new, card_issued_on=today)
    return [DemoPerson(person, (old, new), Story.JOB_CHANGE_PENDING)]


def _koki_limit(make: PeopleMaker) -> list[DemoPerson]:
    rng = make.rng()
    person = make.person(rng, 82)
    start, end = benefit_year(make.today)
    limit = LimitCertificate("02", "B05", start - dt.timedelta(days=14), start, end)
    record = replace(make.koki_record(rng, person), ratio="010", limits=(limit,))
    return [DemoPerson(person, (record,), Story.KOKI_LIMIT)]


def _specific_disease(make: PeopleMaker) -> list[DemoPerson]:
    (demo,) = _single(make, KOKUHO_KUMIAI, 58, Story.SPECIFIC_DISEASE)
    (record,) = demo.qualifications
    since = max(record.valid_from, make.today - dt.timedelta(days=400))
    certificate = SpecificDiseaseCertificate("1", 10000, since, since, None)
    return [replace(demo, qualifications=(replace(record, specific_diseases=(certificate,)),))]


_NOTABLE: tuple[Callable[[PeopleMaker], list[DemoPerson]], ...] = (
    lambda make: _single(make, KYOKAI, 45, Story.INSURED),
    _twins,
    _lost,
    _job_change,
    _job_change_pending,
    lambda make: _single(make, KOKUHO, 67, Story.KOKUHO),
    lambda make: _single(make, KOKUHO, 72, Story.ELDERLY),
    _koki_limit,
    _specific_disease,
    *GALLERY,  # new notable people go here, after the others, so those keep their numbers
)

# -- saving -----------------------------------------------------------------------------------


def save_demo_world(
    world: DemoWorld, *, uow, password_hash: Callable[[str], str]
) -> dict[str, int]:
    """Save ``world`` in one transaction; return how many of each were added."""
    with uow:
        _save_places(uow.repo, world, password_hash)
        qualifications = sum(_save_person(uow.repo, demo) for demo in world.persons)
        uow.commit()
    return {
        "insurers": len(world.insurers),
        "institutions": len(world.institutions),
        "persons": len(world.persons),
        "qualifications": qualifications,
    }


def _save_places(repo, world: DemoWorld, password_hash: Callable[[str], str]) -> None:
    for insurer in world.insurers:
        repo.add_insurer(insurer)
    for institution in world.institutions:
        repo.add_institution(institution)
    for account in world.accounts:
        repo.set_account(
            account.institution_code, account=account.user,
            password_hash=password_hash(account.password),
        )


def _save_person(repo, demo: DemoPerson) -> int:
    person_id = repo.add_person(demo.person)
    for record in demo.qualifications:
        repo.add_qualification(replace(record, person_id=person_id))
    return len(demo.qualifications)
