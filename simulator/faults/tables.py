"""Injected faults.

Part of the store's schema: the tables share the core's ``metadata`` (see
:mod:`simulator.schema`, which gathers every table).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table

from ..registry.orm import UTCDateTime, metadata

__all__ = ["faults"]

# An injected fault (docs/interfaces.md): kind, scope (route, institution) and period in business
# time; the kind's parameters (latency, rate, answer, ...) in ``params``.
faults = Table(
    "faults",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("scenario", String(64), ForeignKey("scenarios.name", ondelete="CASCADE")),
    Column("kind", String(16), nullable=False),  # outage, maintenance, latency, errors
    Column("route", String(16), nullable=False),  # all, webapi, files, card, emergency
    Column("institution_code", String(10)),  # NULL: every institution
    Column("params", JSON, nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime),
    Column("ended_at", UTCDateTime),
)
