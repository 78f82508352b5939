"""Institution accounts (userId, password hash) and their client certificates.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("institutions") as batch:
        batch.add_column(sa.Column("account", sa.String(64), nullable=True))
        batch.add_column(sa.Column("password_hash", sa.String(255), nullable=True))
        batch.create_unique_constraint(op.f("uq_institutions_account"), ["account"])
    op.create_table(
        "institution_certificates",
        sa.Column("serial", sa.String(40), nullable=False),
        sa.Column("institution_code", sa.String(10), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=False),
        sa.Column("not_after", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_institution_certificates_institution_code_institutions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_institution_certificates")),
    )
    op.create_index(
        op.f("ix_institution_certificates_institution_code"),
        "institution_certificates",
        ["institution_code"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_institution_certificates_institution_code"), table_name="institution_certificates"
    )
    op.drop_table("institution_certificates")
    with op.batch_alter_table("institutions") as batch:
        batch.drop_constraint(op.f("uq_institutions_account"), type_="unique")
        batch.drop_column("password_hash")
        batch.drop_column("account")
