"""Card services on a real store (SQLite and PostgreSQL): issuing, the card's life, nonces, and
what one presentation writes."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from simulator import schema
from simulator.cards import service as card_service
from simulator.cards.service import ChallengeInvalid, Presentation
from simulator.clock import FixedClock
from simulator.consent.model import InfoKind, TreatmentFlag
from simulator.pki import ensure_jpki_ca, issue_card_certificate, sign_nonce, verify_card
from simulator.registry.errors import Conflict, InvalidInput, NotFound, Unauthorized
from simulator.registry.model import JST
from simulator.store import SqlUnitOfWork
from tests.builders import KUMIAI, at, held_card, institution, person, record

BUSINESS_NOW = at(2026, 4, 1, 9, 0)
WALL = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
CLINIC = institution("1311000002", "さくら内科クリニック")
DENTAL = institution("1331000008", "ひまわり歯科医院")
HOURS = {"1": 24, "2": 72, "3": 48, "4": 12}
TTL = dt.timedelta(minutes=5)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return ensure_jpki_ca(tmp_path_factory.mktemp("pki") / "jpki")


@pytest.fixture
def clock():
    return FixedClock(BUSINESS_NOW)


@pytest.fixture
def uow(engine):
    return SqlUnitOfWork(engine)


@pytest.fixture
def person_id(engine):
    with SqlUnitOfWork(engine) as unit:
        unit.repo.add_insurer(KUMIAI)
        for inst in (CLINIC, DENTAL):
            unit.repo.add_institution(inst)
        new_id = unit.repo.add_person(person())
        unit.repo.add_qualification(record(new_id))
        unit.commit()
    return new_id


def rows(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def issue(uow, clock, ca, person_id, **kwargs):
    return card_service.issue_card(uow=uow, clock=clock, ca=ca, person=person_id, **kwargs)


# -- issuing -------------------------------------------------------------------------------------


def test_an_issued_card_keeps_its_certificate_but_never_its_key(engine, uow, clock, ca,
                                                                person_id) -> None:
    issued = issue(uow, clock, ca, person_id)

    with engine.connect() as connection:
        row = connection.execute(select(schema.cards)).one()
    assert row.serial == issued.bundle.serial
    assert row.certificate == issued.bundle.cert_pem.decode()
    assert issued.bundle.key_pem.decode() not in " ".join(str(v) for v in row)
    assert row.pin_hash and "1234" not in row.pin_hash


def test_a_card_works_five_years_through_the_same_calendar_day(uow, clock, ca,
                                                               person_id) -> None:
    issued = issue(uow, clock, ca, person_id)

    assert issued.bundle.not_after.astimezone(JST) == at(2031, 4, 2, 0, 0)


def test_an_explicit_expiry_is_the_last_day_the_card_works(uow, clock, ca, person_id) -> None:
    issued = issue(uow, clock, ca, person_id, expires=dt.date(2026, 6, 30))

    assert issued.bundle.not_after.astimezone(JST) == at(2026, 7, 1, 0, 0)


def test_a_card_is_registered_for_insurance_use_at_issue_unless_asked(uow, clock, ca,
                                                                      person_id) -> None:
    issue(uow, clock, ca, person_id)
    issue(uow, clock, ca, person_id, insurance_use=False)

    with uow:
        cards = uow.repo.cards_of(person_id)
    assert [c.insurance_registered_at for c in cards] == [BUSINESS_NOW, None]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"person": 999}, "person"), ({"person": "story/nobody"}, "person"),
     ({"person": True}, "person"), ({"pin": "12345"}, "pin"), ({"pin": "12a4"}, "pin"),
     ({"expires": dt.date(2026, 3, 31)}, "expires")],
    ids=["unknown id", "unknown handle", "not a reference", "5 digits", "letter",
         "expired already"],
)
def test_a_bad_issue_names_the_field_and_writes_nothing(engine, uow, clock, ca, person_id,
                                                        kwargs, field) -> None:
    arguments = {"person": person_id} | kwargs

    with pytest.raises(InvalidInput) as caught:
        card_service.issue_card(uow=uow, clock=clock, ca=ca, **arguments)

    assert caught.value.field == field
    assert rows(engine, schema.cards) == 0


def test_no_card_is_issued_before_1950(uow, ca, person_id) -> None:
    with pytest.raises(InvalidInput) as caught:
        issue(uow, FixedClock(at(1949, 12, 31)), ca, person_id)

    assert caught.value.field == "at"


# -- the card's life -----------------------------------------------------------------------------


def test_a_lost_card_may_be_resumed(uow, clock, ca, person_id) -> None:
    serial = issue(uow, clock, ca, person_id).bundle.serial

    lost = card_service.revoke_card(uow=uow, clock=clock, serial=serial, reason="lost")
    resumed = card_service.resume_card(uow=uow, clock=clock, serial=serial)

    assert (lost["status"], lost["revoke_reason"]) == ("card_revoked", "lost")
    assert (resumed["status"], resumed["revoked_at"]) == ("ok", None)


def test_a_revocation_is_final(uow, clock, ca, person_id) -> None:
    serial = issue(uow, clock, ca, person_id).bundle.serial
    card_service.revoke_card(uow=uow, clock=clock, serial=serial, reason="lost")
    card_service.revoke_card(uow=uow, clock=clock, serial=serial, reason="revoked")

    with pytest.raises(Conflict):
        card_service.resume_card(uow=uow, clock=clock, serial=serial)
    with pytest.raises(Conflict):
        card_service.revoke_card(uow=uow, clock=clock, serial=serial, reason="lost")


def test_a_card_in_use_cannot_be_resumed(uow, clock, ca, person_id) -> None:
    serial = issue(uow, clock, ca, person_id).bundle.serial

    with pytest.raises(Conflict):
        card_service.resume_card(uow=uow, clock=clock, serial=serial)


def test_revoking_needs_a_known_reason_and_a_known_card(uow, clock, ca, person_id) -> None:
    serial = issue(uow, clock, ca, person_id).bundle.serial

    with pytest.raises(InvalidInput) as caught:
        card_service.revoke_card(uow=uow, clock=clock, serial=serial, reason="stolen")
    with pytest.raises(NotFound):
        card_service.revoke_card(uow=uow, clock=clock, serial="ffff", reason="lost")
    assert caught.value.field == "reason"


def test_an_expired_card_dies_at_the_instant_given(uow, clock, ca, person_id) -> None:
    serial = issue(uow, clock, ca, person_id).bundle.serial
    dies = at(2026, 5, 1, 0, 0)

    before = card_service.expire_card(uow=uow, clock=clock, serial=serial, at=dies)
    clock.instant = dies
    after = card_service.card_list(uow=uow, clock=clock, person=person_id)

    assert before["status"] == "card_expiring"
    assert before["expires_at"] == dies.isoformat()
    assert after[0]["status"] == "card_expired"


def test_registration_happens_once(uow, clock, ca, person_id) -> None:
    serial = issue(uow, clock, ca, person_id, insurance_use=False).bundle.serial

    first = card_service.register_card(uow=uow, clock=clock, serial=serial)
    clock.advance(dt.timedelta(days=1))
    again = card_service.register_card(uow=uow, clock=clock, serial=serial)

    assert first["insurance_registered_at"] == again["insurance_registered_at"] == (
        BUSINESS_NOW.isoformat())


# -- held cards and their bundles ----------------------------------------------------------------


def hold(uow, *rows) -> list[str]:
    with uow:
        uow.repo.add_held_cards(list(rows))
        uow.commit()
    return [row["serial"] for row in rows]


def bundle_of(uow, ca, serial, **kwargs):
    return card_service.bundle_card(uow=uow, ca=ca, serial=serial, **kwargs)


def stored_certificate(uow, serial) -> str | None:
    with uow:
        return uow.repo.card_by_serial(serial).certificate


def test_many_held_cards_go_in_at_once_without_certificates(engine, uow, clock,
                                                            person_id) -> None:
    rows_in = [held_card(person_id) for _ in range(500)]

    with uow:
        inserted = uow.repo.add_held_cards(rows_in)
        nothing = uow.repo.add_held_cards([])
        uow.commit()

    listed = card_service.card_list(uow=uow, clock=clock, person=person_id)
    assert (inserted, nothing, rows(engine, schema.cards)) == (500, 0, 500)
    assert [c["serial"] for c in listed] == [r["serial"] for r in rows_in]
    assert {(c["status"], c["certificate_issued"]) for c in listed} == {("ok", False)}
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(schema.cards).where(
            schema.cards.c.certificate.is_not(None))).scalar_one() == 0


def test_bundling_a_held_card_issues_its_certificate_for_its_serial_and_validity(
        uow, clock, ca, person_id) -> None:
    (serial,) = hold(uow, held_card(person_id))

    issued = bundle_of(uow, ca, serial.upper())

    bundle = issued.bundle
    verified = verify_card(ca, certificate=bundle.cert_pem, nonce=b"n",
                           signature=sign_nonce(bundle.key_pem, b"n"), at=BUSINESS_NOW)
    assert (issued.person_id, bundle.serial, verified.serial) == (person_id, serial, serial)
    assert (bundle.not_before, bundle.not_after) == (at(2026, 4, 1, 0, 0), at(2031, 4, 2, 0, 0))
    assert stored_certificate(uow, serial) == bundle.cert_pem.decode()
    assert card_service.card_list(uow=uow, clock=clock)[0]["certificate_issued"] is True


def test_a_card_bundled_already_is_refused_unless_replaced(uow, clock, ca, person_id) -> None:
    (serial,) = hold(uow, held_card(person_id))
    first = bundle_of(uow, ca, serial).bundle

    with pytest.raises(Conflict) as caught:
        bundle_of(uow, ca, serial)
    kept = stored_certificate(uow, serial)
    second = bundle_of(uow, ca, serial, replace=True).bundle

    assert caught.value.message.startswith(f"serial: カード {serial} の利用者証明用電子証明書は"
                                           "発行済みです。")
    assert kept == first.cert_pem.decode()
    assert second.serial == serial and second.key_pem != first.key_pem
    assert stored_certificate(uow, serial) == second.cert_pem.decode()


def test_an_issued_card_is_a_card_bundled_already(uow, clock, ca, person_id) -> None:
    serial = issue(uow, clock, ca, person_id).bundle.serial

    with pytest.raises(Conflict):
        bundle_of(uow, ca, serial)
    assert bundle_of(uow, ca, serial, replace=True).bundle.serial == serial


def test_revoked_and_expired_cards_are_bundled_too(uow, clock, ca, person_id) -> None:
    revoked, expired = hold(  # every row of one call has the same keys
        uow, held_card(person_id, revoked_at=at(2026, 1, 1), revoke_reason="revoked"),
        held_card(person_id, not_before=at(2021, 3, 1), not_after=at(2026, 3, 1, 0, 0),
                  revoked_at=None, revoke_reason=None))

    bundles = [bundle_of(uow, ca, serial).bundle for serial in (revoked, expired)]

    assert [b.serial for b in bundles] == [revoked, expired]
    assert [c["status"] for c in card_service.card_list(uow=uow, clock=clock)] == [
        "card_revoked", "card_expired"]


@pytest.mark.parametrize(
    ("values", "field"),
    [({"serial": "00ab"}, "serial"), ({"serial": "x-1"}, "serial"),
     ({"not_before": at(1949, 12, 31)}, "not_before"),
     ({"not_after": at(2026, 4, 1, 0, 0)}, "not_after")],
    ids=["leading zero", "not hexadecimal", "before 1950", "empty validity"],
)
def test_a_card_that_cannot_make_a_certificate_names_the_field(uow, ca, person_id, values,
                                                               field) -> None:
    (serial,) = hold(uow, held_card(person_id, **values))

    with pytest.raises(InvalidInput) as caught:
        bundle_of(uow, ca, serial)

    assert caught.value.field == field
    assert f"カード {serial} " in caught.value.message
    assert stored_certificate(uow, serial) is None


def test_bundling_an_unknown_card_is_not_found(uow, ca, person_id) -> None:
    with pytest.raises(NotFound):
        bundle_of(uow, ca, "abc123")


# -- nonces (wall time) --------------------------------------------------------------------------


def take(uow, nonce: str, institution_code: str, wall: dt.datetime) -> str | None:
    with uow:
        state = uow.repo.take_challenge(nonce, institution=institution_code, at=wall,
                                        issued_after=wall - TTL)
        uow.commit()
    return state


def test_a_nonce_is_taken_once_by_the_institution_that_asked(uow, person_id) -> None:
    nonce = card_service.new_challenge(uow=uow, wall=WALL, institution=CLINIC.code).nonce

    by_other = take(uow, nonce, DENTAL.code, WALL)
    first = take(uow, nonce, CLINIC.code, WALL)
    second = take(uow, nonce, CLINIC.code, WALL)

    assert (by_other, first, second) == ("other_institution", None, "used")
    assert take(uow, "never-issued", CLINIC.code, WALL) == "unknown"


def test_a_nonce_lasts_five_minutes_of_wall_time(uow, person_id) -> None:
    issued = card_service.new_challenge(uow=uow, wall=WALL, institution=CLINIC.code)
    late = card_service.new_challenge(uow=uow, wall=WALL, institution=CLINIC.code)

    assert issued.expires == WALL + TTL
    assert take(uow, issued.nonce, CLINIC.code, WALL + TTL - SECOND) is None
    assert take(uow, late.nonce, CLINIC.code, WALL + TTL) == "expired"


def test_a_nonce_is_a_base64url_value_of_32_bytes(uow, person_id) -> None:
    nonce = card_service.new_challenge(uow=uow, wall=WALL, institution=CLINIC.code).nonce

    assert len(base64.urlsafe_b64decode(nonce + "=")) == 32


def test_nonces_older_than_a_day_are_purged_when_a_new_one_is_issued(engine, uow,
                                                                     person_id) -> None:
    card_service.new_challenge(uow=uow, wall=WALL, institution=CLINIC.code)
    card_service.new_challenge(uow=uow, wall=WALL + dt.timedelta(hours=23),
                               institution=CLINIC.code)

    card_service.new_challenge(uow=uow, wall=WALL + dt.timedelta(days=1, seconds=1),
                               institution=CLINIC.code)

    assert rows(engine, schema.card_challenges) == 2


# -- one presentation ----------------------------------------------------------------------------


@pytest.fixture
def bundle(uow, clock, ca, person_id):
    return issue(uow, clock, ca, person_id).bundle


def present(uow, clock, ca, bundle, **overrides):
    nonce = card_service.new_challenge(uow=uow, wall=WALL, institution=CLINIC.code).nonce
    values = dict(nonce=nonce, certificate=bundle.cert_pem.decode(),
                  signature=sign_nonce(bundle.key_pem, nonce.encode()), method="face")
    presentation = replace(Presentation(**values), **overrides)
    return card_service.present_card(uow=uow, clock=clock, wall=WALL, ca=ca, hours=HOURS,
                                     institution=CLINIC.code, presentation=presentation)


def test_consents_last_the_hours_of_the_care_setting(uow, clock, ca, bundle,
                                                     person_id) -> None:
    outcome = present(uow, clock, ca, bundle, consents=(InfoKind.DRUG,),
                      treatment_flag=TreatmentFlag.HOME_VISIT)

    with uow:
        (consent,) = uow.repo.consents_of(person_id)
    assert consent.available_until - consent.given_at == dt.timedelta(hours=72)
    assert (consent.institution_code, consent.source) == (CLINIC.code, "reader")
    shown = {c.kind: c.state for c in outcome.confirmation.consents}
    assert shown == {"drug": "1", "checkup": "0", "diagnosis": "0", "operation": "0"}


def test_a_wrong_pin_is_kept_and_audited_but_records_no_consent(engine, uow, clock, ca, bundle,
                                                                person_id) -> None:
    outcome = present(uow, clock, ca, bundle, method="pin", pin="9999",
                      consents=(InfoKind.DRUG,))

    with uow:
        card = uow.repo.card_by_serial(bundle.serial)
        audit = uow.repo.audit(person_id=person_id)
    assert (outcome.refusal, outcome.detail) == ("pin_wrong", "2")
    assert card.pin_failures == 1
    assert [(a.kind, a.route, a.outcome, a.count) for a in audit] == [
        ("qualification", "card", "pin_wrong", 0)]
    assert outcome.sequence == audit[0].id
    assert rows(engine, schema.consents) == 0


def test_a_nonce_that_cannot_be_used_writes_nothing(engine, uow, clock, ca, bundle) -> None:
    nonce = card_service.new_challenge(uow=uow, wall=WALL, institution=CLINIC.code).nonce
    presentation = Presentation(nonce=nonce, certificate=bundle.cert_pem.decode(),
                                signature=sign_nonce(bundle.key_pem, nonce.encode()),
                                method="pin", pin="9999")

    with pytest.raises(ChallengeInvalid):
        card_service.present_card(uow=uow, clock=clock, wall=WALL + TTL, ca=ca, hours=HOURS,
                                  institution=CLINIC.code, presentation=presentation)

    with uow:
        assert uow.repo.card_by_serial(bundle.serial).pin_failures == 0
    assert rows(engine, schema.audit_entries) == 0


def test_an_institution_unknown_to_the_store_is_refused(uow, clock, ca, bundle) -> None:
    presentation = Presentation(nonce="x", certificate="", signature=b"", method="face")

    with pytest.raises(Unauthorized) as caught:
        card_service.present_card(uow=uow, clock=clock, wall=WALL, ca=ca, hours=HOURS,
                                  institution="1311000010", presentation=presentation)

    assert caught.value.code == "institution_unknown"


def test_registering_on_the_reader_writes_its_own_audit_entry(uow, clock, ca, person_id) -> None:
    unregistered = issue(uow, clock, ca, person_id, insurance_use=False).bundle
    nonce = card_service.new_challenge(uow=uow, wall=WALL, institution=CLINIC.code).nonce
    presentation = Presentation(nonce=nonce, certificate=unregistered.cert_pem.decode(),
                                signature=sign_nonce(unregistered.key_pem, nonce.encode()),
                                method="face")

    outcome = card_service.present_card(uow=uow, clock=clock, wall=WALL, ca=ca, hours=HOURS,
                                        institution=CLINIC.code, presentation=presentation,
                                        register=True)

    with uow:
        kinds = [(a.kind, a.outcome) for a in uow.repo.audit(person_id=person_id)]
        card = uow.repo.card_by_serial(unregistered.serial)
    assert outcome.refusal is None
    assert kinds == [("card_register", "ok"), ("qualification", "ok")]
    assert card.insurance_registered_at == BUSINESS_NOW


def audited(uow) -> list[tuple]:
    with uow:
        return [(a.person_id, a.outcome, a.count) for a in uow.repo.audit()]


def test_a_held_card_is_refused_as_a_certificate_no_card_has(uow, clock, ca, person_id) -> None:
    (serial,) = hold(uow, held_card(person_id, pin_hash="x"))
    nobodys = issue_card_certificate(ca, at=BUSINESS_NOW, expires=at(2030, 1, 1))
    held_serials = issue_card_certificate(ca, at=BUSINESS_NOW, expires=at(2030, 1, 1),
                                          serial=serial)

    unknown = present(uow, clock, ca, nobodys, method="pin", pin="9999")
    held = present(uow, clock, ca, held_serials, method="pin", pin="9999")

    assert (unknown.refusal, held.refusal) == ("card_signature_invalid",) * 2
    assert audited(uow) == [(None, "card_signature_invalid", 0)] * 2
    with uow:
        assert uow.repo.card_by_serial(serial).pin_failures == 0


def test_a_replaced_certificate_is_refused_and_its_successor_works(uow, clock, ca,
                                                                   person_id) -> None:
    (serial,) = hold(uow, held_card(person_id))
    old = bundle_of(uow, ca, serial).bundle
    new = bundle_of(uow, ca, serial, replace=True).bundle

    assert present(uow, clock, ca, old).refusal == "card_signature_invalid"
    assert present(uow, clock, ca, new).refusal is None
