"""Read a client certificate in whatever form it arrives and check it against the CA.

Errors (all :class:`~simulator.registry.errors.Unauthorized`, hence :class:`OqsError`)::

    CertificateError          base; ``code`` names the catalogue entry
    ├── CertificateMissing    "certificate_missing": none was presented (raised by callers)
    ├── CertificateInvalid    "certificate_invalid": unreadable, no clientAuth, CN not 10 digits
    ├── CertificateExpired    "certificate_expired": ``at`` is outside [not_before, not_after)
    └── CertificateNotOurs    "certificate_invalid": not issued (or not signed) by our CA

Contract:

- :func:`load_certificate` accepts PEM (bytes or str), DER bytes, the URL-encoded PEM nginx puts
  in a header (``$ssl_client_escaped_cert``) and a PEM whose newlines became spaces or tabs (as
  some proxies send in ``X-SSL-Client-Cert``). Only the first certificate of a chain is read.
  Nothing but :class:`CertificateInvalid` escapes it.
- :func:`verify_client_certificate` checks, in this order: issuer and signature, validity at
  ``at`` (half-open), ExtendedKeyUsage clientAuth, a 10-digit CN (医療機関コード).
  Revocation is *not* checked here: the store keeps the revoked serials and the caller asks it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from simulator.registry.errors import Unauthorized

from .ca import CertificateAuthority

__all__ = [
    "CertificateError",
    "CertificateMissing",
    "CertificateInvalid",
    "CertificateExpired",
    "CertificateNotOurs",
    "ClientIdentity",
    "MAX_CERTIFICATE_SIZE",
    "load_certificate",
    "verify_client_certificate",
    "certificate_pem",
]

MAX_CERTIFICATE_SIZE = 64 * 1024  # characters or bytes, in whatever form it arrives

_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.DOTALL)
_WHITESPACE = re.compile(r"\s+")
_INSTITUTION_CODE = re.compile(r"[0-9]{10}")


class CertificateError(Unauthorized):
    """The client certificate does not admit the caller."""

    code = "certificate_invalid"


class CertificateMissing(CertificateError):
    """No client certificate was presented."""

    code = "certificate_missing"


class CertificateInvalid(CertificateError):
    """The certificate cannot be read or is not a medical institution's client certificate."""

    code = "certificate_invalid"


class CertificateExpired(CertificateError):
    """The certificate has expired or is not yet valid."""

    code = "certificate_expired"


class CertificateNotOurs(CertificateError):
    """The certificate was not issued by the simulator's CA."""

    code = "certificate_invalid"  # the catalogue has one entry for both


@dataclass(frozen=True)
class ClientIdentity:
    """Who a verified client certificate says the caller is."""

    serial: int
    institution_code: str  # 医療機関コード, from the subject CN
    not_after: dt.datetime


# --- reading ------------------------------------------------------------------------------------


def load_certificate(data: bytes | str) -> x509.Certificate:
    """Read one certificate from PEM, DER, nginx-escaped PEM or whitespace-joined PEM.

    :raises CertificateInvalid: the data holds no readable certificate.
    """
    if not data:
        raise CertificateInvalid("証明書が空です。")
    if len(data) > MAX_CERTIFICATE_SIZE:
        raise CertificateInvalid("証明書が大きすぎます。")
    if isinstance(data, bytes) and data[:1] == b"\x30":  # an ASN.1 SEQUENCE: DER
        return _from_der(data)
    return _from_der(_der_from_pem_text(_as_text(data)))


def _as_text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise CertificateInvalid("証明書がPEMでもDERでもありません。") from None


def _der_from_pem_text(text: str) -> bytes:
    """Return the DER inside the first PEM block, whatever became of its line breaks."""
    if "%" in text:
        text = urllib.parse.unquote(text)  # not unquote_plus: '+' is a base64 character
    match = _PEM_BLOCK.search(text)
    if match is None:
        raise CertificateInvalid("PEMの証明書ブロックがありません。")
    body = _WHITESPACE.sub("", match.group(1))
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise CertificateInvalid("証明書のbase64が正しくありません。") from None


def _from_der(der: bytes) -> x509.Certificate:
    try:
        certificate = x509.load_der_x509_certificate(der)
        _ = certificate.extensions  # parsed lazily: make a malformed extension fail here
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise CertificateInvalid("証明書を読み取れません。") from None
    return certificate


def certificate_pem(certificate: x509.Certificate) -> bytes:
    """Return ``certificate`` as PEM."""
    return certificate.public_bytes(serialization.Encoding.PEM)


# --- checking -----------------------------------------------------------------------------------


def verify_client_certificate(
    ca: CertificateAuthority, certificate: x509.Certificate, *, at: dt.datetime
) -> ClientIdentity:
    """Check that ``certificate`` is a client certificate of ours, valid at ``at``.

    :raises CertificateNotOurs: another issuer, or the signature does not verify with our key.
    :raises CertificateExpired: ``at`` is before not_before or at/after not_after.
    :raises CertificateInvalid: no clientAuth usage, or the CN is not a 10-digit code.
    """
    _require_issued_by(ca, certificate)
    _require_valid_at(certificate, at)
    _require_client_auth(certificate)
    return ClientIdentity(
        serial=certificate.serial_number,
        institution_code=_institution_code(certificate),
        not_after=certificate.not_valid_after_utc,
    )


def _require_issued_by(ca: CertificateAuthority, certificate: x509.Certificate) -> None:
    if certificate.issuer != ca.subject:
        raise CertificateNotOurs("シミュレータの認証局が発行した証明書ではありません。")
    try:
        certificate.verify_directly_issued_by(ca.certificate)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        raise CertificateNotOurs("証明書の署名を検証できません。") from None


def _require_valid_at(certificate: x509.Certificate, at: dt.datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at: must be timezone-aware")
    if at < certificate.not_valid_before_utc:
        raise CertificateExpired(
            f"証明書の有効期間がまだ始まっていません（{certificate.not_valid_before_utc.isoformat()}から）。"
        )
    if at >= certificate.not_valid_after_utc:
        raise CertificateExpired(
            f"証明書の有効期間が終わっています（{certificate.not_valid_after_utc.isoformat()}まで）。"
        )


def _require_client_auth(certificate: x509.Certificate) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise CertificateInvalid("証明書に拡張鍵用途がありません。") from None
    except ValueError:
        raise CertificateInvalid("証明書の拡張を読み取れません。") from None
    if ExtendedKeyUsageOID.CLIENT_AUTH not in usage:
        raise CertificateInvalid("クライアント認証用の証明書ではありません。")


def _institution_code(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    code = names[0].value if len(names) == 1 else None
    if not isinstance(code, str) or not _INSTITUTION_CODE.fullmatch(code):
        raise CertificateInvalid("証明書のCNが10桁の医療機関コードではありません。")
    return code
