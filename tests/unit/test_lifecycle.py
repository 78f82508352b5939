"""Life events as pure functions: what each changes in valid and knowledge time.

Each event is applied to records built in memory; the records it leaves are then looked up
through the real rules at the boundaries of every delay: one day before OQS learns of an effect,
the exact instant it does, and one day after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import pytest

from simulator.registry import holds, lifecycle, rules
from simulator.registry.change import Change, Correction, Coverage, Delays, HoldEnd, Loss, NewHold
from simulator.registry.errors import InvalidInput
from simulator.registry.lookup import PersonQuery
from simulator.registry.model import (
    ElderlyCertificate,
    Family,
    Hold,
    Insurer,
    InsurerKind,
    Qualification,
    ReasonOfLoss,
    Validity,
)
from tests.builders import KOKUHO, KUMIAI, KYOKAI, at, person, query, record

KOKI = Insurer("39130018", "東京都後期高齢者医療広域連合", InsurerKind.KOKI)

ONE_DAY = dt.timedelta(days=1)
ONE_SECOND = dt.timedelta(seconds=1)

TARO = person(id=1)
OLD = record(id=1)  # 山田商事健康保険組合 1234/5678/00 from 2015-04-01, 3割

# 転職: the last day at 山田商事 is 3/31; the new employer (協会けんぽ) covers him from 4/1.
JOB_CHANGE_DAY = dt.date(2026, 4, 1)
EVENT = at(2026, 4, 1, 9)
LOSS_DELAYS = Delays(employer_notify_days=1, insurer_register_days=1)
GAIN_DELAYS = Delays(employer_notify_days=3, insurer_register_days=4)
LOSS_KNOWN = at(2026, 4, 3, 9)  # EVENT + 1 + 1 days
GAIN_KNOWN = at(2026, 4, 8, 9)  # EVENT + 3 + 4 days
KYOKAI_COVERAGE = Coverage(KYOKAI, number="88", symbol="7001", branch="00", ratio="030")


def around(instant: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """The day before ``instant``, the instant itself and the day after."""
    return instant - ONE_DAY, instant, instant + ONE_DAY


def applied(records: Sequence[Qualification], change: Change) -> list[Qualification]:
    """The records as a store holds them after ``change`` (a fake of ``events.store_change``).

    New records and new holds get ids (records from 100, holds from 500).
    """
    losses = {loss.qualification_id: loss for loss in change.losses}
    ends = {end.hold_id: end.at for end in change.hold_ends}
    corrections = {c.qualification_id: dict(c.values) for c in change.corrections}
    out = []
    for r in records:
        if r.id in losses:
            loss = losses[r.id]
            r = replace(r, valid_to=loss.valid_to, reason_of_loss=loss.reason,
                        loss_registered_at=loss.registered_at)
        holds = tuple(replace(h, held_until=ends[h.id]) if h.id in ends else h for h in r.holds)
        holds += tuple(new.hold for new in change.holds if new.qualification_id == r.id)
        out.append(replace(r, holds=holds, **corrections.get(r.id, {})))
    out += [replace(gain, id=100 + n) for n, gain in enumerate(change.gains)]
    hold_ids = iter(range(500, 600))
    return [
        replace(r, holds=tuple(h if h.id else replace(h, id=next(hold_ids)) for h in r.holds))
        for r in out
    ]


def by_card(records: Sequence[Qualification], key: Qualification, as_of: dt.datetime,
            day: dt.date | None = None) -> Validity:
    """QualificationValidity of an insurance-card lookup for ``key``'s card on ``day``."""
    q = query(key, day=day or as_of.date())
    return rules.confirm_by_insurance_card(records, query=q, as_of=as_of).validity


def by_person(records: Sequence[Qualification], as_of: dt.datetime, day: dt.date | None = None,
              person_id: int = 1) -> tuple[Validity, Qualification | None]:
    """What the My Number card route shows: the validity and the record shown (if any)."""
    q = PersonQuery(person_id, day or as_of.date())
    found = rules.confirm_by_person(records, query=q, as_of=as_of)
    return found.validity, (found.results[0] if found.results else None)


def insurer_shown(records, as_of, day=None, person_id: int = 1) -> str | None:
    _, shown = by_person(records, as_of, day, person_id)
    return None if shown is None else shown.insurer.number


# -- Delays -----------------------------------------------------------------------------------


def test_delays_add_up_to_the_instant_oqs_learns_of_the_event() -> None:
    assert LOSS_DELAYS.total == 2
    assert LOSS_DELAYS.known_at(EVENT) == LOSS_KNOWN
    assert GAIN_DELAYS.known_at(EVENT) == GAIN_KNOWN
    assert Delays().known_at(EVENT) == EVENT


