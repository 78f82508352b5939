"""The store: the repository of every capability, and the unit of work that binds it to one
connection and one transaction.

Services open it with ``with uow:``; they call ``uow.commit()`` to keep their writes. Leaving the
block without a commit rolls back, so a failed request never leaves a half-written store.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from .bulk.store import BulkQueries
from .cards.store import CardQueries
from .consent.store import ConsentQueries
from .disaster_mode.store import DisasterQueries, EmergencyQueries
from .faults.store import FaultQueries
from .institutions.store import InstitutionQueries
from .medical.store import MedicalQueries
from .references.store import ReferenceQueries
from .registry.audit_store import AuditQueries
from .registry.repository import RegistryQueries
from .scenario_log import ScenarioQueries

__all__ = ["Repository", "SqlUnitOfWork"]


class Repository(RegistryQueries, AuditQueries, InstitutionQueries, ScenarioQueries,
                 ConsentQueries, MedicalQueries, ReferenceQueries, CardQueries, DisasterQueries,
                 EmergencyQueries, FaultQueries, BulkQueries):
    """Reads and writes the whole store on one connection inside the caller's transaction:
    the core's queries and each capability's, composed here, above all of them."""

    def counts(self) -> dict[str, int]:
        """Rows per registry table (persons, insurers, institutions, qualifications)."""
        return {**RegistryQueries.counts(self), **InstitutionQueries.counts(self)}


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
