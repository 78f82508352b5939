"""Life events read from mappings and applied through the store (docs/architecture.md).

Each test stores a small cast, applies event mappings with :func:`apply_event` inside a unit of
work and reads back the records and the event log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from simulator.profiles import load_profiles
from simulator.registry import rules
from simulator.registry.errors import CheckDigitError, DateFormatError, InvalidInput
from simulator.registry.events import EventContext
from simulator.registry.lookup import PersonQuery
from simulator.registry.model import (
    ElderlyCertificate,
    Family,
    Insurer,
    InsurerKind,
    Person,
    Qualification,
    ReasonOfLoss,
    Sex,
    Validity,
)
from simulator.store import SqlUnitOfWork
from simulator.timeline import apply_event
from tests.builders import KOKUHO, KUMIAI, KYOKAI, at, person, record

KOKI = Insurer("39130018", "東京都後期高齢者医療広域連合", InsurerKind.KOKI)
DECLARED = {insurer.number: insurer for insurer in (KUMIAI, KYOKAI, KOKUHO, KOKI)}
PROFILES = load_profiles()
SCENARIO = "life-events"
CLOCK = at(2026, 4, 1, 9)
PATH = "timeline[3]"

TARO = person()
HANAKO = person(name="山田　花子", kana="ﾔﾏﾀﾞ ﾊﾅｺ", birthdate=dt.date(1987, 8, 20),
                sex=Sex.FEMALE)
KENJI = person(name="佐藤　健二", kana="ｻﾄｳ ｹﾝｼﾞ", birthdate=dt.date(1951, 4, 10))
FUMI = person(name="鈴木　文", kana="ｽｽﾞｷ ﾌﾐ", birthdate=dt.date(1952, 2, 29),
              sex=Sex.FEMALE)

JOB_CHANGE_DAY = dt.date(2026, 4, 1)
EVENT = "2026-04-01T09:00:00+09:00"
LOSS_KNOWN = at(2026, 4, 3, 9)  # 1 + 1 days
GAIN_KNOWN = at(2026, 4, 8, 9)  # 3 + 4 days
TO_KYOKAI = {"insurer": "01130012", "symbol": "7001", "number": "88", "branch": "00",
             "ratio": "030"}
JOB_CHANGE = {
    "event": "job_change", "at": EVENT, "person": "taro", "to": TO_KYOKAI,
    "loss": {"employer_notify_days": 1, "insurer_register_days": 1},
    "gain": {"employer_notify_days": 3, "insurer_register_days": 4},
}


def own_record(who: Person, **overrides) -> Qualification:
    """``who``'s 組合 record as the insurer typed it (matching 住基)."""
    values = dict(name=who.name, kana=who.kana, birthdate=who.birthdate, sex=who.sex,
                  address=who.address)
    return record(**(values | overrides))


def cast(engine, **people: tuple[Person, list[Qualification]]) -> dict[str, int]:
    """Store the insurers, a scenario and each person (by handle) with records; return ids."""
    ids = {}
    with SqlUnitOfWork(engine) as uow:
        for insurer in DECLARED.values():
            uow.repo.add_insurer(insurer)
        uow.repo.add_scenario(name=SCENARIO, title="ライフイベント", description="",
                              source="", clock=CLOCK)
        for handle, (who, records) in people.items():
            ids[handle] = uow.repo.add_person(who, scenario=SCENARIO, handle=handle)
            for r in records:
                uow.repo.add_qualification(replace(r, person_id=ids[handle]))
        uow.commit()
    return ids


def context(uow, seed: str = "oqs-sim") -> EventContext:
    return EventContext(repo=uow.repo, profiles=PROFILES, known=DECLARED.get,
                        scenario=SCENARIO, seed=seed)


def apply(engine, *events: dict[str, Any], seed: str = "oqs-sim") -> None:
    """Apply the events in order in one transaction and commit."""
    with SqlUnitOfWork(engine) as uow:
        for index, raw in enumerate(events):
            apply_event(context(uow, seed), raw, f"timeline[{index}]")
        uow.commit()


