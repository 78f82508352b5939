"""Cards of scenario persons: loading keeps them on disk for later presentation, never in the
store; ``scenario check`` presents them through the real card reader."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

from lxml import etree

from simulator import create_app
from simulator.pki import sign_nonce
from simulator.pki.card_files import CERT_FILE, KEY_FILE
from simulator.scenarios.check import check_files
from simulator.scenarios.load import catalogue

EXAMPLE = next(p for p in catalogue() if p.stem == "job-change-lag")
ADMIN = {"Authorization": "Bearer admin"}


def test_loading_a_scenario_keeps_each_card_on_disk_and_the_card_can_be_presented(
    database_url, tmp_path
) -> None:
    pki = tmp_path / "pki"
    app = create_app({"database_url": database_url, "admin_token": "admin",
                      "secret_key": "s", "pki_dir": str(pki)})
    client = app.test_client()
    try:
        loaded = client.post("/sim/v1/scenarios", json={"name": "job-change-lag"},
                             headers=ADMIN)
        folder = Path(loaded.get_json()["cards"]["taro"])

        assert folder == pki / "cards" / "job-change-lag" / "taro"
        assert stat.S_IMODE((folder / KEY_FILE).stat().st_mode) == 0o600
        token = client.post("/oqs-api-pro/MSA12020/ILI12020SV01/auth", json={
            "userId": "sakura", "password": "sakura-pw"}).get_json()["result"]["idToken"]
        nonce = client.post("/oqs/card/challenge",
                            headers={"Authorization": token}).get_json()["nonce"]
        signature = sign_nonce((folder / KEY_FILE).read_bytes(), nonce.encode())
        answer = client.post("/oqs/card/present", headers={"Authorization": token}, json={
            "nonce": nonce, "certificate": (folder / CERT_FILE).read_text(), "method": "face",
            "signature": base64.b64encode(signature).decode(), "confirmation_date": "20260401"})
        face = etree.fromstring(answer.data)
        assert face.findtext("MessageHeader/ReferenceClassification") == "1"
        assert face.findtext("MessageBody/QualificationValidity") == "1"
    finally:
        app.extensions["oqs"].engine.dispose()


def test_a_card_query_for_a_person_without_a_card_names_the_expectation(tmp_path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    card_line = "    card: {expires: 2031-05-10, insurance_use: true}\n"
    assert text.count(card_line) == 1
    path = tmp_path / "no-card.yaml"
    path.write_text(text.replace(card_line, ""), encoding="utf-8")

    (report,) = check_files([path])

    assert report.error.startswith(f"{path}: expect[")
    assert ".query.person: 'taro' holds no card (give persons[].card)" in report.error


def test_a_card_issued_on_a_day_is_issued_and_registered_that_day(database_url) -> None:
    app = create_app({"database_url": database_url, "admin_token": "admin", "secret_key": "s"})
    client = app.test_client()
    text = EXAMPLE.read_text(encoding="utf-8")
    card_line = "    card: {expires: 2031-05-10, insurance_use: true}\n"
    try:
        loaded = client.post("/sim/v1/scenarios", headers=ADMIN, content_type="application/yaml",
                             data=text.replace(card_line, card_line.replace(
                                 "{", "{issued_on: 2021-05-10, ")))
        cards = client.get("/sim/v1/cards", headers=ADMIN).get_json()["cards"]
        late = client.post("/sim/v1/scenarios", headers=ADMIN, content_type="application/yaml",
                           data=text.replace(card_line, card_line.replace(
                               "{", "{issued_on: 2030-01-01, ")))
    finally:
        app.extensions["oqs"].engine.dispose()

    assert loaded.status_code == 201, loaded.get_json()
    assert cards[0]["not_before"] == "2021-05-10T00:00:00+09:00"
    assert cards[0]["insurance_registered_at"] == "2021-05-10T00:00:00+09:00"
    assert late.status_code == 400
    assert late.get_json()["error"]["field"] == "persons[0].card.issued_on"
