"""A virtual card on disk: the holder's private key and the certificates, in one folder.

    FOLDER/card.key.pem       the card's private key (0600) — never in the database
    FOLDER/card.cert.pem      its 利用者証明用 certificate
    FOLDER/jpki-ca.cert.pem   the simulator's JPKI CA certificate

``oqs-sim card issue --out FOLDER`` writes one; loading a scenario writes one per person with
a card under ``<pki_dir>/cards/<scenario>/<person>/``, so a trainer or a vendor can present
those cards later; ``oqs-sim card bundle SERIAL`` writes a held card's under
``<pki_dir>/cards/_serial/<serial>/`` unless told where (no scenario name starts with ``_``).
"""

from __future__ import annotations

import os
from pathlib import Path

from .jpki import CardBundle

__all__ = ["KEY_FILE", "CERT_FILE", "CA_FILE", "write_bundle", "scenario_card_folder",
           "serial_card_folder"]

KEY_FILE = "card.key.pem"
CERT_FILE = "card.cert.pem"
CA_FILE = "jpki-ca.cert.pem"


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` so that the file never exists with a wider mode than ``mode``."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), mode)
        handle.write(data)


def write_bundle(folder: Path, bundle: CardBundle) -> Path:
    """Write the card's three files into ``folder`` (created 0700); return the folder."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _write(folder / KEY_FILE, bundle.key_pem, 0o600)
    _write(folder / CERT_FILE, bundle.cert_pem, 0o644)
    _write(folder / CA_FILE, bundle.ca_pem, 0o644)
    return folder


def scenario_card_folder(pki_dir: str | os.PathLike[str], scenario: str, handle: str) -> Path:
    """Where loading ``scenario`` keeps the card of its person ``handle``."""
    return Path(pki_dir) / "cards" / scenario / handle


def serial_card_folder(pki_dir: str | os.PathLike[str], serial: str) -> Path:
    """Where ``oqs-sim card bundle`` keeps the card ``serial`` when not told where."""
    return Path(pki_dir) / "cards" / "_serial" / serial
