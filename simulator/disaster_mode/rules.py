"""Checking a declaration, an extension and an early end before they are stored (pure).

Field names are those of the admin body and the scenario event (``name``, ``prefectures``,
``municipalities``, ``from``, ``to``, ``at``) under ``path``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ..registry.errors import Conflict, InvalidInput
from ..registry.model import JST
from . import codes
from .model import Disaster, Extension, last_end

__all__ = ["NAME_MAX", "disaster_name", "new_disaster", "new_extension", "ended"]

NAME_MAX = 100
_NAME = re.compile(r"[^/\\\x00-\x1f\x7f]+")


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _jst(instant: dt.datetime) -> str:
    return instant.astimezone(JST).isoformat()


def disaster_name(value: object, field: str = "name") -> str:
    """A declaration's name: 1–100 characters, no slash or control character."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "is required: the disaster's name")
    name = value.strip()
    if len(name) > NAME_MAX or not _NAME.fullmatch(name):
        raise InvalidInput(field, f"must be 1–{NAME_MAX} characters without '/' or control "
                           "characters")
    return name


def new_disaster(*, name: object, prefectures: object, municipalities: object,
                 starts_at: dt.datetime, ends_at: dt.datetime, path: str = "") -> Disaster:
    """A declaration from its inputs.

    :raises InvalidInput: a bad name or code, no prefecture, a municipality outside the
        prefectures, a prefecture none of the listed municipalities is in, or ``to`` not after
        ``from``.
    """
    field = _at(path, "prefectures")
    found = codes.prefectures(prefectures, field)
    if not found:
        raise InvalidInput(field, "give at least one prefecture code (01–47)")
    towns = codes.municipalities(municipalities, _at(path, "municipalities"))
    for town in towns:
        if town[:2] not in found:
            raise InvalidInput(_at(path, "municipalities"),
                               f"{town} is not in the prefectures {', '.join(found)}")
    empty = [p for p in found if towns and not any(t.startswith(p) for t in towns)]
    if empty:
        raise InvalidInput(field, f"{empty[0]} has none of the municipalities listed; a "
                           "declaration naming municipalities covers only them")
    if ends_at <= starts_at:
        raise InvalidInput(_at(path, "to"), "must be after from")
    return Disaster(disaster_name(name, _at(path, "name")), found, towns, starts_at, ends_at)


def new_extension(disaster: Disaster, *, ends_at: dt.datetime, prefectures: object = None,
                  municipalities: object = None, path: str = "") -> Extension:
    """An extension of ``disaster`` to ``ends_at`` for the part of its area named.

    :raises Conflict: the declaration was ended.
    :raises InvalidInput: ``to`` not after the declared end, or an area outside the declared.
    """
    if disaster.ended_at is not None:
        raise Conflict(f"{disaster.name}: ended at {_jst(disaster.ended_at)}; it cannot be "
                       "extended")
    if ends_at <= disaster.ends_at:
        raise InvalidInput(_at(path, "to"),
                           f"must be after the declared end {_jst(disaster.ends_at)}")
    field = _at(path, "prefectures")
    found = codes.prefectures(prefectures, field)
    for code in found:
        if code not in disaster.prefectures:
            raise InvalidInput(field, f"{code} is not in the declared area")
    field = _at(path, "municipalities")
    towns = codes.municipalities(municipalities, field)
    for town in towns:
        if not disaster.in_area(town[:2], town):
            raise InvalidInput(field, f"{town} is not in the declared area")
    return Extension(ends_at, found, towns)


def ended(disaster: Disaster, at: dt.datetime) -> Disaster:
    """The declaration ended at ``at`` (at or before its start: cancelled).

    :raises Conflict: it was already ended, or its whole period is over by ``at``.
    """
    if disaster.ended_at is not None:
        raise Conflict(f"{disaster.name}: already ended at {_jst(disaster.ended_at)}")
    if at >= last_end(disaster):
        raise Conflict(f"{disaster.name}: its period is over at {_jst(last_end(disaster))}; "
                       "there is nothing to end")
    return replace(disaster, ended_at=at)
