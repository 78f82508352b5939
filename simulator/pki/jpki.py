"""The simulator's JPKI: a CA for virtual My Number cards, and the cards' certificates.

The real card carries a 利用者証明用電子証明書 (RSA-2048, issued by J-LIS) whose subject holds no
personal data; the reader proves the card is present by signing a nonce with the card's key
(the signature and its checks: :mod:`.card_check`). The simulator keeps its own
"oqs-sim JPKI CA" in ``<pki_dir>/jpki/``::

    ca.key.pem    the CA's RSA private key, unencrypted PKCS#8, mode 0600
    ca.cert.pem   its self-signed certificate

Contract:

- The CA is created on first use, race-safely: several workers may start at once. Each file is
  written to a temporary file and hard-linked into place (``os.link`` fails when the name
  exists), then everybody reads back what won. :class:`JpkiHolder` does this lazily, once per
  process, and caches the result.
- Card certificates live in *business* time (they belong to the story, not to the wire):
  ``issue_card_certificate(ca, at=..., expires=...)`` is valid ``[at, expires)``, and
  :func:`~.card_check.verify_card` checks them at a business instant. The CA itself spans every
  instant the business clock allows from 1950 to 2200.
- A card's serial is chosen at random (:func:`new_card_serial`), or given: a card held in the
  store without a certificate gets one for the serial it already has.
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
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .ca import read_certificate_file

__all__ = [
    "JPKI_DIR",
    "JPKI_CA_NAME",
    "JpkiCa",
    "JpkiHolder",
    "CardBundle",
    "ensure_jpki_ca",
    "issue_card_certificate",
    "new_card_serial",
    "serial_number",
]

JPKI_DIR = "jpki"
JPKI_CA_NAME = "oqs-sim JPKI CA"
KEY_FILE = "ca.key.pem"
CERT_FILE = "ca.cert.pem"
KEY_BITS = 2048
#: X.509 (as cryptography writes it) starts in 1950; cards cannot be issued earlier.
CA_NOT_BEFORE = dt.datetime(1950, 1, 1, tzinfo=dt.UTC)
CA_NOT_AFTER = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
#: X.509 serials are positive and at most 20 octets (RFC 5280 4.1.2.2).
SERIAL_LIMIT = 2**159


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


def new_card_serial() -> str:
    """A fresh card serial as the store keeps it: lower-case hexadecimal, random, below
    2^159."""
    return format(x509.random_serial_number(), "x")


def serial_number(serial: str) -> int:
    """The certificate serial number of a card serial as the store keeps it.

    :raises ValueError: not lower-case hexadecimal without leading zeros, or not in
        ``1 .. 2^159 - 1``.
    """
    try:
        number = int(serial, 16) if serial.isascii() and serial.isalnum() else None
    except ValueError:
        number = None
    if number is None or format(number, "x") != serial:
        raise ValueError("serial: must be lower-case hexadecimal without leading zeros")
    if not 0 < number < SERIAL_LIMIT:
        raise ValueError("serial: must be from 1 to 2^159 - 1")
    return number


def issue_card_certificate(
    ca: JpkiCa, *, at: dt.datetime, expires: dt.datetime, serial: str | None = None
) -> CardBundle:
    """Issue a card key and its 利用者証明用 certificate, valid ``[at, expires)`` (seconds),
    with ``serial`` (as the store keeps it; default a new random one). The key is new each time.

    The subject is C=JP, O=JPKI, CN=<serial>: no name, birthdate or 個人番号, as on the real
    certificate.

    :raises ValueError: ``at`` or ``expires`` is naive, ``at`` is before 1950, ``expires``
        is not after ``at``, or ``serial`` is not a card serial (:func:`serial_number`).
    """
    not_before, not_after = _utc_second(at, "at"), _utc_second(expires, "expires")
    if not_before < CA_NOT_BEFORE:
        raise ValueError("at: cards cannot be issued before 1950")
    if not_after <= not_before:
        raise ValueError("expires: must be after the issue instant")
    number = serial_number(serial if serial is not None else new_card_serial())
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI"),
        x509.NameAttribute(NameOID.COMMON_NAME, format(number, "x")),
    ])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(number)
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
        serial=format(number, "x"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


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