def records_of(engine, person_id: int) -> list[Qualification]:
    with SqlUnitOfWork(engine) as uow:
        return uow.repo.records_of(person_id)


def event_log(engine) -> list[Any]:
    with SqlUnitOfWork(engine) as uow:
        return uow.repo.events()


def without_ids(records: list[Qualification]) -> list[Qualification]:
    """The records as values: ids differ between transactions on PostgreSQL (sequences)."""
    return [replace(r, id=None, holds=tuple(replace(h, id=None) for h in r.holds))
            for r in records]


def by_insurer(records: list[Qualification]) -> dict[str, Qualification]:
    return {r.insurer.number: r for r in records}


# -- changes of insurer ----------------------------------------------------------------------------


def test_a_job_change_stores_the_loss_and_the_gain_each_known_after_its_own_delay(
    engine,
) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    apply(engine, JOB_CHANGE)

    records = by_insurer(records_of(engine, ids["taro"]))
    old, new = records[KUMIAI.number], records[KYOKAI.number]
    assert (old.valid_to, old.reason_of_loss, old.loss_registered_at) == (
        JOB_CHANGE_DAY, ReasonOfLoss.OTHER, LOSS_KNOWN)
    assert (new.symbol, new.number, new.branch, new.family) == ("7001", "88", "00",
                                                                Family.INSURED)
    assert (new.valid_from, new.valid_to, new.registered_at, new.holds) == (
        JOB_CHANGE_DAY, None, GAIN_KNOWN, ())

    (logged,) = event_log(engine)
    assert (logged.kind, logged.at, logged.person_id, logged.scenario) == (
        "job_change", CLOCK, ids["taro"], SCENARIO)
    assert (logged.registered_at, logged.late) == (GAIN_KNOWN, False)
    assert logged.params == JOB_CHANGE


def test_stored_records_answer_the_card_route_as_oqs_learns_each_half(engine) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    apply(engine, JOB_CHANGE)
    records = records_of(engine, ids["taro"])

    def shown(as_of: dt.datetime) -> tuple[Validity, str]:
        found = rules.confirm_by_person(
            records, query=PersonQuery(ids["taro"], as_of.date()), as_of=as_of)
        return found.validity, found.results[0].insurer.number

    day = dt.timedelta(days=1)
    assert shown(LOSS_KNOWN - day) == (Validity.VALID, KUMIAI.number)
    assert shown(LOSS_KNOWN) == (Validity.INVALID, KUMIAI.number)
    assert shown(GAIN_KNOWN - day) == (Validity.INVALID, KUMIAI.number)
    assert shown(GAIN_KNOWN) == (Validity.VALID, KYOKAI.number)
    assert shown(GAIN_KNOWN + day) == (Validity.VALID, KYOKAI.number)


def test_a_job_change_out_of_kokuho_loses_with_reason_03_and_shared_delays(engine) -> None:
    kokuho = own_record(HANAKO, insurer=KOKUHO, symbol="杉並", number="0099")
    ids = cast(engine, hanako=(HANAKO, [kokuho]))
    raw = {"event": "job_change", "at": EVENT, "person": "hanako", "to": TO_KYOKAI,
           "employer_notify_days": 2, "insurer_register_days": 2}
    apply(engine, raw)

    records = by_insurer(records_of(engine, ids["hanako"]))
    known = at(2026, 4, 5, 9)
    assert records[KOKUHO.number].reason_of_loss is ReasonOfLoss.OTHER_INSURANCE
    assert records[KOKUHO.number].loss_registered_at == known
    assert records[KYOKAI.number].registered_at == known
    shared = {"employer_notify_days": 2, "insurer_register_days": 2}
    assert event_log(engine)[0].params == raw | {"loss": shared, "gain": shared}


