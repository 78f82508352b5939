"""What a running app holds: settings, the engine, the business clock, the code catalogue,
the token signer and (in certificate mode) the simulator CA.

``create_app`` builds one and stores it in ``app.extensions["oqs"]``; views reach it through
:func:`current_runtime`. Tests pass their own clock (a fake) to ``create_app``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Engine

from .auth import TokenSigner
from .clock import Clock
from .codes import Catalogue
from .config import Settings
from .faults.board import FaultBoard
from .pki import CertificateAuthority, JpkiHolder
from .profiles import Profiles
from .store import SqlUnitOfWork

__all__ = ["Runtime", "current_runtime"]


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock
    admin_token: str
    catalogue: Catalogue
    signer: TokenSigner
    ca: CertificateAuthority | None  # set when institutions must present certificates
    profiles: Profiles  # insurer profiles: registration delays by kind of insurer
    jpki: JpkiHolder  # the JPKI CA of virtual My Number cards, created on first use
    faults: FaultBoard  # the injected faults in force, read before every public request

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)


def current_runtime() -> Runtime:
    return current_app.extensions["oqs"]
