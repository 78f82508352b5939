"""What the card reader checks of a virtual My Number card: the card signs the reader's nonce
with its key, and the signature and the certificate verify against the JPKI CA.

- The card signs the nonce with RSASSA-PKCS1-v1_5 and SHA-256 (:func:`sign_nonce`).
- :func:`verify_card` raises :class:`~simulator.registry.errors.CardRefused` with
  ``card_signature_invalid`` (unreadable, another issuer, not a card certificate, bad
  signature) or ``card_expired`` (outside its validity, at a business instant).
- The certificate that verified carries its SHA-256 fingerprint; :func:`fingerprint` gives the
  same of a stored certificate, so the reader can tell the card's current certificate from an
  earlier one with the same serial.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..registry.errors import CardRefused
from .jpki import JpkiCa
from .verify import CertificateInvalid, load_certificate

__all__ = ["CardCertificate", "sign_nonce", "verify_card", "fingerprint"]

_PADDING = padding.PKCS1v15()


@dataclass(frozen=True)
class CardCertificate:
    """A card certificate that verified: its serial (hexadecimal), validity and SHA-256
    fingerprint."""

    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    fingerprint: bytes


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
                           card.not_valid_after_utc, card.fingerprint(hashes.SHA256()))


def fingerprint(certificate: str) -> bytes:
    """The SHA-256 fingerprint of a stored card certificate (PEM).

    :raises ValueError: not a PEM certificate.
    """
    return x509.load_pem_x509_certificate(certificate.encode("ascii")).fingerprint(
        hashes.SHA256())


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
