"""The virtual card reader over HTTP: challenge, present, register, face results."""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import replace

import pytest
from lxml import etree
from sqlalchemy import func, select

from simulator import create_app, schema
from simulator.clock import FixedClock
from simulator.pki import issue_card_certificate, sign_nonce
from simulator.store import SqlUnitOfWork
from tests.builders import at, held_card, person, record
from tests.e2e import world
from tests.e2e.conftest import ADMIN_TOKEN, login

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
NOW_STAMP = "20260401090000"
TOMORROW_STAMP = "20260402090000"
# <医療機関コード><処理コード 100 (外来)><17-digit counter>_<ProcessExecutionTime>
FACE_NAME = re.compile(r"OQSsiquc01res_face_1311000002100(\d{17})_20260401090000\.xml")
SIGNATURE_INVALID = ("E1005", "マイナンバーカードの電子証明書の検証に失敗しました。")
HIDDEN_UNTIL = at(2026, 4, 10, 10, 0)


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def app(database_url, wall, pki_dir):
    app = create_app(
        {"database_url": database_url, "admin_token": ADMIN_TOKEN, "secret_key": "test-secret",
         "pki_dir": pki_dir},
        clock=FixedClock(world.BUSINESS_NOW), wall=wall,
    )
    world.build(app.extensions["oqs"].engine)
    yield app
    app.extensions["oqs"].engine.dispose()


class Reader:
    """A clinic's card reader: asks for a nonce, has the card sign it, presents the card."""

    def __init__(self, client, user: str = "clinic") -> None:
        self.client = client
        self.token = login(client, user)

    def nonce(self) -> str:
        response = self.client.post("/oqs/card/challenge", headers={"Authorization": self.token})
        assert response.status_code == 200, response.data
        return response.get_json()["nonce"]

    def present(self, card: dict, *, path: str = "present", nonce: str | None = None,
                key: str | None = None, certificate: str | None = None, **fields):
        nonce = nonce or self.nonce()
        signature = sign_nonce((key or card["private_key"]).encode(), nonce.encode())
        body = {"nonce": nonce, "certificate": certificate or card["certificate"],
                "signature": base64.b64encode(signature).decode(), "method": "face"} | fields
        return self.client.post(f"/oqs/card/{path}", json=body,
                                headers={"Authorization": self.token})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def reader(client):
    return Reader(client)


def person_named(app, name: str) -> int:
    with app.extensions["oqs"].engine.connect() as connection:
        return connection.execute(select(schema.qualifications.c.person_id)
                                  .where(schema.qualifications.c.name == name)).scalars().first()


def issue(client, person_id: int, **fields) -> dict:
    response = client.post("/sim/v1/cards", json={"person": person_id} | fields, headers=ADMIN)
    assert response.status_code == 201, response.data
    return response.get_json()


@pytest.fixture
def card(app, client) -> dict:
    """A registered card of 髙橋　德子 (valid qualification, 限度額 certificate)."""
    return issue(client, person_named(app, "髙橋　德子"))


def xml(response) -> etree._Element:
    return etree.fromstring(response.data)


def body_of(response) -> dict[str, str | None]:
    root = xml(response)
    return {tag: root.findtext(f"MessageBody/{tag}") for tag in (
        "ProcessingResultStatus", "ProcessingResultCode", "ProcessingResultMessage",
        "QualificationValidity")}


def refusal(response) -> tuple[str | None, str | None]:
    found = body_of(response)
    assert response.status_code == 200
    assert found["ProcessingResultStatus"] == "2"
    assert found["QualificationValidity"] is None
    return found["ProcessingResultCode"], found["ProcessingResultMessage"]


def envelope(response) -> tuple[str | None, str | None]:
    header = xml(response).find("MessageHeader")
    assert header.findtext("SegmentOfResult") == "9"
    assert header.findtext("ReferenceClassification") == "1"
    body = xml(response).find("MessageBody")
    assert body.findtext("ProcessingResultStatus") == "2"
    assert body.findtext("ProcessingResultCode") == header.findtext("ErrorCode")
    assert body.findtext("ProcessingResultMessage") == header.findtext("ErrorMessage")
    assert "X-OQS-File-Name" not in response.headers
    return header.findtext("ErrorCode"), header.findtext("ErrorMessage")


def count(app, table) -> int:
    with app.extensions["oqs"].engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def move_clock(app, instant: dt.datetime) -> None:
    app.extensions["oqs"].clock.instant = instant


# -- a card that verifies ------------------------------------------------------------------------