def test_a_late_filing_is_stored_and_flagged_in_the_log(engine) -> None:
    cast(engine, taro=(TARO, [own_record(TARO)]))
    late = JOB_CHANGE | {"gain": {"employer_notify_days": 8, "insurer_register_days": 4}}
    apply(engine, late)
    (logged,) = event_log(engine)
    assert (logged.late, logged.registered_at) == (True, at(2026, 4, 13, 9))


def test_retiring_into_kokuho_starts_a_kokuho_record(engine) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    raw = {"event": "retire_to_kokuho", "at": "2026-07-01T09:00:00+09:00", "person": "taro",
           "to": {"insurer": KOKUHO.number, "symbol": "杉並", "number": "0012345"},
           "loss": {"employer_notify_days": 5, "insurer_register_days": 5},
           "gain": {"employer_notify_days": 0, "insurer_register_days": 2}}
    apply(engine, raw)

    records = by_insurer(records_of(engine, ids["taro"]))
    assert (records[KUMIAI.number].valid_to, records[KUMIAI.number].loss_registered_at) == (
        dt.date(2026, 7, 1), at(2026, 7, 11, 9))
    assert records[KUMIAI.number].reason_of_loss is ReasonOfLoss.OTHER
    assert (records[KOKUHO.number].valid_from, records[KOKUHO.number].registered_at) == (
        dt.date(2026, 7, 1), at(2026, 7, 3, 9))
    assert event_log(engine)[0].late is False


def test_turning_75_without_a_date_starts_koki_on_the_75th_birthday(engine) -> None:
    ids = cast(engine, kenji=(KENJI, [own_record(KENJI)]))
    raw = {"event": "turn_75", "at": "2026-04-10T00:00:00+09:00", "person": "kenji",
           "to": {"insurer": KOKI.number, "number": "12345674"},
           "employer_notify_days": 0, "insurer_register_days": 1}
    apply(engine, raw)

    records = by_insurer(records_of(engine, ids["kenji"]))
    birthday = dt.date(2026, 4, 10)
    assert (records[KUMIAI.number].valid_to, records[KUMIAI.number].reason_of_loss) == (
        birthday, ReasonOfLoss.OTHER_INSURANCE)
    koki = records[KOKI.number]
    assert (koki.valid_from, koki.ratio, koki.registered_at) == (birthday, "010",
                                                                 at(2026, 4, 11, 0))


def test_someone_born_on_29_february_turns_75_on_1_march(engine) -> None:
    ids = cast(engine, fumi=(FUMI, [own_record(FUMI, insurer=KYOKAI)]))
    raw = {"event": "turn_75", "at": "2027-02-26T09:00:00+09:00", "person": "fumi",
           "to": {"insurer": KOKI.number, "number": "12345674", "ratio": "020"},
           "employer_notify_days": 0, "insurer_register_days": 0}
    apply(engine, raw)

    records = by_insurer(records_of(engine, ids["fumi"]))
    assert records[KYOKAI.number].valid_to == dt.date(2027, 3, 1)
    assert (records[KOKI.number].valid_from, records[KOKI.number].ratio) == (
        dt.date(2027, 3, 1), "020")


def test_death_closes_the_record_on_the_day_after_the_date_of_death(engine) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    raw = {"event": "death", "at": "2026-05-21T10:00:00+09:00", "date": "2026-05-20",
           "person": "taro", "employer_notify_days": 2, "insurer_register_days": 3}
    apply(engine, raw)

    (closed,) = records_of(engine, ids["taro"])
    assert (closed.valid_to, closed.reason_of_loss, closed.loss_registered_at) == (
        dt.date(2026, 5, 21), ReasonOfLoss.DEATH, at(2026, 5, 26, 10))
    (logged,) = event_log(engine)
    assert (logged.kind, logged.registered_at) == ("death", at(2026, 5, 26, 10))


