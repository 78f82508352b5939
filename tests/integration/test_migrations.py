"""The Alembic migrations build exactly the schema the code maps, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from simulator.migrate import current_revision, downgrade, head_revision, upgrade
from simulator.schema import cards, metadata
from simulator.store import SqlUnitOfWork
from tests.builders import held_card, person


def _differences(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_the_migrated_schema_matches_the_tables_the_code_uses(engine) -> None:
    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []


def test_downgrade_to_base_and_upgrade_again(engine) -> None:
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    upgrade(engine)

    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []


def test_a_card_may_be_held_without_a_certificate_from_0008_on(engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        owner = uow.repo.add_person(person())
        uow.repo.add_held_cards([held_card(owner, certificate=None),
                                 held_card(owner, certificate="PEM")])
        uow.commit()

    downgrade(engine, "0007")
    with engine.connect() as connection:
        kept = connection.execute(select(cards.c.certificate)).scalars().all()
    nullable = {c["name"]: c["nullable"] for c in inspect(engine).get_columns("cards")}
    upgrade(engine)

    assert kept == ["PEM"]  # the older schema cannot hold a card without its certificate
    assert nullable["certificate"] is False
    assert {c["name"]: c["nullable"] for c in inspect(engine).get_columns("cards")}[
        "certificate"] is True
    assert _differences(engine) == []
