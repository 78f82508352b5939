"""Virtual My Number cards and their challenges, consents, drug records, checkups, 照会番号
and the audit trail.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_challenges",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("institution_code", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_card_challenges")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("institution_code", sa.String(length=10), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("basis_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_audit_entries_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entries_institution_code_at"),
            ["institution_code", "at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_audit_entries_person_id"), ["person_id"], unique=False)

    op.create_table(
        "cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("certificate", sa.Text(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=False),
        sa.Column("not_after", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("insurance_registered_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=16), nullable=True),
        sa.Column("pin_hash", sa.String(length=255), nullable=True),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.Column("pin_locked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_cards_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards")),
        sa.UniqueConstraint("serial", name=op.f("uq_cards_serial")),
    )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cards_person_id"), ["person_id"], unique=False)

    op.create_table(
        "checkups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("exam_date", sa.Date(), nullable=False),
        sa.Column("insurer_number", sa.String(length=8), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("visible_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_checkups_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkups")),
    )
    with op.batch_alter_table("checkups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checkups_person_id_exam_date"), ["person_id", "exam_date"], unique=False
        )

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("institution_code", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("available_until", sa.DateTime(), nullable=True),
        sa.Column("treatment_flag", sa.String(length=1), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdraw_reason", sa.String(length=1), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_consents_institution_code_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_consents_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consents_person_id_institution_code_kind"),
            ["person_id", "institution_code", "kind"],
            unique=False,
        )

    op.create_table(
        "drug_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=1), nullable=False),
        sa.Column("dispensed_on", sa.Date(), nullable=False),
        sa.Column("prescribed_on", sa.Date(), nullable=True),
        sa.Column("dispensing_code", sa.String(length=10), nullable=True),
        sa.Column("dispensing_name", sa.String(length=200), nullable=True),
        sa.Column("prescribing_code", sa.String(length=10), nullable=True),
        sa.Column("prescribing_name", sa.String(length=200), nullable=True),
        sa.Column("in_out", sa.String(length=1), nullable=True),
        sa.Column("drug_code", sa.String(length=12), nullable=False),
        sa.Column("drug_name", sa.String(length=200), nullable=False),
        sa.Column("ingredient", sa.String(length=200), nullable=True),
        sa.Column("quantity", sa.String(length=16), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("usage", sa.String(length=200), nullable=True),
        sa.Column("special", sa.String(length=200), nullable=True),
        sa.Column("days", sa.String(length=8), nullable=True),
        sa.Column("usage_class", sa.String(length=2), nullable=True),
        sa.Column("visible_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_drug_records_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_records")),
    )
    with op.batch_alter_table("drug_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drug_records_person_id_dispensed_on"),
            ["person_id", "dispensed_on"],
            unique=False,
        )

    op.create_table(
        "reference_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_code", sa.String(length=10), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_reference_numbers_institution_code_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_reference_numbers_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_numbers")),
        sa.UniqueConstraint(
            "institution_code",
            "person_id",
            name=op.f("uq_reference_numbers_institution_code_person_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("reference_numbers")
    with op.batch_alter_table("drug_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drug_records_person_id_dispensed_on"))

    op.drop_table("drug_records")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_person_id_institution_code_kind"))

    op.drop_table("consents")
    with op.batch_alter_table("checkups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkups_person_id_exam_date"))

    op.drop_table("checkups")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cards_person_id"))

    op.drop_table("cards")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_person_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_institution_code_at"))

    op.drop_table("audit_entries")
    op.drop_table("card_challenges")
