"""Scenario and admin events about disaster declarations and emergency modes (docs/scenarios.md).
They name no person.

    disaster_declare  name, prefectures: ["17", ...], municipalities (optional), from
                      (default: the event's ``at``), to
    disaster_extend   name, to, prefectures / municipalities (optional: part of the area)
    disaster_end      name — ends the declaration at the event's ``at``
    emergency_start   institution, reason (optional), from (default: ``at``), to (optional:
                      until emergency_end) — the institution's emergency mode
    emergency_end     institution — ends its emergency mode active at the event's ``at``

A declaration or emergency mode loaded by a scenario belongs to it and goes when the scenario
is reset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..registry import fields
from ..registry.change import Change
from ..registry.errors import InvalidInput
from . import emergency_service, service

if TYPE_CHECKING:  # the handlers receive events.EventContext and events.Event
    from ..registry.events import EventContext

__all__ = ["KINDS"]


def _no_person(event) -> None:
    if event.raw.get("person") is not None:
        raise InvalidInput(event.at_path("person"), "this event names no person")


def _declare(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    _no_person(event)
    disaster = service.declare_in(
        ctx.repo, name=event.raw.get("name"), prefectures=event.raw.get("prefectures"),
        municipalities=event.raw.get("municipalities"),
        starts_at=fields.optional_instant(event.raw, "from", event.path) or event.at,
        ends_at=fields.instant(event.raw, "to", event.path), scenario=ctx.scenario,
        path=event.path)
    used["disaster_id"] = disaster.id
    return Change()


def _extend(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    _no_person(event)
    disaster = service.extend_in(
        ctx.repo, name=fields.text(event.raw, "name", event.path),
        ends_at=fields.instant(event.raw, "to", event.path),
        prefectures=event.raw.get("prefectures"), municipalities=event.raw.get("municipalities"),
        path=event.path, by_field=True)
    used["disaster_id"] = disaster.id
    return Change()


def _end(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    _no_person(event)
    disaster = service.end_in(ctx.repo, name=fields.text(event.raw, "name", event.path),
                              at=event.at, path=event.path, by_field=True)
    used["disaster_id"] = disaster.id
    return Change()


def _emergency_start(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    _no_person(event)
    mode = emergency_service.start_in(
        ctx.repo, institution=event.raw.get("institution"), reason=event.raw.get("reason"),
        starts_at=fields.optional_instant(event.raw, "from", event.path) or event.at,
        ends_at=fields.optional_instant(event.raw, "to", event.path), scenario=ctx.scenario,
        path=event.path)
    used["emergency_id"] = mode.id
    return Change()


def _emergency_end(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    _no_person(event)
    mode = emergency_service.end_institution_in(ctx.repo, institution=event.raw.get("institution"),
                                                at=event.at, path=event.path)
    used["emergency_id"] = mode.id
    return Change()


KINDS = {
    "disaster_declare": _declare,
    "disaster_extend": _extend,
    "disaster_end": _end,
    "emergency_start": _emergency_start,
    "emergency_end": _emergency_end,
}
