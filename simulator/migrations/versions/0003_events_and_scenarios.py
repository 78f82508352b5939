"""Scenarios, the life-event log, insurer notices; persons and institutions know their scenario;
a qualification version keeps its 資格取得日.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("clock", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scenarios")),
    )
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("scenario", sa.String(64), nullable=True))
        batch.add_column(sa.Column("handle", sa.String(64), nullable=True))
        batch.create_foreign_key(
            op.f("fk_persons_scenario_scenarios"), "scenarios", ["scenario"], ["name"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint(
            op.f("uq_persons_scenario_handle"), ["scenario", "handle"]
        )
    with op.batch_alter_table("institutions") as batch:
        batch.add_column(sa.Column("scenario", sa.String(64), nullable=True))
    with op.batch_alter_table("qualifications") as batch:
        batch.add_column(sa.Column("acquired_on", sa.Date(), nullable=True))
    op.create_table(
        "scenario_institutions",
        sa.Column("scenario", sa.String(64), nullable=False),
        sa.Column("institution_code", sa.String(10), nullable=False),
        sa.ForeignKeyConstraint(
            ["scenario"], ["scenarios.name"],
            name=op.f("fk_scenario_institutions_scenario_scenarios"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["institution_code"], ["institutions.code"],
            name=op.f("fk_scenario_institutions_institution_code_institutions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "scenario", "institution_code", name=op.f("pk_scenario_institutions")
        ),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scenario"], ["scenarios.name"], name=op.f("fk_events_scenario_scenarios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_events_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_person_id"), "events", ["person_id"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("insurer_number", sa.String(8), nullable=False),
        sa.Column("qualification_id", sa.Integer(), nullable=True),
        sa.Column("business_at", sa.DateTime(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["qualification_id"], ["qualifications.id"],
            name=op.f("fk_notices_qualification_id_qualifications"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("key", name=op.f("uq_notices_key")),
    )
    op.create_index(op.f("ix_notices_qualification_id"), "notices", ["qualification_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notices_qualification_id"), table_name="notices")
    op.drop_table("notices")
    op.drop_index(op.f("ix_events_person_id"), table_name="events")
    op.drop_table("events")
    op.drop_table("scenario_institutions")
    with op.batch_alter_table("qualifications") as batch:
        batch.drop_column("acquired_on")
    with op.batch_alter_table("institutions") as batch:
        batch.drop_column("scenario")
    with op.batch_alter_table("persons") as batch:
        batch.drop_constraint(op.f("uq_persons_scenario_handle"), type_="unique")
        batch.drop_constraint(op.f("fk_persons_scenario_scenarios"), type_="foreignkey")
        batch.drop_column("handle")
        batch.drop_column("scenario")
    op.drop_table("scenarios")
