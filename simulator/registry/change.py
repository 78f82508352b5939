"""What a life event does to the store, as plain values: the delays of its filings, the
coverage it starts, and the :class:`Change` (losses, gains, holds, corrections) that
:mod:`.lifecycle` computes. Standard library only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput
from .model import (
    ElderlyCertificate,
    Family,
    Hold,
    Insurer,
    LimitCertificate,
    Qualification,
    ReasonOfLoss,
    SpecificDiseaseCertificate,
)

__all__ = ["LEGAL_DAYS", "Delays", "Coverage", "Loss", "NewHold", "HoldEnd", "Correction", "Change"]

#: Days the law gives the employer to notify, and the insurer to register (each).
LEGAL_DAYS = 5

@dataclass(frozen=True, slots=True)
class Delays:
    """How long the employer took to notify and the insurer to register, in days."""

    employer_notify_days: int = 0
    insurer_register_days: int = 0

    def __post_init__(self) -> None:
        for name in ("employer_notify_days", "insurer_register_days"):
            if getattr(self, name) < 0:
                raise InvalidInput(name, "must be 0 or more days")

    @property
    def total(self) -> int:
        return self.employer_notify_days + self.insurer_register_days

    @property
    def late(self) -> bool:
        """Tell whether either party took longer than the law allows."""
        return max(self.employer_notify_days, self.insurer_register_days) > LEGAL_DAYS

    def known_at(self, at: dt.datetime) -> dt.datetime:
        """Return the instant OQS learns of an event that happened at ``at``."""
        return at + dt.timedelta(days=self.total)


@dataclass(frozen=True, slots=True)
class Coverage:
    """The key and terms of a qualification an event starts (the ``to`` of an event)."""

    insurer: Insurer
    number: str
    symbol: str | None = None
    branch: str | None = None
    family: Family = Family.INSURED
    card_class: str = "01"
    ratio: str | None = None
    preschool: bool = False
    insured_name: str | None = None
    elderly: tuple[ElderlyCertificate, ...] = ()
    limits: tuple[LimitCertificate, ...] = ()
    specific_diseases: tuple[SpecificDiseaseCertificate, ...] = ()
    #: personal values as the insurer typed them, where they differ from the person
    as_registered: Mapping[str, Any] = field(default_factory=dict)
    card_issued_on: dt.date | None = None  # 被保険者証交付年月日
    #: 被保険者証有効開始年月日; None: the card is valid from the qualification's start
    card_valid_start: dt.date | None = None
    card_valid_end: dt.date | None = None  # 被保険者証有効終了年月日 (inclusive, as printed)


@dataclass(frozen=True, slots=True)
class Loss:
    qualification_id: int
    valid_to: dt.date
    reason: ReasonOfLoss | None
    registered_at: dt.datetime


@dataclass(frozen=True, slots=True)
class NewHold:
    qualification_id: int
    hold: Hold


@dataclass(frozen=True, slots=True)
class HoldEnd:
    hold_id: int
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Correction:
    """New as-registered personal values of a record (``BASIC_ITEMS`` keys)."""

    qualification_id: int
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Change:
    """What one event does to the store; ``late`` when a filing took longer than the law allows."""

    losses: tuple[Loss, ...] = ()
    gains: tuple[Qualification, ...] = ()
    holds: tuple[NewHold, ...] = ()
    hold_ends: tuple[HoldEnd, ...] = ()
    corrections: tuple[Correction, ...] = ()
    late: bool = False

    @property
    def registered_at(self) -> dt.datetime | None:
        """The instant OQS knows every effect of the event (None when it has none in time)."""
        instants = [loss.registered_at for loss in self.losses]
        instants += [gain.registered_at for gain in self.gains]
        return max(instants, default=None)
