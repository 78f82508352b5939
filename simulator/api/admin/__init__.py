"""``/sim/v1``: the admin API (docs/interfaces.md). Admin token required on every route.

Clients send ``Authorization: Bearer <admin token>``. Errors answer
``{"error": {"code", "message", "field"}}`` (see :mod:`simulator.api.errors`). The routes are
described in ``openapi.json`` (served at ``/sim/v1/openapi.json``); a test keeps the two equal.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, request

from ...registry.errors import Unauthorized
from ...runtime import current_runtime
from .ids import register_converter

bp = Blueprint("admin", __name__, url_prefix="/sim/v1")
register_converter(bp)  # first: the routes below use <id:...>


@bp.before_request
def require_admin_token() -> None:
    sent = request.headers.get("Authorization", "")
    scheme, _, token = sent.partition(" ")
    expected = current_runtime().admin_token
    sent_token = token.strip().encode("utf-8", "surrogateescape")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent_token, expected.encode()):
        raise Unauthorized("admin token required: send 'Authorization: Bearer <token>'")


@bp.after_request
def refresh_faults(response):
    """A write may have started or ended a fault (directly, or by a scenario or a reset): this
    process reads the faults again on its next public request."""
    if request.method != "GET":
        current_runtime().faults.invalidate()
    return response


from . import (  # noqa: E402,F401
    cards,
    clock,
    disasters,
    faults,
    imports,
    medical,
    openapi,
    population,
    registry,
    scenarios,
)
