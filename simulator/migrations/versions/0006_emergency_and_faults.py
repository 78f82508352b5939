"""Emergency modes, injected faults, and the birthdate index of the search without a card.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "emergency_modes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_code", sa.String(length=10), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_code"], ["institutions.code"],
            name=op.f("fk_emergency_modes_institution_code_institutions"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scenario"], ["scenarios.name"],
            name=op.f("fk_emergency_modes_scenario_scenarios"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_modes")),
    )
    op.create_index(op.f("ix_emergency_modes_institution_code"), "emergency_modes",
                    ["institution_code"])
    op.create_table(
        "faults",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("institution_code", sa.String(length=10), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["scenario"], ["scenarios.name"],
            name=op.f("fk_faults_scenario_scenarios"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faults")),
        sa.UniqueConstraint("name", name=op.f("uq_faults_name")),
    )
    op.create_index(op.f("ix_qualifications_birthdate"), "qualifications", ["birthdate"])


def downgrade() -> None:
    op.drop_index(op.f("ix_qualifications_birthdate"), table_name="qualifications")
    op.drop_table("faults")
    op.drop_index(op.f("ix_emergency_modes_institution_code"), table_name="emergency_modes")
    op.drop_table("emergency_modes")
