"""The Alembic migrations build exactly the schema the code maps, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from simulator.migrate import current_revision, downgrade, head_revision, upgrade
from simulator.schema import metadata


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
