"""Registering institutions with a Web API account and a client certificate; revocation.

Certificates are wall-clock artefacts (docs/architecture.md): ``at`` is the wall time of issuing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..auth import hash_password
from ..pki import CertificateAuthority, IssuedCertificate, issue_client_certificate
from ..registry.errors import Conflict, NotFound
from ..registry.identifiers import parse_institution_code
from ..registry.model import Institution

if TYPE_CHECKING:
    from ..store import SqlUnitOfWork

__all__ = ["register_institution", "revoke_certificates"]


def register_institution(
    *, uow: SqlUnitOfWork, ca: CertificateAuthority, code: str, name: str, user: str,
    password: str, at: dt.datetime, municipality: str | None = None,
) -> IssuedCertificate:
    """Add the institution, its account and a client certificate; return the certificate.

    :raises InvalidInput / CheckDigitError: for a bad 医療機関コード.
    :raises Conflict: when the code or the account is taken.
    """
    parsed = parse_institution_code(code, field="CODE")
    with uow:
        if uow.repo.get_institution(parsed.code) is not None:
            raise Conflict(f"institution {parsed.code} is already registered")
        if uow.repo.account(user) is not None:
            raise Conflict(f"the account {user!r} is taken")
        uow.repo.add_institution(Institution(
            parsed.code, name, parsed.kind, parsed.prefecture, municipality))
        uow.repo.set_account(parsed.code, account=user, password_hash=hash_password(password))
        issued = issue_client_certificate(
            ca, institution_code=parsed.code, institution_name=name, at=at)
        uow.repo.add_certificate(serial=issued.serial, institution_code=parsed.code,
                                 not_before=issued.not_before, not_after=issued.not_after)
        uow.commit()
    return issued


def revoke_certificates(*, uow: SqlUnitOfWork, code: str, at: dt.datetime) -> list[int]:
    """Revoke every live certificate of the institution from ``at``; return their serials.

    :raises NotFound: for an unknown institution.
    """
    with uow:
        if uow.repo.get_institution(code) is None:
            raise NotFound(f"no institution {code}")
        serials = [int(row.serial, 16) for row in uow.repo.certificates_of(code)
                   if row.revoked_at is None]
        for serial in serials:
            uow.repo.revoke_certificate(serial, at=at)
        uow.commit()
    return serials
