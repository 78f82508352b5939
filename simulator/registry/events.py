"""Events given as plain mappings (scenario ``timeline``, admin API): read, apply, log.

The core's own kinds (転職, 退職, 75歳, 死亡, 出生, 保留 …) are in :mod:`.life_events`; every
capability brings its own, composed in :mod:`simulator.timeline`.

One shape everywhere (docs/scenarios.md)::

    {event: job_change, at: 2026-04-01T09:00:00+09:00, person: taro, date: 2026-04-01,
     to: {...}, employer_notify_days: 3, insurer_register_days: 4}

``date`` (the day the event takes effect in law) defaults to the day of ``at`` (JST). Delays not
given are drawn from the insurer profile (``datasets/insurer_profiles.yaml``) with a seeded
generator, and written into the event log, so a replay gives the same store. ``loss`` / ``gain``
blocks split the delays of the two halves of a change of insurer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import fields
from .change import Change
from .coverage_input import (
    KnownInsurer,
    as_registered,
)
from .errors import InvalidInput, OqsError
from .lifecycle import BASIC_ITEMS
from .model import JST, Person, Qualification

if TYPE_CHECKING:
    from ..store import Repository

__all__ = ["EventContext", "Event", "Handler", "apply_with", "correction_values",
           "person_of", "store_change"]


@dataclass(frozen=True)
class EventContext:
    """What reading and applying an event needs: the store, profiles, and how to name things."""

    repo: Repository
    profiles: Any  # simulator.profiles.Profiles
    known: KnownInsurer
    scenario: str | None = None
    seed: str = "oqs-sim"
    #: hours a consent lasts by MedicalTreatmentFlag (``config.consent_hours``); a flag not
    #: given lasts the medical package's default
    consent_hours: Mapping[str, int] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """One event being applied: the raw mapping, its path, instant, day and person (what each
    handler of a ``KINDS`` mapping receives)."""

    raw: Mapping[str, Any]
    path: str
    at: dt.datetime
    day: dt.date
    person: Person | None  # None for the kinds in WITHOUT_PERSON
    records: list[Qualification]
    rng: random.Random

    def at_path(self, key: str) -> str:
        return fields.at_path(self.path, key)


Handler = Callable[[EventContext, Event, dict[str, Any]], Change]


# -- references ----------------------------------------------------------------------------------


def person_of(ctx: EventContext, raw: Mapping[str, Any], key: str, path: str) -> Person:
    value = raw.get(key)
    field = fields.at_path(path, key)
    found = None
    if isinstance(value, int) and not isinstance(value, bool):
        found = ctx.repo.person(value)
    elif isinstance(value, str) and value:
        scenario, _, handle = value.rpartition("/")
        found = ctx.repo.person_by_handle(scenario or ctx.scenario or "", handle)
    elif value is None:
        raise InvalidInput(field, "is required")
    if found is None:
        raise InvalidInput(field, f"no person {value!r}")
    return found


def correction_values(person: Person, raw: Any, field: str) -> dict[str, Any]:
    """The values a correction sets: a list of basic items takes the person's (住基) values,
    a mapping gives them.

    :raises InvalidInput: naming ``field``, for anything else.
    """
    if isinstance(raw, list) and raw and all(isinstance(item, str) for item in raw):
        unknown = [item for item in raw if item not in BASIC_ITEMS]
        if unknown:
            raise InvalidInput(field, f"{unknown[0]!r} is not a basic item")
        return {item: getattr(person, item) for item in raw}
    if isinstance(raw, Mapping) and raw:
        return as_registered({"fields": raw}, "fields", field.rpartition(".fields")[0])
    raise InvalidInput(field, "give the items to correct: a list, or a mapping of values")



# -- applying ----------------------------------------------------------------------------------


def store_change(repo: Repository, change: Change) -> None:
    """Write a change through the repository (inside the caller's transaction)."""
    for loss in change.losses:
        repo.record_loss(loss.qualification_id, valid_to=loss.valid_to, reason=loss.reason,
                         registered_at=loss.registered_at)
    for gain in change.gains:
        repo.add_qualification(gain)
    for new in change.holds:
        repo.add_hold(new.qualification_id, new.hold)
    for end in change.hold_ends:
        repo.end_hold(end.hold_id, at=end.at)
    for correction in change.corrections:
        repo.correct_record(correction.qualification_id, dict(correction.values))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def apply_with(kinds: Mapping[str, Handler], without_person: frozenset[str], ctx: EventContext,
               raw: Mapping[str, Any], path: str = "") -> int:
    """Read one event mapping, apply it with its handler in ``kinds`` and log it; return the
    log entry's id. Kinds in ``without_person`` concern no person (``person`` is not read).

    The timeline composes ``kinds`` from every capability (:mod:`simulator.timeline`).

    :raises InvalidInput: naming ``path`` and the key, when the event cannot be read or applied.
    """
    if not isinstance(raw, Mapping):
        raise InvalidInput(path or "event", "must be a mapping")
    kind = fields.text(raw, "event", path)
    handler = kinds.get(kind)
    if handler is None:
        raise InvalidInput(fields.at_path(path, "event"),
                           f"unknown event {kind!r}; known: {', '.join(kinds)}")
    try:
        at = fields.instant(raw, "at", path)
        day = fields.optional_day(raw, "date", path) or at.astimezone(JST).date()
        person = None if kind in without_person else person_of(ctx, raw, "person", path)
        records = ctx.repo.records_of(person.id) if person else []
        event = Event(raw, path, at, day, person, records,
                       random.Random(f"{ctx.seed}:{path}:{kind}:{at.isoformat()}"))
        used: dict[str, Any] = {}
        change = handler(ctx, event, used)
    except OqsError as error:
        raise fields.located(error, path) from None
    store_change(ctx.repo, change)
    params = _jsonable({**raw, **used})
    return ctx.repo.add_event(kind=kind, at=at, params=params,
                              person_id=person.id if person else None,
                              scenario=ctx.scenario, registered_at=change.registered_at,
                              late=change.late)