@pytest.mark.parametrize(
    ("notify", "register", "late"),
    [(5, 5, False), (0, 0, False), (6, 0, True), (0, 6, True), (9, 9, True)],
)
def test_a_filing_is_late_only_when_one_party_takes_more_than_five_days(
    notify, register, late
) -> None:
    assert Delays(notify, register).late is late


@pytest.mark.parametrize("name", ["employer_notify_days", "insurer_register_days"])
def test_negative_delays_are_refused_naming_the_delay(name) -> None:
    with pytest.raises(InvalidInput) as caught:
        Delays(**{name: -1})
    assert caught.value.field == name


def test_a_late_filing_flags_the_change_and_the_last_effect_dates_it() -> None:
    change = lifecycle.change_coverage(
        TARO, [OLD], at=EVENT, day=JOB_CHANGE_DAY, to=KYOKAI_COVERAGE,
        loss=Delays(6, 0), gain=GAIN_DELAYS, reason=ReasonOfLoss.OTHER,
    )
    assert change.late is True
    assert change.registered_at == GAIN_KNOWN
    on_time = lifecycle.change_coverage(
        TARO, [OLD], at=EVENT, day=JOB_CHANGE_DAY, to=KYOKAI_COVERAGE,
        loss=LOSS_DELAYS, gain=GAIN_DELAYS, reason=ReasonOfLoss.OTHER,
    )
    assert on_time.late is False


# -- job change (転職): split delays ------------------------------------------------------------

JOB_CHANGE = lifecycle.change_coverage(
    TARO, [OLD], at=EVENT, day=JOB_CHANGE_DAY, to=KYOKAI_COVERAGE,
    loss=LOSS_DELAYS, gain=GAIN_DELAYS, reason=ReasonOfLoss.OTHER,
)
AFTER_JOB_CHANGE = applied([OLD], JOB_CHANGE)
NEW = AFTER_JOB_CHANGE[1]


def test_a_job_change_closes_the_old_record_on_the_day_known_after_the_loss_delay() -> None:
    (loss,) = JOB_CHANGE.losses
    assert loss == Loss(OLD.id, JOB_CHANGE_DAY, ReasonOfLoss.OTHER, LOSS_KNOWN)


def test_a_job_change_starts_the_new_record_on_the_day_known_after_the_gain_delay() -> None:
    (gain,) = JOB_CHANGE.gains
    assert (gain.insurer, gain.symbol, gain.number, gain.branch) == (KYOKAI, "7001", "88", "00")
    assert gain.valid_from == JOB_CHANGE_DAY
    assert gain.valid_to is None
    assert gain.registered_at == GAIN_KNOWN
    assert (gain.name, gain.kana, gain.birthdate) == (TARO.name, TARO.kana, TARO.birthdate)
    assert gain.holds == ()  # the insurer typed everything as 住基 has it
    assert JOB_CHANGE.late is False
    assert JOB_CHANGE.registered_at == GAIN_KNOWN


@pytest.mark.parametrize(
    ("as_of", "old_card", "new_card", "card_route", "insurer"),
    [
        (LOSS_KNOWN - ONE_DAY, Validity.VALID, Validity.NOT_FOUND, Validity.VALID, KUMIAI),
        (LOSS_KNOWN - ONE_SECOND, Validity.VALID, Validity.NOT_FOUND, Validity.VALID, KUMIAI),
        (LOSS_KNOWN, Validity.INVALID, Validity.NOT_FOUND, Validity.INVALID, KUMIAI),
        (LOSS_KNOWN + ONE_DAY, Validity.INVALID, Validity.NOT_FOUND, Validity.INVALID, KUMIAI),
        (GAIN_KNOWN - ONE_DAY, Validity.INVALID, Validity.NOT_FOUND, Validity.INVALID, KUMIAI),
        (GAIN_KNOWN - ONE_SECOND, Validity.INVALID, Validity.NOT_FOUND, Validity.INVALID,
         KUMIAI),
        (GAIN_KNOWN, Validity.INVALID_NEWER_EXISTS, Validity.VALID, Validity.VALID, KYOKAI),
        (GAIN_KNOWN + ONE_DAY, Validity.INVALID_NEWER_EXISTS, Validity.VALID, Validity.VALID,
         KYOKAI),
    ],
    ids=[
        "day before the loss is known",
        "second before the loss is known",
        "instant the loss is known",
        "day after the loss is known",
        "day before the gain is known",
        "second before the gain is known",
        "instant the gain is known",
        "day after the gain is known",
    ],
)
def test_after_a_job_change_each_card_answers_as_oqs_knows_at_each_delay_boundary(
    as_of, old_card, new_card, card_route, insurer
) -> None:
    assert by_card(AFTER_JOB_CHANGE, OLD, as_of) is old_card
    assert by_card(AFTER_JOB_CHANGE, NEW, as_of) is new_card
    assert by_person(AFTER_JOB_CHANGE, as_of)[0] is card_route
    assert insurer_shown(AFTER_JOB_CHANGE, as_of) == insurer.number


