"""Institutions, the certificates issued to them, and the scenarios that declare them.

Part of the store's schema: the tables share the core's ``metadata`` (see
:mod:`simulator.schema`, which gathers every table).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table

from ..registry.orm import UTCDateTime, metadata

__all__ = ["institutions", "institution_certificates", "scenario_institutions"]

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

# The institutions each loaded scenario declares (several scenarios may share a clinic).
scenario_institutions = Table(
    "scenario_institutions",
    metadata,
    Column("scenario", String(64), ForeignKey("scenarios.name", ondelete="CASCADE"),
           primary_key=True),
    Column("institution_code", String(10),
           ForeignKey("institutions.code", ondelete="CASCADE"), primary_key=True),
)
