"""Disaster declarations and their extensions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disasters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=True),
        sa.Column("prefectures", sa.JSON(), nullable=False),
        sa.Column("municipalities", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["scenario"],
            ["scenarios.name"],
            name=op.f("fk_disasters_scenario_scenarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disasters")),
        sa.UniqueConstraint("name", name=op.f("uq_disasters_name")),
    )
    op.create_table(
        "disaster_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disaster_id", sa.Integer(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("prefectures", sa.JSON(), nullable=False),
        sa.Column("municipalities", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["disaster_id"],
            ["disasters.id"],
            name=op.f("fk_disaster_extensions_disaster_id_disasters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disaster_extensions")),
    )
    with op.batch_alter_table("disaster_extensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disaster_extensions_disaster_id"), ["disaster_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("disaster_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disaster_extensions_disaster_id"))

    op.drop_table("disaster_extensions")
    op.drop_table("disasters")
