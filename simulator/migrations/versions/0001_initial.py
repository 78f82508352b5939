"""Initial schema: insurers, persons, qualifications with holds, institutions, business clock.

Instants are naive UTC ``DateTime`` columns (the app's ``UTCDateTime`` converts at the edge).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "institutions",
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("prefecture", sa.String(2), nullable=False),
        sa.Column("municipality", sa.String(6), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_institutions")),
    )
    op.create_table(
        "insurers",
        sa.Column("number", sa.String(8), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_insurers")),
    )
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kana", sa.String(100), nullable=False),
        sa.Column("birthdate", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("post_number", sa.String(8), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    op.create_table(
        "sim_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_anchor", sa.DateTime(), nullable=False),
        sa.Column("wall_anchor", sa.DateTime(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_clock")),
    )
    op.create_table(
        "qualifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("insurer_number", sa.String(8), nullable=False),
        sa.Column("symbol", sa.String(20), nullable=True),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("branch", sa.String(2), nullable=True),
        sa.Column("family", sa.String(1), nullable=False),
        sa.Column("card_class", sa.String(2), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kana", sa.String(100), nullable=False),
        sa.Column("birthdate", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("sex2", sa.String(1), nullable=True),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("post_number", sa.String(8), nullable=True),
        sa.Column("insured_name", sa.String(100), nullable=True),
        sa.Column("name_other", sa.String(100), nullable=True),
        sa.Column("kana_other", sa.String(100), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("reason_of_loss", sa.String(2), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("loss_registered_at", sa.DateTime(), nullable=True),
        sa.Column("card_issued_on", sa.Date(), nullable=True),
        sa.Column("card_valid_start", sa.Date(), nullable=True),
        sa.Column("card_valid_end", sa.Date(), nullable=True),
        sa.Column("ratio", sa.String(3), nullable=True),
        sa.Column("preschool", sa.Boolean(), nullable=False),
        sa.Column("elderly", sa.JSON(), nullable=False),
        sa.Column("limits", sa.JSON(), nullable=False),
        sa.Column("specific_diseases", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["insurer_number"],
            ["insurers.number"],
            name=op.f("fk_qualifications_insurer_number_insurers"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_qualifications_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
    )
    op.create_index(
        op.f("ix_qualifications_insurer_number_number_birthdate"),
        "qualifications",
        ["insurer_number", "number", "birthdate"],
    )
    op.create_index(op.f("ix_qualifications_person_id"), "qualifications", ["person_id"])
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("qualification_id", sa.Integer(), nullable=False),
        sa.Column("held_from", sa.DateTime(), nullable=False),
        sa.Column("held_until", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["qualification_id"],
            ["qualifications.id"],
            name=op.f("fk_holds_qualification_id_qualifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    op.create_index(op.f("ix_holds_qualification_id"), "holds", ["qualification_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_holds_qualification_id"), table_name="holds")
    op.drop_table("holds")
    op.drop_index(op.f("ix_qualifications_person_id"), table_name="qualifications")
    op.drop_index(
        op.f("ix_qualifications_insurer_number_number_birthdate"), table_name="qualifications"
    )
    op.drop_table("qualifications")
    op.drop_table("sim_clock")
    op.drop_table("persons")
    op.drop_table("insurers")
    op.drop_table("institutions")
