"""The unit of work: one connection, one transaction, the repository bound to it.

Services open it with ``with uow:``; they call ``uow.commit()`` to keep their writes. Leaving the
block without a commit rolls back, so a failed request never leaves a half-written store.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from .repository import Repository

__all__ = ["SqlUnitOfWork"]


class SqlUnitOfWork:
    """A transaction on ``engine``; ``repo`` is valid inside the ``with`` block only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None
        self.repo: Repository | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self.connection = self.engine.connect()
        self.connection.begin()
        self.repo = Repository(self.connection)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.rollback()
        finally:
            self.connection.close()
            self.connection = self.repo = None

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        if self.connection.in_transaction():
            self.connection.rollback()
