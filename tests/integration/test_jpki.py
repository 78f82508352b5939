"""The simulator's JPKI: the CA on disk (created once, race-safely), card certificates, and the
check of a card's signature of a nonce."""

from __future__ import annotations

import datetime as dt
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from simulator.pki import (
    JpkiHolder,
    ensure_jpki_ca,
    init_ca,
    issue_card_certificate,
    issue_client_certificate,
    sign_nonce,
    verify_card,
)
from simulator.pki.card_check import fingerprint
from simulator.pki.jpki import CA_NOT_BEFORE, CERT_FILE, KEY_FILE, new_card_serial, serial_number
from simulator.registry.errors import CardRefused
from tests.builders import at

ISSUED = at(2026, 4, 1, 9, 0)
EXPIRES = at(2031, 4, 2, 0, 0)
LATER = at(2026, 4, 1, 9, 30)
NONCE = b"eHXwtnhyt37LcS0dVVvkkC8rCj072jhgnRu6GxETNgA"
SECOND = dt.timedelta(seconds=1)


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return ensure_jpki_ca(tmp_path_factory.mktemp("pki") / "jpki")


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory):
    return ensure_jpki_ca(tmp_path_factory.mktemp("other") / "jpki")


@pytest.fixture(scope="module")
def card(ca):
    return issue_card_certificate(ca, at=ISSUED, expires=EXPIRES)


def refused(**kwargs) -> str:
    with pytest.raises(CardRefused) as caught:
        verify_card(**kwargs)
    return caught.value.code


# -- the CA --------------------------------------------------------------------------------------


def test_the_ca_is_an_rsa_2048_key_kept_private_and_a_self_signed_certificate(tmp_path) -> None:
    directory = tmp_path / "jpki"

    authority = ensure_jpki_ca(directory)

    assert stat.S_IMODE((directory / KEY_FILE).stat().st_mode) == 0o600
    assert (directory / CERT_FILE).read_bytes() == authority.cert_pem
    assert isinstance(authority.private_key, rsa.RSAPrivateKey)
    assert authority.private_key.key_size == 2048
    common_name = authority.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert common_name[0].value == "oqs-sim JPKI CA"
    assert authority.certificate.issuer == authority.certificate.subject
    assert authority.certificate.not_valid_before_utc == CA_NOT_BEFORE


def test_a_second_use_reads_the_ca_back(tmp_path) -> None:
    first = ensure_jpki_ca(tmp_path / "jpki")
    second = ensure_jpki_ca(tmp_path / "jpki")

    assert second.cert_pem == first.cert_pem
    assert second.private_key.private_numbers() == first.private_key.private_numbers()


def test_workers_starting_together_all_get_the_one_ca_that_won(tmp_path) -> None:
    directory = tmp_path / "jpki"

    with ThreadPoolExecutor(max_workers=6) as pool:
        authorities = list(pool.map(lambda _: ensure_jpki_ca(directory), range(6)))

    assert len({a.cert_pem for a in authorities}) == 1
    assert sorted(p.name for p in directory.iterdir()) == [CERT_FILE, KEY_FILE]


def test_a_worker_that_lost_the_key_race_certifies_the_winners_key(tmp_path, ca) -> None:
    directory = tmp_path / "jpki"
    directory.mkdir()
    (directory / KEY_FILE).write_bytes(_key_pem(ca.private_key))

    authority = ensure_jpki_ca(directory)

    assert authority.certificate.public_key() == ca.private_key.public_key()


def test_a_certificate_that_does_not_match_the_key_stops_the_ca(tmp_path, ca, other_ca) -> None:
    directory = tmp_path / "jpki"
    directory.mkdir()
    (directory / KEY_FILE).write_bytes(_key_pem(ca.private_key))
    (directory / CERT_FILE).write_bytes(other_ca.cert_pem)

    with pytest.raises(ValueError, match="does not match"):
        ensure_jpki_ca(directory)


def test_a_key_file_that_is_not_a_key_stops_the_ca(tmp_path) -> None:
    directory = tmp_path / "jpki"
    directory.mkdir()
    (directory / KEY_FILE).write_text("not a key")

    with pytest.raises(ValueError, match="not an unencrypted PEM private key"):
        ensure_jpki_ca(directory)


def test_the_holder_creates_the_ca_on_first_use_only_and_keeps_it(tmp_path) -> None:
    holder = JpkiHolder(tmp_path)

    created_before_use = (tmp_path / "jpki").exists()
    first, second = holder.ca(), holder.ca()

    assert not created_before_use
    assert first is second
    assert (tmp_path / "jpki" / CERT_FILE).is_file()


# -- card certificates -----------------------------------------------------------------------


def test_a_card_certificate_holds_no_personal_data(card) -> None:
    certificate = x509.load_pem_x509_certificate(card.cert_pem)

    names = {a.oid: a.value for a in certificate.subject}
    assert names == {NameOID.COUNTRY_NAME: "JP", NameOID.ORGANIZATION_NAME: "JPKI",
                     NameOID.COMMON_NAME: card.serial}
    assert format(certificate.serial_number, "x") == card.serial


def test_a_card_certificate_is_valid_from_issue_to_expiry(card) -> None:
    assert (card.not_before, card.not_after) == (ISSUED, EXPIRES)


def test_a_card_cannot_expire_before_it_is_issued(ca) -> None:
    with pytest.raises(ValueError, match="expires"):
        issue_card_certificate(ca, at=ISSUED, expires=ISSUED)


