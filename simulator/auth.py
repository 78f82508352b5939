"""Institution login and the Web API's tokens (docs/interfaces.md).

Login checks the account (userId) and password, and in ``auth = "certificate"`` mode the
institution's client certificate: issued by the simulator CA, within its validity, not revoked
in the store, and belonging to the same institution as the account. It answers accessToken,
refreshToken and idToken; the search takes the bare idToken.

Tokens are signed (itsdangerous) with the server's secret, so every worker accepts them, and
expire after ``token_lifetime`` seconds of *wall* time (not business time).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from .clock import wall_now
from .pki import CertificateAuthority, load_certificate, verify_client_certificate
from .pki.verify import CertificateMissing
from .registry.errors import Unauthorized
from .registry.model import Institution

if TYPE_CHECKING:
    from .store import SqlUnitOfWork

__all__ = ["Tokens", "TokenSigner", "login", "hash_password"]

KINDS = ("access", "refresh", "id")
#: linkSysCharCd of the login answer; its meaning is not public (docs/decisions.md).
LINK_SYS_CHAR_CD = "0"


def hash_password(password: str) -> str:
    return generate_password_hash(password)


@dataclass(frozen=True, slots=True)
class Tokens:
    access: str
    refresh: str
    id: str

    def as_result(self) -> dict[str, str]:
        return {"accessToken": self.access, "refreshToken": self.refresh, "idToken": self.id,
                "linkSysCharCd": LINK_SYS_CHAR_CD}


class TokenSigner:
    """Issues and checks tokens naming an institution, valid for ``lifetime`` seconds."""

    def __init__(
        self, secret: str, *, lifetime: int, wall: Callable[[], dt.datetime] = wall_now
    ) -> None:
        self.lifetime = lifetime
        self.wall = wall
        self._serializers = {k: URLSafeSerializer(secret, salt=f"oqs-{k}-token") for k in KINDS}

    def issue(self, institution_code: str) -> Tokens:
        expires = int(self.wall().timestamp()) + self.lifetime
        nonce = secrets.token_urlsafe(8)
        signed = {k: s.dumps([institution_code, expires, nonce])
                  for k, s in self._serializers.items()}
        return Tokens(signed["access"], signed["refresh"], signed["id"])

    def institution(self, token: str | None, *, kind: str = "id") -> str:
        """The institution code an unexpired token of ``kind`` names.

        :raises Unauthorized: ``token_invalid`` (missing, not ours, wrong kind) or
            ``token_expired``.
        """
        if not token:
            raise Unauthorized("no idToken in the Authorization header", code="token_invalid")
        try:
            code, expires, _ = self._serializers[kind].loads(token.strip())
        except (BadSignature, ValueError, TypeError):
            raise Unauthorized("the token was not issued by this server",
                               code="token_invalid") from None
        if self.wall().timestamp() >= expires:
            raise Unauthorized("the token has expired; log in again", code="token_expired")
        return code


def _check_certificate(
    uow: SqlUnitOfWork, ca: CertificateAuthority, certificate: bytes | str | None,
    institution: Institution, at: dt.datetime,
) -> None:
    if not certificate:
        raise CertificateMissing("no client certificate was presented")
    identity = verify_client_certificate(ca, load_certificate(certificate), at=at)
    stored = uow.repo.certificate(identity.serial)
    if stored is not None and stored.revoked_at is not None and stored.revoked_at <= at:
        raise Unauthorized("the certificate has been revoked", code="certificate_revoked")
    if stored is None or identity.institution_code != institution.code:
        raise Unauthorized("the certificate belongs to another institution",
                           code="certificate_mismatch")


def login(
    *, uow: SqlUnitOfWork, signer: TokenSigner, user_id: object, password: object,
    ca: CertificateAuthority | None = None, certificate: bytes | str | None = None,
) -> tuple[Institution, Tokens]:
    """Log an institution in; ``ca`` given means its certificate is required.

    :raises Unauthorized: with the catalogue code of the first check that fails.
    """
    if not isinstance(user_id, str) or not isinstance(password, str) or not user_id:
        raise Unauthorized("userId and password (strings) are required", code="login_failed")
    with uow:
        found = uow.repo.account(user_id)
        if found is None:
            raise Unauthorized(f"no institution has the account {user_id!r}",
                               code="institution_unknown")
        institution, password_hash = found
        if not password_hash or not check_password_hash(password_hash, password):
            raise Unauthorized("the password does not match", code="login_failed")
        if ca is not None:
            _check_certificate(uow, ca, certificate, institution, signer.wall())
    return institution, signer.issue(institution.code)