def test_welfare_closes_the_record_on_the_day_assistance_starts(engine) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    raw = {"event": "welfare_start", "at": "2026-06-01T09:00:00+09:00", "person": "taro",
           "employer_notify_days": 0, "insurer_register_days": 3}
    apply(engine, raw)

    (closed,) = records_of(engine, ids["taro"])
    assert (closed.valid_to, closed.reason_of_loss, closed.loss_registered_at) == (
        dt.date(2026, 6, 1), ReasonOfLoss.WELFARE, at(2026, 6, 4, 9))


# -- new records under the insured's key -----------------------------------------------------------

BIRTH = {"event": "birth", "at": "2026-04-20T15:00:00+09:00", "person": "taro",
         "child": {"id": "ichiro", "name": "山田　一郎", "kana": "ﾔﾏﾀﾞ ｲﾁﾛｳ", "sex": "1"},
         "employer_notify_days": 2, "insurer_register_days": 3}


def test_a_birth_adds_the_child_under_the_next_branch_after_the_delay(engine) -> None:
    cast(engine, taro=(TARO, [own_record(TARO)]))
    twin = BIRTH | {"child": BIRTH["child"] | {"id": "jiro", "name": "山田　二郎",
                                                "kana": "ﾔﾏﾀﾞ ｼﾞﾛｳ"}}
    apply(engine, BIRTH, twin)

    with SqlUnitOfWork(engine) as uow:
        ichiro = uow.repo.person_by_handle(SCENARIO, "ichiro")
        jiro = uow.repo.person_by_handle(SCENARIO, "jiro")
        (first,) = uow.repo.records_of(ichiro.id)
        (second,) = uow.repo.records_of(jiro.id)
        log = uow.repo.events()
    assert (ichiro.birthdate, ichiro.address) == (dt.date(2026, 4, 20), TARO.address)
    assert (first.insurer, first.symbol, first.number, first.branch) == (
        KUMIAI, "1234", "5678", "01")
    assert (first.family, first.preschool, first.ratio, first.insured_name) == (
        Family.DEPENDENT, True, "020", TARO.name)
    assert (first.valid_from, first.registered_at, first.holds) == (
        dt.date(2026, 4, 20), at(2026, 4, 25, 15), ())
    assert second.branch == "02"
    assert [e.params["child_person_id"] for e in log] == [ichiro.id, jiro.id]


def test_a_dependent_added_moves_from_kokuho_to_the_insureds_key(engine) -> None:
    kokuho = own_record(HANAKO, insurer=KOKUHO, symbol="杉並", number="0099")
    ids = cast(engine, taro=(TARO, [own_record(TARO)]), hanako=(HANAKO, [kokuho]))
    raw = {"event": "dependent_add", "at": "2026-06-01T09:00:00+09:00", "person": "taro",
           "dependent": "hanako", "employer_notify_days": 1, "insurer_register_days": 2}
    apply(engine, raw)

    records = by_insurer(records_of(engine, ids["hanako"]))
    assert (records[KOKUHO.number].valid_to, records[KOKUHO.number].reason_of_loss) == (
        dt.date(2026, 6, 1), ReasonOfLoss.OTHER_INSURANCE)
    moved = records[KUMIAI.number]
    assert (moved.number, moved.branch, moved.family, moved.ratio) == (
        "5678", "01", Family.DEPENDENT, "030")
    assert (moved.valid_from, moved.registered_at) == (dt.date(2026, 6, 1), at(2026, 6, 4, 9))
    (logged,) = event_log(engine)
    assert (logged.person_id, logged.params["dependent_person_id"]) == (ids["taro"],
                                                                        ids["hanako"])


