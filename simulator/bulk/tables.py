"""一括照会 uploads and their items.

Part of the store's schema: the tables share the core's ``metadata`` (see
:mod:`simulator.schema`, which gathers every table).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..registry.orm import UTCDateTime, metadata

__all__ = ["bulk_jobs", "bulk_items"]

# One upload (OQSmuquc01req_): its 受付番号, the institution, the confirmation date asked, and
# progress. received_at / finished_at / expires_at are business time.
bulk_jobs = Table(
    "bulk_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reception_number", String(20), nullable=False, unique=True),
    Column("institution_code", String(10),
           ForeignKey("institutions.code", ondelete="CASCADE"), nullable=False, index=True),
    Column("scenario", String(64), ForeignKey("scenarios.name", ondelete="CASCADE")),
    Column("arbitrary_file_identifier", String(64)),
    Column("confirm_date", String(8), nullable=False),  # as sent (validated per item)
    Column("item_count", Integer, nullable=False),
    Column("processed", Integer, nullable=False, default=0),
    Column("received_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("expires_at", UTCDateTime),
)

# One QualificationConfirmSearchInfo of an upload, in file order (seq), and once processed its
# BulkConfirmUnit as XML text (UTF-8 rules); NULL while pending.
bulk_items = Table(
    "bulk_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("job_id", Integer, ForeignKey("bulk_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("search", JSON, nullable=False),
    Column("unit", Text),  # the rendered XML element
    Column("normal", Boolean),  # ProcessingResultStatus 1
    UniqueConstraint("job_id", "seq"),
)
