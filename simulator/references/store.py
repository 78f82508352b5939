"""照会番号 (part of the repository)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, bindparam, insert, select, update

from .tables import reference_numbers as _r

__all__ = ["ReferenceQueries"]


# Built once: every lookup asks for the 照会番号 of the persons it shows.
_NUMBERS = select(_r.c.person_id, _r.c.number).where(
    _r.c.institution_code == bindparam("institution"),
    _r.c.person_id.in_(bindparam("persons", expanding=True)))


class ReferenceQueries:
    """Mixed into :class:`simulator.store.Repository`; works on ``self.connection``."""

    connection: Connection

    def set_reference_number(self, *, institution: str, person_id: int, number: str,
                             at: dt.datetime) -> None:
        """Register (or replace) the institution's 照会番号 for the person."""
        where = (_r.c.institution_code == institution, _r.c.person_id == person_id)
        updated = self.connection.execute(
            update(_r).where(*where).values(number=number, registered_at=at))
        if not updated.rowcount:
            self.connection.execute(insert(_r).values(
                institution_code=institution, person_id=person_id, number=number,
                registered_at=at))

    def reference_number(self, *, institution: str, person_id: int) -> str | None:
        return self.reference_numbers(institution=institution, person_ids=[person_id]).get(
            person_id)

    def reference_numbers(self, *, institution: str, person_ids: list[int]) -> dict[int, str]:
        """The institution's 照会番号 of each of ``person_ids`` that has one (one query)."""
        if not person_ids:
            return {}
        rows = self.connection.execute(
            _NUMBERS, {"institution": institution, "persons": person_ids})
        return {row.person_id: row.number for row in rows}
