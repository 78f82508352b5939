"""QualificationValidity for the insurance-card route, as a table of named cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest

from simulator.registry import rules
from simulator.registry.model import (
    ElderlyCertificate,
    Family,
    LimitCertificate,
    Qualification,
    ReasonOfLoss,
    SpecificDiseaseCertificate,
    Validity,
)
from tests.builders import ACQUIRED, KYOKAI, at, held, query, record

# The story: 山田太郎 works at 山田商事 (組合) from 2015-04-01 and moves to a company under
# 協会けんぽ on 2026-04-01 (資格喪失日 = 資格取得日 of the new one).
JOB_CHANGE = dt.date(2026, 4, 1)
LAST_DAY_AT_OLD_JOB = dt.date(2026, 3, 31)
LOSS_REGISTERED = at(2026, 4, 4)  # the old insurer registers the loss
GAIN_REGISTERED = at(2026, 4, 9)  # the new insurer registers the acquisition
NOW = at(2026, 4, 10)  # business time of most lookups
ONE_SECOND = dt.timedelta(seconds=1)

OLD = record(
    id=1,
    valid_to=JOB_CHANGE,
    reason_of_loss=ReasonOfLoss.OTHER_INSURANCE,
    loss_registered_at=LOSS_REGISTERED,
)
NEW = record(
    id=2,
    insurer=KYOKAI,
    symbol="7001",
    number="88",
    branch="00",
    valid_from=JOB_CHANGE,
    registered_at=GAIN_REGISTERED,
)
CURRENT = record(id=3)  # a plain, open qualification

TWIN_BIRTHDATE = dt.date(2020, 6, 1)
TWIN_A = record(
    10, id=10, family=Family.DEPENDENT, name="山田　一郎", birthdate=TWIN_BIRTHDATE, branch="01"
)
TWIN_B = record(
    11, id=11, family=Family.DEPENDENT, name="山田　二郎", birthdate=TWIN_BIRTHDATE, branch="02"
)


@dataclass
class Case:
    records: list[Qualification]
    query: object
    as_of: dt.datetime
    validity: Validity
    shown_ids: tuple[int, ...] = ()


CASES = {
    # -- valid time [valid_from, valid_to) ------------------------------------------------------
    "open qualification on a recent day is valid": Case(
        [CURRENT], query(CURRENT, day=NOW.date()), NOW, Validity.VALID, (3,)
    ),
    "the day of acquisition is valid (start inclusive)": Case(
        [CURRENT], query(CURRENT, day=ACQUIRED), NOW, Validity.VALID, (3,)
    ),
    "the day before acquisition is invalid": Case(
        [CURRENT], query(CURRENT, day=ACQUIRED - dt.timedelta(days=1)), NOW, Validity.INVALID,
        (3,),
    ),
    "the last day before the loss is valid": Case(
        [OLD], query(OLD, day=LAST_DAY_AT_OLD_JOB), NOW, Validity.VALID, (1,)
    ),
    "the day of loss is invalid (end exclusive)": Case(
        [OLD], query(OLD, day=JOB_CHANGE), NOW, Validity.INVALID, (1,)
    ),
    # -- knowledge time: registered_at <= T -----------------------------------------------------
    "a record registered one second after now is not found": Case(
        [replace(CURRENT, registered_at=NOW + ONE_SECOND)],
        query(CURRENT, day=NOW.date()), NOW, Validity.NOT_FOUND,
    ),
    "a record registered exactly now is found": Case(
        [replace(CURRENT, registered_at=NOW)], query(CURRENT, day=NOW.date()), NOW,
        Validity.VALID, (3,),
    ),
    "a record registered one second before now is found": Case(
        [replace(CURRENT, registered_at=NOW - ONE_SECOND)], query(CURRENT, day=NOW.date()), NOW,
        Validity.VALID, (3,),
    ),
    # -- holds [held_from, held_until) ----------------------------------------------------------
    "a hold starting now hides the record": Case(
        [held(CURRENT, NOW)], query(CURRENT, day=NOW.date()), NOW, Validity.NOT_FOUND
    ),
    "a hold starting one second after now does not hide it yet": Case(
        [held(CURRENT, NOW + ONE_SECOND)], query(CURRENT, day=NOW.date()), NOW, Validity.VALID,
        (3,),
    ),
    "a hold ending now no longer hides it": Case(
        [held(CURRENT, at(2026, 4, 1), NOW)], query(CURRENT, day=NOW.date()), NOW,
        Validity.VALID, (3,),
    ),
    "a hold ending one second after now still hides it": Case(
        [held(CURRENT, at(2026, 4, 1), NOW + ONE_SECOND)], query(CURRENT, day=NOW.date()), NOW,
        Validity.NOT_FOUND,
    ),
    # -- key matching ---------------------------------------------------------------------------
    "another birthdate is not found": Case(
        [CURRENT], query(CURRENT, day=NOW.date(), birthdate=dt.date(1985, 5, 11)), NOW,
        Validity.NOT_FOUND,
    ),
    "a wrong symbol is not found": Case(
        [CURRENT], query(CURRENT, day=NOW.date(), symbol="9999"), NOW, Validity.NOT_FOUND
    ),
    "an omitted symbol matches any symbol": Case(
        [CURRENT], query(CURRENT, day=NOW.date(), symbol=None), NOW, Validity.VALID, (3,)
    ),
    "an omitted branch matches the only person": Case(
        [CURRENT], query(CURRENT, day=NOW.date(), branch=None), NOW, Validity.VALID, (3,)
    ),
    "a wrong branch is not found": Case(
        [CURRENT], query(CURRENT, day=NOW.date(), branch="01"), NOW, Validity.NOT_FOUND
    ),
    # -- twins: one 記号番号, one birthdate, two persons -----------------------------------------
    "twins without a branch number are multiple matches": Case(
        [TWIN_A, TWIN_B], query(TWIN_A, day=NOW.date(), branch=None), NOW, Validity.MULTIPLE,
        (10, 11),
    ),
    "twins with a branch number find the one twin": Case(
        [TWIN_A, TWIN_B], query(TWIN_B, day=NOW.date()), NOW, Validity.VALID, (11,)
    ),
    "twins with a branch number that neither has are not found": Case(
        [TWIN_A, TWIN_B], query(TWIN_A, day=NOW.date(), branch="03"), NOW, Validity.NOT_FOUND
    ),
    "twins when one twin is held are a single match": Case(
        [TWIN_A, held(TWIN_B, at(2026, 4, 1))], query(TWIN_A, day=NOW.date(), branch=None), NOW,
        Validity.VALID, (10,),
    ),
    # -- two sequential qualifications (転職) --------------------------------------------------
    "old card on a day before the job change is valid": Case(
        [OLD, NEW], query(OLD, day=LAST_DAY_AT_OLD_JOB), NOW, Validity.VALID, (1,)
    ),
    "old card after the job change, new one visible, is invalid with a newer one": Case(
        [OLD, NEW], query(OLD, day=JOB_CHANGE), NOW, Validity.INVALID_NEWER_EXISTS, (1,)
    ),
    "new card from the job change on is valid": Case(
        [OLD, NEW], query(NEW, day=JOB_CHANGE), NOW, Validity.VALID, (2,)
    ),
    # docs/architecture.md to the letter: another key valid on D or later makes it 3.
    "new card on a day before it starts, the old one valid then, is invalid with another": Case(
        [OLD, NEW], query(NEW, day=LAST_DAY_AT_OLD_JOB), NOW, Validity.INVALID_NEWER_EXISTS, (2,)
    ),
    "new card on a day before it starts, nothing else valid then, is invalid": Case(
        [NEW], query(NEW, day=LAST_DAY_AT_OLD_JOB), NOW, Validity.INVALID, (2,)
    ),
    # -- the lag: what OQS knows at T ------------------------------------------------------------
    "old card before the loss is registered still answers valid": Case(
        [OLD, NEW], query(OLD, day=dt.date(2026, 4, 3)), at(2026, 4, 3), Validity.VALID, (1,)
    ),
    "old card once the loss is registered but not the new one is invalid": Case(
        [OLD, NEW], query(OLD, day=dt.date(2026, 4, 5)), at(2026, 4, 5), Validity.INVALID, (1,)
    ),
    "new card before the insurer registers it is not found": Case(
        [OLD, NEW], query(NEW, day=dt.date(2026, 4, 5)), at(2026, 4, 5), Validity.NOT_FOUND
    ),
    "old card once both are registered is invalid with a newer one": Case(
        [OLD, NEW], query(OLD, day=dt.date(2026, 4, 9)), GAIN_REGISTERED,
        Validity.INVALID_NEWER_EXISTS, (1,),
    ),
    # -- a person with two periods under the same key -------------------------------------------
    "same key, a day in the earlier period, is valid on that period": Case(
        [record(id=20, valid_to=dt.date(2018, 4, 1)),
         record(id=21, valid_from=dt.date(2020, 4, 1), registered_at=at(2020, 4, 2))],
        query(day=dt.date(2017, 1, 1)), NOW, Validity.VALID, (20,),
    ),
    "same key, a day in the later period, is valid on that period": Case(
        [record(id=20, valid_to=dt.date(2018, 4, 1)),
         record(id=21, valid_from=dt.date(2020, 4, 1), registered_at=at(2020, 4, 2))],
        query(day=dt.date(2021, 1, 1)), NOW, Validity.VALID, (21,),
    ),
    "same key, a day in the gap, is invalid showing the period that ended": Case(
        [record(id=20, valid_to=dt.date(2018, 4, 1), reason_of_loss=ReasonOfLoss.OTHER),
         record(id=21, valid_from=dt.date(2020, 4, 1), registered_at=at(2020, 4, 2))],
        query(day=dt.date(2019, 1, 1)), NOW, Validity.INVALID, (20,),
    ),
    "a future record under the same key does not hide another key valid on the day": Case(
        [record(id=30, valid_to=dt.date(2020, 4, 1)),
         record(id=31, valid_from=dt.date(2025, 4, 1), registered_at=at(2020, 4, 2)),
         replace(NEW, id=32, valid_from=dt.date(2020, 4, 1), valid_to=dt.date(2025, 4, 1),
                 registered_at=at(2020, 4, 2))],
        query(day=dt.date(2022, 1, 1)), NOW, Validity.INVALID_NEWER_EXISTS, (30,),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_validity_of_an_insurance_card_lookup(case: Case) -> None:
    result = rules.confirm_by_insurance_card(case.records, query=case.query, as_of=case.as_of)

    assert result.validity == case.validity
    assert tuple(r.id for r in result.results) == case.shown_ids
    assert result.as_of == case.as_of


def test_an_invalid_result_carries_the_loss_reason_and_date() -> None:
    death = record(
        valid_to=dt.date(2026, 3, 15),
        reason_of_loss=ReasonOfLoss.DEATH,
        loss_registered_at=at(2026, 3, 20),
    )

    result = rules.confirm_by_insurance_card([death], query=query(day=NOW.date()), as_of=NOW)

    assert result.validity == Validity.INVALID
    (shown,) = result.results
    assert shown.reason_of_loss == ReasonOfLoss.DEATH
    assert shown.valid_to == dt.date(2026, 3, 15)


def test_a_loss_not_yet_registered_is_not_shown() -> None:
    result = rules.confirm_by_insurance_card(
        [OLD], query=query(OLD, day=dt.date(2026, 3, 31)), as_of=at(2026, 4, 3)
    )

    (shown,) = result.results
    assert (shown.valid_to, shown.reason_of_loss, shown.loss_registered_at) == (None, None, None)


def test_a_loss_registered_with_the_acquisition_needs_no_separate_instant() -> None:
    historical = record(valid_to=dt.date(2020, 1, 1), reason_of_loss=ReasonOfLoss.OTHER)

    result = rules.confirm_by_insurance_card(
        [historical], query=query(day=dt.date(2020, 1, 1)), as_of=NOW
    )

    assert result.validity == Validity.INVALID
    assert result.results[0].valid_to == dt.date(2020, 1, 1)


ELDERLY_2025 = ElderlyCertificate(
    "020", dt.date(2025, 7, 20), dt.date(2025, 8, 1), dt.date(2026, 7, 31)
)
ELDERLY_2026 = ElderlyCertificate(
    "030", dt.date(2026, 7, 20), dt.date(2026, 8, 1), dt.date(2027, 7, 31)
)
LIMIT = LimitCertificate(
    "01", "A03", dt.date(2026, 1, 5), dt.date(2026, 1, 1), dt.date(2026, 12, 31)
)
DIALYSIS = SpecificDiseaseCertificate(
    "1", 10000, dt.date(2020, 1, 5), dt.date(2020, 1, 1), None
)
ELDERLY_PERSON = record(
    birthdate=dt.date(1955, 9, 1),
    elderly=(ELDERLY_2025, ELDERLY_2026),
    limits=(LIMIT,),
    specific_diseases=(DIALYSIS,),
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 7, 31), ELDERLY_2025),  # last day printed on the 2025 certificate
        (dt.date(2026, 8, 1), ELDERLY_2026),
    ],
    ids=["the last printed day keeps the old certificate", "the next day takes the new one"],
)
def test_the_elderly_certificate_shown_is_the_one_valid_on_the_confirmation_date(day, expected):
    result = rules.confirm_by_insurance_card(
        [ELDERLY_PERSON], query=query(ELDERLY_PERSON, day=day), as_of=at(2026, 8, 10)
    )

    assert result.results[0].elderly == (expected,)


def test_the_limit_certificate_is_shown_only_with_the_patients_consent() -> None:
    without = rules.confirm_by_insurance_card(
        [ELDERLY_PERSON], query=query(ELDERLY_PERSON, day=NOW.date()), as_of=NOW
    )
    with_consent = rules.confirm_by_insurance_card(
        [ELDERLY_PERSON],
        query=query(ELDERLY_PERSON, day=NOW.date(), limit_consent=True),
        as_of=NOW,
    )

    assert without.results[0].limits == ()
    assert without.consent_time is None
    assert with_consent.results[0].limits == (LIMIT,)
    assert with_consent.consent_time == NOW
    assert with_consent.results[0].specific_diseases == (DIALYSIS,)


def test_a_certificate_outside_its_period_is_not_shown() -> None:
    result = rules.confirm_by_insurance_card(
        [ELDERLY_PERSON],
        query=query(ELDERLY_PERSON, day=dt.date(2027, 1, 1), limit_consent=True),
        as_of=at(2027, 1, 2),
    )

    assert result.results[0].limits == ()
    assert result.results[0].specific_diseases == (DIALYSIS,)  # open-ended


def test_multiple_matches_show_each_person_once_with_their_own_values() -> None:
    result = rules.confirm_by_insurance_card(
        [TWIN_A, TWIN_B], query=query(TWIN_A, day=NOW.date(), branch=None), as_of=NOW
    )

    names = [(r.name, r.branch) for r in result.results]
    assert names == [("山田　一郎", "01"), ("山田　二郎", "02")]
