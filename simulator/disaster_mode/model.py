"""A disaster declaration and whether it covers an institution at an instant (pure).

Area: a declaration names prefectures and optionally municipalities. One naming only
prefectures covers every institution of those prefectures (the prefecture is the first two
digits of the 医療機関コード). One naming municipalities covers only institutions whose
municipality is listed; an institution without a municipality is then not covered.

Period: ``[starts_at, ends_at)`` in business time — start inclusive, end exclusive.
An :class:`Extension` moves the end later for the part of the area it names (none named: the
whole area), as the Noto declaration ran to 7 January 2024 and was extended to 14 January in 18
municipalities. Ending early (``ended_at``) cuts every part, extended or not, at that instant;
ended at or before the start, the declaration is cancelled and covers nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ..registry.model import Institution
from . import codes

__all__ = ["Extension", "Disaster", "Status", "covers", "covering", "end_for", "last_end",
           "status"]


@dataclass(frozen=True, slots=True)
class Extension:
    """A later end (exclusive) for part of the area: the prefectures and municipalities named,
    within the declared area; neither named: the whole area."""

    ends_at: dt.datetime
    prefectures: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    id: int | None = None

    def names(self, prefecture: str, municipality: str | None) -> bool:
        if not self.prefectures and not self.municipalities:
            return True
        bodies = {codes.body(m) for m in self.municipalities}
        return prefecture in self.prefectures or (
            municipality is not None and codes.body(municipality) in bodies)


@dataclass(frozen=True, slots=True)
class Disaster:
    """災害救助法の適用: a named area and a period, perhaps extended in part or ended early."""

    name: str
    prefectures: tuple[str, ...]  # 都道府県コード, 2 digits
    municipalities: tuple[str, ...]  # 全国地方公共団体コード, 6 digits; empty: whole prefectures
    starts_at: dt.datetime
    ends_at: dt.datetime  # exclusive
    ended_at: dt.datetime | None = None  # ended early (every part)
    extensions: tuple[Extension, ...] = ()
    id: int | None = None

    def in_area(self, prefecture: str, municipality: str | None) -> bool:
        if self.municipalities:
            bodies = {codes.body(m) for m in self.municipalities}
            return municipality is not None and codes.body(municipality) in bodies
        return prefecture in self.prefectures


class Status(StrEnum):
    SCHEDULED = "scheduled"  # not started yet
    ACTIVE = "active"  # some part of the area is covered now
    OVER = "over"  # ran its full period (with extensions)
    ENDED = "ended"  # ended early
    CANCELLED = "cancelled"  # ended at or before its start


def _cut(disaster: Disaster, end: dt.datetime) -> dt.datetime:
    return end if disaster.ended_at is None else min(end, disaster.ended_at)


def last_end(disaster: Disaster) -> dt.datetime:
    """When the last part of the area stops being covered (extensions and early end counted)."""
    return _cut(disaster, max([disaster.ends_at, *(e.ends_at for e in disaster.extensions)]))


def end_for(disaster: Disaster, institution: Institution) -> dt.datetime | None:
    """The end (exclusive) of the period for the institution's place; None outside the area."""
    place = (institution.prefecture, institution.municipality)
    if not disaster.in_area(*place):
        return None
    ends = [e.ends_at for e in disaster.extensions if e.names(*place)]
    return _cut(disaster, max([disaster.ends_at, *ends]))


def covers(disaster: Disaster, institution: Institution, at: dt.datetime) -> bool:
    """Whether the declaration covers the institution at ``at`` (start inclusive, end
    exclusive)."""
    end = end_for(disaster, institution)
    return end is not None and disaster.starts_at <= at < end


def covering(disasters: Iterable[Disaster], institution: Institution,
             at: dt.datetime) -> Disaster | None:
    """The declaration covering the institution at ``at``; of several, the one that started
    first (then by name)."""
    found = [d for d in disasters if covers(d, institution, at)]
    return min(found, key=lambda d: (d.starts_at, d.name), default=None)


def status(disaster: Disaster, at: dt.datetime) -> Status:
    """Where the declaration stands at ``at`` (for lists; coverage is :func:`covers`)."""
    if disaster.ended_at is not None and disaster.ended_at <= disaster.starts_at:
        return Status.CANCELLED
    if at < disaster.starts_at:
        return Status.SCHEDULED
    if at < last_end(disaster):
        return Status.ACTIVE
    uncut = max([disaster.ends_at, *(e.ends_at for e in disaster.extensions)])
    return Status.ENDED if last_end(disaster) < uncut else Status.OVER
