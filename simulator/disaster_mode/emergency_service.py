"""Use cases of emergency mode: switch an institution on, end it, list (business time)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..clock import Clock
from ..periods import iso_jst
from ..registry.errors import InvalidInput, NotFound
from ..registry.identifiers import parse_institution_code
from ..registry.model import JST
from ..registry.services import UnitOfWork
from .emergency import EmergencyMode, active_mode, ended, mode_status, new_mode

if TYPE_CHECKING:
    from ..store import Repository

__all__ = ["start_in", "end_in", "start", "end", "mode_list", "mode_view"]


def mode_view(mode: EmergencyMode, *, at: dt.datetime) -> dict[str, Any]:
    state = mode_status(mode, at)
    return {"id": mode.id, "institution": mode.institution, "reason": mode.reason,
            "from": iso_jst(mode.starts_at), "to": iso_jst(mode.ends_at),
            "ended_at": iso_jst(mode.ended_at), "status": state, "active": state == "active"}


def _institution(repo: Repository, value: object, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInput(field, "is required: a 10-digit 医療機関コード")
    code = parse_institution_code(value, field=field).code
    if repo.get_institution(code) is None:
        raise InvalidInput(field, f"no institution {code} is registered")
    return code


def start_in(repo: Repository, *, institution: object, starts_at: dt.datetime,
             ends_at: dt.datetime | None, reason: object = "", scenario: str | None = None,
             path: str = "") -> EmergencyMode:
    """Switch ``institution`` into emergency mode from ``starts_at``; return the mode."""
    code = _institution(repo, institution, f"{path}.institution" if path else "institution")
    mode = new_mode(repo.emergency_modes(code), institution=code, starts_at=starts_at,
                    ends_at=ends_at, reason=reason, path=path)
    return replace(mode, id=repo.add_emergency_mode(mode, scenario=scenario))


def end_in(repo: Repository, *, mode: EmergencyMode | None, at: dt.datetime,
           missing: Exception) -> EmergencyMode:
    if mode is None:
        raise missing
    stopped = ended(mode, at)
    repo.end_emergency_mode(mode.id, at=at)
    return stopped


def end_institution_in(repo: Repository, *, institution: object, at: dt.datetime,
                       path: str = "") -> EmergencyMode:
    """End the institution's mode active at ``at`` (the scenario event names the institution)."""
    field = f"{path}.institution" if path else "institution"
    code = _institution(repo, institution, field)
    return end_in(repo, mode=active_mode(repo.emergency_modes(code), code, at), at=at,
                  missing=InvalidInput(field, f"{code} is not in emergency mode at "
                                       f"{at.astimezone(JST).isoformat()}"))


def start(*, uow: UnitOfWork, clock: Clock, institution: object,
          starts_at: dt.datetime | None = None, ends_at: dt.datetime | None = None,
          reason: object = "") -> dict[str, Any]:
    """Switch an institution into emergency mode (now, or from ``starts_at``)."""
    now = clock.now()
    with uow:
        mode = start_in(uow.repo, institution=institution, starts_at=starts_at or now,
                        ends_at=ends_at, reason=reason)
        uow.commit()
    return mode_view(mode, at=now)


def end(*, uow: UnitOfWork, clock: Clock, mode_id: int,
        at: dt.datetime | None = None) -> dict[str, Any]:
    """End emergency mode ``mode_id`` at ``at`` (default business now)."""
    now = clock.now()
    with uow:
        mode = end_in(uow.repo, mode=uow.repo.emergency_mode(mode_id), at=at or now,
                      missing=NotFound(f"no emergency mode {mode_id}"))
        uow.commit()
    return mode_view(mode, at=now)


def mode_list(*, uow: UnitOfWork, clock: Clock) -> list[dict[str, Any]]:
    now = clock.now()
    with uow:
        found = uow.repo.emergency_modes()
    return [mode_view(mode, at=now) for mode in found]
