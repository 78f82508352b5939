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
from simulator.pki import ensure_jpki_ca, sign_nonce
from simulator.registry.errors import Conflict, InvalidInput, NotFound, Unauthorized
from simulator.registry.model import JST
from simulator.store import SqlUnitOfWork
from tests.builders import KUMIAI, at, institution, person, record

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
