"""A card may be held without its certificate: ``cards.certificate`` becomes nullable.

A generated population holds cards (serial, validity, 保険証利用登録, PIN) whose 利用者証明用
certificate is issued only when somebody wants to present the card (``oqs-sim card bundle``,
``POST /sim/v1/cards/{serial}/bundle``).

Downgrading deletes the cards that have no certificate: the older schema cannot hold them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cards") as batch:
        batch.alter_column("certificate", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    cards = sa.table("cards", sa.column("certificate", sa.Text()))
    op.execute(cards.delete().where(cards.c.certificate.is_(None)))
    with op.batch_alter_table("cards") as batch:
        batch.alter_column("certificate", existing_type=sa.Text(), nullable=False)
