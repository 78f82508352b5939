"""Generating into a real store (SQLite and PostgreSQL): same seed, same store; a larger N
extends it; a stopped run resumes to the same store; the store answers lookups."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from simulator import schema
from simulator.clock import FixedClock
from simulator.db import make_engine
from simulator.population.report import store_digest, store_stats
from simulator.population.service import generate
from simulator.registry import services
from simulator.registry.errors import Conflict, InvalidInput
from simulator.registry.lookup import InsuranceCardQuery
from simulator.registry.model import JST, Person, Sex, Validity
from simulator.store import SqlUnitOfWork

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=JST)
CLOCK = FixedClock(NOW)


def _other_store(database_url, tmp_path, sqlite_template):
    """A second empty store of the same backend."""
    if database_url.startswith("sqlite"):
        import shutil

        path = tmp_path / "other.db"
        shutil.copyfile(sqlite_template, path)
        return make_engine(f"sqlite:///{path}")
    return None


def test_the_same_seed_and_n_give_the_same_store(engine, database_url, tmp_path,
                                                 sqlite_template):
    result = generate(engine, clock=CLOCK, persons=400, seed=5, batch_households=50)
    assert result.persons == result.added == 400
    count = select(func.count()).select_from(schema.persons)
    with engine.connect() as connection:
        assert connection.execute(count).scalar_one() == 400
    other = _other_store(database_url, tmp_path, sqlite_template)
    if other is None:
        pytest.skip("one PostgreSQL store per test")
    generate(other, clock=CLOCK, persons=400, seed=5, batch_households=7)
    assert store_digest(other) == store_digest(engine)
    other.dispose()


def test_a_larger_n_extends_the_run_and_keeps_its_first_persons(engine, database_url, tmp_path,
                                                                sqlite_template):
    generate(engine, clock=CLOCK, persons=250, seed=3)
    again = generate(engine, clock=CLOCK, persons=400, seed=3)
    assert again.resumed and again.persons == 400
    other = _other_store(database_url, tmp_path, sqlite_template)
    if other is None:
        pytest.skip("one PostgreSQL store per test")
    generate(other, clock=CLOCK, persons=400, seed=3)
    assert store_digest(other) == store_digest(engine)
    other.dispose()


def test_a_stopped_run_resumes_to_the_same_store(engine, database_url, tmp_path,
                                                 sqlite_template):
    batches = []

    def stop_after_two(done, total):
        batches.append(done)
        if len(batches) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate(engine, clock=CLOCK, persons=300, seed=9, batch_households=20,
                 on_progress=stop_after_two)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(schema.persons)
                                    ).scalar_one()
    assert 0 < stored == batches[-1] < 300
    resumed = generate(engine, clock=CLOCK, persons=300, seed=9, batch_households=20)
    assert resumed.resumed and resumed.persons == 300
    other = _other_store(database_url, tmp_path, sqlite_template)
    if other is None:
        pytest.skip("one PostgreSQL store per test")
    generate(other, clock=CLOCK, persons=300, seed=9)
    assert store_digest(other) == store_digest(engine)
    other.dispose()


def test_generated_people_answer_lookups_and_ids_continue_after_them(engine):
    generate(engine, clock=CLOCK, persons=200, seed=2)
    with engine.connect() as connection:
        q = schema.qualifications
        row = connection.execute(select(q).where(q.c.valid_to.is_(None), q.c.branch == "00")
                                 .order_by(q.c.id)).first()
    query = InsuranceCardQuery(row.insurer_number, row.number, row.birthdate, NOW.date(),
                               symbol=row.symbol, branch=row.branch)
    confirmation = services.confirm_by_insurance_card(
        uow=SqlUnitOfWork(engine), clock=CLOCK, query=query, institution="1311000002")
    assert confirmation.validity is Validity.VALID
    with SqlUnitOfWork(engine) as uow:  # a person added later takes a free id (PostgreSQL too)
        uow.repo.add_person(Person("後続　太郎", "ｺｳｿﾞｸ ﾀﾛｳ", dt.date(1990, 1, 1), Sex.MALE,
                                   "東京都", None))
        uow.commit()


def test_stats_show_every_validity_and_the_shares(engine):
    generate(engine, clock=CLOCK, persons=3000, seed=4)
    stats = store_stats(engine, clock=CLOCK, sample=10_000)
    assert stats["persons"] == 3000
    validity = stats["validity"]
    seen = {code for code in "12345"
            if validity["with_branch"][code]["count"] + validity["without_branch"][code]["count"]}
    assert seen == set("12345")
    assert 0.6 < stats["cards"]["held"]["share"] < 0.9
    assert stats["medical"]["drug_lines_per_person"] > 1
    assert set(stats["insurer_kinds"]) >= {"kyokai", "kumiai", "kyosai", "kokuho", "koki", "none"}


def test_bad_input_names_the_field_and_stores_nothing(engine):
    with pytest.raises(InvalidInput) as error:
        generate(engine, clock=CLOCK, persons=0, seed=1)
    assert error.value.field == "persons"
    with pytest.raises(InvalidInput) as error:
        generate(engine, clock=CLOCK, persons=10, seed=-1)
    assert error.value.field == "seed"
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(schema.generation_runs)
                                  ).scalar_one() == 0


def test_a_finished_run_is_not_extended_over_persons_added_after_it(engine):
    generate(engine, clock=CLOCK, persons=50, seed=6)
    with SqlUnitOfWork(engine) as uow:
        for n in range(40):
            uow.repo.add_person(Person(f"追加　{n}", "ﾂｲｶ", dt.date(1990, 1, 1), Sex.MALE,
                                       "東京都", None))
        uow.commit()
    with pytest.raises(Conflict):
        generate(engine, clock=CLOCK, persons=80, seed=6)
