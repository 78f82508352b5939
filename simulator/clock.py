"""The business clock (docs/architecture.md): the simulated JST instant every rule is evaluated at.

It is stored in the ``sim_clock`` row, so the server, its workers, the scheduler and the CLI
agree. The clock is either *frozen* at an instant, or *running*: business time advances at
``speed`` times wall time from an anchor. With no row the clock runs at real time.

The wall clock (``wall``) is read only here and only to move a running clock; rules never read
it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import isodate
from sqlalchemy import Connection, Engine, insert, select, update

from .registry.errors import DateFormatError, InvalidInput
from .registry.model import JST
from .registry.orm import sim_clock

__all__ = [
    "Clock",
    "ClockState",
    "FixedClock",
    "SimulatedClock",
    "parse_duration",
    "parse_instant",
    "wall_now",
    "write_state",
]

_ROW_ID = 1
#: Business time is kept within these years; anything else is a typing mistake.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=JST)
LATEST = dt.datetime(2200, 1, 1, tzinfo=JST)


def _in_range(instant: dt.datetime, field: str) -> dt.datetime:
    if not EARLIEST <= instant < LATEST:
        raise InvalidInput(field, "must lie between 1900 and 2199")
    return instant


class Clock(Protocol):
    """Anything that tells the business time."""

    def now(self) -> dt.datetime: ...

    def now_on(self, connection: Connection) -> dt.datetime:
        """Business now, read on ``connection`` (inside the caller's transaction) when the
        clock is stored: one connection and one transaction per lookup."""
        ...

    def describe(self) -> dict[str, object]:
        """Return ``{"now": ISO instant, "mode": "frozen"|"running", "speed": float}``."""
        ...


def wall_now() -> dt.datetime:
    """The wall clock, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class ClockState:
    """The persisted state: business time ``business_anchor`` at wall time ``wall_anchor``."""

    business_anchor: dt.datetime
    wall_anchor: dt.datetime
    speed: float
    frozen: bool

    def at(self, wall: dt.datetime) -> dt.datetime:
        """Return the business instant (JST) when the wall clock reads ``wall``."""
        if self.frozen:
            return self.business_anchor.astimezone(JST)
        elapsed = (wall - self.wall_anchor) * self.speed
        return (self.business_anchor + elapsed).astimezone(JST)

    def describe(self, wall: dt.datetime) -> dict[str, object]:
        return {
            "now": self.at(wall).isoformat(),
            "mode": "frozen" if self.frozen else "running",
            "speed": self.speed,
        }


class FixedClock:
    """A clock for tests: always ``instant`` until moved."""

    def __init__(self, instant: dt.datetime) -> None:
        self.instant = instant

    def now(self) -> dt.datetime:
        return self.instant.astimezone(JST)

    def now_on(self, connection: Connection) -> dt.datetime:
        return self.now()

    def describe(self) -> dict[str, object]:
        return {"now": self.now().isoformat(), "mode": "frozen", "speed": 0.0}

    def advance(self, delta: dt.timedelta) -> None:
        self.instant += delta


# Built once: every lookup reads the clock, and building the statement cost more than running it.
_READ = select(sim_clock).where(sim_clock.c.id == _ROW_ID)
_READ_LOCKED = _READ.with_for_update()


class SimulatedClock:
    """The business clock persisted in the database; every call reads the stored state."""

    def __init__(self, engine: Engine, *, wall: Callable[[], dt.datetime] = wall_now) -> None:
        self.engine = engine
        self.wall = wall

    def state(self) -> ClockState:
        """Return the stored state; real time (running ×1) when none is stored."""
        with self.engine.connect() as connection:
            return self._read(connection) or self._real_time()

    def now(self) -> dt.datetime:
        return self.state().at(self.wall())

    def now_on(self, connection: Connection) -> dt.datetime:
        return (self._read(connection) or self._real_time()).at(self.wall())

    def describe(self) -> dict[str, object]:
        return self.state().describe(self.wall())

    def set(
        self, instant: dt.datetime, *, frozen: bool | None = None, speed: float | None = None
    ) -> ClockState:
        """Move business time to ``instant``; keep the mode and speed unless given."""
        if instant.tzinfo is None:
            raise InvalidInput("instant", "must carry a UTC offset (e.g. +09:00)")
        _in_range(instant, "instant")
        if speed is not None and not (0 < speed <= 1_000_000):
            raise InvalidInput("speed", "must be a number greater than 0 and at most 1000000")
        with self._exclusive() as connection:
            current = self._read(connection, lock=True) or self._real_time()
            state = ClockState(
                business_anchor=instant,
                wall_anchor=self.wall(),
                speed=current.speed if speed is None else speed,
                frozen=current.frozen if frozen is None else frozen,
            )
            self._write(connection, state, exists=self._exists(connection))
            return state

    def advance(self, delta: dt.timedelta | isodate.Duration) -> ClockState:
        """Move business time forward by ``delta`` (a timedelta, or an ISO duration with months)."""
        with self._exclusive() as connection:
            current = self._read(connection, lock=True) or self._real_time()
            wall = self.wall()
            start = current.at(wall)
            try:
                target = start + delta
            except OverflowError:
                target = LATEST
            if not target < LATEST:
                raise InvalidInput("duration", "moves business time past the year 2199")
            if target <= start:
                raise InvalidInput(
                    "duration", "must be positive; use `clock set` to travel back in time"
                )
            state = ClockState(target, wall, current.speed, current.frozen)
            self._write(connection, state, exists=self._exists(connection))
            return state

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[Connection]:
        """A transaction holding the write lock from its first read (read-modify-write).

        PostgreSQL locks the row (SELECT ... FOR UPDATE); SQLite, which ignores FOR UPDATE and
        begins lazily, takes its database write lock at once with BEGIN IMMEDIATE.
        """
        with self.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    def _real_time(self) -> ClockState:
        epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        return ClockState(epoch, epoch, 1.0, False)

    def _exists(self, connection: Connection) -> bool:
        found = select(sim_clock.c.id).where(sim_clock.c.id == _ROW_ID)
        return connection.execute(found).first() is not None

    def _read(self, connection: Connection, *, lock: bool = False) -> ClockState | None:
        row = connection.execute(_READ_LOCKED if lock else _READ).first()
        if row is None:
            return None
        return ClockState(row.business_anchor, row.wall_anchor, row.speed, row.frozen)

    def _write(self, connection: Connection, state: ClockState, *, exists: bool) -> None:
        write_state(connection, state, exists=exists)


def write_state(connection: Connection, state: ClockState, *, exists: bool | None = None) -> None:
    """Store the clock state inside the caller's transaction (a scenario load sets the clock)."""
    if exists is None:
        found = select(sim_clock.c.id).where(sim_clock.c.id == _ROW_ID)
        exists = connection.execute(found).first() is not None
    values = {
        "business_anchor": state.business_anchor,
        "wall_anchor": state.wall_anchor,
        "speed": state.speed,
        "frozen": state.frozen,
    }
    if exists:
        connection.execute(update(sim_clock).where(sim_clock.c.id == _ROW_ID).values(values))
    else:
        connection.execute(insert(sim_clock).values(id=_ROW_ID, **values))


_SHORT_DURATION = re.compile(r"(\d+)([wdhms])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(text: str, *, field: str = "duration") -> dt.timedelta | isodate.Duration:
    """Read ``5d``, ``3h``, ``1d12h``, ``90m`` or an ISO 8601 duration (``P5D``, ``PT3H``, ``P1M``).

    :raises InvalidInput: for anything else.
    """
    value = text.strip()
    if value[:1].upper() == "P":
        try:
            return isodate.parse_duration(value.upper())
        except (isodate.ISO8601Error, ValueError) as error:
            raise InvalidInput(field, f"not an ISO 8601 duration: {text!r}") from error
    parts = _SHORT_DURATION.findall(value.lower())
    if not parts or "".join(n + u for n, u in parts) != value.lower():
        raise InvalidInput(field, f"expected e.g. 5d, 3h, 1d12h, 90m or P5D; got {text!r}")
    try:
        return dt.timedelta(**{_UNITS[u]: int(n) for n, u in parts})
    except OverflowError as error:
        raise InvalidInput(field, f"{text!r} is too long a duration") from error


def parse_instant(text: str, *, field: str = "instant") -> dt.datetime:
    """Read an ISO 8601 instant or date; without an offset it is JST; a date is 00:00 JST.

    :raises DateFormatError: when the text is neither.
    """
    value = text.strip()
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time(), JST)
        instant = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise DateFormatError(
            field, f"expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+09:00]; got {text!r}"
        ) from error
    instant = instant if instant.tzinfo else instant.replace(tzinfo=JST)
    try:
        return _in_range(instant.astimezone(JST), field)
    except OverflowError as error:
        raise InvalidInput(field, "must lie between 1900 and 2199") from error
