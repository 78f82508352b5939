"""``GET /healthz``: the process answers and the database is reachable."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..runtime import current_runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    runtime = current_runtime()
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
