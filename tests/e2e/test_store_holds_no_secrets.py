"""The store never holds a private key (the cards' or the JPKI CA's) nor a 12-digit
個人番号. Every column of every table is scanned after the whole catalogue was loaded (each
person's card issued), a card was issued through the admin API, presented with consents, and
drug and checkup information was fetched.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from simulator import create_app
from simulator.clock import FixedClock
from simulator.pki import sign_nonce
from simulator.scenarios.load import catalogue
from simulator.schema import metadata
from tests.builders import at
from tests.e2e import world
from tests.e2e.conftest import ADMIN_TOKEN, login

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
MY_NUMBER = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
#: Opaque random text in which a run of 12 digits means nothing: salted password and PIN
#: digests, and the hexadecimal serials of random certificates.
OPAQUE = ("institutions.password_hash", "cards.pin_hash", "cards.serial")


def _key_traces(pem: bytes) -> list[bytes]:
    """What would betray a stored key: its PEM lines, its DER, its raw private value."""
    key = serialization.load_pem_private_key(pem, password=None)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    lines = [line for line in pem.splitlines() if line and not line.startswith(b"-----")]
    return [der, base64.b64encode(der)[:64], *lines]


def _values(engine) -> list[tuple[str, object]]:
    found = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                found += [(f"{table.name}.{column}", value)
                          for column, value in row._mapping.items() if value is not None]
    return found


def _as_bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).encode()
    return str(value).encode()


def secrets_in(values: list[tuple[str, object]], traces: list[bytes]) -> list[str]:
    """The places (table.column) holding a private key or a 12-digit number."""
    bad = []
    for place, value in values:
        data = _as_bytes(value)
        if b"PRIVATE KEY" in data or any(trace in data for trace in traces):
            bad.append(f"{place}: private key")
        if place not in OPAQUE and MY_NUMBER.search(data.decode("utf-8", "replace")):
            bad.append(f"{place}: 12-digit number")
    return bad


@pytest.fixture
def pki_dir(tmp_path) -> Path:
    return tmp_path / "pki"


@pytest.fixture
def app(database_url, wall, pki_dir):
    app = create_app({"database_url": database_url, "admin_token": ADMIN_TOKEN,
                      "secret_key": "test-secret", "pki_dir": str(pki_dir)},
                     clock=FixedClock(world.BUSINESS_NOW), wall=wall)
    world.build(app.extensions["oqs"].engine)
    yield app
    app.extensions["oqs"].engine.dispose()


DRUG_REQUEST = (
    "<XmlMsg><MessageHeader><MedicalInstitutionCode>1311000002</MedicalInstitutionCode>"
    "<InsurerNumber>34140020</InsurerNumber><InsuranceCardSymbol>1204</InsuranceCardSymbol>"
    "<InsuredPersonIdentificationNumber>35512</InsuredPersonIdentificationNumber>"
    "<BranchNumber>00</BranchNumber></MessageHeader><MessageBody><FileCategory>2</FileCategory>"
    "</MessageBody></XmlMsg>"
)


def _present_and_fetch(client, bundle: dict) -> None:
    """The clinic's reader presents the card with consents; the clinic then asks for 薬剤情報
    and 特定健診情報 of that patient."""
    token = login(client)
    nonce = client.post("/oqs/card/challenge", headers={"Authorization": token}).get_json()
    signature = sign_nonce(bundle["private_key"].encode(), nonce["nonce"].encode())
    response = client.post("/oqs/card/present", headers={"Authorization": token}, json={
        "nonce": nonce["nonce"], "certificate": bundle["certificate"], "method": "face",
        "signature": base64.b64encode(signature).decode(), "consents": ["drug", "checkup"]})
    assert response.status_code == 200, response.data
    for prefix in ("YZKsiquc01req_", "TKKsiquc01req_"):
        answer = client.post(f"/oqs/files/{prefix}1.xml", data=DRUG_REQUEST.encode(),
                             headers={"Authorization": token})
        assert b"<ResultCode>1</ResultCode>" in answer.data, answer.data


def test_no_table_holds_a_private_key_or_a_12_digit_number(app, pki_dir) -> None:
    client = app.test_client()
    for path in catalogue():
        response = client.post("/sim/v1/scenarios", json={"name": path.stem}, headers=ADMIN)
        assert response.status_code == 201, response.data
    issued = client.post("/sim/v1/cards", json={"person": "twins/takuya"}, headers=ADMIN)
    assert issued.status_code == 201, issued.data
    bundle = issued.get_json()
    _present_and_fetch(client, bundle)

    keys = [bundle["private_key"].encode(), (pki_dir / "jpki" / "ca.key.pem").read_bytes()]
    keys += [p.read_bytes() for p in (pki_dir / "cards").rglob("card.key.pem")]
    assert len(keys) > 20  # the catalogue's cards were really issued (and kept on disk)
    traces = [trace for key in keys for trace in _key_traces(key)]
    values = _values(app.extensions["oqs"].engine)

    assert {place.split(".")[0] for place, _ in values} >= {
        "cards", "consents", "audit_entries", "card_challenges", "drug_records", "checkups"}
    assert secrets_in(values, traces) == []


def test_the_scan_would_see_a_stored_key_or_number(pki_dir) -> None:
    """The scanner is not vacuous: a planted key or 個人番号 is reported where it sits."""
    from simulator.pki.jpki import ensure_jpki_ca

    ensure_jpki_ca(pki_dir / "jpki")
    pem = (pki_dir / "jpki" / "ca.key.pem").read_bytes()
    planted = [("cards.certificate", pem.decode()), ("events.params", {"note": "123456789012"}),
               ("audit_entries.count", 7)]

    assert secrets_in(planted, _key_traces(pem)) == [
        "cards.certificate: private key", "events.params: 12-digit number"]


def test_business_time_is_not_mistaken_for_a_number() -> None:
    assert secrets_in([("audit_entries.at", at(2026, 4, 1))], []) == []
