"""Scenarios, the life-event log and resets (part of the repository)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from . import schema

__all__ = ["ScenarioQueries"]


class ScenarioQueries:
    """Mixed into :class:`~.repository.Repository`; works on ``self.connection``."""

    connection: Connection

    # -- scenarios and the event log ---------------------------------------------------------

    def add_scenario(self, *, name: str, title: str, description: str, source: str,
                     clock: dt.datetime) -> None:
        self.connection.execute(insert(schema.scenarios).values(
            name=name, title=title, description=description, source=source, clock=clock))

    def scenario(self, name: str) -> Any | None:
        table = schema.scenarios
        return self.connection.execute(select(table).where(table.c.name == name)).first()

    def scenarios(self) -> list[Any]:
        table = schema.scenarios
        return self.connection.execute(select(table).order_by(table.c.name)).all()

    def add_event(self, *, kind: str, at: dt.datetime, params: dict[str, Any],
                  person_id: int | None, scenario: str | None,
                  registered_at: dt.datetime | None, late: bool) -> int:
        result = self.connection.execute(insert(schema.events).values(
            kind=kind, at=at, params=params, person_id=person_id, scenario=scenario,
            registered_at=registered_at, late=late))
        return result.inserted_primary_key[0]

    def event(self, event_id: int) -> Any | None:
        table = schema.events
        return self.connection.execute(select(table).where(table.c.id == event_id)).first()

    def events(self, *, scenario: str | None = None, person_id: int | None = None) -> list[Any]:
        table = schema.events
        statement = select(table).order_by(table.c.at, table.c.id)
        if scenario is not None:
            statement = statement.where(table.c.scenario == scenario)
        if person_id is not None:
            statement = statement.where(table.c.person_id == person_id)
        return self.connection.execute(statement).all()

    # -- resets --------------------------------------------------------------------------------

    def link_institution(self, scenario: str, code: str) -> None:
        """Record that a loaded scenario declares this institution."""
        self.connection.execute(insert(schema.scenario_institutions).values(
            scenario=scenario, institution_code=code))

    def delete_scenario(self, name: str) -> bool:
        """Remove the scenario and everything it loaded; False when it is not loaded.

        An institution it declared goes too, unless another loaded scenario declares it.
        """
        for table in (schema.events, schema.persons):
            self.connection.execute(delete(table).where(table.c.scenario == name))
        table = schema.scenarios
        found = self.connection.execute(delete(table).where(table.c.name == name)).rowcount == 1
        links = schema.scenario_institutions  # the scenario's links went with it (cascade)
        declared = select(links.c.institution_code)
        institutions = schema.institutions
        self.connection.execute(delete(institutions).where(
            institutions.c.scenario.is_not(None), institutions.c.code.not_in(declared)))
        return found

    def delete_person(self, person_id: int) -> bool:
        table = schema.persons
        result = self.connection.execute(delete(table).where(table.c.id == person_id))
        return result.rowcount == 1

    def delete_registry(self) -> None:
        """Remove every person (with their cards, consents, drug records, checkups, 照会番号
        and audit entries), record, event, notice, scenario, scenario institution, disaster
        declaration, emergency mode, injected fault and bulk job.

        Institutions registered outside scenarios (CLI, demo) keep their accounts and
        certificates; insurers go with the records that named them.
        """
        kept = {"sim_clock", "institutions", "institution_certificates", "scenarios", "insurers"}
        for table in reversed(schema.metadata.sorted_tables):
            if table.name not in kept:
                self.connection.execute(delete(table))
        self.connection.execute(
            delete(schema.institutions).where(schema.institutions.c.scenario.is_not(None)))
        self.connection.execute(delete(schema.scenarios))
        self.connection.execute(delete(schema.insurers))
