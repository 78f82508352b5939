"""Writing encoded rows (:mod:`.encode`) straight to the driver, in the caller's transaction:
SQLite ``executemany`` on the DB-API cursor with a statement compiled once per table,
PostgreSQL ``COPY … FROM STDIN``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from .encode import COLUMNS, TABLES

__all__ = ["BulkWriter"]


class BulkWriter:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        dialect = connection.dialect
        self.postgresql = dialect.name == "postgresql"
        quote = dialect.identifier_preparer.quote
        self.statements = {}
        for table in TABLES:
            columns = ", ".join(quote(c) for c in COLUMNS[table.name])
            if self.postgresql:
                self.statements[table.name] = f"COPY {table.name} ({columns}) FROM STDIN"
            else:
                marks = ", ".join("?" for _ in COLUMNS[table.name])
                self.statements[table.name] = \
                    f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"

    def write(self, table: str, rows: Sequence[tuple]) -> None:
        if not rows:
            return
        cursor = self.connection.connection.driver_connection.cursor()
        try:
            if not self.postgresql:
                cursor.executemany(self.statements[table], rows)
                return
            with cursor.copy(self.statements[table]) as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
