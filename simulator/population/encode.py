"""Rows as the driver takes them: each table's columns in a fixed order, each value converted by
its column type's own bind processor (the conversions SQLAlchemy would apply), so rows can be
made in a worker process and written by another with ``executemany`` or ``COPY``.

``Encoder(None)`` keeps Python values (tests, statistics); ``Encoder("sqlite")`` or
``Encoder("postgresql")`` converts for that database.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Mapping
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Table
from sqlalchemy.dialects import postgresql, sqlite

from ..cards.tables import cards
from ..medical.tables import checkups, drug_records
from ..registry.orm import UTCDateTime, holds, persons, qualifications

__all__ = ["COLUMNS", "TABLES", "Encoder"]

#: The tables a generated household fills, parents first.
TABLES: tuple[Table, ...] = (persons, qualifications, holds, cards, drug_records, checkups)

#: The columns written, per table: every column but the surrogate ids the database assigns.
COLUMNS: dict[str, tuple[str, ...]] = {
    table.name: tuple(c.name for c in table.columns
                      if c.name != "id" or table.name in ("persons", "qualifications"))
    for table in TABLES
}

_DIALECTS = {"sqlite": sqlite.pysqlite.dialect, "postgresql": postgresql.psycopg.dialect}


def _processor(type_, dialect):
    if isinstance(type_, JSON):  # as text: what SQLite stores, and what COPY takes
        return json.dumps
    processor = type_.bind_processor(dialect)
    if processor is None or not isinstance(type_, (Date, DateTime, UTCDateTime)):
        return processor
    return functools.lru_cache(maxsize=1 << 16)(processor)  # days and instants repeat


class Encoder:
    def __init__(self, dialect_name: str | None) -> None:
        self.dialect_name = dialect_name
        dialect = _DIALECTS[dialect_name]() if dialect_name else None
        self._rows = {}
        for table in TABLES:
            columns = COLUMNS[table.name]
            processors = ([_processor(table.c[c].type, dialect) for c in columns]
                          if dialect else [None] * len(columns))
            converted = tuple((i, p) for i, p in enumerate(processors) if p is not None)
            self._rows[table.name] = (operator.itemgetter(*columns), converted)
        drug = drug_records.c
        self.date = (_processor(drug.dispensed_on.type, dialect) if dialect else None) or _same
        self.instant = (_processor(drug.visible_at.type, dialect) if dialect else None) or _same

    def row(self, table: str, values: Mapping[str, Any]) -> tuple:
        """``values`` (keyed by column) as the table's row."""
        get, converted = self._rows[table]
        row = list(get(values))
        for i, processor in converted:
            if row[i] is not None:
                row[i] = processor(row[i])
        return tuple(row)


def _same(value):
    return value
