"""The demo world comes from its seed alone, with valid identifiers and the notable cases."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict

import pytest

from simulator.loaders.demo import Story, generate_demo_world
from simulator.loaders.demo_people import age_on, to_half_width_kana
from simulator.registry.identifiers import (
    InstitutionKind,
    check_digit,
    format_insurer_number,
    parse_institution_code,
)
from simulator.registry.model import JST, Family, InsurerKind, ReasonOfLoss
from simulator.registry.queries import insurance_card_query

SEED = 20260401
OTHER_SEED = 7
BUSINESS_NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=JST)
TODAY = BUSINESS_NOW.date()
PERSONS = 200
HALF_WIDTH_KANA = re.compile(r"[\uFF61-\uFF9F]+ [\uFF61-\uFF9F]+")
KANJI_NAME = re.compile(r"[^\s]+\u3000[^\s]+")


@pytest.fixture(scope="module")
def world():
    return generate_demo_world(seed=SEED, persons=PERSONS, business_now=BUSINESS_NOW)


def records(world):
    return [q for demo in world.persons for q in demo.qualifications]


def only(world, story):
    (demo,) = world.with_story(story)
    return demo


def verifies(number: str) -> bool:
    return check_digit(number[:-1]) == int(number[-1])


def test_the_same_seed_gives_the_same_world(world) -> None:
    assert generate_demo_world(seed=SEED, persons=PERSONS, business_now=BUSINESS_NOW) == world


def test_another_seed_gives_other_names_and_passwords(world) -> None:
    other = generate_demo_world(seed=OTHER_SEED, persons=PERSONS, business_now=BUSINESS_NOW)

    assert [d.person.name for d in other.persons] != [d.person.name for d in world.persons]
    assert {a.password for a in other.accounts}.isdisjoint(a.password for a in world.accounts)


def test_the_world_has_as_many_people_as_asked(world) -> None:
    assert len(world.persons) == PERSONS
    assert all(demo.person.id is None for demo in world.persons)
    assert all(q.person_id == 0 for q in records(world))


def test_too_few_people_for_the_notable_cases_are_refused() -> None:
    with pytest.raises(ValueError, match="persons must be at least"):
        generate_demo_world(persons=3, business_now=BUSINESS_NOW)


def test_generation_logs_its_seed(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="simulator.loaders.demo"):
        generate_demo_world(seed=OTHER_SEED, persons=40, business_now=BUSINESS_NOW)

    assert f"demo world seed={OTHER_SEED}" in caplog.messages


def test_there_is_one_insurer_of_each_kind_and_every_number_verifies(world) -> None:
    kinds = {insurer.kind for insurer in world.insurers}

    assert kinds == {InsurerKind.KYOKAI, InsurerKind.KUMIAI, InsurerKind.KYOSAI,
                     InsurerKind.KOKUHO, InsurerKind.KOKI, InsurerKind.TOKUREI,
                     InsurerKind.JIEIKAN}
    assert all(verifies(insurer.number) for insurer in world.insurers)
    assert "01130012" in {insurer.number for insurer in world.insurers}
    assert "39131016" in {insurer.number for insurer in world.insurers}
    assert any(len(insurer.number) == 6 for insurer in world.insurers)


def test_every_institution_code_verifies_and_gives_its_kind_and_tokyo(world) -> None:
    for institution in world.institutions:
        parsed = parse_institution_code(institution.code)
        assert (parsed.kind, parsed.prefecture) == (institution.kind, "13") == (
            institution.kind, institution.prefecture)

    kinds = {institution.kind for institution in world.institutions}
    assert kinds == {InstitutionKind.MEDICAL, InstitutionKind.DENTAL, InstitutionKind.PHARMACY}


def test_every_institution_has_an_account_with_a_twelve_character_password(world) -> None:
    by_code = {institution.code: institution for institution in world.institutions}

    assert [a.user for a in world.accounts] == ["clinic", "dental", "pharmacy"]
    for account in world.accounts:
        assert by_code[account.institution_code].account == account.user
        assert len(account.password) == 12 and account.password.isalnum()


def test_every_koki_insured_number_verifies_and_has_no_symbol_or_branch(world) -> None:
    koki = [q for q in records(world) if q.insurer.kind is InsurerKind.KOKI]

    assert koki
    assert all(len(q.number) == 8 and verifies(q.number) for q in koki)
    assert all(q.symbol is None and q.branch is None for q in koki)
    assert {q.ratio for q in koki} <= {"010", "020", "030"}


def test_names_are_kanji_with_a_full_width_space_and_kana_half_width(world) -> None:
    people = [demo.person for demo in world.persons]

    for item in [*people, *records(world)]:
        assert KANJI_NAME.fullmatch(item.name), item.name
        assert HALF_WIDTH_KANA.fullmatch(item.kana), item.kana


def test_people_have_a_tokyo_address_and_a_post_number(world) -> None:
    for demo in world.persons:
        assert demo.person.address.startswith("東京都")
        assert re.fullmatch(r"[0-9]{3}-[0-9]{4}", demo.person.post_number)


def test_full_width_katakana_becomes_half_width_with_voiced_marks_split() -> None:
    assert to_half_width_kana("ガッコウ　パン・ヴィー") == "ｶﾞｯｺｳ ﾊﾟﾝ･ｳﾞｨｰ"


def test_ages_spread_from_infants_to_the_nineties(world) -> None:
    ages = [age_on(demo.person.birthdate, TODAY) for demo in world.persons]

    assert min(ages) <= 3 and max(ages) >= 90
    assert {age // 10 for age in ages} >= set(range(10))


def test_people_from_75_are_in_koki_and_younger_people_are_not(world) -> None:
    for demo in world.persons:
        current = [q for q in demo.qualifications if q.valid_on(TODAY)]
        old = age_on(demo.person.birthdate, TODAY) >= 75
        assert all((q.insurer.kind is InsurerKind.KOKI) == old for q in current)


def test_preschool_children_and_people_of_70_to_74_pay_20_percent(world) -> None:
    for q in records(world):
        age = age_on(q.birthdate, TODAY)
        if q.preschool:
            assert age <= 6 and q.ratio == "020"
        if q.insurer.kind is not InsurerKind.KOKI and 70 <= age <= 74:
            assert q.ratio == "020"
            assert [c.ratio for c in q.elderly if c.valid_on(TODAY)] == ["020"]
        if q.insurer.kind is not InsurerKind.KOKI and 7 <= age < 70:
            assert (q.ratio, q.preschool, q.elderly) == ("030", False, ())


def test_members_of_a_household_share_the_card_with_their_own_branch(world) -> None:
    branches = defaultdict(list)
    for q in records(world):
        branches[q.insurer.number, q.symbol, q.number].append(q.branch)
        if q.family is Family.DEPENDENT:
            assert q.insured_name and q.branch != "00"

    assert all(len(found) == len(set(found)) for found in branches.values())
    assert any(len(found) > 1 for found in branches.values())


def test_every_record_is_registered_after_it_starts_and_before_now_unless_in_the_lag(
    world,
) -> None:
    late = [q for q in records(world) if q.registered_at > BUSINESS_NOW]

    assert all(q.registered_at.date() > q.valid_from for q in records(world))
    assert late == [only(world, Story.JOB_CHANGE_PENDING).qualifications[1]]


def test_the_twins_share_the_insured_number_and_birthdate_but_not_branch_or_name(world) -> None:
    parent = only(world, Story.TWINS_PARENT).qualifications[0]
    twins = [demo.qualifications[0] for demo in world.with_story(Story.TWINS)]

    assert len(twins) == 2
    assert {(q.insurer, q.symbol, q.number) for q in twins} == {
        (parent.insurer, parent.symbol, parent.number)}
    assert twins[0].birthdate == twins[1].birthdate != parent.birthdate
    assert [q.branch for q in twins] == ["01", "02"]
    assert twins[0].name != twins[1].name
    assert all(q.family is Family.DEPENDENT and q.insured_name == parent.name for q in twins)


def test_the_lost_qualification_ended_and_nothing_replaced_it(world) -> None:
    (lost,) = only(world, Story.LOST).qualifications

    assert lost.valid_to < TODAY and lost.reason_of_loss is ReasonOfLoss.OTHER
    assert lost.loss_registered_at < BUSINESS_NOW


def test_the_completed_job_change_moves_to_another_insurer_on_the_day_of_loss(world) -> None:
    old, new = only(world, Story.JOB_CHANGE).qualifications

    assert old.valid_to == new.valid_from < TODAY and old.insurer != new.insurer
    assert max(old.loss_registered_at, new.registered_at) < BUSINESS_NOW


def test_the_job_change_in_the_lag_is_registered_after_now(world) -> None:
    old, new = only(world, Story.JOB_CHANGE_PENDING).qualifications

    assert old.valid_to == new.valid_from == TODAY and old.insurer != new.insurer
    assert BUSINESS_NOW < old.loss_registered_at < new.registered_at


def test_the_notable_certificates_are_valid_today(world) -> None:
    (koki,) = only(world, Story.KOKI_LIMIT).qualifications
    (dialysis,) = only(world, Story.SPECIFIC_DISEASE).qualifications
    (elderly,) = only(world, Story.ELDERLY).qualifications

    assert koki.insurer.kind is InsurerKind.KOKI and koki.limits[0].valid_on(TODAY)
    assert (dialysis.specific_diseases[0].category, dialysis.specific_diseases[0].self_pay) == (
        "1", 10000)
    assert elderly.elderly[0].valid_on(TODAY)
    assert len(only(world, Story.KOKUHO).qualifications[0].insurer.number) == 6


def test_every_qualification_builds_a_valid_insurance_card_query(world) -> None:
    for q in records(world):
        search = {
            "InsurerNumber": format_insurer_number(q.insurer.number),
            "InsuredCardSymbol": q.symbol,
            "InsuredIdentificationNumber": q.number,
            "InsuredBranchNumber": q.branch,
            "Birthdate": q.birthdate.strftime("%Y%m%d"),
        }
        query = insurance_card_query(search, confirm_date=TODAY.strftime("%Y%m%d"))

        assert (query.insurer_number, query.symbol, query.number, query.branch) == (
            q.insurer.number, q.symbol, q.number, q.branch)


YEARLY_CARDS = (InsurerKind.KOKUHO, InsurerKind.KOKI)
SHORT_CARDS = ("03", "04")  # 短期被保険者証: six months


def test_every_record_has_an_issued_card_valid_from_its_start(world) -> None:
    for q in records(world):
        assert q.card_issued_on is not None and q.card_valid_start >= q.valid_from, q
        assert q.valid_to is None or q.card_valid_start < q.valid_to, q


def test_employees_cards_run_from_the_acquisition_without_an_end(world) -> None:
    employees = [q for q in records(world) if q.insurer.kind not in YEARLY_CARDS]

    assert employees
    assert all((q.card_valid_start, q.card_valid_end) == (q.valid_from, None) for q in employees)


def test_kokuho_and_koki_cards_run_to_31_july_or_six_months_and_cover_the_last_day(
    world,
) -> None:
    yearly = [q for q in records(world) if q.insurer.kind in YEARLY_CARDS]

    assert yearly
    for q in yearly:
        last = TODAY if q.valid_to is None else q.valid_to - dt.timedelta(days=1)
        ends = ((1, 31), (7, 31)) if q.card_class in SHORT_CARDS else ((7, 31),)
        assert (q.card_valid_end.month, q.card_valid_end.day) in ends, q
        assert q.card_valid_start <= max(last, q.valid_from) <= q.card_valid_end, q
        assert q.card_issued_on <= q.card_valid_start or q.card_valid_start == q.valid_from, q
