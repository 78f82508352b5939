"""oqs-sim: a payer-side reference simulator of オンライン資格確認等システム."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from .auth import TokenSigner
from .clock import Clock, SimulatedClock, wall_now
from .codes import load_catalogue
from .config import ConfigError, Settings, load_settings
from .db import make_engine
from .faults.board import FaultBoard
from .pki import CertificateAuthority, JpkiHolder, load_ca
from .profiles import load_profiles
from .runtime import Runtime

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(
    config: Mapping[str, Any] | None = None, *, clock: Clock | None = None, wall=wall_now
) -> Flask:
    """Build the WSGI app from settings (see :mod:`simulator.config`); no data is loaded here.

    ``clock`` replaces the business clock and ``wall`` the wall clock of token expiry (tests).
    """
    settings = load_settings(config)
    app = Flask(__name__)
    register_runtime(app, settings, clock, wall)
    register_blueprints(app)
    register_error_handlers(app)
    return app


def _generated(value: str | None, what: str) -> str:
    if value:
        return value
    generated = secrets.token_urlsafe(24)
    log.warning("no %s configured; generated one for this process: %s", what, generated)
    return generated


def _certificate_authority(settings: Settings) -> CertificateAuthority | None:
    if settings.auth != "certificate":
        return None
    try:
        return load_ca(Path(settings.pki_dir))
    except (FileNotFoundError, ValueError) as error:
        raise ConfigError(f"auth = certificate needs the simulator CA: {error}") from error


def register_runtime(app: Flask, settings: Settings, clock: Clock | None, wall) -> None:
    engine = make_engine(settings.database_url)
    secret = settings.secret_key or secrets.token_urlsafe(32)
    app.extensions["oqs"] = Runtime(
        settings=settings,
        engine=engine,
        clock=clock or SimulatedClock(engine),
        admin_token=_generated(settings.admin_token, "admin_token"),
        catalogue=load_catalogue(),
        signer=TokenSigner(secret, lifetime=settings.token_lifetime, wall=wall),
        ca=_certificate_authority(settings),
        profiles=load_profiles(),
        jpki=JpkiHolder(settings.pki_dir),
        faults=FaultBoard(engine, refresh=settings.fault_refresh_ms / 1000),
    )


def register_blueprints(app: Flask) -> None:
    from .api import admin, card, emergency, files, health, webapi

    app.register_blueprint(health.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(webapi.bp)
    app.register_blueprint(files.bp)
    app.register_blueprint(card.bp)
    app.register_blueprint(emergency.bp)


def register_error_handlers(app: Flask) -> None:
    from .api import errors

    errors.register(app)