def test_once_both_halves_are_known_the_day_of_the_change_belongs_to_the_new_insurer() -> None:
    late = GAIN_KNOWN + ONE_DAY
    assert by_card(AFTER_JOB_CHANGE, OLD, late, day=JOB_CHANGE_DAY - ONE_DAY) is Validity.VALID
    assert by_card(AFTER_JOB_CHANGE, OLD, late, day=JOB_CHANGE_DAY) is (
        Validity.INVALID_NEWER_EXISTS)
    # the new card on the eve of the change: not yet valid, but another key is (§3.3 rule 4)
    assert by_card(AFTER_JOB_CHANGE, NEW, late, day=JOB_CHANGE_DAY - ONE_DAY) is (
        Validity.INVALID_NEWER_EXISTS)
    assert by_card(AFTER_JOB_CHANGE, NEW, late, day=JOB_CHANGE_DAY) is Validity.VALID
    assert insurer_shown(AFTER_JOB_CHANGE, late, day=JOB_CHANGE_DAY - ONE_DAY) == KUMIAI.number
    assert insurer_shown(AFTER_JOB_CHANGE, late, day=JOB_CHANGE_DAY + ONE_DAY) == KYOKAI.number


def test_with_one_shared_delay_the_old_card_turns_from_valid_to_newer_exists_at_once() -> None:
    change = lifecycle.change_coverage(
        TARO, [OLD], at=EVENT, day=JOB_CHANGE_DAY, to=KYOKAI_COVERAGE,
        loss=LOSS_DELAYS, gain=LOSS_DELAYS, reason=ReasonOfLoss.OTHER,
    )
    records = applied([OLD], change)
    before, on, after = around(LOSS_KNOWN)
    assert by_card(records, OLD, before) is Validity.VALID
    assert by_card(records, records[1], before) is Validity.NOT_FOUND
    for as_of in (on, after):
        assert by_card(records, OLD, as_of) is Validity.INVALID_NEWER_EXISTS
        assert by_card(records, records[1], as_of) is Validity.VALID


def test_a_record_that_ended_before_the_event_is_not_closed_again() -> None:
    ended = record(id=2, valid_to=dt.date(2020, 4, 1), reason_of_loss=ReasonOfLoss.OTHER)
    change = lifecycle.change_coverage(
        TARO, [ended, OLD], at=EVENT, day=JOB_CHANGE_DAY, to=KYOKAI_COVERAGE,
        loss=LOSS_DELAYS, gain=GAIN_DELAYS, reason=ReasonOfLoss.OTHER,
    )
    assert [loss.qualification_id for loss in change.losses] == [OLD.id]


# -- retirement into 国保 ---------------------------------------------------------------------

RETIRE_DAY = dt.date(2026, 7, 1)
RETIRE_EVENT = at(2026, 7, 1, 9)
RETIRE_LOSS_KNOWN = at(2026, 7, 11, 9)  # 5 + 5 days: the longest that is still on time
RETIRE_GAIN_KNOWN = at(2026, 7, 3, 9)  # the member files at the 区役所 at once; 2 days to register
KOKUHO_COVERAGE = Coverage(KOKUHO, number="0012345", symbol="杉並", branch="00", ratio="030")


def test_retiring_into_kokuho_may_show_the_new_record_before_the_old_loss() -> None:
    change = lifecycle.change_coverage(
        TARO, [OLD], at=RETIRE_EVENT, day=RETIRE_DAY, to=KOKUHO_COVERAGE,
        loss=Delays(5, 5), gain=Delays(0, 2), reason=ReasonOfLoss.OTHER,
    )
    assert change.late is False
    assert change.losses == (Loss(OLD.id, RETIRE_DAY, ReasonOfLoss.OTHER,
                                            RETIRE_LOSS_KNOWN),)
    records = applied([OLD], change)
    kokuho = records[1]
    assert (kokuho.insurer, kokuho.valid_from, kokuho.registered_at) == (
        KOKUHO, RETIRE_DAY, RETIRE_GAIN_KNOWN)

    before, on, after = around(RETIRE_GAIN_KNOWN)
    assert by_card(records, kokuho, before) is Validity.NOT_FOUND
    assert by_card(records, kokuho, on) is Validity.VALID
    assert by_card(records, kokuho, after) is Validity.VALID
    # both records look valid until the old insurer registers the loss; the newer one is shown
    assert by_card(records, OLD, on) is Validity.VALID
    assert insurer_shown(records, on) == KOKUHO.number

    before, on, after = around(RETIRE_LOSS_KNOWN)
    assert by_card(records, OLD, before) is Validity.VALID
    assert by_card(records, OLD, on) is Validity.INVALID_NEWER_EXISTS
    assert by_card(records, OLD, after) is Validity.INVALID_NEWER_EXISTS