def test_a_card_that_signed_the_nonce_gets_the_face_result(app, reader, card) -> None:
    response = reader.present(card, consents=["drug", "checkup"])

    root = xml(response)
    header = root.find("MessageHeader")
    result = root.find("MessageBody/ResultList/ResultOfQualificationConfirmation")
    assert response.status_code == 200
    assert FACE_NAME.fullmatch(response.headers["X-OQS-File-Name"])
    assert {child.tag: child.text for child in header} == {
        "ProcessExecutionTime": NOW_STAMP, "QualificationConfirmationDate": "20260401",
        "MedicalInstitutionCode": "1311000002",
        "ArbitraryFileIdentifier": header.findtext("ArbitraryFileIdentifier"),
        "ReferenceClassification": "1", "SegmentOfResult": "1", "CharacterCodeIdentifier": "0"}
    assert re.fullmatch(r"[A-Za-z0-9+/]{15}=", header.findtext("ArbitraryFileIdentifier"))
    assert root.find("MessageBody/QualificationConfirmSearchInfo") is None
    assert body_of(response) == {"ProcessingResultStatus": "1", "ProcessingResultCode": None,
                                 "ProcessingResultMessage": None, "QualificationValidity": "1"}
    assert result.findtext("InsuredIdentificationNumber") == "5678"
    assert result.findtext("Name") == "●橋　德子"
    assert [(c.tag, c.text) for c in result if "Info" in c.tag and "Cons" in c.tag
            or c.tag.endswith("AvailableTime")] == [
        ("SpecificHealthCheckupsInfoConsFlg", "1"),
        ("SpecificHealthCheckupsInfoConsTime", NOW_STAMP),
        ("SpecificHealthCheckupsInfoAvailableTime", TOMORROW_STAMP),
        ("PharmacistsInfoConsFlg", "1"),
        ("PharmacistsInfoConsTime", NOW_STAMP),
        ("PharmacistsInfoAvailableTime", TOMORROW_STAMP),
        ("DiagnosisInfoConsFlg", "0"),
        ("OperationInfoConsFlg", "0"),
    ]
    assert result.findtext("LimitApplicationCertificateRelatedConsFlg") == "0"
    assert result.find("LimitApplicationCertificateRelatedInfo") is None


def test_the_consents_chosen_are_recorded_for_24_hours(app, reader, card) -> None:
    reader.present(card, consents=["operation", "diagnosis"])

    with SqlUnitOfWork(app.extensions["oqs"].engine) as uow:
        consents = uow.repo.consents_of(person_named(app, "髙橋　德子"))
    assert sorted((c.kind.value, c.institution_code, c.given_at, c.available_until)
                  for c in consents) == [
        ("diagnosis", "1311000002", world.BUSINESS_NOW, at(2026, 4, 2, 9, 0)),
        ("operation", "1311000002", world.BUSINESS_NOW, at(2026, 4, 2, 9, 0)),
    ]


def test_the_limit_consent_is_recorded_as_a_consent_of_its_own(app, reader, card) -> None:
    reader.present(card, consents=["drug"], limit_consent=True)

    with SqlUnitOfWork(app.extensions["oqs"].engine) as uow:
        consents = uow.repo.consents_of(person_named(app, "髙橋　德子"))
    assert sorted((c.kind.value, c.available_until) for c in consents) == [
        ("drug", at(2026, 4, 2, 9, 0)), ("limit", at(2026, 4, 2, 9, 0))]


def test_the_limit_consent_shows_the_certificate_and_the_reference_number(app, reader,
                                                                          card) -> None:
    with SqlUnitOfWork(app.extensions["oqs"].engine) as uow:
        uow.repo.set_reference_number(institution="1311000002", person_id=card["person"],
                                      number="P-0001", at=world.BUSINESS_NOW)
        uow.commit()

    response = reader.present(card, limit_consent=True, confirmation_date="20260501")

    root = xml(response)
    result = root.find("MessageBody/ResultList/ResultOfQualificationConfirmation")
    assert root.findtext("MessageHeader/QualificationConfirmationDate") == "20260501"
    assert result.findtext("LimitApplicationCertificateRelatedConsFlg") == "1"
    assert result.findtext("LimitApplicationCertificateRelatedConsTime") == NOW_STAMP
    assert result.findtext(
        "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateClassificationFlag"
    ) == "A03"
    assert result.findtext("ReferenceNumber") == "P-0001"


