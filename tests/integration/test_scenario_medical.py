"""Scenario files with cards, drug records, checkups and the medical events (docs/scenarios.md).

A card is issued at the scenario's clock and its bundle goes to ``on_card`` only; drug lines and
checkups get their arrival instants; events about consents, cards and information are applied
in business time. A malformed file is refused with its place named and changes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.cards.model import RevokeReason
from simulator.consent.model import InfoKind
from simulator.medical.model import DrugSource
from simulator.pki.jpki import JpkiHolder
from simulator.profiles import load_profiles
from simulator.scenarios.load import ScenarioError, load_scenario, parse_scenario
from simulator.store import SqlUnitOfWork
from tests.builders import at
from tests.integration.test_scenario_files import dump, hashed

SOURCE = "medical.yaml"
PROFILES = load_profiles()
WALL = dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC)
CLINIC = "1311234569"

BASE = """\
name: medical
title: カードと同意と薬剤情報
clock: 2026-06-01T09:00:00+09:00
institutions:
  - {code: "1311234569", name: さくら内科クリニック}
insurers:
  - {number: "06139992", name: 山田商事健康保険組合}
persons:
  - id: yoko
    name: 長谷川　陽子
    kana: ﾊｾｶﾞﾜ ﾖｳｺ
    birthdate: 1974-02-20
    sex: "2"
    address: 東京都世田谷区三軒茶屋2-11-22
    card: {expires: 2030-02-20, insurance_use: false, pin: "4321"}
    qualifications:
      - {insurer: "06139992", symbol: "1234", number: "4410", branch: "00",
         valid_from: 1996-04-01, registered_at: 2021-03-01T10:00:00+09:00}
    drugs:
      - {date: 2026-04-08, source: claims, institution: "1311234569", code: "620098801",
         quantity: 3, days: 5}
      - {date: 2026-05-20, source: dispensing, institution: "1341234563", code: "610407147",
         quantity: 1, days: 28}
    checkups:
      - {date: 2025-10-01, items: {height: 158.2, hba1c: 5.9, metabolic: "2"}}
timeline:
  - {at: 2026-06-02T10:00:00+09:00, event: consent, person: yoko, institution: "1311234569",
     kinds: [drug, checkup]}
  - {at: 2026-06-02T15:00:00+09:00, event: consent_withdraw, person: yoko,
     institution: "1311234569", kinds: [checkup], withdraw_reason: "1"}
  - {at: 2026-06-03T09:00:00+09:00, event: card_register, person: yoko}
  - {at: 2026-06-04T09:00:00+09:00, event: card_revoke, person: yoko, revoke_reason: lost}
  - at: 2026-06-05T09:00:00+09:00
    event: drug
    person: yoko
    drugs:
      - {date: 2026-06-05, source: eprescription, institution: "1311234569",
         code: "610407147", quantity: 1, days: 28}
  - at: 2026-06-10T09:00:00+09:00
    event: checkup
    person: yoko
    checkup: {date: 2026-06-10, items: {weight: 61.5, urine_glucose: "1"}}
