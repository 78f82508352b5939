"""The demo gallery: people who show the code values the other notable people do not.

A vendor looking for a given value of a result element finds one person here (the README lists
their card items):

- InsuredCardClassification (OQSCD010): 02 退職 and 04 短期（退職） — 国保 退職者医療 until the
  65th birthday, then 一般 (01, or 03 短期（一般） for a household still in arrears); 05
  資格証明書 (国保); 06 特例退職 (法別 63); 07 自衛官診療証 (法別 07).
- ReasonOfLoss (OQSCD008): 01 死亡 (後期高齢), 02 生活保護 (国保), 03 医療保険等の資格取得
  (国保 → 協会 on taking a job); 99 is the 資格喪失 and 転職 people's.
- 限度額適用認定証 (OQSCD011 / OQSCD012): one person per 適用区分 — A01–A06 under 70 (A05, A06
  住民税非課税: 限度額適用・標準負担額減額認定証), B01–B10 at 70–74 (国保) or in 後期高齢
  (B09 一般Ⅱ and B10 一般Ⅰ exist only there); 03 標準負担額減額認定証 for a 現役並みⅠ person
  of a 住民税非課税 household. B05 is the 後期高齢・限度額 person's.
- 特定疾病 (OQSCD013): 2 先天性血液凝固因子障害 and 3 血液凝固因子製剤に起因するHIV感染症; 1 is
  the 特定疾病 person's.

Each builder draws from its own ``Random`` (:meth:`PeopleMaker.rng`) and dates from ``today``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from ..registry.model import (
    Insurer,
    InsurerKind,
    LimitCertificate,
    Qualification,
    ReasonOfLoss,
    Sex,
    SpecificDiseaseCertificate,
)
from .demo_cards import ISSUED_BEFORE_START, short_card
from .demo_people import (
    JIEIKAN,
    KOKI,
    KOKUHO,
    KUMIAI,
    KYOKAI,
    KYOSAI,
    TOKUREI,
    DemoPerson,
    PeopleMaker,
    at_ten,
    benefit_year,
    lose,
    shift_years,
)

__all__ = ["GALLERY"]

Build = Callable[[PeopleMaker], list[DemoPerson]]

#: When the gallery's 退職被保険者 entered 退職者医療 (it took new entrants until 2015-03-31).
RETIREE_ENTRY = dt.date(2015, 3, 1)
RETIREE_AGE_LIMIT = 65  # 退職被保険者 become 一般被保険者 on their 65th birthday
TOKUREI_FROM_AGE = 60  # 特例退職: from retirement at 60
_SPECIFIC_DISEASE_SELF_PAY = 10000  # 特定疾病 自己負担限度額 (yen a month)


def _own(
    make: PeopleMaker, rng, person, insurer: Insurer, *, since: dt.date | None = None,
    card_class: str = "01",
) -> Qualification:
    """A record on a new card of ``insurer`` (国保: the person is their own 世帯主)."""
    card = make.card(rng, insurer)
    if insurer.kind is InsurerKind.KOKUHO:
        card = replace(card, insured_name=person.name)
    since = since or make.acquired(rng, person)
    return replace(make.record(person, card, rng, valid_from=since), card_class=card_class)


def _one(
    make: PeopleMaker, insurer: Insurer, age: int, story: str, *, sex: Sex | None = None,
    card_class: str = "01", since: Callable[[dt.date], dt.date] | None = None, **terms,
) -> list[DemoPerson]:
    """One person with one current record; ``since`` maps the birthdate to the 取得日."""
    rng = make.rng()
    person = make.person(rng, age, sex=sex)
    if insurer.kind is InsurerKind.KOKI:
        record = make.koki_record(rng, person)
    else:
        start = since(person.birthdate) if since else None
        record = _own(make, rng, person, insurer, since=start, card_class=card_class)
    return [DemoPerson(person, (replace(record, **terms),), story)]


def _retiree(make: PeopleMaker, *, short: bool) -> list[DemoPerson]:
    """退職者医療 (02, or 04 短期) from 2015 to the 65th birthday, then 一般 (01, or 03 短期)."""
    rng = make.rng()
    person = make.person(rng, 69)
    turned = shift_years(person.birthdate, RETIREE_AGE_LIMIT)
    old = _own(make, rng, person, KOKUHO, since=RETIREE_ENTRY, card_class="04" if short else "02")
    new = _own(make, rng, person, KOKUHO, since=turned, card_class="03" if short else "01")
    old = lose(old, turned, ReasonOfLoss.OTHER)
    if short:
        old = short_card(old, turned - dt.timedelta(days=1))
        new = short_card(new, make.today)
    story = ("退職者医療・短期証（被保険者証区分 04 → 03）" if short
             else "退職者医療（被保険者証区分 02）")
    return [DemoPerson(person, (old, new), story)]


def _death(make: PeopleMaker) -> list[DemoPerson]:
    """後期高齢, died some weeks ago: 資格喪失日 the day after (ReasonOfLoss 01)."""
    (demo,) = _one(make, KOKI, 88, "死亡（ReasonOfLoss 01）")
    died = make.today - dt.timedelta(days=make.rng().randint(20, 60))
    (record,) = demo.qualifications
    return [replace(demo, qualifications=(
        lose(record, died + dt.timedelta(days=1), ReasonOfLoss.DEATH),))]


def _welfare(make: PeopleMaker) -> list[DemoPerson]:
    """国保, 生活保護 started some weeks ago (ReasonOfLoss 02)."""
    (demo,) = _one(make, KOKUHO, 54, "生活保護（ReasonOfLoss 02）")
    started = make.today - dt.timedelta(days=make.rng().randint(20, 60))
    (record,) = demo.qualifications
    return [replace(demo, qualifications=(lose(record, started, ReasonOfLoss.WELFARE),))]


def _kokuho_to_work(make: PeopleMaker) -> list[DemoPerson]:
    """国保 → 協会 on taking a job (ReasonOfLoss 03): the old card gives 3, the new one 1."""
    rng = make.rng()
    person = make.person(rng, 41)
    hired = make.today - dt.timedelta(days=rng.randint(40, 120))
    old = _own(make, rng, person, KOKUHO, since=make.acquired(rng, person, before=hired))
    new = _own(make, rng, person, KYOKAI, since=hired)
    old = lose(old, hired, ReasonOfLoss.OTHER_INSURANCE, at_ten(hired + dt.timedelta(days=12)))
    return [DemoPerson(person, (old, new), "国保から就職（ReasonOfLoss 03）")]


def _specific_disease(category: str, insurer: Insurer, age: int) -> Build:
    def build(make: PeopleMaker) -> list[DemoPerson]:
        story = f"特定疾病（SpecificDiseasesDiseaseCategory {category}）"
        (demo,) = _one(make, insurer, age, story, sex=Sex.MALE)
        (record,) = demo.qualifications
        since = max(record.valid_from, make.today - dt.timedelta(days=400))
        certificate = SpecificDiseaseCertificate(category, _SPECIFIC_DISEASE_SELF_PAY, since, since)
        return [replace(demo, qualifications=(
            replace(record, specific_diseases=(certificate,)),))]
    return build


def _limit(classification: str, flag: str, insurer: Insurer, age: int, **terms) -> Build:
    """A person of ``age`` with a 限度額適用認定証 (``classification``, ``flag``) valid today.

    国保 and 後期高齢 certificates run 1 August – 31 July; an employee's for a year from a
    recent first of the month (:meth:`PeopleMaker.limit`).
    """
    def build(make: PeopleMaker) -> list[DemoPerson]:
        story = f"限度額（{classification} {flag}）"
        (demo,) = _one(make, insurer, age, story, **terms)
        (record,) = demo.qualifications
        if insurer.kind in (InsurerKind.KOKUHO, InsurerKind.KOKI):
            start, end = benefit_year(make.today)
            start = max(start, record.valid_from)
            certificate = LimitCertificate(classification, flag, start - ISSUED_BEFORE_START,
                                           start, end)
        else:
            certificate = replace(make.limit(make.rng(), record.valid_from),
                                  classification=classification, classification_flag=flag)
        return [replace(demo, qualifications=(replace(record, limits=(certificate,)),))]
    return build


GALLERY: tuple[Build, ...] = (
    lambda make: _retiree(make, short=False),
    lambda make: _retiree(make, short=True),
    lambda make: _one(make, KOKUHO, 44, "資格証明書（被保険者証区分 05）", card_class="05"),
    lambda make: _one(make, TOKUREI, 66, "特例退職（被保険者証区分 06）", card_class="06",
                      since=lambda born: shift_years(born, TOKUREI_FROM_AGE)),
    lambda make: _one(make, JIEIKAN, 31, "自衛官（被保険者証区分 07）", sex=Sex.MALE,
                      card_class="07"),
    _death,
    _welfare,
    _kokuho_to_work,
    _specific_disease("2", KYOKAI, 27),
    _specific_disease("3", KUMIAI, 52),
    _limit("01", "A01", KYOKAI, 52),  # ア
    _limit("01", "A02", KUMIAI, 47),  # イ
    _limit("01", "A03", KYOSAI, 39),  # ウ
    _limit("01", "A04", KYOKAI, 33),  # エ
    _limit("02", "A05", KOKUHO, 61),  # オ (住民税非課税)
    _limit("02", "A06", KOKUHO, 58),  # オ（境）
    _limit("01", "B01", KOKI, 78, ratio="030"),  # 現役並みⅢ
    _limit("01", "B02", KOKI, 76, ratio="030"),  # 現役並みⅡ
    _limit("03", "B03", KOKI, 80, ratio="030"),  # 現役並みⅠ, 住民税非課税: 標準負担額減額
    _limit("01", "B04", KOKUHO, 73),  # 一般 (70–74)
    _limit("02", "B06", KOKI, 86, ratio="010"),  # 低所得Ⅰ
    _limit("02", "B07", KOKI, 97, ratio="010"),  # 低所得Ⅰ（老齢福祉年金）
    _limit("02", "B08", KOKUHO, 71),  # 低所得Ⅰ（境界層, 70–74)
    _limit("01", "B09", KOKI, 77, ratio="020"),  # 一般Ⅱ
    _limit("01", "B10", KOKI, 83, ratio="010"),  # 一般Ⅰ
)
