"""Scenario and admin events about injected faults (docs/scenarios.md). They name no person.

    fault_start  name, kind, and the fault's keys (route, institution, system, answer,
                 latency_ms, jitter_ms, distribution, rate, http_status, hold_seconds, seed);
                 from (default: the event's ``at``), to (optional: until fault_end)
    fault_end    name — stops the fault at the event's ``at``

A fault loaded by a scenario belongs to it and goes when the scenario is reset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..registry import fields
from ..registry.change import Change
from ..registry.errors import Conflict, InvalidInput
from . import service
from .rules import KEYS

if TYPE_CHECKING:
    from ..registry.events import EventContext

__all__ = ["KINDS"]

_EVENT_KEYS = frozenset({"event", "at", "from", "to", "person"})


def _start(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    raw = event.raw
    if raw.get("person") is not None:
        raise InvalidInput(event.at_path("person"), "a fault event names no person")
    values = {k: v for k, v in raw.items() if k in KEYS}
    unknown = sorted(set(raw) - KEYS - _EVENT_KEYS)
    if unknown:
        raise InvalidInput(event.at_path(unknown[0]), "not a key of fault_start")
    if values.get("name") is None:
        raise InvalidInput(event.at_path("name"), "is required: fault_end refers to it")
    fault = service.start_in(
        ctx.repo, values, starts_at=fields.optional_instant(raw, "from", event.path) or event.at,
        ends_at=fields.optional_instant(raw, "to", event.path), scenario=ctx.scenario,
        path=event.path)
    used["fault_id"] = fault.id
    return Change()


def _end(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    if event.raw.get("person") is not None:
        raise InvalidInput(event.at_path("person"), "a fault event names no person")
    try:
        fault = service.end_in(ctx.repo, name=fields.text(event.raw, "name", event.path),
                               at=event.at, field=event.at_path("name"))
    except Conflict as error:  # already stopped: name the event in the file
        raise InvalidInput(event.at_path("name"), error.message) from None
    used["fault_id"] = fault.id
    return Change()


KINDS = {"fault_start": _start, "fault_end": _end}
