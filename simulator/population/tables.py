"""The record of each ``oqs-sim generate`` run: where it stands, so a stopped run resumes.

Part of the store's schema: the tables share the core's ``metadata`` (see
:mod:`simulator.schema`, which gathers every table).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, Table

from ..registry.orm import UTCDateTime, metadata

__all__ = ["generation_runs"]

# One row per run: its plan (seed, persons, business date, first ids) and its progress, updated
# in the same transaction as each batch of whole households, so it never disagrees with the rows.
generation_runs = Table(
    "generation_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seed", Integer, nullable=False),
    Column("persons", Integer, nullable=False),  # the plan's N
    Column("today", Date, nullable=False),
    Column("first_person_id", Integer, nullable=False),
    Column("first_qualification_id", Integer, nullable=False),
    Column("households_done", Integer, nullable=False, default=0),
    Column("persons_done", Integer, nullable=False, default=0),
    Column("started_at", UTCDateTime, nullable=False),  # wall time
    Column("finished_at", UTCDateTime),
)
