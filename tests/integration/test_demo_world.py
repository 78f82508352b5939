"""The demo world, saved into a real store, answers lookups as its stories promise."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.clock import FixedClock
from simulator.loaders.demo import Story, generate_demo_world, save_demo_world
from simulator.registry import services
from simulator.registry.model import JST, Validity
from simulator.store import SqlUnitOfWork
from tests.builders import query

BUSINESS_NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=JST)
TODAY = BUSINESS_NOW.date()
AFTER_THE_LAG = dt.datetime(2026, 4, 4, 10, 0, tzinfo=JST)
PERSONS = 60
CLINIC_CODE = "1311000002"  # the institution that looks up (audit trail)


def hashed(password: str) -> str:
    return "hash:" + password


@pytest.fixture(scope="module")
def world():
    return generate_demo_world(persons=PERSONS, business_now=BUSINESS_NOW)


@pytest.fixture
def saved(engine, world):
    return save_demo_world(world, uow=SqlUnitOfWork(engine), password_hash=hashed)


def confirm(engine, record, *, now=BUSINESS_NOW, **overrides):
    """Look ``record`` up by its own card items on the business date of ``now``."""
    return services.confirm_by_insurance_card(
        uow=SqlUnitOfWork(engine),
        clock=FixedClock(now),
        query=query(record, day=now.date(), **overrides),
        institution=CLINIC_CODE,
    )


def records_of(world, story):
    return [q for demo in world.with_story(story) for q in demo.qualifications]


def test_saving_reports_what_it_added(saved, world) -> None:
    assert saved == {
        "insurers": 8,
        "institutions": 3,
        "persons": PERSONS,
        "qualifications": sum(len(demo.qualifications) for demo in world.persons),
    }


def test_an_ordinary_insured_person_is_valid(engine, saved, world) -> None:
    (record,) = records_of(world, Story.INSURED)

    assert confirm(engine, record).validity is Validity.VALID


def test_the_twins_without_a_branch_are_multiple(engine, saved, world) -> None:
    twin = records_of(world, Story.TWINS)[0]

    confirmation = confirm(engine, twin, branch=None)

    assert confirmation.validity is Validity.MULTIPLE
    assert sorted(r.branch for r in confirmation.results) == ["01", "02"]


def test_each_twin_with_their_branch_is_valid(engine, saved, world) -> None:
    for twin in records_of(world, Story.TWINS):
        confirmation = confirm(engine, twin)
        assert confirmation.validity is Validity.VALID
        assert [r.name for r in confirmation.results] == [twin.name]


def test_the_lost_qualification_is_invalid(engine, saved, world) -> None:
    (lost,) = records_of(world, Story.LOST)

    confirmation = confirm(engine, lost)

    assert confirmation.validity is Validity.INVALID
    assert confirmation.results[0].valid_to == lost.valid_to


def test_after_a_completed_job_change_the_old_card_says_a_newer_one_exists(
    engine, saved, world
) -> None:
    old, new = records_of(world, Story.JOB_CHANGE)

    assert confirm(engine, old).validity is Validity.INVALID_NEWER_EXISTS
    assert confirm(engine, new).validity is Validity.VALID


def test_in_the_registration_lag_the_new_card_is_not_found_and_the_old_one_still_valid(
    engine, saved, world
) -> None:
    old, new = records_of(world, Story.JOB_CHANGE_PENDING)

    assert confirm(engine, new).validity is Validity.NOT_FOUND
    assert confirm(engine, old).validity is Validity.VALID


def test_after_the_lag_the_new_card_is_valid_and_the_old_one_says_a_newer_one_exists(
    engine, saved, world
) -> None:
    old, new = records_of(world, Story.JOB_CHANGE_PENDING)

    assert confirm(engine, new, now=AFTER_THE_LAG).validity is Validity.VALID
    assert confirm(engine, old, now=AFTER_THE_LAG).validity is Validity.INVALID_NEWER_EXISTS


def test_the_koki_limit_certificate_is_shown_with_consent(engine, saved, world) -> None:
    (koki,) = records_of(world, Story.KOKI_LIMIT)

    confirmation = confirm(engine, koki, limit_consent=True)

    assert confirmation.validity is Validity.VALID
    assert confirmation.results[0].limits == koki.limits


def test_the_specific_disease_certificate_is_shown_with_the_consent(engine, saved, world):
    (dialysis,) = records_of(world, Story.SPECIFIC_DISEASE)

    without = confirm(engine, dialysis)
    consented = confirm(engine, dialysis, limit_consent=True)

    assert without.results[0].specific_diseases == ()
    assert consented.results[0].specific_diseases == dialysis.specific_diseases


def test_every_record_registered_by_now_is_found(engine, saved, world) -> None:
    for demo in world.persons:
        for record in demo.qualifications:
            found = confirm(engine, record).validity is not Validity.NOT_FOUND
            assert found == (record.registered_at <= BUSINESS_NOW), (demo.story, record)


def test_the_clinic_logs_in_with_its_hashed_demo_password(engine, saved, world) -> None:
    account = next(a for a in world.accounts if a.user == "clinic")
    clinic = next(i for i in world.institutions if i.code == account.institution_code)

    with SqlUnitOfWork(engine) as uow:
        found = uow.repo.account("clinic")

    assert found == (clinic, hashed(account.password))
