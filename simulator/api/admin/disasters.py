"""``/sim/v1/disasters``: disaster declarations — list, declare, extend, end (business time).

Instants are ISO 8601 (without an offset: JST; a date alone: 00:00 JST).
"""

from __future__ import annotations

from ...disaster_mode import service
from ...runtime import current_runtime
from . import bp
from .body import body_instant, json_object, known_keys

_DECLARE_KEYS = frozenset({"name", "prefectures", "municipalities", "from", "to"})
_EXTEND_KEYS = frozenset({"to", "prefectures", "municipalities"})


@bp.get("/disasters")
def get_disasters():
    runtime = current_runtime()
    return {"disasters": service.disaster_list(uow=runtime.uow(), clock=runtime.clock)}


@bp.post("/disasters")
def post_disaster():
    """Body: ``{"name", "prefectures": ["17"], "municipalities"?: ["172049"], "from", "to"}``."""
    runtime = current_runtime()
    body = json_object()
    known_keys(body, _DECLARE_KEYS)
    view = service.declare(
        uow=runtime.uow(), clock=runtime.clock, name=body.get("name"),
        prefectures=body.get("prefectures"), municipalities=body.get("municipalities"),
        starts_at=body_instant(body, "from"), ends_at=body_instant(body, "to"))
    return view, 201


@bp.post("/disasters/<name>/extend")
def post_disaster_extend(name: str):
    """Body: ``{"to", "prefectures"?: [...], "municipalities"?: [...]}`` (none: all the area)."""
    runtime = current_runtime()
    body = json_object()
    known_keys(body, _EXTEND_KEYS)
    return service.extend(uow=runtime.uow(), clock=runtime.clock, name=name,
                          ends_at=body_instant(body, "to"), prefectures=body.get("prefectures"),
                          municipalities=body.get("municipalities"))


@bp.post("/disasters/<name>/end")
def post_disaster_end(name: str):
    """Body: ``{"at"?: instant}`` (default business now): every part of the area ends then."""
    runtime = current_runtime()
    body = json_object(required=False)
    known_keys(body, frozenset({"at"}))
    return service.end(uow=runtime.uow(), clock=runtime.clock, name=name,
                       at=body_instant(body, "at", required=False))
