"""Injected faults in the store (part of the repository; never commits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select, update

from . import tables
from .model import Answer, Distribution, Fault, Kind, Route, System

__all__ = ["FaultQueries"]

_f = tables.faults
_PARAMS = ("system", "answer", "latency_ms", "jitter_ms", "distribution", "rate", "http_status",
           "hold_seconds", "seed")


class FaultQueries:
    """Mixed into :class:`~simulator.store.Repository`; uses ``self.connection``."""

    connection: Connection

    def add_fault(self, fault: Fault, *, scenario: str | None = None) -> int:
        params = {key: getattr(fault, key) for key in _PARAMS}
        result = self.connection.execute(insert(_f).values(
            name=fault.name, scenario=scenario, kind=fault.kind.value, route=fault.route.value,
            institution_code=fault.institution, params=params, starts_at=fault.starts_at,
            ends_at=fault.ends_at, ended_at=fault.ended_at))
        return result.inserted_primary_key[0]

    def end_fault(self, fault_id: int, *, at: dt.datetime) -> None:
        self.connection.execute(update(_f).where(_f.c.id == fault_id).values(ended_at=at))

    def fault(self, name: str) -> Fault | None:
        row = self.connection.execute(select(_f).where(_f.c.name == name)).first()
        return None if row is None else _fault(row)

    def faults(self) -> list[Fault]:
        """Every fault, the earliest start first (then by name)."""
        rows = self.connection.execute(select(_f).order_by(_f.c.starts_at, _f.c.name))
        return [_fault(row) for row in rows]


def _fault(row: Any) -> Fault:
    params = dict(row.params)
    return Fault(
        name=row.name, kind=Kind(row.kind), starts_at=row.starts_at, ends_at=row.ends_at,
        route=Route(row.route), institution=row.institution_code,
        system=System(params.pop("system")), answer=Answer(params.pop("answer")),
        distribution=Distribution(params.pop("distribution")), ended_at=row.ended_at,
        id=row.id, **params)
