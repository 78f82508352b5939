"""Every table of the store, gathered above the capabilities that own them.

The core (:mod:`simulator.registry.orm`) owns ``metadata`` and its own tables; each capability
package adds its tables to the same ``metadata`` in its ``tables`` module. Importing this module
loads them all, so ``metadata`` is complete here: Alembic, the reset and the tests use it.
"""

from __future__ import annotations

from .bulk.tables import bulk_items, bulk_jobs
from .cards.tables import card_challenges, cards
from .consent.tables import consents
from .disaster_mode.tables import disaster_extensions, disasters, emergency_modes
from .faults.tables import faults
from .institutions.tables import institution_certificates, institutions, scenario_institutions
from .medical.tables import checkups, drug_records
from .population.tables import generation_runs
from .references.tables import reference_numbers
from .registry.orm import (
    UTCDateTime,
    audit_entries,
    events,
    holds,
    insurers,
    metadata,
    notices,
    persons,
    qualifications,
    scenarios,
    sim_clock,
)

__all__ = [
    "metadata", "UTCDateTime",
    "insurers", "persons", "qualifications", "holds", "sim_clock", "scenarios", "events",
    "notices", "audit_entries",
    "institutions", "institution_certificates", "scenario_institutions",
    "cards", "card_challenges", "consents", "drug_records", "checkups", "reference_numbers",
    "disasters", "disaster_extensions", "emergency_modes", "faults", "bulk_jobs", "bulk_items",
    "generation_runs",
]
