"""Cards through the admin API (``/sim/v1/cards``) and the CLI (``oqs-sim card``)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from sqlalchemy import func, select

from simulator import create_app, schema
from simulator.cli import main
from simulator.clock import FixedClock
from simulator.db import make_engine
from simulator.pki import load_certificate, sign_nonce, verify_card
from simulator.pki.jpki import ensure_jpki_ca
from simulator.store import SqlUnitOfWork
from tests.builders import at, held_card
from tests.e2e import world
from tests.e2e.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
VALID_PERSON = 1  # the first person of the world: 髙橋　德子, a valid qualification


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pki")


@pytest.fixture
def admin(database_url, pki_dir):
    app = create_app({"database_url": database_url, "admin_token": ADMIN_TOKEN,
                      "pki_dir": str(pki_dir)}, clock=FixedClock(world.BUSINESS_NOW))
    world.build(app.extensions["oqs"].engine)
    yield app.test_client()
    app.extensions["oqs"].engine.dispose()


def cards_stored(client) -> int:
    with client.application.extensions["oqs"].engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(schema.cards)).scalar_one()


def issue(client, **fields):
    return client.post("/sim/v1/cards", json={"person": VALID_PERSON} | fields, headers=ADMIN)


def hold(database_url: str, **values) -> str:
    """A card of the first person held without a certificate; its serial."""
    engine = make_engine(database_url)
    row = held_card(VALID_PERSON, **values)
    with SqlUnitOfWork(engine) as uow:
        uow.repo.add_held_cards([row])
        uow.commit()
    engine.dispose()
    return row["serial"]


def bundle(client, serial: str, **body):
    return client.post(f"/sim/v1/cards/{serial}/bundle", json=body or None, headers=ADMIN)


def error_of(response) -> tuple[int, str, str | None]:
    error = response.get_json()["error"]
    return response.status_code, error["code"], error.get("field")


# -- admin API -----------------------------------------------------------------------------------


def test_issuing_answers_the_bundle_once(admin, pki_dir) -> None:
    response = issue(admin)

    bundle = response.get_json()
    certificate = load_certificate(bundle["certificate"])
    assert response.status_code == 201
    assert set(bundle) == {"serial", "person", "certificate", "private_key", "ca_certificate",
                           "not_after"}
    assert bundle["person"] == VALID_PERSON
    assert format(certificate.serial_number, "x") == bundle["serial"]
    assert bundle["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert bundle["ca_certificate"] == (pki_dir / "jpki" / "ca.cert.pem").read_text()
    assert bundle["not_after"] == "2031-04-02T00:00:00+09:00"


def test_the_bundle_is_a_working_card(admin, pki_dir) -> None:
    bundle = issue(admin, expires="2027-03-31").get_json()

    verified = verify_card(ensure_jpki_ca(pki_dir / "jpki"), certificate=bundle["certificate"],
                           signature=sign_nonce(bundle["private_key"].encode(), b"n"),
                           nonce=b"n", at=world.BUSINESS_NOW)

    assert verified.serial == bundle["serial"]
    assert verified.not_after == at(2027, 4, 1, 0, 0)


def test_the_list_shows_each_card_and_its_state_but_no_key(admin) -> None:
    kept = issue(admin).get_json()["serial"]
    fresh = issue(admin, insurance_use=False).get_json()["serial"]
    issue(admin, person=2)

    listed = admin.get(f"/sim/v1/cards?person={VALID_PERSON}", headers=ADMIN).get_json()["cards"]
    everything = admin.get("/sim/v1/cards", headers=ADMIN).get_json()["cards"]

    assert [(c["serial"], c["status"]) for c in listed] == [
        (kept, "ok"), (fresh, "card_not_registered")]
    assert len(everything) == 3
    assert not {"private_key", "certificate"} & set(listed[0])
    assert listed[0]["insurance_registered_at"] == "2026-04-01T09:00:00+09:00"


def test_revoke_resume_expire_and_register(admin) -> None:
    serial = issue(admin, insurance_use=False).get_json()["serial"]
    base = f"/sim/v1/cards/{serial}"

    lost = admin.post(f"{base}/revoke", json={"reason": "lost"}, headers=ADMIN).get_json()
    resumed = admin.post(f"{base}/resume", headers=ADMIN).get_json()
    registered = admin.post(f"{base}/register", headers=ADMIN).get_json()
    expired = admin.post(f"{base}/expire", json={"at": "2026-04-01T08:00:00+09:00"},
                         headers=ADMIN).get_json()
    revoked = admin.post(f"{base}/revoke", headers=ADMIN).get_json()

    assert (lost["status"], lost["revoke_reason"]) == ("card_revoked", "lost")
    assert resumed["status"] == "card_not_registered"
    assert (registered["status"], registered["insurance_registered_at"]) == (
        "ok", "2026-04-01T09:00:00+09:00")
    assert (expired["status"], expired["expires_at"]) == (
        "card_expired", "2026-04-01T08:00:00+09:00")
    assert (revoked["status"], revoked["revoke_reason"]) == ("card_revoked", "revoked")


def test_a_final_revocation_cannot_be_resumed(admin) -> None:
    serial = issue(admin).get_json()["serial"]
    admin.post(f"/sim/v1/cards/{serial}/revoke", json={"reason": "revoked"}, headers=ADMIN)

    response = admin.post(f"/sim/v1/cards/{serial}/resume", headers=ADMIN)

    assert error_of(response)[:2] == (409, "invalid_input")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"person": 999}, "person"),
        ({"person": None}, "person"),
        ({"person": [1]}, "person"),
        ({"expires": "2026/12/31"}, "expires"),
        ({"expires": "2026-03-31"}, "expires"),
        ({"insurance_use": "yes"}, "insurance_use"),
        ({"pin": 1234}, "pin"),
        ({"pin": "123"}, "pin"),
        ({"holder": "x"}, "holder"),
    ],
    ids=["unknown person", "no person", "list", "slashes", "past", "string flag", "number pin",
         "3 digits", "unknown key"],
)
def test_a_bad_issue_is_400_naming_the_field_and_stores_nothing(admin, body, field) -> None:
    response = issue(admin, **body)

    assert error_of(response)[0] == 400
    assert error_of(response)[2] == field
    assert cards_stored(admin) == 0


def test_bundling_a_held_card_answers_its_bundle_once(admin, database_url, pki_dir) -> None:
    serial = hold(database_url)
    before = admin.get("/sim/v1/cards", headers=ADMIN).get_json()["cards"]

    response = bundle(admin, serial)

    answer = response.get_json()
    after = admin.get("/sim/v1/cards", headers=ADMIN).get_json()["cards"]
    verified = verify_card(ensure_jpki_ca(pki_dir / "jpki"), certificate=answer["certificate"],
                           signature=sign_nonce(answer["private_key"].encode(), b"n"),
                           nonce=b"n", at=world.BUSINESS_NOW)
    assert response.status_code == 200
    assert set(answer) == {"serial", "person", "certificate", "private_key", "ca_certificate",
                           "not_after"}
    assert (answer["serial"], answer["person"], verified.serial) == (serial, VALID_PERSON, serial)
    assert answer["not_after"] == "2031-04-02T00:00:00+09:00"
    assert [(c["serial"], c["status"], c["certificate_issued"]) for c in before] == [
        (serial, "ok", False)]
    assert after[0]["certificate_issued"] is True
    assert not {"private_key", "certificate"} & set(after[0])


def test_a_card_bundled_already_is_409_naming_it_unless_replaced(admin, database_url) -> None:
    serial = hold(database_url)
    first = bundle(admin, serial).get_json()

    again = bundle(admin, serial)
    replaced = bundle(admin, serial, replace=True)

    assert error_of(again) == (409, "invalid_input", None)
    assert again.get_json()["error"]["message"] == (
        f"serial: カード {serial} の利用者証明用電子証明書は発行済みです。発行し直すには replace "
        "を指定してください（それまでの鍵は使えなくなります）")
    assert replaced.status_code == 200
    assert replaced.get_json()["private_key"] != first["private_key"]


def test_an_issued_card_is_rebundled_only_when_replaced(admin) -> None:
    serial = issue(admin).get_json()["serial"]

    assert bundle(admin, serial).status_code == 409
    assert bundle(admin, serial, replace=True).get_json()["serial"] == serial


@pytest.mark.parametrize(
    ("body", "field"), [({"replace": "yes"}, "replace"), ({"force": True}, "force")],
    ids=["string flag", "unknown key"])
def test_a_bad_bundle_is_400_naming_the_field_and_issues_nothing(admin, database_url, body,
                                                                 field) -> None:
    serial = hold(database_url)

    response = bundle(admin, serial, **body)

    assert error_of(response)[::2] == (400, field)
    assert admin.get("/sim/v1/cards", headers=ADMIN).get_json()["cards"][0][
        "certificate_issued"] is False


def test_a_held_card_whose_serial_cannot_make_a_certificate_is_400(admin, database_url) -> None:
    serial = hold(database_url, serial="00ab")

    response = bundle(admin, serial)

    assert error_of(response) == (400, "invalid_input", "serial")
    assert "カード 00ab のシリアル番号" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("revoke", {"reason": "stolen"}, (400, "invalid_input", "reason")),
        ("revoke", {"why": "lost"}, (400, "invalid_input", "why")),
        ("expire", {"at": "soon"}, (400, "date_format", "at")),
    ],
)
def test_bad_card_changes_are_400_naming_the_field(admin, path, body, expected) -> None:
    serial = issue(admin).get_json()["serial"]

    response = admin.post(f"/sim/v1/cards/{serial}/{path}", json=body, headers=ADMIN)

    assert error_of(response) == expected


@pytest.mark.parametrize("path", ["revoke", "resume", "expire", "register", "bundle"])
def test_an_unknown_serial_is_404(admin, path) -> None:
    response = admin.post(f"/sim/v1/cards/abc123/{path}", headers=ADMIN)

    assert error_of(response)[:2] == (404, "not_found")


def test_cards_need_the_admin_token(admin) -> None:
    assert admin.post("/sim/v1/cards", json={"person": 1}).status_code == 401
    assert admin.get("/sim/v1/cards").status_code == 401


# -- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def cli(database_url, pki_dir):
    engine = make_engine(database_url)
    world.build(engine)
    engine.dispose()
    runner = CliRunner(env={"OQS_PKI_DIR": str(pki_dir), "OQS_CONFIG": None})

    def run(*args: str):
        return runner.invoke(main, [*args, "--db", database_url], catch_exceptions=False)

    run("clock", "set", "2026-04-01T09:00", "--frozen")
    return run


def test_card_issue_writes_the_key_privately_and_prints_the_serial(cli, tmp_path) -> None:
    out = tmp_path / "card"

    result = cli("card", "issue", "--person", "1", "--out", str(out), "--pin", "4321")

    serial = result.output.strip()
    certificate = x509.load_pem_x509_certificate((out / "card.cert.pem").read_bytes())
    authority = x509.load_pem_x509_certificate((out / "jpki-ca.cert.pem").read_bytes())
    assert result.exit_code == 0, result.output
    assert format(certificate.serial_number, "x") == serial
    assert certificate.issuer == authority.subject
    assert stat.S_IMODE((out / "card.key.pem").stat().st_mode) == 0o600
    assert (out / "card.key.pem").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_card_list_revoke_and_resume(cli, tmp_path) -> None:
    serial = cli("card", "issue", "--person", "1", "--out", str(tmp_path / "a"),
                 "--unregistered", "--expires", "2026-06-30").output.strip()

    listed = cli("card", "list", "--person", "1")
    revoked = cli("card", "revoke", serial, "--reason", "lost")
    resumed = cli("card", "resume", serial)

    assert listed.output.split() == [serial, "person", "1", "card_not_registered", "to",
                                     "2026-07-01T00:00:00+09:00", "registered", "-"]
    assert revoked.output.strip() == f"card {serial}: lost at 2026-04-01T09:00:00+09:00"
    assert resumed.output.strip() == f"card {serial}: card_not_registered"


def test_card_bundle_writes_the_files_of_a_held_card(cli, database_url, pki_dir,
                                                    tmp_path) -> None:
    serial = hold(database_url, insurance_registered_at=None)
    held = cli("card", "list").output.split()

    result = cli("card", "bundle", serial)

    folder = pki_dir / "cards" / "_serial" / serial
    certificate = x509.load_pem_x509_certificate((folder / "card.cert.pem").read_bytes())
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(folder)
    assert format(certificate.serial_number, "x") == serial
    assert stat.S_IMODE((folder / "card.key.pem").stat().st_mode) == 0o600
    assert (folder / "jpki-ca.cert.pem").read_bytes() == (pki_dir / "jpki/ca.cert.pem").read_bytes()
    assert held[3] == "card_not_registered"
    assert held[-5:] == ["held", "(no", "certificate:", "card", "bundle)"]
    assert cli("card", "list").output.split()[-1] == "-"


def test_card_bundle_writes_where_told_and_replaces_only_when_asked(cli, database_url,
                                                                   tmp_path) -> None:
    serial = hold(database_url)
    cli("card", "bundle", serial, "--out", str(tmp_path / "a"))

    refused = cli("card", "bundle", serial, "--out", str(tmp_path / "b"))
    replaced = cli("card", "bundle", serial, "--out", str(tmp_path / "c"), "--replace")

    assert refused.exit_code == 2
    assert f"serial: カード {serial} の利用者証明用電子証明書は発行済みです。" in refused.output
    assert not (tmp_path / "b").exists()
    assert replaced.exit_code == 0, replaced.output
    assert (tmp_path / "c" / "card.key.pem").read_bytes() != (
        tmp_path / "a" / "card.key.pem").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("card", "issue", "--person", "999", "--out", "X"), "person: no person '999'"),
        (("card", "issue", "--person", "1", "--out", "X", "--pin", "12"), "pin: must be 4"),
        (("card", "issue", "--person", "1", "--out", "X", "--expires", "soon"), "--expires"),
        (("card", "revoke", "ffff"), "no card with serial ffff"),
        (("card", "resume", "ffff"), "no card with serial ffff"),
        (("card", "bundle", "ffff", "--out", "X"), "no card with serial ffff"),
    ],
    ids=["unknown person", "short pin", "bad date", "revoke unknown", "resume unknown",
         "bundle unknown"],
)
def test_bad_card_commands_exit_2_with_one_line(cli, tmp_path, args, message) -> None:
    args = tuple(str(tmp_path / "x") if a == "X" else a for a in args)

    result = cli(*args)

    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "x").exists()
