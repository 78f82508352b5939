"""The simulator's JPKI: a CA for virtual My Number cards and the checks of a card's signature.

The real card carries a 利用者証明用電子証明書 (RSA-2048, issued by J-LIS) whose subject holds no
personal data; the reader proves the card is present by signing a nonce with the card's key.
The simulator keeps its own "oqs-sim JPKI CA" in ``<pki_dir>/jpki/``::

    ca.key.pem    the CA's RSA private key, unencrypted PKCS#8, mode 0600
    ca.cert.pem   its self-signed certificate

Contract:

- The CA is created on first use, race-safely: several workers may start at once. Each file is
  written to a temporary file and hard-linked into place (``os.link`` fails when the name
  exists), then everybody reads back what won. :class:`JpkiHolder` does this lazily, once per
  process, and caches the result.
- Card certificates live in *business* time (they belong to the story, not to the wire):
  ``issue_card_certificate(ca, at=..., expires=...)`` is valid ``[at, expires)``, and
  :func:`verify_card` checks them at a business instant. The CA itself spans every instant the
  business clock allows from 1950 to 2200.
- The card signs the nonce with RSASSA-PKCS1-v1_5 and SHA-256 (:func:`sign_nonce`).
- :func:`verify_card` raises :class:`~simulator.registry.errors.CardRefused` with
  ``card_signature_invalid`` (unreadable, another issuer, not a card certificate, bad
  signature) or ``card_expired`` (outside its validity).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from ..registry.errors import CardRefused
from .ca import read_certificate_file
from .verify import CertificateInvalid, load_certificate

__all__ = [
    "JPKI_DIR",
    "JPKI_CA_NAME",
    "JpkiCa",
    "JpkiHolder",
    "CardBundle",
    "CardCertificate",
    "ensure_jpki_ca",
    "issue_card_certificate",
    "sign_nonce",
    "verify_card",
]

JPKI_DIR = "jpki"
JPKI_CA_NAME = "oqs-sim JPKI CA"
KEY_FILE = "ca.key.pem"
CERT_FILE = "ca.cert.pem"
KEY_BITS = 2048
#: X.509 (as cryptography writes it) starts in 1950; cards cannot be issued earlier.
CA_NOT_BEFORE = dt.datetime(1950, 1, 1, tzinfo=dt.UTC)
CA_NOT_AFTER = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
_PADDING = padding.PKCS1v15()


@dataclass(frozen=True)
class JpkiCa:
    """The JPKI CA's private key and self-signed certificate."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class CardBundle:
    """What a card holder receives: the card's key and certificate, and the CA certificate.

    ``serial`` is hexadecimal (lower case), as the store keeps it; times are aware UTC.
    """

    key_pem: bytes
    cert_pem: bytes
    ca_pem: bytes
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime


@dataclass(frozen=True)
class CardCertificate:
    """A card certificate that verified: its serial (hexadecimal) and validity."""

    serial: str
    not_before: dt.datetime
    not_after: dt.datetime


# --- the CA on disk -----------------------------------------------------------------------------


def ensure_jpki_ca(directory: Path) -> JpkiCa:
    """Return the CA kept in ``directory``, creating it first when there is none.

    :raises ValueError: a file there is not a PEM RSA key / certificate, or they do not match.
    """
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    if not key_path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        _place(key_path, _key_pem(key), mode=0o600)
    key = _read_key(key_path)
    if not cert_path.exists():
        _place(cert_path, _self_signed(key).public_bytes(serialization.Encoding.PEM), mode=0o644)
    ca = JpkiCa(key, read_certificate_file(cert_path))
    if ca.certificate.public_key() != key.public_key():
        raise ValueError(f"{directory}: {KEY_FILE} does not match {CERT_FILE}")
    return ca