def test_each_presentation_is_audited_and_numbers_the_face_file(app, reader, card) -> None:
    first = reader.present(card)
    second = reader.present(card, method="pin", pin="0000")

    with SqlUnitOfWork(app.extensions["oqs"].engine) as uow:
        audit = uow.repo.audit(kind="qualification")
    numbers = [int(FACE_NAME.fullmatch(r.headers["X-OQS-File-Name"]).group(1))
               for r in (first, second)]
    assert numbers == [a.id for a in audit]
    assert [(a.route, a.basis, a.person_id, a.outcome, a.count) for a in audit] == [
        ("card", "none", card["person"], "ok", 1),
        ("card", "none", card["person"], "pin_wrong", 0),
    ]


def test_a_card_expiring_within_three_months_answers_with_a_warning(app, client, reader) -> None:
    soon = issue(client, person_named(app, "髙橋　德子"), expires="2026-06-30")

    response = reader.present(soon)

    assert body_of(response) == {
        "ProcessingResultStatus": "1", "ProcessingResultCode": "W1001",
        "ProcessingResultMessage":
            "マイナンバーカードの電子証明書の有効期限が3か月以内です。更新手続きをご案内ください。",
        "QualificationValidity": "1"}


def test_a_person_with_only_a_lost_qualification_is_invalid(app, client, reader) -> None:
    lost = issue(client, person_named(app, "佐藤　一郎"))

    response = reader.present(lost)

    result = xml(response).find("MessageBody/ResultList/ResultOfQualificationConfirmation")
    assert body_of(response)["QualificationValidity"] == "2"
    assert result.findtext("DisqualificationDate") == "20260301"
    assert result.findtext("ReasonOfLoss") == "01"


def test_a_person_with_no_visible_record_has_no_qualification(app, client, reader) -> None:
    with SqlUnitOfWork(app.extensions["oqs"].engine) as uow:
        hidden = uow.repo.add_person(person(name="田中　三郎"))
        uow.repo.add_qualification(replace(record(hidden, symbol="9000", number="31",
                                                  name="田中　三郎"),
                                           registered_at=HIDDEN_UNTIL))
        uow.commit()
    unknown = issue(client, hidden)

    response = reader.present(unknown)

    assert body_of(response)["QualificationValidity"] == "4"
    assert xml(response).find("MessageBody/ResultList") is None


def test_the_face_result_in_shift_jis(reader, card) -> None:
    response = reader.present(card, charset="shift_jis")

    assert response.data.startswith(
        b'<?xml version="1.0" encoding="Shift_JIS" standalone="no"?>')
    assert response.content_type == "application/xml; charset=Shift_JIS"
    root = xml(response)
    assert root.findtext("MessageHeader/CharacterCodeIdentifier") == "1"
    assert root.findtext("MessageBody/ResultList/ResultOfQualificationConfirmation/Name") == (
        "●橋　●子")


# -- refused cards (ProcessingResultStatus 2) ----------------------------------------------------


def test_a_forged_signature_is_refused(reader, card) -> None:
    forger = reader.client.post("/sim/v1/cards", json={"person": card["person"]},
                                headers=ADMIN).get_json()

    assert refusal(reader.present(card, key=forger["private_key"])) == SIGNATURE_INVALID


def test_another_cards_certificate_with_this_cards_signature_is_refused(app, client, reader,
                                                                      card) -> None:
    other = issue(client, person_named(app, "佐藤　一郎"))

    assert refusal(reader.present(card, certificate=other["certificate"])) == SIGNATURE_INVALID


def held(app, person_id: int) -> str:
    """A card of the person held without a certificate; its serial."""
    row = held_card(person_id)
    with SqlUnitOfWork(app.extensions["oqs"].engine) as uow:
        uow.repo.add_held_cards([row])
        uow.commit()
    return row["serial"]


def unstored(app, serial: str | None = None) -> dict:
    """A card certificate of the JPKI CA (for ``serial``, or a new one) that no card stores."""
    bundle = issue_card_certificate(app.extensions["oqs"].jpki.ca(), at=at(2026, 1, 1),
                                    expires=at(2031, 1, 1), serial=serial)
    return {"certificate": bundle.cert_pem.decode(), "private_key": bundle.key_pem.decode()}


def test_a_held_card_is_refused_as_a_certificate_no_card_has(app, reader) -> None:
    serial = held(app, person_named(app, "髙橋　德子"))

    nobodys = reader.present(unstored(app))
    helds = reader.present(unstored(app, serial))

    assert refusal(nobodys) == refusal(helds) == SIGNATURE_INVALID


