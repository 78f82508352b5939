"""Virtual My Number cards and the reader's one-time nonces.

Part of the store's schema: the tables share the core's ``metadata`` (see
:mod:`simulator.schema`, which gathers every table).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text

from ..registry.orm import UTCDateTime, metadata

__all__ = ["cards", "card_challenges"]

# Virtual My Number cards: only the 利用者証明用 certificate and its link to the person. Neither
# the private key (it stays in the bundle handed to the card holder) nor a 12-digit 個人番号 is
# ever stored. A *held* card has no certificate yet (NULL): it gets one, for its serial and
# validity, when it is bundled to be presented. Instants are business time.
cards = Table(
    "cards",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("serial", String(40), nullable=False, unique=True),  # hexadecimal
    Column("certificate", Text),  # PEM; NULL: held, not bundled yet
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