# -- turning 75 (後期高齢者医療) ----------------------------------------------------------------

ELDER = person(id=1, birthdate=dt.date(1951, 4, 10))
ELDER_RECORD = record(id=1, birthdate=ELDER.birthdate)
BIRTHDAY_75 = dt.date(2026, 4, 10)
KOKI_COVERAGE = Coverage(KOKI, number="12345674", ratio="010")


@pytest.mark.parametrize(
    ("birthdate", "age", "expected"),
    [
        (dt.date(1951, 4, 10), 75, dt.date(2026, 4, 10)),
        (dt.date(1952, 2, 29), 75, dt.date(2027, 3, 1)),  # no 29 Feb in 2027
        (dt.date(1952, 2, 29), 76, dt.date(2028, 2, 29)),
        (dt.date(1951, 3, 1), 75, dt.date(2026, 3, 1)),
    ],
)
def test_the_day_of_a_birthday_is_the_anniversary_and_29_february_falls_on_1_march(
    birthdate, age, expected
) -> None:
    assert lifecycle.birthday(birthdate, age) == expected


def test_turning_75_moves_the_person_to_koki_from_the_75th_birthday() -> None:
    day = lifecycle.birthday(ELDER.birthdate, 75)
    event = at(2026, 4, 10, 0)
    change = lifecycle.change_coverage(
        ELDER, [ELDER_RECORD], at=event, day=day, to=KOKI_COVERAGE,
        loss=Delays(2, 3), gain=Delays(0, 1), reason=ReasonOfLoss.OTHER_INSURANCE,
    )
    loss_known, gain_known = at(2026, 4, 15, 0), at(2026, 4, 11, 0)
    assert day == BIRTHDAY_75
    assert change.losses == (Loss(ELDER_RECORD.id, BIRTHDAY_75,
                                            ReasonOfLoss.OTHER_INSURANCE, loss_known),)
    records = applied([ELDER_RECORD], change)
    koki = records[1]
    assert (koki.insurer, koki.number, koki.ratio) == (KOKI, "12345674", "010")
    assert (koki.valid_from, koki.registered_at) == (BIRTHDAY_75, gain_known)

    before, on, after = around(gain_known)
    assert by_card(records, koki, before) is Validity.NOT_FOUND
    assert by_card(records, koki, on) is Validity.VALID
    assert by_card(records, koki, after) is Validity.VALID
    before, on, after = around(loss_known)
    assert by_card(records, ELDER_RECORD, before) is Validity.VALID
    assert by_card(records, ELDER_RECORD, on) is Validity.INVALID_NEWER_EXISTS
    assert by_card(records, ELDER_RECORD, after) is Validity.INVALID_NEWER_EXISTS
    # valid time: the eve of the birthday is still 組合, the birthday is 後期高齢
    late = loss_known + ONE_DAY
    assert insurer_shown(records, late, day=BIRTHDAY_75 - ONE_DAY) == KUMIAI.number
    assert insurer_shown(records, late, day=BIRTHDAY_75) == KOKI.number


def test_someone_born_on_29_february_enters_koki_on_1_march() -> None:
    leapling = person(id=1, birthdate=dt.date(1952, 2, 29))
    own = record(id=1, birthdate=leapling.birthdate)
    day = lifecycle.birthday(leapling.birthdate, 75)
    change = lifecycle.change_coverage(
        leapling, [own], at=at(2027, 3, 1, 0), day=day, to=KOKI_COVERAGE,
        loss=Delays(0, 1), gain=Delays(0, 1), reason=ReasonOfLoss.OTHER_INSURANCE,
    )
    assert change.gains[0].valid_from == dt.date(2027, 3, 1)
    assert change.losses[0].valid_to == dt.date(2027, 3, 1)
    records = applied([own], change)
    late = at(2027, 3, 5)
    assert insurer_shown(records, late, day=dt.date(2027, 2, 28)) == KUMIAI.number
    assert insurer_shown(records, late, day=dt.date(2027, 3, 1)) == KOKI.number


# -- death and welfare: losses without a gain -------------------------------------------------