def test_a_bundled_held_card_works_on_the_reader(app, client, reader) -> None:
    serial = held(app, person_named(app, "髙橋　德子"))

    bundled = client.post(f"/sim/v1/cards/{serial}/bundle", headers=ADMIN).get_json()

    assert body_of(reader.present(bundled))["QualificationValidity"] == "1"


def test_a_replaced_certificate_is_refused_and_its_successor_works(client, reader,
                                                                   card) -> None:
    successor = client.post(f"/sim/v1/cards/{card['serial']}/bundle", json={"replace": True},
                            headers=ADMIN).get_json()

    assert refusal(reader.present(card)) == SIGNATURE_INVALID
    assert body_of(reader.present(successor))["QualificationValidity"] == "1"


def test_a_certificate_that_is_not_a_certificate_is_refused(reader, card) -> None:
    assert refusal(reader.present(card, certificate="garbage")) == SIGNATURE_INVALID


def test_an_expired_certificate_is_refused(app, client, reader) -> None:
    short = issue(client, person_named(app, "髙橋　德子"), expires="2026-04-30")
    move_clock(app, at(2026, 5, 1, 0, 0))

    assert refusal(reader.present(short)) == (
        "E1002", "マイナンバーカードの電子証明書の有効期限が切れています。")


def test_a_card_expired_early_is_refused(client, reader, card) -> None:
    client.post(f"/sim/v1/cards/{card['serial']}/expire", json={"at": "2026-04-01T08:00+09:00"},
                headers=ADMIN)

    assert refusal(reader.present(card))[0] == "E1002"


@pytest.mark.parametrize("reason", ["lost", "revoked"])
def test_a_revoked_or_suspended_card_is_refused(client, reader, card, reason) -> None:
    client.post(f"/sim/v1/cards/{card['serial']}/revoke", json={"reason": reason},
                headers=ADMIN)

    assert refusal(reader.present(card)) == (
        "E1003", "マイナンバーカードの電子証明書が失効しています。")


def test_a_resumed_card_works_again(client, reader, card) -> None:
    client.post(f"/sim/v1/cards/{card['serial']}/revoke", json={"reason": "lost"}, headers=ADMIN)
    client.post(f"/sim/v1/cards/{card['serial']}/resume", headers=ADMIN)

    assert body_of(reader.present(card))["QualificationValidity"] == "1"


def test_an_unregistered_card_is_refused_until_registered_on_the_reader(app, client,
                                                                        reader) -> None:
    fresh = issue(client, person_named(app, "髙橋　德子"), insurance_use=False)

    before = reader.present(fresh)
    registered = reader.present(fresh, path="register", consents=["drug"])
    after = reader.present(fresh)

    assert refusal(before) == ("E1004", "マイナンバーカードの健康保険証利用登録がされていません。")
    assert FACE_NAME.fullmatch(registered.headers["X-OQS-File-Name"])
    assert body_of(registered)["QualificationValidity"] == "1"
    assert xml(registered).findtext(
        "MessageBody/ResultList/ResultOfQualificationConfirmation/PharmacistsInfoConsFlg") == "1"
    assert body_of(after)["QualificationValidity"] == "1"


def test_three_wrong_pins_lock_the_card_even_against_the_right_one(reader, card) -> None:
    answers = [refusal(reader.present(card, method="pin", pin="0000")) for _ in range(3)]
    right = refusal(reader.present(card, method="pin", pin="1234"))

    assert answers == [
        ("E1007", "暗証番号が正しくありません。（残り2回）"),
        ("E1007", "暗証番号が正しくありません。（残り1回）"),
        ("E1006", "暗証番号が3回誤って入力されたため、ロックされています。"),
    ]
    assert right == answers[2]


def test_a_right_pin_resets_the_count(reader, card) -> None:
    reader.present(card, method="pin", pin="0000")
    reader.present(card, method="pin", pin="0000")
    right = reader.present(card, method="pin", pin="1234", consents=["drug"])
    wrong = reader.present(card, method="pin", pin="0000")

    assert body_of(right)["QualificationValidity"] == "1"
    assert refusal(wrong) == ("E1007", "暗証番号が正しくありません。（残り2回）")


def test_a_pin_lock_does_not_stop_face_authentication(reader, card) -> None:
    for _ in range(3):
        reader.present(card, method="pin", pin="0000")

    assert body_of(reader.present(card, method="face"))["QualificationValidity"] == "1"


def test_a_failed_face_match_is_refused(reader, card) -> None:
    assert refusal(reader.present(card, face_matched=False)) == (
        "E1008", "顔認証に失敗しました。暗証番号で本人確認を行ってください。")


