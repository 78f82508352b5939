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
    "institutions",
    "institution_certificates",
    "sim_clock",
    "scenarios",
    "scenario_institutions",
    "events",
    "notices",
    "cards",
    "card_challenges",
    "consents",
    "drug_records",
    "checkups",
    "reference_numbers",
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

institutions = Table(
    "institutions",
    metadata,
    Column("code", String(10), primary_key=True),  # 医療機関コード
    Column("name", String(200), nullable=False),
    Column("kind", String(1), nullable=False),  # 点数表: 1 医科, 3 歯科, 4 調剤
    Column("prefecture", String(2), nullable=False),
    Column("municipality", String(6)),
    # Web API account (userId) and its password hash; NULL when the institution has no login
    Column("account", String(64), unique=True),
    Column("password_hash", String(255)),
    # the scenario that first registered it; NULL for institutions added by the CLI or the
    # demo. Scenario institutions live while a loaded scenario declares them
    # (scenario_institutions), since several scenarios may share a clinic.
    Column("scenario", String(64)),
)

institution_certificates = Table(
    "institution_certificates",
    metadata,
    Column("serial", String(40), primary_key=True),  # hexadecimal
    Column(
        "institution_code",
        String(10),
        ForeignKey("institutions.code", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("not_before", UTCDateTime, nullable=False),
    Column("not_after", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
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

scenario_institutions = Table(
    "scenario_institutions",
    metadata,
    Column("scenario", String(64), ForeignKey("scenarios.name", ondelete="CASCADE"),
           primary_key=True),
    Column("institution_code", String(10),
           ForeignKey("institutions.code", ondelete="CASCADE"), primary_key=True),
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


# -- the My Number card route, consents, medical information, audit (issue 5) -------------------

# Virtual My Number cards: only the 利用者証明用 certificate and its link to the person. Neither
# the private key (it stays in the bundle handed to the card holder) nor a 12-digit 個人番号 is
# ever stored. Instants are business time.
cards = Table(
    "cards",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("serial", String(40), nullable=False, unique=True),  # hexadecimal
    Column("certificate", Text, nullable=False),  # PEM
    Column("not_before", UTCDateTime, nullable=False),
    Column("not_after", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),  # set by card_expire: the card dies before not_after
    Column("insurance_registered_at", UTCDateTime),  # 保険証利用登録; NULL: not registered
    Column("revoked_at", UTCDateTime),  # 一時停止 (紛失) or 失効
    Column("revoke_reason", String(16)),  # "lost" (一時停止) | "revoked" (失効)
    Column("pin_hash", String(255)),  # 利用者証明用暗証番号 (4 digits), hashed
    Column("pin_failures", Integer, nullable=False, default=0),
    Column("pin_locked_at", UTCDateTime),
)

# One-time nonces handed to the card reader (wall time: they guard the wire, not the story).
card_challenges = Table(
    "card_challenges",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("institution_code", String(10), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

# 閲覧同意: per person, institution and kind of information, in business time.
consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("institution_code", String(10),
           ForeignKey("institutions.code", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # drug, checkup, diagnosis, operation, ...
    Column("given_at", UTCDateTime, nullable=False),  # ConsTime
    Column("available_until", UTCDateTime),  # AvailableTime; NULL: while care continues
    Column("treatment_flag", String(1), nullable=False),  # MedicalTreatmentFlag OQSCD028
    Column("withdrawn_at", UTCDateTime),
    Column("withdraw_reason", String(1)),  # OQSCD031
    Column("source", String(16), nullable=False),  # reader | scenario | admin
    Index(None, "person_id", "institution_code", "kind"),
)

# 薬剤情報: one row per drug line, from claims (1), dispensing results (2) or e-prescriptions (3).
drug_records = Table(
    "drug_records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(1), nullable=False),
    Column("dispensed_on", Date, nullable=False),  # 調剤日 (処方日 for an e-prescription)
    Column("prescribed_on", Date),  # 処方日
    Column("dispensing_code", String(10)),  # 調剤した医療機関・薬局
    Column("dispensing_name", String(200)),
    Column("prescribing_code", String(10)),  # 処方した医療機関
    Column("prescribing_name", String(200)),
    Column("in_out", String(1)),  # 院内・院外
    Column("drug_code", String(12), nullable=False),
    Column("drug_name", String(200), nullable=False),
    Column("ingredient", String(200)),
    Column("quantity", String(16)),
    Column("unit", String(16)),
    Column("usage", String(200)),
    Column("special", String(200)),
    Column("days", String(8)),
    Column("usage_class", String(2)),
    Column("visible_at", UTCDateTime, nullable=False),  # when OQS has it
    Index(None, "person_id", "dispensed_on"),
)

# 特定健診: one row per checkup, the results as [{code, value}] (item master in datasets/masters).
checkups = Table(
    "checkups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("exam_date", Date, nullable=False),
    Column("insurer_number", String(8)),
    Column("items", JSON, nullable=False),
    Column("visible_at", UTCDateTime, nullable=False),  # the insurer's upload
    Index(None, "person_id", "exam_date"),
)

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


# -- disaster declarations (issue 6) -------------------------------------------------------------

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

__all__ += ["disasters", "disaster_extensions"]


# -- emergency mode and injected faults (issue 6) -----------------------------------------------

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

__all__ += ["emergency_modes", "faults"]


# -- bulk qualification confirmation 一括照会 (issue 7) --------------------------------------------

# One upload (OQSmuquc01req_): its 受付番号, the institution, the confirmation date asked, and
# progress. received_at / finished_at / expires_at are business time.
bulk_jobs = Table(
    "bulk_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reception_number", String(20), nullable=False, unique=True),
    Column("institution_code", String(10),
           ForeignKey("institutions.code", ondelete="CASCADE"), nullable=False, index=True),
    Column("scenario", String(64), ForeignKey("scenarios.name", ondelete="CASCADE")),
    Column("arbitrary_file_identifier", String(64)),
    Column("confirm_date", String(8), nullable=False),  # as sent (validated per item)
    Column("item_count", Integer, nullable=False),
    Column("processed", Integer, nullable=False, default=0),
    Column("received_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("expires_at", UTCDateTime),
)

# One QualificationConfirmSearchInfo of an upload, in file order (seq), and once processed its
# BulkConfirmUnit as XML text (UTF-8 rules); NULL while pending.
bulk_items = Table(
    "bulk_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("job_id", Integer, ForeignKey("bulk_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("search", JSON, nullable=False),
    Column("unit", Text),  # the rendered XML element
    Column("normal", Boolean),  # ProcessingResultStatus 1
    UniqueConstraint("job_id", "seq"),
)

__all__ += ["bulk_jobs", "bulk_items"]