def _place(path: Path, data: bytes, *, mode: int) -> None:
    """Write ``data`` at ``path`` unless another process got there first (then keep theirs)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        # another worker may have won: its file is complete (linked only once written)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _self_signed(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "oqs-sim"),
        x509.NameAttribute(NameOID.COMMON_NAME, JPKI_CA_NAME),
    ])
    public_key = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(CA_NOT_BEFORE)
        .not_valid_after(CA_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(signature=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )


def _read_key(path: Path) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise ValueError(f"{path}: not an unencrypted PEM private key") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path}: not an RSA private key")
    return key


class JpkiHolder:
    """Loads (creating on first use) the JPKI CA of ``pki_dir`` once, and keeps it."""

    def __init__(self, pki_dir: str | os.PathLike[str]) -> None:
        self.directory = Path(pki_dir) / JPKI_DIR
        self._ca: JpkiCa | None = None
        self._lock = threading.Lock()

    def ca(self) -> JpkiCa:
        if self._ca is None:
            with self._lock:
                if self._ca is None:
                    self._ca = ensure_jpki_ca(self.directory)
        return self._ca


# --- cards --------------------------------------------------------------------------------------


def issue_card_certificate(ca: JpkiCa, *, at: dt.datetime, expires: dt.datetime) -> CardBundle:
    """Issue a card key and its 利用者証明用 certificate, valid ``[at, expires)`` (seconds).

    The subject is C=JP, O=JPKI, CN=<serial>: no name, birthdate or 個人番号, as on the real
    certificate.

    :raises ValueError: ``at`` or ``expires`` is naive, ``at`` is before 1950, or ``expires``
        is not after ``at``.
    """
    not_before, not_after = _utc_second(at, "at"), _utc_second(expires, "expires")
    if not_before < CA_NOT_BEFORE:
        raise ValueError("at: cards cannot be issued before 1950")
    if not_after <= not_before:
        raise ValueError("expires: must be after the issue instant")
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    serial = x509.random_serial_number()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI"),
        x509.NameAttribute(NameOID.COMMON_NAME, format(serial, "x")),
    ])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signature=True), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.private_key.public_key()),
            critical=False,
        )
        .sign(ca.private_key, hashes.SHA256())
    )
    return CardBundle(
        key_pem=_key_pem(key),
        cert_pem=certificate.public_bytes(serialization.Encoding.PEM),
        ca_pem=ca.cert_pem,
        serial=format(serial, "x"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def sign_nonce(key_pem: bytes, nonce: bytes) -> bytes:
    """Sign ``nonce`` with the card's key, as the card does (RSASSA-PKCS1-v1_5, SHA-256).

    :raises ValueError: ``key_pem`` is not an unencrypted PEM RSA private key.
    """
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise ValueError("not an unencrypted PEM private key") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key.sign(nonce, _PADDING, hashes.SHA256())


def verify_card(
    ca: JpkiCa, *, certificate: bytes | str, signature: bytes, nonce: bytes, at: dt.datetime
) -> CardCertificate:
    """Check that ``certificate`` is a card certificate of our CA, that its key signed
    ``nonce`` (``signature``), and that it is valid at the business instant ``at``.

    :raises CardRefused: ``card_signature_invalid`` or ``card_expired``.
    """
    try:
        card = load_certificate(certificate)
    except CertificateInvalid as error:
        raise _invalid(error.message) from None
    _require_ours(ca, card)
    _require_signed(card, signature, nonce)
    _require_valid_at(card, at)
    return CardCertificate(format(card.serial_number, "x"), card.not_valid_before_utc,
                           card.not_valid_after_utc)


def _invalid(reason: str) -> CardRefused:
    return CardRefused("card_signature_invalid", reason)


def _require_ours(ca: JpkiCa, card: x509.Certificate) -> None:
    if card.issuer != ca.certificate.subject:
        raise _invalid("the certificate was not issued by the JPKI CA")
    try:
        card.verify_directly_issued_by(ca.certificate)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        raise _invalid("the certificate's signature does not verify with the JPKI CA") from None
    try:
        constraints = card.extensions.get_extension_for_class(x509.BasicConstraints).value
    except (x509.ExtensionNotFound, ValueError):
        raise _invalid("the certificate is not a card certificate") from None
    if constraints.ca:
        raise _invalid("the certificate is a CA certificate, not a card's")


def _require_signed(card: x509.Certificate, signature: bytes, nonce: bytes) -> None:
    public_key = card.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise _invalid("the card key is not RSA")
    try:
        public_key.verify(signature, nonce, _PADDING, hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise _invalid("the signature of the nonce does not verify") from None


def _require_valid_at(card: x509.Certificate, at: dt.datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at: must be timezone-aware")
    if at < card.not_valid_before_utc:
        raise CardRefused("card_expired", "the certificate is not yet valid")
    if at >= card.not_valid_after_utc:
        raise CardRefused("card_expired", "the certificate has expired")


def _utc_second(instant: dt.datetime, name: str) -> dt.datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name}: must be timezone-aware")
    return instant.astimezone(dt.UTC).replace(microsecond=0)


def _usage(*, signature: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signature, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=not signature,
        crl_sign=not signature, encipher_only=False, decipher_only=False,
    )


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
