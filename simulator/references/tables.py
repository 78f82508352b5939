"""照会番号: each institution's own patient numbers.

Part of the store's schema: the tables share the core's ``metadata`` (see
:mod:`simulator.schema`, which gathers every table).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint

from ..registry.orm import UTCDateTime, metadata

__all__ = ["reference_numbers"]

# 照会番号: the institution's own patient number, registered per institution and person.
reference_numbers = Table(
    "reference_numbers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("institution_code", String(10),
           ForeignKey("institutions.code", ondelete="CASCADE"), nullable=False),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("number", String(50), nullable=False),
    Column("registered_at", UTCDateTime, nullable=False),
    UniqueConstraint("institution_code", "person_id"),
)