"""


def variant(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


@pytest.fixture
def jpki(tmp_path) -> JpkiHolder:
    return JpkiHolder(tmp_path / "pki")


def load(engine, jpki, text: str = BASE, cards: dict | None = None) -> dict[str, int]:
    return load_scenario(uow=SqlUnitOfWork(engine), scenario=parse_scenario(text, SOURCE),
                         profiles=PROFILES, password_hash=hashed, wall=WALL, jpki=jpki,
                         on_card=(cards if cards is not None else {}).__setitem__)


def test_the_card_is_issued_at_the_clock_and_its_key_goes_to_the_caller_only(
    engine, jpki
) -> None:
    cards: dict = {}
    load(engine, jpki, cards=cards)

    with SqlUnitOfWork(engine) as uow:
        person = uow.repo.person_by_handle("medical", "yoko")
        (card,) = uow.repo.cards_of(person.id)
    assert list(cards) == ["yoko"]
    assert card.serial == cards["yoko"].serial
    assert b"PRIVATE KEY" in cards["yoko"].key_pem
    assert card.not_before <= at(2026, 6, 1, 9) < card.end
    assert card.end == at(2030, 2, 21, 0)  # the last day given works, the next does not
    assert card.insurance_registered_at == at(2026, 6, 3, 9)  # by the card_register event
    assert (card.revoked_at, card.revoke_reason) == (at(2026, 6, 4, 9), RevokeReason.LOST)


def test_drug_lines_and_checkups_arrive_when_oqs_would_have_them(engine, jpki) -> None:
    load(engine, jpki)

    with SqlUnitOfWork(engine) as uow:
        person = uow.repo.person_by_handle("medical", "yoko")
        drugs = {r.source: r for r in uow.repo.drugs_of(person.id)}
        checkups = {c.exam_date: c for c in uow.repo.checkups_of(person.id)}
    assert drugs[DrugSource.CLAIMS].visible_at == at(2026, 6, 10, 0)  # 10th, 2 months on
    assert drugs[DrugSource.CLAIMS].drug_name == "ロキソニン錠６０ｍｇ"  # from the master
    assert drugs[DrugSource.DISPENSING].visible_at == at(2026, 5, 20, 0)
    assert drugs[DrugSource.EPRESCRIPTION].visible_at == at(2026, 6, 5, 9)  # the event's at
    assert checkups[dt.date(2025, 10, 1)].visible_at == at(2025, 11, 30, 0)  # 組合: 60 days
    assert checkups[dt.date(2026, 6, 10)].visible_at == at(2026, 8, 9, 0)
    assert {r.code for r in checkups[dt.date(2026, 6, 10)].results} == {
        "9N006000000000001", "1A020000000191111"}


def test_consent_events_give_and_withdraw_in_business_time(engine, jpki) -> None:
    load(engine, jpki)

    with SqlUnitOfWork(engine) as uow:
        person = uow.repo.person_by_handle("medical", "yoko")
        consents = {c.kind: c for c in uow.repo.consents_of(person.id, institution=CLINIC)}
    assert set(consents) == {InfoKind.DRUG, InfoKind.CHECKUP}
    assert consents[InfoKind.DRUG].available_until == at(2026, 6, 3, 10)  # 24 hours
    assert consents[InfoKind.DRUG].withdrawn_at is None
    assert consents[InfoKind.CHECKUP].withdrawn_at == at(2026, 6, 2, 15)
    assert consents[InfoKind.CHECKUP].withdraw_reason.value == "1"
    assert consents[InfoKind.CHECKUP].live_at(at(2026, 6, 2, 14, 59, 59))
    assert not consents[InfoKind.CHECKUP].live_at(at(2026, 6, 2, 15))


MALFORMED = {
    "a drug code that is not 9 digits": (
        variant('code: "620098801"', 'code: "62009880"'),
        "parse", "persons[0].drugs[0].code", "does not match"),
    "a consent with no kinds": (
        variant("kinds: [drug, checkup]}", "kinds: []}"),
        "parse", "timeline[0].kinds", "should be non-empty"),
    "a checkup item the master does not know": (
        variant("hba1c: 5.9,", "hba1c: 5.9, eyesight: 1.0,"),
        "load", "persons[0].checkups[0].items.eyesight", "is not a 特定健診 item"),
    "a checkup of a person under 40 on the exam date": (
        variant("date: 2025-10-01, items:", "date: 2010-10-01, items:"),
        "load", "persons[0].checkups[0].date", "40"),
    "a consent for an institution not in the store": (
        variant('event: consent, person: yoko, institution: "1311234569"',
                'event: consent, person: yoko, institution: "1311000002"'),
        "load", "timeline[0].institution", "no institution 1311000002"),
    "a card event for a person without a card": (
        variant('    card: {expires: 2030-02-20, insurance_use: false, pin: "4321"}\n', ""),
        "load", "timeline[2].person", "holds no My Number card"),
    "a PIN that is not 4 digits (schema)": (
        variant('pin: "4321"', 'pin: "43210"'),
        "parse", "persons[0].card.pin", "does not match"),
    "a card that expires before it is issued": (
        variant("card: {expires: 2030-02-20", "card: {expires: 2026-05-31"),
        "load", "persons[0].card.expires", "before the issue day"),
}


@pytest.mark.parametrize(("text", "stage", "path", "problem"), MALFORMED.values(),
                         ids=MALFORMED.keys())
def test_a_malformed_medical_part_is_refused_naming_its_place_and_changes_nothing(
    engine, jpki, text, stage, path, problem
) -> None:
    load(engine, jpki)
    before = dump(engine)
    cards: dict = {}

    with pytest.raises(ScenarioError) as caught:
        load(engine, jpki, parse_scenario(text, SOURCE).text, cards)

    assert caught.value.field == path
    assert problem in str(caught.value)
    assert dump(engine) == before
