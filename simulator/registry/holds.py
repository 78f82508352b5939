"""Holds (連携保留) as pure functions: place one on a person's latest record, release those in
force, correct the held records' personal values (their holds end when they match 住基).

Like the life events of :mod:`.lifecycle`, each returns a :class:`~.change.Change` and never
touches storage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from .change import Change, Correction, HoldEnd, NewHold
from .errors import InvalidInput
from .lifecycle import BASIC_ITEMS, mismatches
from .model import Hold, Person, Qualification

__all__ = ["place_hold", "release_holds", "correct"]


def _of_insurer(records: Iterable[Qualification], insurer: str | None) -> list[Qualification]:
    return [r for r in records if insurer is None or r.insurer.number == insurer]


def _latest(records: Sequence[Qualification]) -> Qualification:
    return max(records, key=lambda r: (r.valid_from, r.registered_at, r.id or 0))


def place_hold(
    records: Sequence[Qualification], *, at: dt.datetime, insurer: str | None, reason: str
) -> Change:
    """Hold the person's latest record (of ``insurer`` when given) from ``at``.

    :raises InvalidInput: when there is no such record.
    """
    candidates = _of_insurer(records, insurer)
    if not candidates:
        raise InvalidInput("insurer" if insurer else "person", "has no qualification to hold")
    target = _latest(candidates)
    return Change(holds=(NewHold(target.id, Hold(at, None, reason)),))


def _holds_in_force(
    records: Sequence[Qualification], at: dt.datetime, insurer: str | None
) -> list[tuple[Qualification, Hold]]:
    return [(r, h) for r in _of_insurer(records, insurer) for h in r.holds if h.covers(at)]


def release_holds(
    records: Sequence[Qualification], *, at: dt.datetime, insurer: str | None
) -> Change:
    """End at ``at`` every hold in force then on the person's records (of ``insurer``).

    :raises InvalidInput: when no hold is in force at ``at``.
    """
    held = _holds_in_force(records, at, insurer)
    if not held:
        raise InvalidInput("person", f"has no hold in force at {at.isoformat()}")
    return Change(hold_ends=tuple(HoldEnd(hold.id, at) for _, hold in held))


def correct(
    person: Person,
    records: Sequence[Qualification],
    *,
    at: dt.datetime,
    insurer: str | None,
    values: Mapping[str, Any],
) -> Change:
    """Correct the held records' personal values; their holds end when they now match 住基.

    :raises InvalidInput: when no hold is in force at ``at`` or a field is not a basic item.
    """
    unknown = sorted(set(values) - set(BASIC_ITEMS))
    if unknown:
        raise InvalidInput("fields", f"cannot correct {', '.join(unknown)}")
    held = _holds_in_force(records, at, insurer)
    if not held:
        raise InvalidInput("person", f"has no hold in force at {at.isoformat()}")
    corrections, ends = {}, []
    for record, hold in held:
        corrections[record.id] = Correction(record.id, dict(values))
        if not mismatches(person, replace(record, **values)):
            ends.append(HoldEnd(hold.id, at))
    return Change(corrections=tuple(corrections.values()), hold_ends=tuple(ends))
