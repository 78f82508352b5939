"""Disaster declarations in the store (part of the repository; never commits)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, insert, select, update

from . import tables
from .emergency import EmergencyMode
from .model import Disaster, Extension

__all__ = ["DisasterQueries", "EmergencyQueries"]

_d, _e = tables.disasters, tables.disaster_extensions


class DisasterQueries:
    """Mixed into :class:`~simulator.store.Repository`; uses ``self.connection``."""

    connection: Connection

    def add_disaster(self, disaster: Disaster, *, scenario: str | None = None) -> int:
        """Insert the declaration (its extensions too); return its id."""
        result = self.connection.execute(insert(_d).values(
            name=disaster.name, scenario=scenario, prefectures=list(disaster.prefectures),
            municipalities=list(disaster.municipalities), starts_at=disaster.starts_at,
            ends_at=disaster.ends_at, ended_at=disaster.ended_at))
        new_id = result.inserted_primary_key[0]
        for extension in disaster.extensions:
            self.add_extension(new_id, extension)
        return new_id

    def add_extension(self, disaster_id: int, extension: Extension) -> int:
        result = self.connection.execute(insert(_e).values(
            disaster_id=disaster_id, ends_at=extension.ends_at,
            prefectures=list(extension.prefectures),
            municipalities=list(extension.municipalities)))
        return result.inserted_primary_key[0]

    def end_disaster(self, disaster_id: int, *, at: dt.datetime) -> None:
        self.connection.execute(update(_d).where(_d.c.id == disaster_id).values(ended_at=at))

    def disaster(self, name: str) -> Disaster | None:
        found = self._disasters(select(_d).where(_d.c.name == name))
        return found[0] if found else None

    def disasters(self) -> list[Disaster]:
        """Every declaration, the earliest start first (then by name)."""
        return self._disasters(select(_d).order_by(_d.c.starts_at, _d.c.name))

    def _disasters(self, statement) -> list[Disaster]:
        rows = self.connection.execute(statement).all()
        extensions: dict[int, list[Extension]] = defaultdict(list)
        if rows:
            chosen = select(_e).where(_e.c.disaster_id.in_([r.id for r in rows]))
            for row in self.connection.execute(chosen.order_by(_e.c.ends_at, _e.c.id)):
                extensions[row.disaster_id].append(Extension(
                    row.ends_at, tuple(row.prefectures), tuple(row.municipalities), row.id))
        return [_disaster(row, tuple(extensions[row.id])) for row in rows]


def _disaster(row: Any, extensions: tuple[Extension, ...]) -> Disaster:
    return Disaster(row.name, tuple(row.prefectures), tuple(row.municipalities), row.starts_at,
                    row.ends_at, row.ended_at, extensions, row.id)


_m = tables.emergency_modes


class EmergencyQueries:
    """Mixed into the repository: emergency modes (table ``emergency_modes``)."""

    connection: Connection

    def add_emergency_mode(self, mode: EmergencyMode, *, scenario: str | None = None) -> int:
        result = self.connection.execute(insert(_m).values(
            institution_code=mode.institution, scenario=scenario, reason=mode.reason,
            starts_at=mode.starts_at, ends_at=mode.ends_at, ended_at=mode.ended_at))
        return result.inserted_primary_key[0]

    def end_emergency_mode(self, mode_id: int, *, at: dt.datetime) -> None:
        self.connection.execute(update(_m).where(_m.c.id == mode_id).values(ended_at=at))

    def emergency_modes(self, institution: str | None = None) -> list[EmergencyMode]:
        """The modes (of one institution, or all), the earliest start first."""
        statement = select(_m).order_by(_m.c.starts_at, _m.c.id)
        if institution is not None:
            statement = statement.where(_m.c.institution_code == institution)
        return [_mode(row) for row in self.connection.execute(statement)]

    def emergency_mode(self, mode_id: int) -> EmergencyMode | None:
        row = self.connection.execute(select(_m).where(_m.c.id == mode_id)).first()
        return None if row is None else _mode(row)


def _mode(row: Any) -> EmergencyMode:
    return EmergencyMode(row.institution_code, row.starts_at, row.ends_at, row.reason,
                         row.ended_at, row.id)