def test_a_refused_card_records_no_consent(app, client, reader, card) -> None:
    client.post(f"/sim/v1/cards/{card['serial']}/revoke", json={"reason": "lost"}, headers=ADMIN)

    reader.present(card, consents=["drug", "checkup", "diagnosis", "operation"])
    reader.present(card, method="pin", pin="0000", consents=["drug"])

    assert count(app, schema.consents) == 0
    assert count(app, schema.audit_entries) == 2


# -- envelope errors (SegmentOfResult 9): nothing is written -------------------------------------


def test_a_used_nonce_is_refused(reader, card) -> None:
    nonce = reader.nonce()
    reader.present(card, nonce=nonce)

    response = reader.present(card, nonce=nonce)

    assert response.status_code == 400
    assert envelope(response) == (
        "E1009", "カードリーダーの認証要求が無効です。最初からやり直してください。"
                 "（nonce: 使用済みです）")


def test_a_nonce_of_another_institution_is_refused(app, client, reader, card) -> None:
    dental = Reader(client, "dental")

    response = reader.present(card, nonce=dental.nonce())

    assert response.status_code == 400
    assert envelope(response)[0] == "E1009"
    assert "別の医療機関" in envelope(response)[1]
    assert count(app, schema.audit_entries) == 0


def test_a_nonce_expires_after_five_minutes_of_wall_time(app, wall, reader, card) -> None:
    nonce = reader.nonce()
    wall.instant += dt.timedelta(minutes=5)

    response = reader.present(card, nonce=nonce)

    assert envelope(response) == (
        "E1009", "カードリーダーの認証要求が無効です。最初からやり直してください。"
                 "（nonce: 有効期限（5分）が切れています）")


def test_the_challenge_says_when_its_nonce_expires(client, wall) -> None:
    response = client.post("/oqs/card/challenge", headers={"Authorization": login(client)})

    assert response.get_json()["expires"] == "2030-01-01T00:05:00+00:00"


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"signature": None}, "E3005", "signature"),
        ({"signature": "not*base64"}, "E3006", "signature"),
        ({"method": "iris"}, "E3006", "method"),
        ({"method": "pin"}, "E3005", "pin"),
        ({"method": "pin", "pin": "12"}, "E3006", "pin"),
        ({"face_matched": "yes"}, "E3006", "face_matched"),
        ({"consents": ["drug", "allergy"]}, "E3006", "consents[1]"),
        ({"consents": "drug"}, "E3006", "consents"),
        ({"limit_consent": 1}, "E3006", "limit_consent"),
        ({"confirmation_date": "2026-02-30"}, "E3004", "confirmation_date"),
        ({"medical_treatment_flag": "5"}, "E3006", "medical_treatment_flag"),
        ({"charset": "euc-jp"}, "E3006", "charset"),
        ({"nonce": "ナンス"}, "E3006", "nonce"),
        ({"patient": "x"}, "E3006", "patient"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_a_bad_field_is_an_envelope_error_naming_it_and_keeps_the_nonce(app, reader, card,
                                                                         change, code,
                                                                         words) -> None:
    nonce = reader.nonce()
    signature = base64.b64encode(sign_nonce(card["private_key"].encode(), nonce.encode()))
    body = {"nonce": nonce, "certificate": card["certificate"], "signature": signature.decode(),
            "method": "face"} | change
    body = {k: v for k, v in body.items() if v is not None}

    response = reader.client.post("/oqs/card/present", json=body,
                                  headers={"Authorization": reader.token})
    error = envelope(response)

    assert response.status_code == 400
    assert error[0] == code
    assert words in error[1]
    assert count(app, schema.audit_entries) == 0
    assert body_of(reader.present(card, nonce=nonce))["QualificationValidity"] == "1"


def test_a_body_that_is_not_json_is_an_envelope_error(reader) -> None:
    response = reader.client.post("/oqs/card/present", data=b"{nonce",
                                  headers={"Authorization": reader.token},
                                  content_type="application/json")

    assert response.status_code == 400
    assert envelope(response)[0] == "E3001"


@pytest.mark.parametrize("path", ["challenge", "present", "register"])
def test_the_reader_needs_the_institutions_token(client, path) -> None:
    missing = client.post(f"/oqs/card/{path}", json={})
    forged = client.post(f"/oqs/card/{path}", json={}, headers={"Authorization": "forged"})

    assert missing.status_code == forged.status_code == 401
    assert envelope(missing)[0] == envelope(forged)[0] == "E5003"