DEATH_DAY = dt.date(2026, 5, 20)
DEATH_EVENT = at(2026, 5, 20, 22)
DEATH_KNOWN = at(2026, 5, 25, 22)  # 2 + 3 days


def test_death_closes_the_record_the_day_after_with_reason_01() -> None:
    change = lifecycle.end_coverage(
        [OLD], at=DEATH_EVENT, valid_to=DEATH_DAY + ONE_DAY, reason=ReasonOfLoss.DEATH,
        delays=Delays(2, 3),
    )
    assert change.losses == (Loss(OLD.id, dt.date(2026, 5, 21), ReasonOfLoss.DEATH,
                                            DEATH_KNOWN),)
    assert change.gains == ()
    assert change.registered_at == DEATH_KNOWN
    records = applied([OLD], change)

    before, on, after = around(DEATH_KNOWN)
    assert by_card(records, OLD, before) is Validity.VALID
    assert by_person(records, before)[0] is Validity.VALID
    for as_of in (on, after):
        assert by_card(records, OLD, as_of) is Validity.INVALID
        validity, shown = by_person(records, as_of)
        assert validity is Validity.INVALID
        assert (shown.valid_to, shown.reason_of_loss) == (dt.date(2026, 5, 21),
                                                          ReasonOfLoss.DEATH)
    # valid time: the day of death is still covered, the day after is not
    late = DEATH_KNOWN + ONE_DAY
    assert by_card(records, OLD, late, day=DEATH_DAY - ONE_DAY) is Validity.VALID
    assert by_card(records, OLD, late, day=DEATH_DAY) is Validity.VALID
    assert by_card(records, OLD, late, day=DEATH_DAY + ONE_DAY) is Validity.INVALID


WELFARE_DAY = dt.date(2026, 6, 1)
WELFARE_EVENT = at(2026, 6, 1, 9)
WELFARE_KNOWN = at(2026, 6, 4, 9)


def test_welfare_closes_the_record_on_the_day_assistance_starts_with_reason_02() -> None:
    change = lifecycle.end_coverage(
        [OLD], at=WELFARE_EVENT, valid_to=WELFARE_DAY, reason=ReasonOfLoss.WELFARE,
        delays=Delays(0, 3),
    )
    assert change.losses == (Loss(OLD.id, WELFARE_DAY, ReasonOfLoss.WELFARE,
                                            WELFARE_KNOWN),)
    records = applied([OLD], change)

    before, on, after = around(WELFARE_KNOWN)
    assert by_card(records, OLD, before) is Validity.VALID
    assert by_card(records, OLD, on) is Validity.INVALID
    assert by_card(records, OLD, after) is Validity.INVALID
    assert by_person(records, on)[1].reason_of_loss is ReasonOfLoss.WELFARE
    late = WELFARE_KNOWN + ONE_DAY
    assert by_card(records, OLD, late, day=WELFARE_DAY - ONE_DAY) is Validity.VALID
    assert by_card(records, OLD, late, day=WELFARE_DAY) is Validity.INVALID
    assert by_card(records, OLD, late, day=WELFARE_DAY + ONE_DAY) is Validity.INVALID


def test_ending_coverage_of_someone_with_nothing_open_is_refused() -> None:
    ended = record(id=1, valid_to=dt.date(2020, 4, 1))
    with pytest.raises(InvalidInput) as caught:
        lifecycle.end_coverage([ended], at=DEATH_EVENT, valid_to=DEATH_DAY,
                               reason=ReasonOfLoss.DEATH, delays=Delays())
    assert caught.value.field == "person"


# -- change of terms (負担割合, 高齢受給者証) ---------------------------------------------

SEVENTY = person(id=1, birthdate=dt.date(1956, 4, 15))
SEVENTY_RECORD = record(id=1, birthdate=SEVENTY.birthdate, ratio="030")
ELDERLY_FROM = dt.date(2026, 5, 1)  # the month after the 70th birthday
ELDERLY_EVENT = at(2026, 5, 1, 9)
ELDERLY_KNOWN = at(2026, 5, 5, 9)
CERTIFICATE = ElderlyCertificate("020", issued_on=dt.date(2026, 4, 20), valid_start=ELDERLY_FROM)


