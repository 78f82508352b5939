"""The faults in force, as the public interfaces read them before every request.

A process keeps its copy of the ``faults`` table for ``refresh`` wall-clock seconds (reading
the table on every request would add a query to the lookup hot path); its own admin writes
call :meth:`FaultBoard.invalidate`. With no fault stored at all, the business clock is not even
read. Each errors fault with a seed draws from its own seeded random source, so a run is
reproducible within one process.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine

from .model import Effect, Fault, Route, effect
from .store import FaultQueries

__all__ = ["FaultBoard"]


class _Faults(FaultQueries):
    """The fault queries alone, on one connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection


class FaultBoard:
    def __init__(self, engine: Engine, *, refresh: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.refresh = refresh
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._faults: list[Fault] | None = None
        self._read_at = 0.0
        self._sources: dict[tuple[int | None, str], random.Random] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._faults = None

    def faults(self) -> list[Fault]:
        with self._lock:
            if self._faults is None or self.monotonic() - self._read_at >= self.refresh:
                with self.engine.connect() as connection:
                    self._faults = _Faults(connection).faults()
                self._read_at = self.monotonic()
            return self._faults

    def _source(self, fault: Fault) -> random.Random:
        key = (fault.id, fault.name)
        if key not in self._sources:
            self._sources[key] = random.Random(fault.seed)
        return self._sources[key]

    def effect(self, *, route: Route, institution: str | None,
               now: Callable[[], dt.datetime]) -> Effect:
        """The effect of the faults in force on one request (``now`` read only if needed)."""
        faults = self.faults()
        if not faults:
            return Effect()
        at = now()
        with self._lock:
            return effect(faults, route=route, institution=institution, at=at, draw=self._source)
