"""薬剤情報 and 特定健診 records.

Part of the store's schema: the tables share the core's ``metadata`` (see
:mod:`simulator.schema`, which gathers every table).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, String, Table

from ..registry.orm import UTCDateTime, metadata

__all__ = ["drug_records", "checkups"]

# 薬剤情報: one row per drug line, from claims (1), dispensing results (2) or e-prescriptions (3).
drug_records = Table(
    "drug_records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(1), nullable=False),
    Column("dispensed_on", Date, nullable=False),  # 調剤日 (処方日 for an e-prescription)
    Column("prescribed_on", Date),  # 処方日
    Column("dispensing_code", String(10)),  # 調剤した医療機関・薬局
    Column("dispensing_name", String(200)),
    Column("prescribing_code", String(10)),  # 処方した医療機関
    Column("prescribing_name", String(200)),
    Column("in_out", String(1)),  # 院内・院外
    Column("drug_code", String(12), nullable=False),
    Column("drug_name", String(200), nullable=False),
    Column("ingredient", String(200)),
    Column("quantity", String(16)),
    Column("unit", String(16)),
    Column("usage", String(200)),
    Column("special", String(200)),
    Column("days", String(8)),
    Column("usage_class", String(2)),
    Column("visible_at", UTCDateTime, nullable=False),  # when OQS has it
    Index(None, "person_id", "dispensed_on"),
)

# 特定健診: one row per checkup, the results as [{code, value}] (item master in datasets/masters).
checkups = Table(
    "checkups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("exam_date", Date, nullable=False),
    Column("insurer_number", String(8)),
    Column("items", JSON, nullable=False),
    Column("visible_at", UTCDateTime, nullable=False),  # the insurer's upload
    Index(None, "person_id", "exam_date"),
)
