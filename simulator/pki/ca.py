"""The simulator's certificate authority (認証局): one EC P-256 key and a self-signed certificate.

The real オンライン資格確認 network admits a medical institution by its client certificate
(電子証明書). The simulator plays that role with its own CA, kept as two files in one directory::

    DIR/ca.key.pem    the private key, unencrypted PKCS#8, mode 0600
    DIR/ca.cert.pem   the self-signed CA certificate

Contract:

- :func:`init_ca` creates the directory (mode 0700) and both files; it refuses with
  :class:`FileExistsError` when either file exists, unless ``force``.
- :func:`load_ca` reads them back; a missing file is a :class:`FileNotFoundError` that says to run
  ``oqs-sim ca init``.
- :func:`issue_server_certificate` and :func:`issue_client_certificate` return an
  :class:`IssuedCertificate` (new key + certificate, PEM); nothing is written to disk.
- Time is an argument: every function that needs "now" takes ``at`` (timezone-aware). A
  certificate is valid from ``at`` minus :data:`CLOCK_SKEW` (5 minutes) to ``at + valid_days``.
- Signatures are ECDSA with SHA-256.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from simulator.registry.errors import InvalidInput

__all__ = [
    "CA_CERT_FILE",
    "CA_KEY_FILE",
    "CLOCK_SKEW",
    "CertificateAuthority",
    "IssuedCertificate",
    "init_ca",
    "load_ca",
    "issue_server_certificate",
    "issue_client_certificate",
]

CA_KEY_FILE = "ca.key.pem"
CA_CERT_FILE = "ca.cert.pem"
CLOCK_SKEW = dt.timedelta(minutes=5)

_INSTITUTION_CODE = re.compile(r"[0-9]{10}")


@dataclass(frozen=True)
class CertificateAuthority:
    """The CA's private key and self-signed certificate."""

    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def subject(self) -> x509.Name:
        return self.certificate.subject


@dataclass(frozen=True)
class IssuedCertificate:
    """A new key and the certificate the CA signed for it; times are aware UTC."""

    key_pem: bytes
    cert_pem: bytes
    serial: int
    not_before: dt.datetime
    not_after: dt.datetime


# --- the CA itself ------------------------------------------------------------------------------


def init_ca(
    directory: Path,
    *,
    at: dt.datetime,
    name: str = "oqs-sim CA",
    valid_days: int = 3650,
    force: bool = False,
) -> CertificateAuthority:
    """Create a new CA in ``directory`` and write its key and certificate.

    :raises FileExistsError: a CA file already exists there and ``force`` is false.
    """
    directory = Path(directory)
    _refuse_existing(directory, force=force)
    ca = _new_ca(name=name, at=at, valid_days=valid_days)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    _write_file(directory / CA_KEY_FILE, _key_pem(ca.private_key), mode=0o600)
    _write_file(directory / CA_CERT_FILE, ca.cert_pem, mode=0o644)
    return ca


def load_ca(directory: Path) -> CertificateAuthority:
    """Read the CA written by :func:`init_ca`.

    :raises FileNotFoundError: either file is missing.
    :raises ValueError: a file is not a PEM key/certificate, or the key does not match.
    """
    directory = Path(directory)
    key_path, cert_path = directory / CA_KEY_FILE, directory / CA_CERT_FILE
    if not (key_path.is_file() and cert_path.is_file()):
        raise FileNotFoundError(f"no CA in {directory}: run `oqs-sim ca init`")
    ca = CertificateAuthority(_read_key(key_path), read_certificate_file(cert_path))
    _require_matching_key(ca, directory)
    return ca


def _refuse_existing(directory: Path, *, force: bool) -> None:
    existing = [n for n in (CA_KEY_FILE, CA_CERT_FILE) if (directory / n).exists()]
    if existing and not force:
        raise FileExistsError(
            f"a CA already exists in {directory} ({', '.join(existing)}); "
            "refusing to replace it without force"
        )


