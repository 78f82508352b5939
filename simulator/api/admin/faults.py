"""``/sim/v1/faults`` and ``/sim/v1/emergency``: injected faults and emergency modes.

Faults: list, start (now, or scheduled with ``from``/``to``), end by name. Emergency modes
(緊急時医療情報・資格確認機能): list, switch an institution on, end by id. Instants are
ISO 8601 (without an offset: JST; a date alone: 00:00 JST), in business time.
"""

from __future__ import annotations

from ...disaster_mode import emergency_service
from ...faults import service
from ...faults.rules import KEYS
from ...runtime import current_runtime
from . import bp
from .body import body_instant, json_object, known_keys


@bp.get("/faults")
def get_faults():
    runtime = current_runtime()
    return {"faults": service.fault_list(uow=runtime.uow(), clock=runtime.clock)}


@bp.post("/faults")
def post_fault():
    """Body: the fault's keys (``kind`` required), ``from``/``to`` optional (default: now,
    until ended)."""
    runtime = current_runtime()
    body = json_object()
    known_keys(body, KEYS | {"from", "to"})
    values = {k: v for k, v in body.items() if k not in ("from", "to")}
    view = service.start(uow=runtime.uow(), clock=runtime.clock, values=values,
                         starts_at=body_instant(body, "from", required=False),
                         ends_at=body_instant(body, "to", required=False))
    return view, 201


@bp.post("/faults/<name>/end")
def post_fault_end(name: str):
    """Body: ``{"at"?: instant}`` (default business now)."""
    runtime = current_runtime()
    body = json_object(required=False)
    known_keys(body, frozenset({"at"}))
    view = service.end(uow=runtime.uow(), clock=runtime.clock, name=name,
                       at=body_instant(body, "at", required=False))
    return view


@bp.get("/emergency")
def get_emergency_modes():
    runtime = current_runtime()
    return {"emergency_modes": emergency_service.mode_list(uow=runtime.uow(),
                                                           clock=runtime.clock)}


@bp.post("/emergency")
def post_emergency_mode():
    """Body: ``{"institution", "reason"?, "from"?, "to"?}`` (default: now, until ended)."""
    runtime = current_runtime()
    body = json_object()
    known_keys(body, frozenset({"institution", "reason", "from", "to"}))
    view = emergency_service.start(
        uow=runtime.uow(), clock=runtime.clock, institution=body.get("institution"),
        reason=body.get("reason"), starts_at=body_instant(body, "from", required=False),
        ends_at=body_instant(body, "to", required=False))
    return view, 201


@bp.post("/emergency/<id:mode_id>/end")
def post_emergency_end(mode_id: int):
    """Body: ``{"at"?: instant}`` (default business now)."""
    runtime = current_runtime()
    body = json_object(required=False)
    known_keys(body, frozenset({"at"}))
    return emergency_service.end(uow=runtime.uow(), clock=runtime.clock, mode_id=mode_id,
                                 at=body_instant(body, "at", required=False))
