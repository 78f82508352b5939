"""``/sim/v1/disasters``: disaster declarations — list, declare, extend, end (business time).

Instants are ISO 8601 (without an offset: JST; a date alone: 00:00 JST).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...clock import parse_instant
from ...disaster_mode import service
from ...registry.errors import InvalidInput, MissingField
from ...runtime import current_runtime
from . import bp
from .body import json_object

_DECLARE_KEYS = frozenset({"name", "prefectures", "municipalities", "from", "to"})
_EXTEND_KEYS = frozenset({"to", "prefectures", "municipalities"})


def _known(body: Mapping[str, Any], keys: frozenset[str]) -> None:
    unknown = sorted(set(body) - keys)
    if unknown:
        raise InvalidInput(unknown[0], f"unknown key; expected {', '.join(sorted(keys))}")


def _instant(body: Mapping[str, Any], key: str, *, required: bool = True):
    value = body.get(key)
    if value is None and not required:
        return None
    if value is None or value == "":
        raise MissingField(key, "is required: an ISO 8601 instant")
    if not isinstance(value, str):
        raise InvalidInput(key, "must be an ISO 8601 instant (a string)")
    return parse_instant(value, field=key)


@bp.get("/disasters")
def get_disasters():
    runtime = current_runtime()
    return {"disasters": service.disaster_list(uow=runtime.uow(), clock=runtime.clock)}


@bp.post("/disasters")
def post_disaster():
    """Body: ``{"name", "prefectures": ["17"], "municipalities"?: ["172049"], "from", "to"}``."""
    runtime = current_runtime()
    body = json_object()
    _known(body, _DECLARE_KEYS)
    view = service.declare(
        uow=runtime.uow(), clock=runtime.clock, name=body.get("name"),
        prefectures=body.get("prefectures"), municipalities=body.get("municipalities"),
        starts_at=_instant(body, "from"), ends_at=_instant(body, "to"))
    return view, 201


@bp.post("/disasters/<name>/extend")
def post_disaster_extend(name: str):
    """Body: ``{"to", "prefectures"?: [...], "municipalities"?: [...]}`` (none: all the area)."""
    runtime = current_runtime()
    body = json_object()
    _known(body, _EXTEND_KEYS)
    return service.extend(uow=runtime.uow(), clock=runtime.clock, name=name,
                          ends_at=_instant(body, "to"), prefectures=body.get("prefectures"),
                          municipalities=body.get("municipalities"))


@bp.post("/disasters/<name>/end")
def post_disaster_end(name: str):
    """Body: ``{"at"?: instant}`` (default business now): every part of the area ends then."""
    runtime = current_runtime()
    body = json_object(required=False)
    _known(body, frozenset({"at"}))
    return service.end(uow=runtime.uow(), clock=runtime.clock, name=name,
                       at=_instant(body, "at", required=False))