def test_a_ratio_change_shows_the_old_ratio_until_the_insurer_registers_the_new_one() -> None:
    change = lifecycle.change_terms(
        SEVENTY, [SEVENTY_RECORD], at=ELDERLY_EVENT, day=ELDERLY_FROM, delays=Delays(0, 4),
        ratio="020", elderly=CERTIFICATE,
    )
    assert change.losses == (Loss(SEVENTY_RECORD.id, ELDERLY_FROM, None,
                                            ELDERLY_KNOWN),)
    (version,) = change.gains
    assert (version.insurer, version.symbol, version.number, version.branch) == (
        KUMIAI, "1234", "5678", "00")
    assert (version.valid_from, version.registered_at) == (ELDERLY_FROM, ELDERLY_KNOWN)
    assert (version.ratio, version.elderly) == ("020", (CERTIFICATE,))
    records = applied([SEVENTY_RECORD], change)

    before, on, after = around(ELDERLY_KNOWN)
    validity, shown = by_person(records, before)
    assert (validity, shown.ratio, shown.elderly) == (Validity.VALID, "030", ())
    assert by_card(records, SEVENTY_RECORD, before) is Validity.VALID
    for as_of in (on, after):
        validity, shown = by_person(records, as_of)
        assert (validity, shown.ratio, shown.elderly) == (Validity.VALID, "020", (CERTIFICATE,))
        assert by_card(records, SEVENTY_RECORD, as_of) is Validity.VALID
    # a lookup for a day before the change still shows 3割 and no certificate
    _, shown = by_person(records, after, day=ELDERLY_FROM - ONE_DAY)
    assert (shown.ratio, shown.elderly) == ("030", ())


def test_a_ratio_change_keeps_terms_not_named() -> None:
    child = record(id=1, ratio="020", preschool=True)
    change = lifecycle.change_terms(
        person(id=1), [child], at=ELDERLY_EVENT, day=ELDERLY_FROM, delays=Delays(),
        preschool=False,
    )
    assert (change.gains[0].ratio, change.gains[0].preschool) == ("020", False)


def test_a_ratio_change_with_nothing_open_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        lifecycle.change_terms(SEVENTY, [], at=ELDERLY_EVENT, day=ELDERLY_FROM,
                               delays=Delays(), ratio="020")
    assert caught.value.field == "person"


# -- birth and dependents (出生, 被扶養者追加) -----------------------------------------

BIRTH_DAY = dt.date(2026, 4, 20)
BIRTH_EVENT = at(2026, 4, 20, 15)
BIRTH_KNOWN = at(2026, 4, 25, 15)
BABY = person(id=2, name="山田　一郎", kana="ﾔﾏﾀﾞ ｲﾁﾛｳ", birthdate=BIRTH_DAY)


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([], "01"),
        ([record(branch="00")], "01"),
        ([record(branch="00"), record(2, branch="01")], "02"),
        ([record(branch="00"), record(2, branch="07"), record(3, branch="03")], "08"),
        ([record(branch="00"), record(2, branch="05", number="9999")], "01"),
        ([record(branch="00"), record(2, branch="05", symbol="9")], "01"),
        ([record(branch="00"), record(2, branch="05", insurer=KYOKAI)], "01"),
        ([record(branch="00"), record(2, branch=None)], "01"),
    ],
    ids=["none yet", "the insured only", "one dependent", "the highest plus one",
         "another number", "another symbol", "another insurer", "no branch"],
)
def test_the_next_branch_is_one_past_the_highest_under_the_same_key(records, expected) -> None:
    assert lifecycle.next_branch(records, insurer=KUMIAI.number, number="5678",
                                 symbol="1234") == expected


def test_a_newborn_is_registered_under_the_parents_key_after_the_delay() -> None:
    branch = lifecycle.next_branch([OLD], insurer=KUMIAI.number, number="5678", symbol="1234")
    coverage = Coverage(KUMIAI, number="5678", symbol="1234", branch=branch,
                        family=Family.DEPENDENT, ratio="020", preschool=True)
    baby = lifecycle.register(BABY, coverage, valid_from=BIRTH_DAY,
                              registered_at=Delays(2, 3).known_at(BIRTH_EVENT))
    assert (baby.person_id, baby.branch, baby.family) == (BABY.id, "01", Family.DEPENDENT)
    assert (baby.valid_from, baby.registered_at, baby.holds) == (BIRTH_DAY, BIRTH_KNOWN, ())
    records = [OLD, replace(baby, id=2)]

    before, on, after = around(BIRTH_KNOWN)
    assert by_card(records, baby, before) is Validity.NOT_FOUND
    assert by_card(records, baby, on) is Validity.VALID
    assert by_card(records, baby, after) is Validity.VALID
    assert by_person(records, before, person_id=BABY.id)[0] is Validity.NOT_FOUND
    assert by_person(records, on, person_id=BABY.id)[0] is Validity.VALID
    # the parent's own card is unaffected
    assert by_card(records, OLD, before) is Validity.VALID
    assert by_card(records, OLD, after) is Validity.VALID