def test_a_ratio_change_splits_the_record_and_dates_the_certificate(engine) -> None:
    seventy = person(birthdate=dt.date(1956, 4, 15))
    ids = cast(engine, taro=(seventy, [own_record(seventy)]))
    raw = {"event": "ratio_change", "at": "2026-05-01T09:00:00+09:00", "person": "taro",
           "ratio": "020", "elderly": {"ratio": "020", "issued_on": "2026-04-20"},
           "employer_notify_days": 0, "insurer_register_days": 4}
    apply(engine, raw)

    old, new = records_of(engine, ids["taro"])
    assert (old.ratio, old.valid_to, old.reason_of_loss, old.loss_registered_at) == (
        "030", dt.date(2026, 5, 1), None, at(2026, 5, 5, 9))
    assert (new.ratio, new.valid_from, new.registered_at) == ("020", dt.date(2026, 5, 1),
                                                              at(2026, 5, 5, 9))
    assert new.elderly == (ElderlyCertificate("020", dt.date(2026, 4, 20),
                                              dt.date(2026, 5, 1)),)


# -- the new record's insurance card ---------------------------------------------------------------

CARD_ISSUED = dt.date(2026, 4, 6)
CARD_START = dt.date(2026, 4, 1)
CARD_END = dt.date(2027, 3, 31)
CARD_KEYS = {"card_issued_on": "2026-04-06", "card_valid_start": "2026-04-01",
             "card_valid_end": "2027-03-31"}


def card_of(record: Qualification) -> tuple:
    return record.card_issued_on, record.card_valid_start, record.card_valid_end


def test_a_new_record_of_a_job_change_has_a_card_valid_from_its_start(engine) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    apply(engine, JOB_CHANGE)

    new = by_insurer(records_of(engine, ids["taro"]))[KYOKAI.number]
    assert card_of(new) == (None, JOB_CHANGE_DAY, None)


def test_the_card_dates_of_an_events_new_record_are_stored_as_given(engine) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    apply(engine, JOB_CHANGE | {"to": TO_KYOKAI | CARD_KEYS})

    new = by_insurer(records_of(engine, ids["taro"]))[KYOKAI.number]
    assert card_of(new) == (CARD_ISSUED, CARD_START, CARD_END)


def test_a_newborns_card_is_valid_from_the_birth_unless_the_event_says_otherwise(
    engine,
) -> None:
    cast(engine, taro=(TARO, [own_record(TARO)]))
    twin = BIRTH | {"child": BIRTH["child"] | {"id": "jiro", "name": "山田　二郎",
                                                "kana": "ﾔﾏﾀﾞ ｼﾞﾛｳ"},
                    "card_issued_on": "2026-04-28"}
    apply(engine, BIRTH, twin)

    with SqlUnitOfWork(engine) as uow:
        (first,) = uow.repo.records_of(uow.repo.person_by_handle(SCENARIO, "ichiro").id)
        (second,) = uow.repo.records_of(uow.repo.person_by_handle(SCENARIO, "jiro").id)
    birth_day = dt.date(2026, 4, 20)
    assert card_of(first) == (None, birth_day, None)
    assert card_of(second) == (dt.date(2026, 4, 28), birth_day, None)


# -- holds -----------------------------------------------------------------------------------------

TYPO = "ﾔﾏﾀﾞ ﾀﾛ"


def test_a_typo_at_registration_holds_the_record_until_it_is_corrected(engine) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    typo = JOB_CHANGE | {"to": TO_KYOKAI | {"as_registered": {"kana": TYPO}}}
    apply(engine, typo)
    held = by_insurer(records_of(engine, ids["taro"]))[KYOKAI.number]
    assert held.kana == TYPO
    ((held_from, held_until),) = [(h.held_from, h.held_until) for h in held.holds]
    assert (held_from, held_until) == (GAIN_KNOWN, None)

    corrected_at = "2026-04-15T11:00:00+09:00"
    apply(engine, {"event": "hold_correct", "at": corrected_at, "person": "taro",
                   "insurer": KYOKAI.number, "fields": ["kana"]})
    fixed = by_insurer(records_of(engine, ids["taro"]))[KYOKAI.number]
    assert fixed.kana == TARO.kana
    assert [h.held_until for h in fixed.holds] == [at(2026, 4, 15, 11)]
    logged = event_log(engine)[-1]
    assert (logged.kind, logged.registered_at, logged.late) == ("hold_correct", None, False)


