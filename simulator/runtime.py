"""What a running app holds: settings, the engine and the business clock.

``create_app`` builds one and stores it in ``app.extensions["oqs"]``; views reach it through
:func:`current_runtime`. Tests pass their own clock (a fake) to ``create_app``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Engine

from .clock import Clock
from .config import Settings
from .registry.unit_of_work import SqlUnitOfWork

__all__ = ["Runtime", "current_runtime"]


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock
    admin_token: str

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)


def current_runtime() -> Runtime:
    return current_app.extensions["oqs"]
