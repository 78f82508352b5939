"""Bulk qualification confirmation (一括照会): jobs and their items.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulk_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reception_number", sa.String(length=20), nullable=False),
        sa.Column("institution_code", sa.String(length=10), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=True),
        sa.Column("arbitrary_file_identifier", sa.String(length=64), nullable=True),
        sa.Column("confirm_date", sa.String(length=8), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_code"], ["institutions.code"],
            name=op.f("fk_bulk_jobs_institution_code_institutions"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scenario"], ["scenarios.name"],
            name=op.f("fk_bulk_jobs_scenario_scenarios"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_jobs")),
        sa.UniqueConstraint("reception_number", name=op.f("uq_bulk_jobs_reception_number")),
    )
    op.create_index(op.f("ix_bulk_jobs_institution_code"), "bulk_jobs", ["institution_code"])
    op.create_table(
        "bulk_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("search", sa.JSON(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("normal", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["bulk_jobs.id"],
            name=op.f("fk_bulk_items_job_id_bulk_jobs"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_items")),
        sa.UniqueConstraint("job_id", "seq", name=op.f("uq_bulk_items_job_id_seq")),
    )


def downgrade() -> None:
    op.drop_table("bulk_items")
    op.drop_index(op.f("ix_bulk_jobs_institution_code"), table_name="bulk_jobs")
    op.drop_table("bulk_jobs")
