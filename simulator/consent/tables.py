"""閲覧同意: consents given at the reader, by a scenario or the admin.

Part of the store's schema: the tables share the core's ``metadata`` (see
:mod:`simulator.schema`, which gathers every table).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from ..registry.orm import UTCDateTime, metadata

__all__ = ["consents"]

# 閲覧同意: per person, institution and kind of information, in business time.
consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("institution_code", String(10),
           ForeignKey("institutions.code", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # drug, checkup, diagnosis, operation, ...
    Column("given_at", UTCDateTime, nullable=False),  # ConsTime
    Column("available_until", UTCDateTime),  # AvailableTime; NULL: while care continues
    Column("treatment_flag", String(1), nullable=False),  # MedicalTreatmentFlag OQSCD028
    Column("withdrawn_at", UTCDateTime),
    Column("withdraw_reason", String(1)),  # OQSCD031
    Column("source", String(16), nullable=False),  # reader | scenario | admin
    Index(None, "person_id", "institution_code", "kind"),
)