def test_a_dependent_added_moves_from_kokuho_to_the_insureds_key() -> None:
    hanako = person(id=3, name="山田　花子", kana="ﾔﾏﾀﾞ ﾊﾅｺ", birthdate=dt.date(1987, 8, 20))
    own = record(3, id=30, insurer=KOKUHO, symbol="杉並", number="0099", name=hanako.name,
                 kana=hanako.kana, birthdate=hanako.birthdate)
    coverage = Coverage(KUMIAI, number="5678", symbol="1234", branch="01",
                        family=Family.DEPENDENT, ratio="030")
    day, event, known = dt.date(2026, 6, 1), at(2026, 6, 1, 9), at(2026, 6, 4, 9)
    change = lifecycle.change_coverage(
        hanako, [own], at=event, day=day, to=coverage, loss=Delays(0, 3), gain=Delays(1, 2),
        reason=ReasonOfLoss.OTHER_INSURANCE,
    )
    assert change.losses == (Loss(30, day, ReasonOfLoss.OTHER_INSURANCE, known),)
    records = applied([own], change)
    dependent = records[1]
    assert (dependent.person_id, dependent.family, dependent.branch) == (3, Family.DEPENDENT,
                                                                          "01")
    before, on, after = around(known)
    assert by_card(records, own, before) is Validity.VALID
    assert by_card(records, dependent, before) is Validity.NOT_FOUND
    for as_of in (on, after):
        assert by_card(records, own, as_of) is Validity.INVALID_NEWER_EXISTS
        assert by_card(records, dependent, as_of) is Validity.VALID


# -- the registration check and holds (連携保留) --------------------------------------------------

REGISTERED_AT = GAIN_KNOWN
TYPO = "ﾔﾏﾀﾞ ﾀﾛ"  # the insurer dropped the last character of the kana
CORRECTED_AT = at(2026, 4, 15, 11)


def test_values_matching_the_person_pass_the_registration_check() -> None:
    checked = lifecycle.register(TARO, KYOKAI_COVERAGE, valid_from=JOB_CHANGE_DAY,
                                 registered_at=REGISTERED_AT)
    assert lifecycle.mismatches(TARO, checked) == ()
    assert checked.holds == ()


def test_a_kana_typo_holds_the_record_from_the_moment_it_is_registered() -> None:
    typo = replace(KYOKAI_COVERAGE, as_registered={"kana": TYPO})
    checked = lifecycle.register(TARO, typo, valid_from=JOB_CHANGE_DAY,
                                 registered_at=REGISTERED_AT)
    assert checked.kana == TYPO
    assert lifecycle.mismatches(TARO, checked) == ("kana",)
    assert checked.holds == (Hold(REGISTERED_AT, None, "連携保留: カナ氏名が住基と不一致"),)
    for as_of in around(REGISTERED_AT):
        assert rules.is_visible(checked, as_of=as_of) is False
    assert by_card([replace(checked, id=1)], checked, REGISTERED_AT + ONE_DAY) is (
        Validity.NOT_FOUND)


def test_every_differing_item_is_named_in_the_hold() -> None:
    typo = replace(KYOKAI_COVERAGE,
                   as_registered={"name": "山田　大郎", "birthdate": dt.date(1985, 5, 1)})
    checked = lifecycle.register(TARO, typo, valid_from=JOB_CHANGE_DAY,
                                 registered_at=REGISTERED_AT)
    assert lifecycle.mismatches(TARO, checked) == ("name", "birthdate")
    assert checked.holds[0].reason == "連携保留: 漢字氏名・生年月日が住基と不一致"


def test_an_address_the_insurer_did_not_register_is_not_compared() -> None:
    blank = replace(KYOKAI_COVERAGE, as_registered={"address": None})
    checked = lifecycle.register(TARO, blank, valid_from=JOB_CHANGE_DAY,
                                 registered_at=REGISTERED_AT)
    assert checked.address is None
    assert checked.holds == ()


def _held_record() -> Qualification:
    typo = replace(KYOKAI_COVERAGE, as_registered={"kana": TYPO})
    checked = lifecycle.register(TARO, typo, valid_from=JOB_CHANGE_DAY,
                                 registered_at=REGISTERED_AT)
    return replace(checked, id=2, holds=tuple(replace(h, id=9) for h in checked.holds))


def test_a_correction_to_the_persons_values_ends_the_hold_at_that_instant() -> None:
    held = _held_record()
    change = holds.correct(TARO, [held], at=CORRECTED_AT, insurer=None,
                               values={"kana": TARO.kana})
    assert change.corrections == (Correction(2, {"kana": TARO.kana}),)
    assert change.hold_ends == (HoldEnd(9, CORRECTED_AT),)
    (fixed,) = applied([held], change)
    assert fixed.kana == TARO.kana
    before, on, after = around(CORRECTED_AT)
    assert rules.is_visible(fixed, as_of=before) is False
    assert rules.is_visible(fixed, as_of=CORRECTED_AT - ONE_SECOND) is False
    assert rules.is_visible(fixed, as_of=on) is True
    assert rules.is_visible(fixed, as_of=after) is True
    assert by_card([fixed], fixed, before) is Validity.NOT_FOUND
    assert by_card([fixed], fixed, on) is Validity.VALID


