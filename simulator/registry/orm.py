"""The schema of the store (SQLAlchemy Core tables) and the row ↔ domain mapping.

The domain classes in :mod:`.model` are plain frozen dataclasses; they are not ORM-instrumented.
The repository reads rows with Core statements and turns them straight into domain values
(docs/architecture.md: the hot lookup path wants Core, not the ORM), and writes with Core inserts.

Every instant is stored as naive UTC (``UTCDateTime``) and returned timezone-aware, so SQLite
and PostgreSQL agree. Alembic migrations in ``simulator/migrations`` create this schema; a
test checks that they match.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

__all__ = [
    "metadata",
    "UTCDateTime",
    "insurers",
    "persons",
    "qualifications",
    "holds",
    "sim_clock",
    "scenarios",
    "events",
    "notices",
    "audit_entries",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant: accepts aware datetimes, stores naive UTC, returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("instants must be timezone-aware")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


insurers = Table(
    "insurers",
    metadata,
    Column("number", String(8), primary_key=True),  # canonical: 8 digits, 6 for 国保
    Column("name", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kana", String(100), nullable=False),
    Column("birthdate", Date, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("address", String(200), nullable=False),
    Column("post_number", String(8)),
    # the scenario that loaded the person and the id it uses (NULL for demo and CLI data)
    Column("scenario", String(64), ForeignKey("scenarios.name", ondelete="CASCADE")),
    Column("handle", String(64)),
    UniqueConstraint("scenario", "handle"),
)

qualifications = Table(
    "qualifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("insurer_number", String(8), ForeignKey("insurers.number"), nullable=False),
    Column("symbol", String(20)),
    Column("number", String(20), nullable=False),
    Column("branch", String(2)),
    Column("family", String(1), nullable=False),
    Column("card_class", String(2), nullable=False),
    # as the insurer registered them (may differ from the person)
    Column("name", String(100), nullable=False),
    Column("kana", String(100), nullable=False),
    Column("birthdate", Date, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("sex2", String(1)),
    Column("address", String(200)),
    Column("post_number", String(8)),
    Column("insured_name", String(100)),
    Column("name_other", String(100)),
    Column("kana_other", String(100)),
    # valid time and knowledge time
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("acquired_on", Date),  # 資格取得年月日 of a later version (terms changed)
    Column("reason_of_loss", String(2)),
    Column("registered_at", UTCDateTime, nullable=False),
    Column("loss_registered_at", UTCDateTime),
    # the card and the burden
    Column("card_issued_on", Date),
    Column("card_valid_start", Date),
    Column("card_valid_end", Date),
    Column("ratio", String(3)),
    Column("preschool", Boolean, nullable=False, default=False),
    # certificates: value objects of the qualification, read together with it
    Column("elderly", JSON, nullable=False, default=list),
    Column("limits", JSON, nullable=False, default=list),
    Column("specific_diseases", JSON, nullable=False, default=list),
    # the insurance-card lookup: one index range scan by key, then the person's records
    Index(None, "insurer_number", "number", "birthdate"),
    Index(None, "person_id"),
    # the search without a card (disaster / emergency): カナ氏名 + 生年月日 + 性別
    Index(None, "birthdate"),
)

holds = Table(
    "holds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "qualification_id",
        Integer,
        ForeignKey("qualifications.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("held_from", UTCDateTime, nullable=False),
    Column("held_until", UTCDateTime),
    Column("reason", Text, nullable=False, default=""),
)


sim_clock = Table(
    "sim_clock",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("business_anchor", UTCDateTime, nullable=False),
    Column("wall_anchor", UTCDateTime, nullable=False),
    Column("speed", Float, nullable=False),
    Column("frozen", Boolean, nullable=False),
)

scenarios = Table(
    "scenarios",
    metadata,
    Column("name", String(64), primary_key=True),  # kebab-case id from the file
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("source", Text, nullable=False),  # the file as loaded (YAML or JSON text)
    Column("clock", UTCDateTime, nullable=False),
)


# The log of life events applied to the registry: by a scenario timeline, the admin API or the
# CLI. Their effects live in qualifications and holds; this says what happened and when.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario", String(64), ForeignKey("scenarios.name", ondelete="CASCADE")),
    Column("kind", String(32), nullable=False),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), index=True),
    Column("at", UTCDateTime, nullable=False),  # business instant of the event
    Column("params", JSON, nullable=False),  # the event as given, with the delays drawn
    Column("registered_at", UTCDateTime),  # when OQS knows the last of its effects
    Column("late", Boolean, nullable=False, default=False),  # a filing beyond 5+5 days
)

# What the housekeeping jobs tell insurers (保留通知 …). ``key`` makes each notice once only.
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("insurer_number", String(8), nullable=False),
    Column(
        "qualification_id",
        Integer,
        ForeignKey("qualifications.id", ondelete="CASCADE"),
        index=True,
    ),
    Column("business_at", UTCDateTime, nullable=False),
    Column("message", Text, nullable=False),
)


# The audit trail: every lookup and every access to medical information, with its basis.
audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),  # business time
    Column("institution_code", String(10), nullable=False),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), index=True),
    Column("kind", String(16), nullable=False),  # qualification, drug, checkup, ...
    Column("route", String(16), nullable=False),  # insurance_card, card, file
    Column("basis", String(16), nullable=False),  # consent, disaster, emergency, none
    Column("basis_id", Integer),  # the consent (or disaster) that allowed it
    Column("outcome", String(32), nullable=False),  # "ok" or the result-code name
    Column("count", Integer),  # records returned
    Index(None, "institution_code", "at"),
)