def test_a_card_cannot_be_issued_before_1950(ca) -> None:
    with pytest.raises(ValueError, match="1950"):
        issue_card_certificate(ca, at=at(1949, 12, 31), expires=EXPIRES)


def test_a_card_certificate_may_be_issued_for_a_given_serial_with_a_new_key_each_time(
        ca) -> None:
    serial = new_card_serial()

    first = issue_card_certificate(ca, at=ISSUED, expires=EXPIRES, serial=serial)
    second = issue_card_certificate(ca, at=ISSUED, expires=EXPIRES, serial=serial)

    certificate = x509.load_pem_x509_certificate(first.cert_pem)
    assert first.serial == second.serial == serial
    assert format(certificate.serial_number, "x") == serial
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == serial
    assert first.key_pem != second.key_pem
    assert fingerprint(first.cert_pem.decode()) != fingerprint(second.cert_pem.decode())


def test_new_serials_are_distinct_card_serials() -> None:
    serials = {new_card_serial() for _ in range(100)}

    assert len(serials) == 100
    assert all(0 < serial_number(s) < 2**159 for s in serials)


@pytest.mark.parametrize("serial", ["", "0", "00ab", "AB", "0xab", " ab", "ab_1", "+ab", "g1",
                                    "8" + "0" * 39, "１２"],
                         ids=["empty", "zero", "leading zero", "upper case", "0x", "space",
                              "underscore", "sign", "not hex", "too big", "full-width"])
def test_a_serial_the_store_could_not_find_again_is_refused(ca, serial) -> None:
    with pytest.raises(ValueError, match="serial"):
        issue_card_certificate(ca, at=ISSUED, expires=EXPIRES, serial=serial)


# -- verifying a presentation ----------------------------------------------------------------


def test_a_card_that_signed_the_nonce_verifies(ca, card) -> None:
    verified = verify_card(ca, certificate=card.cert_pem.decode(), signature=sign_nonce(
        card.key_pem, NONCE), nonce=NONCE, at=LATER)

    assert verified.serial == card.serial
    assert verified.not_after == EXPIRES
    assert verified.fingerprint == fingerprint(card.cert_pem.decode())


def test_a_signature_of_another_nonce_is_refused(ca, card) -> None:
    forged = sign_nonce(card.key_pem, b"another nonce")

    assert refused(ca=ca, certificate=card.cert_pem, signature=forged, nonce=NONCE,
                   at=LATER) == "card_signature_invalid"


def test_a_signature_by_another_cards_key_is_refused(ca, card) -> None:
    thief = issue_card_certificate(ca, at=ISSUED, expires=EXPIRES)

    assert refused(ca=ca, certificate=card.cert_pem, signature=sign_nonce(thief.key_pem, NONCE),
                   nonce=NONCE, at=LATER) == "card_signature_invalid"


def test_garbage_bytes_as_a_signature_are_refused(ca, card) -> None:
    assert refused(ca=ca, certificate=card.cert_pem, signature=b"\x00" * 7, nonce=NONCE,
                   at=LATER) == "card_signature_invalid"


def test_a_card_of_another_jpki_ca_is_refused(ca, other_ca) -> None:
    stranger = issue_card_certificate(other_ca, at=ISSUED, expires=EXPIRES)

    assert refused(ca=ca, certificate=stranger.cert_pem,
                   signature=sign_nonce(stranger.key_pem, NONCE), nonce=NONCE,
                   at=LATER) == "card_signature_invalid"


def test_an_institution_certificate_is_not_a_card(ca, tmp_path) -> None:
    institution_ca = init_ca(tmp_path / "ca", at=ISSUED)
    clinic = issue_client_certificate(institution_ca, institution_code="1311000002",
                                      institution_name="さくら内科クリニック", at=ISSUED)

    assert refused(ca=ca, certificate=clinic.cert_pem, signature=b"x", nonce=NONCE,
                   at=LATER) == "card_signature_invalid"


def test_the_ca_certificate_itself_is_not_a_card(ca) -> None:
    signature = sign_nonce(_key_pem(ca.private_key), NONCE)

    assert refused(ca=ca, certificate=ca.cert_pem, signature=signature, nonce=NONCE,
                   at=LATER) == "card_signature_invalid"


@pytest.mark.parametrize(
    "certificate",
    ["", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
     "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "hello", "x" * 70000],
    ids=["empty", "not base64", "not a certificate", "no PEM block", "too large"],
)
def test_garbage_instead_of_a_certificate_is_refused(ca, certificate) -> None:
    assert refused(ca=ca, certificate=certificate, signature=b"x", nonce=NONCE,
                   at=LATER) == "card_signature_invalid"


def test_a_card_is_expired_from_its_end_on(ca, card) -> None:
    signature = sign_nonce(card.key_pem, NONCE)

    last = verify_card(ca, certificate=card.cert_pem, signature=signature, nonce=NONCE,
                       at=EXPIRES - SECOND)

    assert last.serial == card.serial
    assert refused(ca=ca, certificate=card.cert_pem, signature=signature, nonce=NONCE,
                   at=EXPIRES) == "card_expired"


def test_a_card_is_not_valid_before_its_issue(ca, card) -> None:
    signature = sign_nonce(card.key_pem, NONCE)

    assert refused(ca=ca, certificate=card.cert_pem, signature=signature, nonce=NONCE,
                   at=ISSUED - SECOND) == "card_expired"


def test_signing_with_something_that_is_not_a_key_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="private key"):
        sign_nonce(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", NONCE)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
