"""Periods that run in business time until their end or until stopped by hand (pure).

Shared by injected faults and emergency modes: ``[starts_at, end)`` where ``end`` is the
earlier of the planned end (``ends_at``, None: open) and the manual end (``ended_at``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Protocol, TypeVar

from .registry.errors import Conflict
from .registry.model import JST

__all__ = ["Stoppable", "StoppablePeriod", "end_of", "running_at", "period_status", "stopped",
           "iso_jst"]


class Stoppable(Protocol):
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    ended_at: dt.datetime | None


S = TypeVar("S")


def end_of(item: Stoppable) -> dt.datetime | None:
    """When it stops (exclusive): the earlier of its planned end and its manual end."""
    return min((t for t in (item.ends_at, item.ended_at) if t is not None), default=None)


def running_at(item: Stoppable, at: dt.datetime) -> bool:
    """Start inclusive, end exclusive; no end: running from its start on."""
    end = end_of(item)
    return item.starts_at <= at and (end is None or at < end)


class StoppablePeriod:
    """Base of a period dataclass (``starts_at``, ``ends_at``, ``ended_at``): when it stops and
    whether it runs at an instant."""

    __slots__ = ()

    @property
    def end(self) -> dt.datetime | None:
        """When it stops (exclusive): the earlier of its planned end and its manual end."""
        return end_of(self)  # type: ignore[arg-type]

    def active_at(self, at: dt.datetime) -> bool:
        return running_at(self, at)  # type: ignore[arg-type]


def period_status(item: Stoppable, at: dt.datetime) -> str:
    """scheduled, active, over (ran its period), ended (stopped by hand) or cancelled (stopped
    at or before its start), at ``at``."""
    if item.ended_at is not None and item.ended_at <= item.starts_at:
        return "cancelled"
    if at < item.starts_at:
        return "scheduled"
    if running_at(item, at):
        return "active"
    if item.ended_at is not None and (item.ends_at is None or item.ended_at < item.ends_at):
        return "ended"
    return "over"


def stopped(item: S, at: dt.datetime, what: str) -> S:
    """The item stopped by hand at ``at``.

    :raises Conflict: it has already stopped by then (``what`` names it in the message).
    """
    end = end_of(item)
    if end is not None and end <= at:
        raise Conflict(f"{what} has already stopped ({end.astimezone(JST).isoformat()})")
    return replace(item, ended_at=at)


def iso_jst(instant: dt.datetime | None) -> str | None:
    """An instant as the admin API and the CLI show it: ISO 8601 in JST (None stays None)."""
    return None if instant is None else instant.astimezone(JST).isoformat()