def test_a_correction_that_still_differs_keeps_the_hold() -> None:
    held = _held_record()
    change = holds.correct(TARO, [held], at=CORRECTED_AT, insurer=None,
                               values={"kana": "ﾔﾏﾀ ﾀﾛｳ"})
    assert change.corrections == (Correction(2, {"kana": "ﾔﾏﾀ ﾀﾛｳ"}),)
    assert change.hold_ends == ()
    (still,) = applied([held], change)
    assert rules.is_visible(still, as_of=CORRECTED_AT + ONE_DAY) is False


def test_correcting_an_item_that_is_not_a_basic_item_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        holds.correct(TARO, [_held_record()], at=CORRECTED_AT, insurer=None,
                          values={"ratio": "020"})
    assert caught.value.field == "fields"


def test_correcting_when_no_hold_is_in_force_is_refused() -> None:
    held = _held_record()
    with pytest.raises(InvalidInput) as caught:  # before the record (and its hold) exists
        holds.correct(TARO, [held], at=REGISTERED_AT - ONE_SECOND, insurer=None,
                          values={"kana": TARO.kana})
    assert caught.value.field == "person"


def test_releasing_ends_every_hold_in_force_and_the_record_shows_from_then() -> None:
    held = _held_record()
    change = holds.release_holds([OLD, held], at=CORRECTED_AT, insurer=None)
    assert change.hold_ends == (HoldEnd(9, CORRECTED_AT),)
    assert change.corrections == ()
    released = applied([OLD, held], change)[1]
    assert released.kana == TYPO  # released as registered, not corrected
    before, on, after = around(CORRECTED_AT)
    assert rules.is_visible(released, as_of=before) is False
    assert rules.is_visible(released, as_of=on) is True
    assert rules.is_visible(released, as_of=after) is True


def test_releasing_only_touches_holds_of_the_insurer_named() -> None:
    held = _held_record()
    other = replace(OLD, holds=(Hold(REGISTERED_AT, None, "保留", id=8),))
    change = holds.release_holds([other, held], at=CORRECTED_AT, insurer=KUMIAI.number)
    assert change.hold_ends == (HoldEnd(8, CORRECTED_AT),)


def test_releasing_when_no_hold_is_in_force_is_refused() -> None:
    ended = replace(_held_record(), holds=(Hold(REGISTERED_AT, CORRECTED_AT, "x", id=9),))
    with pytest.raises(InvalidInput) as caught:
        holds.release_holds([ended], at=CORRECTED_AT, insurer=None)
    assert caught.value.field == "person"
    with pytest.raises(InvalidInput):
        holds.release_holds([OLD], at=CORRECTED_AT, insurer=None)


HOLD_PLACED = at(2026, 4, 20, 14)


def test_a_hold_placed_withdraws_the_latest_record_from_that_instant() -> None:
    change = holds.place_hold(AFTER_JOB_CHANGE, at=HOLD_PLACED, insurer=None,
                                  reason="保険者による保留")
    assert change.holds == (NewHold(NEW.id, Hold(HOLD_PLACED, None, "保険者による保留")),)
    records = applied(AFTER_JOB_CHANGE, change)
    before, on, after = around(HOLD_PLACED)
    assert by_card(records, NEW, before) is Validity.VALID
    assert by_card(records, NEW, on) is Validity.NOT_FOUND
    assert by_card(records, NEW, after) is Validity.NOT_FOUND
    # the card route now sees only the ended 組合 record
    assert by_person(records, on)[0] is Validity.INVALID
    assert insurer_shown(records, on) == KUMIAI.number


def test_a_hold_placed_for_an_insurer_takes_that_insurers_record() -> None:
    change = holds.place_hold(AFTER_JOB_CHANGE, at=HOLD_PLACED, insurer=KUMIAI.number,
                                  reason="保留")
    assert change.holds[0].qualification_id == OLD.id


def test_a_hold_for_an_insurer_without_a_record_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        holds.place_hold([OLD], at=HOLD_PLACED, insurer=KYOKAI.number, reason="保留")
    assert caught.value.field == "insurer"
    with pytest.raises(InvalidInput) as caught:
        holds.place_hold([], at=HOLD_PLACED, insurer=None, reason="保留")
    assert caught.value.field == "person"