def test_a_hold_placed_and_released_bounds_the_records_withdrawal(engine) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    apply(engine,
          {"event": "hold", "at": "2026-04-10T10:00:00+09:00", "person": "taro",
           "insurer": KUMIAI.number, "reason": "保険者確認中"},
          {"event": "hold_release", "at": "2026-04-12T10:00:00+09:00", "person": "taro"})
    (stored,) = records_of(engine, ids["taro"])
    ((hold),) = stored.holds
    assert (hold.held_from, hold.held_until, hold.reason) == (
        at(2026, 4, 10), at(2026, 4, 12), "保険者確認中")
    assert [e.kind for e in event_log(engine)] == ["hold", "hold_release"]


# -- delays drawn from the insurer profile ---------------------------------------------------------

UNTIMED = {"event": "job_change", "at": EVENT, "person": "taro", "to": TO_KYOKAI}


def draw(engine, person_id: int, seed: str) -> tuple[dict, list[Qualification]]:
    """Apply ``UNTIMED`` with ``seed`` and roll back; return the logged params and records."""
    with SqlUnitOfWork(engine) as uow:
        apply_event(context(uow, seed), UNTIMED, "timeline[0]")
        return uow.repo.events()[0].params, without_ids(uow.repo.records_of(person_id))


def test_delays_not_given_are_drawn_from_the_profile_the_same_way_for_the_same_seed(
    engine,
) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    params, records = draw(engine, ids["taro"], "seed-1")

    assert draw(engine, ids["taro"], "seed-1") == (params, records)
    loss, gain = params["loss"], params["gain"]
    assert set(loss) == set(gain) == {"employer_notify_days", "insurer_register_days"}
    assert 0 <= loss["employer_notify_days"] <= 7  # the 組合 profile: 8 weights
    assert 0 <= gain["insurer_register_days"] <= 5  # the 協会 profile: 6 weights
    old, new = by_insurer(records)[KUMIAI.number], by_insurer(records)[KYOKAI.number]
    event = dt.datetime.fromisoformat(EVENT)
    assert old.loss_registered_at == event + dt.timedelta(days=sum(loss.values()))
    assert new.registered_at == event + dt.timedelta(days=sum(gain.values()))


def test_the_seed_decides_the_draw(engine) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    drawn = {repr(draw(engine, ids["taro"], f"seed-{n}")[0]) for n in range(12)}
    assert len(drawn) > 1


def test_replaying_the_logged_params_rebuilds_the_same_records(engine) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    params, records = draw(engine, ids["taro"], "seed-1")
    apply(engine, params, seed="another-seed")  # the delays are explicit now
    assert without_ids(records_of(engine, ids["taro"])) == records


# -- refusals --------------------------------------------------------------------------------------

