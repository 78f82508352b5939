"""Population generator: the record of each run (resume after a stop).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "generation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("today", sa.Date(), nullable=False),
        sa.Column("first_person_id", sa.Integer(), nullable=False),
        sa.Column("first_qualification_id", sa.Integer(), nullable=False),
        sa.Column("households_done", sa.Integer(), nullable=False),
        sa.Column("persons_done", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generation_runs")),
    )


def downgrade() -> None:
    op.drop_table("generation_runs")
