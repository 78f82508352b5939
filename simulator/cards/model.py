"""Virtual My Number cards (マイナンバーカード): plain values and pure rules. Standard library only.

A ``Card`` mirrors a row of the ``cards`` table: the 利用者証明用 certificate (serial, validity)
and its link to the person — a *held* card has its serial and validity but no certificate until
it is bundled — plus what OQS and J-LIS know about it at a business instant:

- ``revoked_at``: 一時停止 (``lost``, may be resumed) or 失効 (``revoked``, final);
- ``expires_at``: the card died early (``card_expire``); its end is ``min(not_after, expires_at)``;
- ``insurance_registered_at``: 保険証利用登録 (初回登録);
- ``pin_failures`` / ``pin_locked_at``: the 利用者証明用暗証番号 (4 digits) locks after
  :data:`PIN_TRIES` wrong entries in a row; a right entry resets the count.

The refusal for a card at T (:func:`refusal`), first that applies: revoked (``revoked_at <= T``)
→ card_revoked; expired (``T >= end``) → card_expired; not registered for insurance use
(``insurance_registered_at`` None or after T) → card_not_registered; PIN locked → pin_locked.
A card whose end lies within :data:`WARNING_MONTHS` calendar months of T is *expiring*
(warning card_expiring, ProcessingResultStatus stays 1).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ..registry.errors import CardRefused
from ..registry.model import JST

__all__ = [
    "PIN_TRIES",
    "WARNING_MONTHS",
    "RevokeReason",
    "CardRefused",
    "Card",
    "PinCheck",
    "add_months",
    "status_refusal",
    "registration_refusal",
    "refusal",
    "pin_check",
    "expiring_soon",
]

PIN_TRIES = 3
WARNING_MONTHS = 3


class RevokeReason(StrEnum):
    LOST = "lost"  # 一時停止 (紛失): may be resumed
    REVOKED = "revoked"  # 失効: final


@dataclass(frozen=True, slots=True)
class Card:
    person_id: int
    serial: str  # hexadecimal, lower case
    certificate: str | None  # PEM; None: held, the certificate not issued yet
    not_before: dt.datetime
    not_after: dt.datetime
    expires_at: dt.datetime | None = None
    insurance_registered_at: dt.datetime | None = None  # 保険証利用登録
    revoked_at: dt.datetime | None = None
    revoke_reason: RevokeReason | None = None
    pin_hash: str | None = None
    pin_failures: int = 0
    pin_locked_at: dt.datetime | None = None
    id: int | None = None

    @property
    def end(self) -> dt.datetime:
        """The instant the card stops working: the certificate's end, or an earlier death."""
        if self.expires_at is None:
            return self.not_after
        return min(self.not_after, self.expires_at)

    def revoked(self, at: dt.datetime) -> bool:
        return self.revoked_at is not None and self.revoked_at <= at

    def expired(self, at: dt.datetime) -> bool:
        return at >= self.end

    def registered(self, at: dt.datetime) -> bool:
        return self.insurance_registered_at is not None and self.insurance_registered_at <= at

    def pin_locked(self, at: dt.datetime) -> bool:
        return self.pin_locked_at is not None and self.pin_locked_at <= at


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The outcome of one PIN entry: the new failure count, whether the card locks now, and the
    refusal (None when the PIN was right)."""

    failures: int
    locks: bool
    refusal: str | None
    remaining: int


def status_refusal(card: Card, *, at: dt.datetime) -> str | None:
    """card_revoked or card_expired when the card is dead at ``at``, else None."""
    if card.revoked(at):
        return "card_revoked"
    if card.expired(at):
        return "card_expired"
    return None


def registration_refusal(card: Card, *, at: dt.datetime) -> str | None:
    """card_not_registered unless the card is registered for insurance use at ``at``."""
    return None if card.registered(at) else "card_not_registered"


def refusal(card: Card, *, at: dt.datetime) -> str | None:
    """The first refusal that applies to the card at ``at`` (module docstring), or None."""
    found = status_refusal(card, at=at) or registration_refusal(card, at=at)
    if found is None and card.pin_locked(at):
        return "pin_locked"
    return found


def pin_check(card: Card, *, right: bool, at: dt.datetime) -> PinCheck:
    """Judge one PIN entry at ``at``: a locked card stays locked whatever is typed; a right PIN
    resets the count; the :data:`PIN_TRIES`-th wrong one in a row locks the card."""
    if card.pin_locked(at):
        return PinCheck(card.pin_failures, False, "pin_locked", 0)
    if right:
        return PinCheck(0, False, None, PIN_TRIES)
    failures = card.pin_failures + 1
    if failures >= PIN_TRIES:
        return PinCheck(failures, True, "pin_locked", 0)
    return PinCheck(failures, False, "pin_wrong", PIN_TRIES - failures)


def add_months(instant: dt.datetime, months: int) -> dt.datetime:
    """The same JST wall time ``months`` calendar months later (the 31st becomes the last day of
    a shorter month)."""
    local = instant.astimezone(JST)
    index = local.year * 12 + local.month - 1 + months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def expiring_soon(card: Card, *, at: dt.datetime) -> bool:
    """Tell whether the live card ends within :data:`WARNING_MONTHS` calendar months of ``at``
    (its end at or before the same wall time three months later)."""
    return not card.expired(at) and card.end <= add_months(at, WARNING_MONTHS)
