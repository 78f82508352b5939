"""Use cases of injected faults: start (now or scheduled), end, list (business time).

The ``*_in`` functions work inside the caller's transaction (scenario events use them); the
others own theirs. A fault without a name gets ``<kind>-<n>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from ..clock import Clock
from ..periods import iso_jst
from ..registry.errors import Conflict, InvalidInput, NotFound
from ..registry.services import UnitOfWork
from . import rules
from .model import Fault, Kind, status

if TYPE_CHECKING:
    from ..store import Repository

__all__ = ["start_in", "end_in", "start", "end", "fault_list", "fault_view"]


def fault_view(fault: Fault, *, at: dt.datetime) -> dict[str, Any]:
    """The fault as the admin API and the CLI show it, with its status at ``at``."""
    view: dict[str, Any] = {
        "id": fault.id, "name": fault.name, "kind": fault.kind.value,
        "route": fault.route.value, "institution": fault.institution,
        "from": iso_jst(fault.starts_at), "to": iso_jst(fault.ends_at),
        "ended_at": iso_jst(fault.ended_at), "status": status(fault, at),
        "active": fault.active_at(at),
    }
    if fault.kind is Kind.LATENCY:
        view.update(latency_ms=fault.latency_ms, jitter_ms=fault.jitter_ms,
                    distribution=fault.distribution.value)
    else:
        view.update(code=fault.code, answer=fault.answer.value, http_status=fault.http_status,
                    hold_seconds=fault.hold_seconds)
    if fault.kind is Kind.MAINTENANCE:
        view["system"] = fault.system.value
    if fault.kind is Kind.ERRORS:
        view.update(rate=fault.rate, seed=fault.seed)
    return view


def _named(repo: Repository, values: Mapping[str, Any]) -> Mapping[str, Any]:
    if values.get("name") is not None:
        return values
    kind = values.get("kind") if isinstance(values.get("kind"), str) else "fault"
    taken = {f.name for f in repo.faults()}
    number = next(n for n in range(1, len(taken) + 2) if f"{kind}-{n}" not in taken)
    return {**values, "name": f"{kind}-{number}"}


def start_in(repo: Repository, values: Mapping[str, Any], *, starts_at: dt.datetime,
             ends_at: dt.datetime | None, scenario: str | None = None,
             path: str = "") -> Fault:
    """Store a new fault; return it with its id.

    :raises InvalidInput: see :func:`rules.new_fault`; an institution OQS does not know.
    :raises Conflict: a fault of that name exists.
    """
    fault = rules.new_fault(_named(repo, values), starts_at=starts_at, ends_at=ends_at,
                            path=path)
    if fault.institution is not None and repo.get_institution(fault.institution) is None:
        field = f"{path}.institution" if path else "institution"
        raise InvalidInput(field, f"no institution {fault.institution} is registered")
    if repo.fault(fault.name) is not None:
        field = f"{path}.name" if path else "name"
        raise Conflict(f"{field}: a fault named {fault.name!r} exists")
    return replace(fault, id=repo.add_fault(fault, scenario=scenario))


def end_in(repo: Repository, *, name: object, at: dt.datetime, field: str | None = None) -> Fault:
    """Stop the named fault at ``at``.

    :raises NotFound / InvalidInput (with ``field``): no such fault. :raises Conflict: it has
        already stopped.
    """
    fault = repo.fault(name) if isinstance(name, str) else None
    if fault is None:
        if field is None:
            raise NotFound(f"no fault named {name!r}")
        raise InvalidInput(field, f"no fault named {name!r}")
    fault = rules.ended(fault, at)
    repo.end_fault(fault.id, at=at)
    return fault


def start(*, uow: UnitOfWork, clock: Clock, values: Mapping[str, Any],
          starts_at: dt.datetime | None = None,
          ends_at: dt.datetime | None = None) -> dict[str, Any]:
    """Start a fault now (or schedule it from ``starts_at``); return its view."""
    now = clock.now()
    with uow:
        fault = start_in(uow.repo, values, starts_at=starts_at or now, ends_at=ends_at)
        try:
            uow.commit()
        except IntegrityError:  # started by someone else meanwhile
            raise Conflict(f"name: a fault named {fault.name!r} exists") from None
    return fault_view(fault, at=now)


def end(*, uow: UnitOfWork, clock: Clock, name: str,
        at: dt.datetime | None = None) -> dict[str, Any]:
    """Stop the fault ``name`` at ``at`` (default business now)."""
    now = clock.now()
    with uow:
        fault = end_in(uow.repo, name=name, at=at or now)
        uow.commit()
    return fault_view(fault, at=now)


def fault_list(*, uow: UnitOfWork, clock: Clock) -> list[dict[str, Any]]:
    """Every fault with its status at business now, the earliest start first."""
    now = clock.now()
    with uow:
        found = uow.repo.faults()
    return [fault_view(fault, at=now) for fault in found]
