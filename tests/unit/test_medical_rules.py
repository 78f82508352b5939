"""Rules of consents and medical information (simulator/registry/medical.py), at their edges."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.consent.model import (
    Consent,
    ConsentState,
    InfoKind,
    TreatmentFlag,
    WithdrawReason,
    consent_state,
    consents_given,
    live_consent,
)
from simulator.medical.model import (
    Checkup,
    DrugRecord,
    DrugSource,
    checkup_age_ok,
    checkups_shown,
    claims_visible_at,
    drugs_shown,
    years_before,
)
from simulator.registry.model import JST
from tests.builders import at

CLINIC = "1311000002"
OTHER = "1331000008"
GIVEN = at(2026, 4, 1, 8, 30)
ENDS = at(2026, 4, 2, 8, 30)
SECOND = dt.timedelta(seconds=1)
LEAP_DAY = dt.date(2028, 2, 29)


def consent(**overrides) -> Consent:
    values = dict(person_id=1, institution_code=CLINIC, kind=InfoKind.DRUG, given_at=GIVEN,
                  available_until=ENDS, id=7)
    return Consent(**(values | overrides))


def drug(day: dt.date, *, visible_at: dt.datetime | None = None, **overrides) -> DrugRecord:
    values = dict(person_id=1, source=DrugSource.DISPENSING, dispensed_on=day,
                  drug_code="620098801", drug_name="ロキソニン錠６０ｍｇ",
                  visible_at=visible_at or dt.datetime.combine(day, dt.time(), JST))
    return DrugRecord(**(values | overrides))


def checkup(day: dt.date, *, visible_at: dt.datetime | None = None) -> Checkup:
    return Checkup(person_id=1, exam_date=day, results=(),
                   visible_at=visible_at or dt.datetime.combine(day, dt.time(), JST))


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), JST)


# -- consents ----------------------------------------------------------------------------------


def test_a_consent_is_live_from_the_instant_it_is_given() -> None:
    assert not consent().live_at(GIVEN - SECOND)
    assert consent().live_at(GIVEN)


def test_a_consent_is_over_at_the_instant_of_its_available_time() -> None:
    assert consent().live_at(ENDS - SECOND)
    assert not consent().live_at(ENDS)


def test_a_withdrawn_consent_is_over_from_the_instant_of_withdrawal() -> None:
    withdrawn = consent(withdrawn_at=at(2026, 4, 1, 12, 0),
                        withdraw_reason=WithdrawReason.BY_PATIENT)

    assert withdrawn.live_at(at(2026, 4, 1, 12, 0) - SECOND)
    assert not withdrawn.live_at(at(2026, 4, 1, 12, 0))


def test_a_consent_without_available_time_lasts_while_care_continues() -> None:
    assert consent(available_until=None).live_at(at(2030, 1, 1))


def test_the_live_consent_is_for_that_institution_and_that_kind_only() -> None:
    consents = [consent(), consent(institution_code=OTHER, id=8),
                consent(kind=InfoKind.CHECKUP, id=9)]

    assert live_consent(consents, institution=CLINIC, kind=InfoKind.DRUG, at=GIVEN).id == 7
    assert live_consent(consents, institution=OTHER, kind=InfoKind.CHECKUP, at=GIVEN) is None


def test_of_two_live_consents_the_one_lasting_longest_is_used() -> None:
    later = consent(given_at=at(2026, 4, 1, 20, 0), available_until=at(2026, 4, 2, 20, 0),
                    id=8)

    found = live_consent([later, consent()], institution=CLINIC, kind=InfoKind.DRUG,
                         at=at(2026, 4, 1, 21, 0))

    assert found.id == 8


def test_the_consent_state_is_given_then_expired_and_none_before_any() -> None:
    def state(instant):
        return consent_state([consent()], institution=CLINIC, kind=InfoKind.DRUG,
                             at=instant)[0]

    assert state(GIVEN - SECOND) is ConsentState.NONE
    assert state(GIVEN) is ConsentState.GIVEN
    assert state(ENDS) is ConsentState.EXPIRED


def test_consents_given_on_the_reader_last_the_configured_hours_of_the_setting() -> None:
    given = consents_given(person_id=1, institution=CLINIC, kinds=[InfoKind.DRUG] * 2,
                           at=GIVEN, flag=TreatmentFlag.HOME_VISIT, hours={"2": 72})

    assert len(given) == 1
    assert given[0].available_until == GIVEN + dt.timedelta(hours=72)


# -- windows -----------------------------------------------------------------------------------


def test_the_drug_window_includes_the_same_day_three_years_back_and_not_the_day_before() -> None:
    now = at(2026, 4, 1, 9, 0)
    inside, outside = drug(dt.date(2023, 4, 1)), drug(dt.date(2023, 3, 31))

    assert drugs_shown([inside, outside], as_of=now) == [inside]


def test_from_a_leap_day_the_windows_start_on_28_february() -> None:
    now = midnight(LEAP_DAY)

    assert years_before(LEAP_DAY, 3) == dt.date(2025, 2, 28)
    assert drugs_shown([drug(dt.date(2025, 2, 27))], as_of=now) == []
    assert len(drugs_shown([drug(dt.date(2025, 2, 28))], as_of=now)) == 1
    assert years_before(LEAP_DAY, 5) == dt.date(2023, 2, 28)
    assert checkups_shown([checkup(dt.date(2023, 2, 27))], as_of=now) == []
    assert len(checkups_shown([checkup(dt.date(2023, 2, 28))], as_of=now)) == 1


def test_a_leap_day_five_years_back_is_inside_the_checkup_window() -> None:
    now = at(2029, 2, 28, 9, 0)

    assert len(checkups_shown([checkup(dt.date(2024, 2, 29))], as_of=now)) == 1
    assert checkups_shown([checkup(dt.date(2024, 2, 27))], as_of=now) == []


def test_the_checkup_window_includes_the_same_day_five_years_back() -> None:
    now = at(2026, 4, 1, 9, 0)
    inside, outside = checkup(dt.date(2021, 4, 1)), checkup(dt.date(2021, 3, 31))

    assert checkups_shown([outside, inside], as_of=now) == [inside]


def test_records_are_shown_from_the_instant_oqs_has_them() -> None:
    known = at(2026, 4, 1, 12, 0)
    line = drug(dt.date(2026, 4, 1), visible_at=known)
    result = checkup(dt.date(2026, 2, 1), visible_at=known)

    assert drugs_shown([line], as_of=known - SECOND) == []
    assert drugs_shown([line], as_of=known) == [line]
    assert checkups_shown([result], as_of=known - SECOND) == []
    assert checkups_shown([result], as_of=known) == [result]


def test_checkups_come_newest_first_and_drugs_oldest_first() -> None:
    now = at(2026, 4, 1, 9, 0)
    old, new = checkup(dt.date(2024, 6, 1)), checkup(dt.date(2025, 6, 1))
    first, second = drug(dt.date(2026, 1, 5)), drug(dt.date(2026, 2, 5))

    assert checkups_shown([old, new], as_of=now) == [new, old]
    assert drugs_shown([second, first], as_of=now) == [first, second]


# -- claims lag --------------------------------------------------------------------------------


@pytest.mark.parametrize(("dispensed", "arrives"), [
    (dt.date(2026, 1, 1), dt.date(2026, 3, 10)),
    (dt.date(2026, 1, 31), dt.date(2026, 3, 10)),
    (dt.date(2025, 10, 31), dt.date(2025, 12, 10)),
    (dt.date(2025, 11, 30), dt.date(2026, 1, 10)),
    (dt.date(2025, 12, 31), dt.date(2026, 2, 10)),
    (dt.date(2024, 2, 29), dt.date(2024, 4, 10)),
], ids=str)
def test_a_claim_reaches_oqs_on_the_10th_of_the_second_month_after(dispensed, arrives) -> None:
    assert claims_visible_at(dispensed) == midnight(arrives)


def test_a_claim_is_not_shown_the_instant_before_it_arrives() -> None:
    line = drug(dt.date(2026, 1, 20), source=DrugSource.CLAIMS,
                visible_at=claims_visible_at(dt.date(2026, 1, 20)))

    assert drugs_shown([line], as_of=midnight(dt.date(2026, 3, 10)) - SECOND) == []
    assert drugs_shown([line], as_of=midnight(dt.date(2026, 3, 10))) == [line]


# -- months ------------------------------------------------------------------------------------


def test_the_month_filter_includes_both_ends() -> None:
    now = at(2026, 4, 1, 9, 0)
    lines = [drug(dt.date(2026, m, d)) for m, d in ((1, 31), (2, 1), (2, 28), (3, 1))]

    shown = drugs_shown(lines, as_of=now, start_month="202602", end_month="202602")

    assert [line.dispensed_on for line in shown] == [dt.date(2026, 2, 1), dt.date(2026, 2, 28)]


def test_a_month_filter_cannot_widen_the_window() -> None:
    now = at(2026, 4, 1, 9, 0)
    lines = [drug(dt.date(2023, 3, 31)), drug(dt.date(2023, 4, 1))]

    shown = drugs_shown(lines, as_of=now, start_month="202301", end_month="202312")

    assert [line.dispensed_on for line in shown] == [dt.date(2023, 4, 1)]


def test_a_filter_open_at_one_end_keeps_everything_on_that_side() -> None:
    now = at(2026, 4, 1, 9, 0)
    lines = [drug(dt.date(2025, 12, 31)), drug(dt.date(2026, 1, 1))]

    assert len(drugs_shown(lines, as_of=now, start_month="202601")) == 1
    assert len(drugs_shown(lines, as_of=now, end_month="202512")) == 1


# -- ages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("exam", "ok"), [
    (dt.date(2010, 6, 14), False),  # 39
    (dt.date(2010, 6, 15), True),  # 40th birthday
    (dt.date(2045, 6, 14), True),  # 74
    (dt.date(2045, 6, 15), False),  # 75th birthday
], ids=str)
def test_a_checkup_is_for_ages_40_to_74_on_the_exam_date(exam, ok) -> None:
    assert checkup_age_ok(dt.date(1970, 6, 15), exam) is ok
