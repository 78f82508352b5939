"""Basics of the store: SQLite settings, referential integrity, institutions, insurers."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.exc import IntegrityError

from simulator.registry.identifiers import InstitutionKind
from simulator.store import SqlUnitOfWork
from tests.builders import KOKUHO, institution, record


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()

    assert (mode, foreign_keys) == ("wal", 1)


def test_a_qualification_of_an_unknown_person_or_insurer_is_refused(engine) -> None:
    with pytest.raises(IntegrityError), SqlUnitOfWork(engine) as uow:
        uow.repo.add_qualification(record(person_id=999))


@pytest.mark.parametrize(
    ("code", "kind", "prefecture"),
    [
        ("1311000002", InstitutionKind.MEDICAL, "13"),
        ("1331000008", InstitutionKind.DENTAL, "13"),
        ("4711000002", InstitutionKind.MEDICAL, "47"),
        ("1341000006", InstitutionKind.PHARMACY, "13"),
    ],
    ids=["医科 in Tokyo", "歯科 in Tokyo", "医科 in Okinawa", "薬局 in Tokyo"],
)
def test_an_institution_keeps_the_kind_and_prefecture_of_its_code(engine, code, kind, prefecture):
    with SqlUnitOfWork(engine) as uow:
        uow.repo.add_institution(institution(code, municipality="131016"))
        uow.commit()

    with SqlUnitOfWork(engine) as uow:
        stored = uow.repo.get_institution(code)

    assert (stored.kind, stored.prefecture, stored.municipality) == (kind, prefecture, "131016")


def test_an_unknown_institution_reads_as_none(engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        assert uow.repo.get_institution("1311000002") is None


def test_an_insurer_reads_back_and_a_duplicate_is_refused(engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.repo.add_insurer(KOKUHO)
        uow.commit()

    with SqlUnitOfWork(engine) as uow:
        assert uow.repo.get_insurer("138057") == KOKUHO
        with pytest.raises(IntegrityError):
            uow.repo.add_insurer(dataclasses.replace(KOKUHO, name="別名"))


def test_a_bare_handle_names_a_person_outside_scenarios(engine) -> None:
    from simulator.registry.errors import InvalidInput
    from simulator.registry.person_ref import find_person
    from tests.builders import person

    with SqlUnitOfWork(engine) as uow:
        repo = uow.repo
        repo.add_scenario(name="story", title="t", description="", source="{}",
                          clock=record().registered_at)
        imported = repo.add_person(person(name="取込　一郎"), handle="p1")
        repo.add_person(person(name="物語　次郎"), scenario="story", handle="p2")

        assert find_person(repo, "p1").id == imported
        assert find_person(repo, "/p1").id == imported
        assert repo.unscoped_handles(["p1", "p2", "p3"]) == {"p1": imported}
        with pytest.raises(InvalidInput, match="no person 'p2'"):
            find_person(repo, "p2")
        assert find_person(repo, "story/p2").name == "物語　次郎"
