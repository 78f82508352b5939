"""oqs-sim: a payer-side reference simulator of オンライン資格確認等システム."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .clock import Clock, SimulatedClock
from .config import Settings, load_settings
from .db import make_engine
from .runtime import Runtime

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the WSGI app from settings (see :mod:`simulator.config`); no data is loaded here."""
    settings = load_settings(config)
    app = Flask(__name__)
    register_runtime(app, settings, clock)
    register_blueprints(app)
    register_error_handlers(app)
    return app


def register_runtime(app: Flask, settings: Settings, clock: Clock | None) -> None:
    engine = make_engine(settings.database_url)
    token = settings.admin_token or secrets.token_urlsafe(24)
    if not settings.admin_token:
        log.warning("no admin_token configured; generated one for this process: %s", token)
    app.extensions["oqs"] = Runtime(
        settings=settings, engine=engine, clock=clock or SimulatedClock(engine), admin_token=token
    )


def register_blueprints(app: Flask) -> None:
    from .api import admin, health

    app.register_blueprint(health.bp)
    app.register_blueprint(admin.bp)


def register_error_handlers(app: Flask) -> None:
    from .api import errors

    errors.register(app)
