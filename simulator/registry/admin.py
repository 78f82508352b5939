"""Use cases of the admin API and the trainer: holds, persons, resets (events by hand:
:mod:`simulator.timeline`).

Each takes its dependencies keyword-only and owns its transaction: a refused request leaves the
store as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from . import holds
from .errors import Conflict, InvalidInput, NotFound
from .events import correction_values, store_change
from .model import JST, Qualification
from .services import UnitOfWork

if TYPE_CHECKING:
    from ..clock import Clock

__all__ = [
    "event_view",
    "hold_list",
    "release_hold",
    "correct_hold",
    "person_view",
    "reset",
]


def _instant(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(JST).isoformat()


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def event_view(row: Any) -> dict[str, Any]:
    """An event log row as the admin API shows it."""
    return {
        "id": row.id,
        "kind": row.kind,
        "scenario": row.scenario,
        "person": row.person_id,
        "at": _instant(row.at),
        "registered_at": _instant(row.registered_at),
        "late": row.late,
        "params": row.params,
    }


def _hold(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "held_from": _instant(row.held_from),
        "held_until": _instant(row.held_until),
        "reason": row.reason,
        "qualification": row.qualification_id,
        "insurer": row.insurer_number,
        "symbol": row.symbol,
        "number": row.number,
        "branch": row.branch,
        "as_registered": {"name": row.name, "kana": row.kana, "birthdate": _day(row.birthdate),
                          "sex": row.sex, "address": row.address},
        "person": row.person_id,
        "scenario": row.scenario,
        "handle": row.handle,
    }


def hold_list(*, uow: UnitOfWork, clock: Clock, everything: bool = False) -> list[dict]:
    """Holds in force at business now (or every hold ever placed)."""
    now = None if everything else clock.now()
    with uow:
        return [_hold(row) for row in uow.repo.holds(in_force_at=now)]


def _held_record(uow: UnitOfWork, hold_id: int, now: dt.datetime) -> Qualification:
    rows = uow.repo.holds(hold_id=hold_id)
    if not rows:
        raise NotFound(f"no hold {hold_id}")
    (row,) = rows
    (record,) = [r for r in uow.repo.records_of(row.person_id) if r.id == row.qualification_id]
    (held,) = [h for h in record.holds if h.id == hold_id]
    if not held.covers(now):
        raise Conflict(f"hold {hold_id} is not in force at {now.isoformat()}")
    return replace(record, holds=(held,))


def _log(uow: UnitOfWork, kind: str, record: Qualification, at: dt.datetime,
         params: dict[str, Any]) -> None:
    uow.repo.add_event(kind=kind, at=at, params=params, person_id=record.person_id,
                       scenario=None, registered_at=None, late=False)


def release_hold(*, uow: UnitOfWork, clock: Clock, hold_id: int) -> dict[str, Any]:
    """The insurer confirms the record: the hold ends at business now.

    :raises NotFound: no such hold. :raises Conflict: it is not in force now.
    """
    now = clock.now()
    with uow:
        record = _held_record(uow, hold_id, now)
        store_change(uow.repo, holds.release_holds([record], at=now, insurer=None))
        _log(uow, "hold_release", record, now, {"hold": hold_id})
        (row,) = uow.repo.holds(hold_id=hold_id)
        uow.commit()
    return _hold(row)


def correct_hold(
    *, uow: UnitOfWork, clock: Clock, hold_id: int, fields: Any
) -> dict[str, Any]:
    """The insurer corrects the record; the hold ends when it now matches 住基.

    ``fields``: a list of basic items to set to the person's values, or a mapping of values.
    """
    now = clock.now()
    with uow:
        record = _held_record(uow, hold_id, now)
        person = uow.repo.person(record.person_id)
        values = correction_values(person, fields, "fields")
        change = holds.correct(person, [record], at=now, insurer=None, values=values)
        store_change(uow.repo, change)
        _log(uow, "hold_correct", record, now, {"hold": hold_id, "fields": sorted(values)})
        (row,) = uow.repo.holds(hold_id=hold_id)
        uow.commit()
    return _hold(row)


def _record(record: Qualification) -> dict[str, Any]:
    return {
        "id": record.id,
        "insurer": record.insurer.number,
        "insurer_name": record.insurer.name,
        "symbol": record.symbol,
        "number": record.number,
        "branch": record.branch,
        "family": record.family.value,
        "valid_from": _day(record.valid_from),
        "valid_to": _day(record.valid_to),
        "reason_of_loss": record.reason_of_loss.value if record.reason_of_loss else None,
        "registered_at": _instant(record.registered_at),
        "loss_registered_at": _instant(record.loss_registered_at),
        "ratio": record.ratio,
        "preschool": record.preschool,
        "as_registered": {"name": record.name, "kana": record.kana,
                          "birthdate": _day(record.birthdate), "sex": record.sex.value,
                          "address": record.address},
        "holds": [{"id": h.id, "held_from": _instant(h.held_from),
                   "held_until": _instant(h.held_until), "reason": h.reason}
                  for h in record.holds],
    }


def person_view(*, uow: UnitOfWork, person_id: int) -> dict[str, Any]:
    """The person (住基) with every record in valid and knowledge time, and their events."""
    with uow:
        person = uow.repo.person(person_id)
        if person is None:
            raise NotFound(f"no person {person_id}")
        records = uow.repo.records_of(person_id)
        events = uow.repo.events(person_id=person_id)
    return {
        "id": person.id,
        "name": person.name,
        "kana": person.kana,
        "birthdate": person.birthdate.isoformat(),
        "sex": person.sex.value,
        "address": person.address,
        "qualifications": [_record(r) for r in records],
        "events": [event_view(e) for e in events],
    }


def reset(*, uow: UnitOfWork, scenario: str | None = None, person: int | None = None,
          everything: bool = False) -> dict:
    """Remove one scenario, one person, or (``everything``, asked for explicitly) every
    registry row.

    :raises InvalidInput: (scope) no target, or more than one.
    :raises NotFound: when the scenario or person named does not exist.
    """
    if [scenario is not None, person is not None, everything].count(True) != 1:
        raise InvalidInput("scope", "reset one scenario, one person or everything: one of them")
    with uow:
        if scenario is not None:
            if not uow.repo.delete_scenario(scenario):
                raise NotFound(f"scenario {scenario!r} is not loaded")
            scope = {"scenario": scenario}
        elif person is not None:
            if not uow.repo.delete_person(person):
                raise NotFound(f"no person {person}")
            scope = {"person": person}
        else:
            uow.repo.delete_registry()
            scope = {"all": True}
        counts = uow.repo.counts()
        uow.commit()
    return {"reset": scope, "counts": counts}