REFUSED = {
    "unknown kind": ({**JOB_CHANGE, "event": "transfer"}, f"{PATH}.event", InvalidInput),
    "no kind": ({k: v for k, v in JOB_CHANGE.items() if k != "event"}, f"{PATH}.event",
                InvalidInput),
    "missing to": ({k: v for k, v in JOB_CHANGE.items() if k != "to"}, f"{PATH}.to",
                   InvalidInput),
    "30 February": ({**JOB_CHANGE, "date": "2026-02-30"}, f"{PATH}.date", DateFormatError),
    "instant without offset": ({**JOB_CHANGE, "at": "2026-04-01T09:00:00"}, f"{PATH}.at",
                               DateFormatError),
    "bad check digit in to.insurer": (
        {**JOB_CHANGE, "to": TO_KYOKAI | {"insurer": "01130013"}}, f"{PATH}.to.insurer",
        CheckDigitError),
    "insurer not declared": (
        {**JOB_CHANGE, "to": TO_KYOKAI | {"insurer": "06139992"}}, f"{PATH}.to.insurer",
        InvalidInput),
    "kokuho retirement to a kyokai insurer": (
        {**JOB_CHANGE, "event": "retire_to_kokuho"}, f"{PATH}.to.insurer", InvalidInput),
    "unknown person": ({**JOB_CHANGE, "person": "jiro"}, f"{PATH}.person", InvalidInput),
    "unknown person id": ({**JOB_CHANGE, "person": 999}, f"{PATH}.person", InvalidInput),
    "negative delay": ({**UNTIMED, "employer_notify_days": -1},
                       f"{PATH}.employer_notify_days", InvalidInput),
    "negative split delay": (
        {**JOB_CHANGE, "loss": {"insurer_register_days": -2}},
        f"{PATH}.loss.insurer_register_days", InvalidInput),
    "ratio change without terms": (
        {"event": "ratio_change", "at": EVENT, "person": "taro"}, f"{PATH}.ratio",
        InvalidInput),
    "hold release with no hold": (
        {"event": "hold_release", "at": EVENT, "person": "taro"}, f"{PATH}.person",
        InvalidInput),
    "hold correct of a non-basic item": (
        {"event": "hold_correct", "at": EVENT, "person": "taro", "fields": ["ratio"]},
        f"{PATH}.fields", InvalidInput),
    "dependent not known": (
        {"event": "dependent_add", "at": EVENT, "person": "taro", "dependent": "nobody"},
        f"{PATH}.dependent", InvalidInput),
    "card ending before it starts": (
        {**JOB_CHANGE, "to": TO_KYOKAI | CARD_KEYS | {"card_valid_end": "2026-03-31"}},
        f"{PATH}.to.card_valid_end", InvalidInput),
    "card ending before the new record starts": (
        {**JOB_CHANGE, "to": TO_KYOKAI | {"card_valid_end": "2026-03-31"}},
        f"{PATH}.to.card_valid_end", InvalidInput),
    "newborn's card ending before the birth": (
        BIRTH | {"card_valid_end": "2026-04-19"}, f"{PATH}.card_valid_end", InvalidInput),
    "specific disease category of two digits": (
        {**JOB_CHANGE, "to": TO_KYOKAI | {"specific_diseases": [{"category": "01"}]}},
        f"{PATH}.to.specific_diseases[0].category", InvalidInput),
    "birth without child": (
        {"event": "birth", "at": EVENT, "person": "taro"}, f"{PATH}.child", InvalidInput),
}


def _snapshot(repo, person_id: int) -> tuple:
    return repo.counts(), repo.records_of(person_id), repo.events(), repo.holds()


@pytest.mark.parametrize(("raw", "field", "kind"), REFUSED.values(), ids=REFUSED.keys())
def test_a_bad_event_is_refused_naming_its_path_and_writes_nothing(
    engine, raw, field, kind
) -> None:
    ids = cast(engine, taro=(TARO, [own_record(TARO)]))
    with SqlUnitOfWork(engine) as uow:
        before = _snapshot(uow.repo, ids["taro"])
        with pytest.raises(kind) as caught:
            apply_event(context(uow), raw, PATH)
        assert caught.value.field == field
        assert _snapshot(uow.repo, ids["taro"]) == before


def test_a_refusal_raised_by_a_life_event_names_the_same_path_in_its_message(engine) -> None:
    cast(engine, taro=(TARO, [own_record(TARO)]))
    with SqlUnitOfWork(engine) as uow, pytest.raises(InvalidInput) as caught:
        apply_event(context(uow), {"event": "hold_release", "at": EVENT, "person": "taro"},
                    PATH)
    assert caught.value.field == f"{PATH}.person"
    assert caught.value.message.startswith(f"{PATH}.person: ")
    assert str(caught.value).startswith(f"{PATH}.person: ")
