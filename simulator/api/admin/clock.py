"""``/sim/v1/clock``: read, set and advance the business clock."""

from __future__ import annotations

from ...clock import parse_duration, parse_instant
from ...registry.errors import InvalidInput
from ...runtime import current_runtime
from . import bp
from .body import json_object

_MODES = {"frozen": True, "running": False}


@bp.get("/clock")
def get_clock():
    return current_runtime().clock.describe()


@bp.put("/clock")
def put_clock():
    """Body: ``{"now": ISO 8601, "mode": "frozen"|"running", "speed": number}`` (now required)."""
    body = json_object()
    now = body.get("now")
    if not isinstance(now, str):
        raise InvalidInput("now", "is required: an ISO 8601 instant, e.g. 2026-04-01T09:00+09:00")
    mode = body.get("mode")
    if mode is not None and mode not in _MODES:
        raise InvalidInput("mode", "must be 'frozen' or 'running'")
    speed = body.get("speed")
    if speed is not None and (isinstance(speed, bool) or not isinstance(speed, int | float)):
        raise InvalidInput("speed", "must be a number")
    clock = current_runtime().clock
    clock.set(parse_instant(now, field="now"),
              frozen=None if mode is None else _MODES[mode], speed=speed)
    return clock.describe()


@bp.post("/clock/advance")
def advance_clock():
    """Body: ``{"by": "5d"}`` (5d, 3h, 1d12h, P5D, PT3H, P1M)."""
    by = json_object().get("by")
    if not isinstance(by, str):
        raise InvalidInput("by", "is required: a duration such as 5d, 3h or P1M")
    clock = current_runtime().clock
    clock.advance(parse_duration(by, field="by"))
    return clock.describe()
