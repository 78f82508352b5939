"""Use cases of disaster declarations: declare, extend, end, list (business time).

The ``*_in`` functions work inside the caller's transaction (scenario events use them); the
others take their dependencies keyword-only and own the transaction.

Ending: ``at`` defaults to business now. Ending at or before the start cancels the declaration
(it covers nothing); ending one already ended, or whose whole period is already over by ``at``,
is refused (:class:`Conflict`). An ended declaration cannot be extended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from ..clock import Clock
from ..periods import iso_jst
from ..registry.errors import Conflict, InvalidInput, NotFound
from ..registry.services import UnitOfWork
from . import rules
from .model import Disaster, last_end, status

if TYPE_CHECKING:
    from ..store import Repository

__all__ = ["declare_in", "extend_in", "end_in", "declare", "extend", "end", "disaster_list",
           "disaster_view"]


def disaster_view(disaster: Disaster, *, at: dt.datetime) -> dict[str, Any]:
    """The declaration as the admin API and the CLI show it, with its status at ``at``."""
    state = status(disaster, at)
    return {
        "id": disaster.id,
        "name": disaster.name,
        "prefectures": list(disaster.prefectures),
        "municipalities": list(disaster.municipalities),
        "from": iso_jst(disaster.starts_at),
        "to": iso_jst(disaster.ends_at),
        "extensions": [{"to": iso_jst(e.ends_at), "prefectures": list(e.prefectures),
                        "municipalities": list(e.municipalities)} for e in disaster.extensions],
        "ended_at": iso_jst(disaster.ended_at),
        "last_end": iso_jst(last_end(disaster)),
        "status": state.value,
        "active": state.value == "active",
    }


def _find(repo: Repository, name: object, field: str | None) -> Disaster:
    found = repo.disaster(name) if isinstance(name, str) else None
    if found is not None:
        return found
    if field is None:
        raise NotFound(f"no disaster named {name!r}")
    raise InvalidInput(field, f"no disaster named {name!r}")


def _field(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# -- inside the caller's transaction ------------------------------------------------------------


def declare_in(repo: Repository, *, name: object, prefectures: object, municipalities: object,
               starts_at: dt.datetime, ends_at: dt.datetime, scenario: str | None = None,
               path: str = "") -> Disaster:
    """Store a new declaration; return it with its id.

    :raises InvalidInput: see :func:`rules.new_disaster`.
    :raises Conflict: a declaration of that name exists.
    """
    disaster = rules.new_disaster(name=name, prefectures=prefectures,
                                  municipalities=municipalities, starts_at=starts_at,
                                  ends_at=ends_at, path=path)
    if repo.disaster(disaster.name) is not None:
        raise Conflict(f"{_field(path, 'name')}: a disaster named {disaster.name!r} exists")
    return replace(disaster, id=repo.add_disaster(disaster, scenario=scenario))


def extend_in(repo: Repository, *, name: object, ends_at: dt.datetime,
              prefectures: object = None, municipalities: object = None, path: str = "",
              by_field: bool = False) -> Disaster:
    """Extend the named declaration to ``ends_at`` for the part of its area given."""
    disaster = _find(repo, name, _field(path, "name") if by_field else None)
    extension = rules.new_extension(disaster, ends_at=ends_at, prefectures=prefectures,
                                    municipalities=municipalities, path=path)
    repo.add_extension(disaster.id, extension)
    return repo.disaster(disaster.name)


def end_in(repo: Repository, *, name: object, at: dt.datetime, path: str = "",
           by_field: bool = False) -> Disaster:
    """End the named declaration at ``at`` (every part of its area)."""
    disaster = rules.ended(_find(repo, name, _field(path, "name") if by_field else None), at)
    repo.end_disaster(disaster.id, at=at)
    return disaster


# -- use cases ----------------------------------------------------------------------------------


def declare(*, uow: UnitOfWork, clock: Clock, name: object, prefectures: object,
            municipalities: object = None, starts_at: dt.datetime,
            ends_at: dt.datetime) -> dict[str, Any]:
    """Declare a disaster; return its view at business now."""
    now = clock.now()
    with uow:
        disaster = declare_in(uow.repo, name=name, prefectures=prefectures,
                              municipalities=municipalities, starts_at=starts_at,
                              ends_at=ends_at)
        try:
            uow.commit()
        except IntegrityError:  # declared by someone else meanwhile
            raise Conflict(f"name: a disaster named {disaster.name!r} exists") from None
    return disaster_view(disaster, at=now)


def extend(*, uow: UnitOfWork, clock: Clock, name: str, ends_at: dt.datetime,
           prefectures: object = None, municipalities: object = None) -> dict[str, Any]:
    """Extend the declaration ``name`` to ``ends_at`` (part of its area, or all of it)."""
    now = clock.now()
    with uow:
        disaster = extend_in(uow.repo, name=name, ends_at=ends_at, prefectures=prefectures,
                             municipalities=municipalities)
        uow.commit()
    return disaster_view(disaster, at=now)


def end(*, uow: UnitOfWork, clock: Clock, name: str,
        at: dt.datetime | None = None) -> dict[str, Any]:
    """End the declaration ``name`` at ``at`` (default business now)."""
    now = clock.now()
    with uow:
        disaster = end_in(uow.repo, name=name, at=at or now)
        uow.commit()
    return disaster_view(disaster, at=now)


def disaster_list(*, uow: UnitOfWork, clock: Clock) -> list[dict[str, Any]]:
    """Every declaration with its status at business now, the earliest start first."""
    now = clock.now()
    with uow:
        found = uow.repo.disasters()
    return [disaster_view(disaster, at=now) for disaster in found]
