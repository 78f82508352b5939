"""Disaster declarations and emergency modes.

Part of the store's schema: the tables share the core's ``metadata`` (see
:mod:`simulator.schema`, which gathers every table).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text

from ..registry.orm import UTCDateTime, metadata

__all__ = ["disasters", "disaster_extensions", "emergency_modes"]

# 災害救助法の適用: a named area (prefecture codes, optionally 6-digit municipality codes) and a
# period [starts_at, ends_at) in business time; ended_at cuts it short. A declaration loaded by
# a scenario goes with it.
disasters = Table(
    "disasters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("scenario", String(64), ForeignKey("scenarios.name", ondelete="CASCADE")),
    Column("prefectures", JSON, nullable=False),  # ["17", ...]
    Column("municipalities", JSON, nullable=False),  # ["172049", ...]; []: whole prefectures
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
)

# A later end for part of a declaration's area (both lists empty: the whole area).
disaster_extensions = Table(
    "disaster_extensions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("disaster_id", Integer, ForeignKey("disasters.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("prefectures", JSON, nullable=False),
    Column("municipalities", JSON, nullable=False),
)

# 緊急時医療情報・資格確認機能 switched on for one institution by the admin (a system failure it
# reported): [starts_at, ends_at) in business time, ends_at NULL until ended; ended_at cuts it.
emergency_modes = Table(
    "emergency_modes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("institution_code", String(10),
           ForeignKey("institutions.code", ondelete="CASCADE"), nullable=False, index=True),
    Column("scenario", String(64), ForeignKey("scenarios.name", ondelete="CASCADE")),
    Column("reason", Text, nullable=False, default=""),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime),
    Column("ended_at", UTCDateTime),
)