def _new_ca(*, name: str, at: dt.datetime, valid_days: int) -> CertificateAuthority:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = _base_builder(subject, subject, key.public_key(), at=at, valid_days=valid_days)
    builder = (
        builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return CertificateAuthority(key, builder.sign(key, hashes.SHA256()))


def _write_file(path: Path, data: bytes, *, mode: int) -> None:
    """Write ``data`` so that the file never exists with a wider mode than ``mode``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as file:
        os.fchmod(fd, mode)  # the file may have existed (force) with another mode
        file.write(data)


def _read_key(path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path}: not an unencrypted PEM private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path}: not an EC private key")
    return key


def read_certificate_file(path: Path) -> x509.Certificate:
    """Read a PEM certificate file.

    :raises ValueError: it is not one.
    """
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except ValueError as exc:
        raise ValueError(f"{path}: not a PEM certificate") from exc


def _require_matching_key(ca: CertificateAuthority, directory: Path) -> None:
    if ca.private_key.public_key() != ca.certificate.public_key():
        raise ValueError(f"{directory}: {CA_KEY_FILE} does not match {CA_CERT_FILE}")


# --- issuing ------------------------------------------------------------------------------------


def issue_server_certificate(
    ca: CertificateAuthority,
    *,
    hostnames: Sequence[str],
    at: dt.datetime,
    valid_days: int = 825,
) -> IssuedCertificate:
    """Issue a TLS server certificate for ``hostnames`` (DNS names or IP addresses).

    :raises ValueError: ``hostnames`` is empty.
    """
    if isinstance(hostnames, str) or not hostnames:
        raise ValueError("hostnames: give at least one host name or IP address")
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])])
    return _issue(
        ca,
        subject,
        at=at,
        valid_days=valid_days,
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        san=x509.SubjectAlternativeName([_general_name(h) for h in hostnames]),
    )


def issue_client_certificate(
    ca: CertificateAuthority,
    *,
    institution_code: str,
    institution_name: str,
    at: dt.datetime,
    valid_days: int = 825,
) -> IssuedCertificate:
    """Issue a client certificate for a medical institution (医療機関・薬局).

    The subject is CN=<10-digit 医療機関コード>, O=<name>.

    :raises InvalidInput: the code is not 10 digits or the name is empty.
    """
    _require_institution(institution_code, institution_name)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, institution_code),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, institution_name),
        ]
    )
    return _issue(ca, subject, at=at, valid_days=valid_days, usage=ExtendedKeyUsageOID.CLIENT_AUTH)


def _require_institution(code: str, name: str) -> None:
    if not _INSTITUTION_CODE.fullmatch(code or ""):
        raise InvalidInput("institution_code", "must be 10 digits (医療機関コード)")
    if not (name or "").strip():
        raise InvalidInput("institution_name", "must not be empty")


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _issue(
    ca: CertificateAuthority,
    subject: x509.Name,
    *,
    at: dt.datetime,
    valid_days: int,
    usage: x509.ObjectIdentifier,
    san: x509.SubjectAlternativeName | None = None,
) -> IssuedCertificate:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _leaf_builder(ca, subject, key, at=at, valid_days=valid_days, usage=usage)
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    certificate = builder.sign(ca.private_key, hashes.SHA256())
    return IssuedCertificate(
        key_pem=_key_pem(key),
        cert_pem=certificate.public_bytes(serialization.Encoding.PEM),
        serial=certificate.serial_number,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def _leaf_builder(
    ca: CertificateAuthority,
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    *,
    at: dt.datetime,
    valid_days: int,
    usage: x509.ObjectIdentifier,
) -> x509.CertificateBuilder:
    public_key = key.public_key()
    builder = _base_builder(subject, ca.subject, public_key, at=at, valid_days=valid_days)
    return (
        builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.certificate.public_key()),
            critical=False,
        )
    )


def _base_builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    *,
    at: dt.datetime,
    valid_days: int,
) -> x509.CertificateBuilder:
    not_before, not_after = _validity(at, valid_days)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )


def _validity(at: dt.datetime, valid_days: int) -> tuple[dt.datetime, dt.datetime]:
    """Return ``[at - CLOCK_SKEW, at + valid_days)`` in UTC, to the second (as x509 stores it)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at: must be timezone-aware")
    if valid_days <= 0:
        raise ValueError("valid_days: must be positive")
    at = at.astimezone(dt.UTC).replace(microsecond=0)
    return at - CLOCK_SKEW, at + dt.timedelta(days=valid_days)


def _key_usage(
    *, digital_signature: bool = False, key_cert_sign: bool = False, crl_sign: bool = False
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
