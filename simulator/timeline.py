"""The business timeline: the event kinds of every capability, composed, and the use cases
that apply them by hand.

The core (:mod:`simulator.registry.events`) knows the life events (転職, 退職, 75歳, 死亡,
出生, 保留 …); medical information and consents, cards, disasters and emergency modes, and
faults each bring their own kinds. They meet here, above all of them, so that no capability
imports another's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .cards.events import KINDS as CARD_KINDS
from .clock import Clock
from .disaster_mode.events import KINDS as DISASTER_KINDS
from .faults.events import KINDS as FAULT_KINDS
from .medical.events import KINDS as MEDICAL_KINDS
from .registry import events as core
from .registry.admin import event_view
from .registry.errors import InvalidInput
from .registry.events import EventContext
from .registry.life_events import KINDS as LIFE_KINDS
from .registry.services import UnitOfWork

__all__ = ["KINDS", "WITHOUT_PERSON", "apply_event", "record_event", "event_log"]

KINDS: Mapping[str, core.Handler] = {
    **LIFE_KINDS, **MEDICAL_KINDS, **CARD_KINDS, **DISASTER_KINDS, **FAULT_KINDS,
}

#: Kinds whose subject is an area, an institution or the system, not a person: ``person`` is
#: neither read nor required.
WITHOUT_PERSON = frozenset(DISASTER_KINDS) | frozenset(FAULT_KINDS)


def apply_event(ctx: EventContext, raw: Mapping[str, Any], path: str = "") -> int:
    """Read one event mapping of any kind, apply it and log it; return the log entry's id.

    :raises InvalidInput: naming ``path`` and the key, when the event cannot be read or applied.
    """
    return core.apply_with(KINDS, WITHOUT_PERSON, ctx, raw, path)


def record_event(
    *, uow: UnitOfWork, clock: Clock, profiles: Any, event: Mapping[str, Any],
    scenario: str | None = None, consent_hours: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Apply one event (the scenario ``timeline`` shape); ``at`` defaults to business now.

    ``person`` is a person id, or ``scenario/handle`` (or a handle with ``scenario``).
    """
    raw = dict(event)
    raw.setdefault("at", clock.now().isoformat())
    with uow:
        if scenario is not None and uow.repo.scenario(scenario) is None:
            raise InvalidInput("scenario", f"no scenario {scenario!r} is loaded")
        context = EventContext(repo=uow.repo, profiles=profiles, known=uow.repo.get_insurer,
                               scenario=scenario, seed=f"admin:{raw['at']}")
        if consent_hours is not None:
            context = replace(context, consent_hours=consent_hours)
        event_id = apply_event(context, raw)
        row = uow.repo.event(event_id)
        uow.commit()
    return event_view(row)


def event_log(
    *, uow: UnitOfWork, scenario: str | None = None, person: int | None = None
) -> list[dict[str, Any]]:
    with uow:
        return [event_view(row) for row in uow.repo.events(scenario=scenario, person_id=person)]
