"""The simulator's PKI: a CA on disk, the certificates it issues, and client-certificate checks.

See :mod:`simulator.pki.ca` (issuing) and :mod:`simulator.pki.verify` (reading and checking,
with the ``Certificate*`` error tree); :mod:`simulator.pki.jpki` is the JPKI CA of virtual My
Number cards and :mod:`simulator.pki.card_check` what the card reader checks of a card.
"""

from __future__ import annotations

from .ca import (
    CA_CERT_FILE,
    CA_KEY_FILE,
    CLOCK_SKEW,
    CertificateAuthority,
    IssuedCertificate,
    init_ca,
    issue_client_certificate,
    issue_server_certificate,
    load_ca,
)
from .card_check import CardCertificate, sign_nonce, verify_card
from .jpki import (
    CardBundle,
    JpkiCa,
    JpkiHolder,
    ensure_jpki_ca,
    issue_card_certificate,
)
from .verify import (
    MAX_CERTIFICATE_SIZE,
    CertificateError,
    CertificateExpired,
    CertificateInvalid,
    CertificateMissing,
    CertificateNotOurs,
    ClientIdentity,
    certificate_pem,
    load_certificate,
    verify_client_certificate,
)

__all__ = [
    "CA_CERT_FILE",
    "CA_KEY_FILE",
    "CLOCK_SKEW",
    "CardBundle",
    "CardCertificate",
    "JpkiCa",
    "JpkiHolder",
    "ensure_jpki_ca",
    "issue_card_certificate",
    "sign_nonce",
    "verify_card",
    "MAX_CERTIFICATE_SIZE",
    "CertificateAuthority",
    "CertificateError",
    "CertificateExpired",
    "CertificateInvalid",
    "CertificateMissing",
    "CertificateNotOurs",
    "ClientIdentity",
    "IssuedCertificate",
    "certificate_pem",
    "init_ca",
    "issue_client_certificate",
    "issue_server_certificate",
    "load_ca",
    "load_certificate",
    "verify_client_certificate",
]
