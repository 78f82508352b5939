"""Reading drug lines and 特定健診 results from scenario mappings, with exact error paths."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.medical import input as medical_input
from simulator.medical.masters import checkup_items, drugs
from simulator.medical.model import DrugSource, claims_visible_at
from simulator.registry.errors import InvalidInput
from simulator.registry.model import JST, InsurerKind
from tests.builders import KUMIAI, KYOKAI, at, person, record

CLINIC = "1311000002"
PHARMACY = "1341000006"
OTHER_CLINIC = "1312000019"
EVENT_TIME = at(2026, 3, 25, 15, 0)
DRUGS_PATH = "persons[0].drugs[0]"
CHECKUP_PATH = "persons[0].checkups[0]"
HANAKO = person(birthdate=dt.date(1970, 6, 15), id=1)
UPLOAD_DAYS = {InsurerKind.KUMIAI: 60, InsurerKind.KYOKAI: 45}
INSURERS = {KUMIAI.number: KUMIAI, KYOKAI.number: KYOKAI}
KUMIAI_RECORDS = (record(person_id=1),)


def read_drug(known_at=EVENT_TIME, **values):
    raw = {"date": "2026-03-25", "source": "dispensing", "institution": PHARMACY,
           "prescriber": CLINIC, "code": "620098801", "quantity": 3, "days": 5} | values
    raw = {k: v for k, v in raw.items() if v is not None}
    return medical_input.drug(raw, DRUGS_PATH, person_id=1, drugs=drugs(), known_at=known_at)


def read_checkup(records=KUMIAI_RECORDS, **values):
    raw = {"date": "2025-06-10", "items": {"height": 158.2, "hba1c": "5.9",
                                           "metabolic": "2"}} | values
    raw = {k: v for k, v in raw.items() if v is not None}
    return medical_input.checkup(raw, CHECKUP_PATH, person=HANAKO, records=records,
                                 items=checkup_items(), upload_days=UPLOAD_DAYS.__getitem__,
                                 known=INSURERS.get)


# -- drugs -------------------------------------------------------------------------------------


def test_a_drug_given_by_code_takes_name_ingredient_unit_and_usage_from_the_master() -> None:
    line = read_drug()

    assert (line.drug_name, line.ingredient, line.unit, line.usage) == (
        "ロキソニン錠６０ｍｇ", "ロキソプロフェンナトリウム水和物", "錠", "１日３回毎食後")
    assert (line.quantity, line.days, line.source) == ("3", "5", DrugSource.DISPENSING)


def test_given_values_win_over_the_master() -> None:
    line = read_drug(name="ロキソプロフェン錠６０ｍｇ「Ｘ」", usage="疼痛時", quantity=1.5)

    assert (line.drug_name, line.usage, line.quantity) == ("ロキソプロフェン錠６０ｍｇ「Ｘ」",
                                                           "疼痛時", "1.5")


def test_a_claim_becomes_visible_with_the_claims_lag() -> None:
    assert read_drug(source="claims").visible_at == claims_visible_at(dt.date(2026, 3, 25))


def test_a_dispensing_result_is_visible_at_the_event_time_or_else_at_midnight() -> None:
    assert read_drug(source="dispensing").visible_at == EVENT_TIME
    assert read_drug(source="eprescription", known_at=None).visible_at == dt.datetime(
        2026, 3, 25, tzinfo=JST)


def test_a_line_dated_after_the_event_is_not_known_before_its_date() -> None:
    line = read_drug(date="2026-03-27")

    assert line.visible_at == dt.datetime(2026, 3, 27, tzinfo=JST)


def test_an_explicit_visible_at_is_kept() -> None:
    line = read_drug(source="claims", visible_at="2026-04-02T10:00:00+09:00")

    assert line.visible_at == at(2026, 4, 2, 10, 0)


def test_a_clinic_without_prescriber_dispensed_in_house() -> None:
    line = read_drug(institution=CLINIC, prescriber=None, institution_name="さくら内科")

    assert (line.prescribing_code, line.prescribing_name, line.in_out) == (
        CLINIC, "さくら内科", "1")


def test_a_pharmacy_dispenses_what_another_institution_prescribed() -> None:
    assert read_drug().in_out == "2"
    assert read_drug(prescriber=None).prescribing_code is None


@pytest.mark.parametrize(("values", "field"), [
    ({"date": None}, "date"),
    ({"date": "2026-02-30"}, "date"),
    ({"source": "fax"}, "source"),
    ({"institution": "1341000007"}, "institution"),
    ({"prescriber": "13120000"}, "prescriber"),
    ({"code": "1149019F1560"}, "code"),
    ({"code": "699999999"}, "name"),
    ({"quantity": None}, "quantity"),
    ({"quantity": "-1"}, "quantity"),
    ({"quantity": True}, "quantity"),
    ({"days": 0}, "days"),
    ({"days": "5"}, "days"),
    ({"dose": 1}, "dose"),
    ({"visible_at": "2026-03-24T23:59:59+09:00"}, "visible_at"),
    ({"visible_at": "2026-03-26T10:00:00"}, "visible_at"),
], ids=lambda v: str(v))
def test_a_bad_drug_line_names_the_exact_path(values, field) -> None:
    with pytest.raises(InvalidInput) as raised:
        read_drug(**values)

    assert raised.value.field == f"{DRUGS_PATH}.{field}"


def test_a_drug_line_must_be_a_mapping() -> None:
    with pytest.raises(InvalidInput) as raised:
        medical_input.drug(["620098801"], DRUGS_PATH, person_id=1, drugs=drugs())

    assert raised.value.field == DRUGS_PATH


# -- checkups ----------------------------------------------------------------------------------


def test_item_keys_may_be_short_names_or_codes_and_come_in_master_order() -> None:
    checkup = read_checkup(items={"9N501000000000011": 1, "height": 158, "urine_protein": "2"})

    assert [(r.code, r.value) for r in checkup.results] == [
        ("9N001000000000001", "158"), ("1A010000000191111", "2"),
        ("9N501000000000011", "1")]


def test_the_upload_delay_is_that_of_the_insurer_on_the_exam_date() -> None:
    records = (record(person_id=1, valid_to=dt.date(2025, 4, 1)),
               record(person_id=1, insurer=KYOKAI, valid_from=dt.date(2025, 4, 1)))

    checkup = read_checkup(records=records)

    assert checkup.insurer_number == KYOKAI.number
    assert checkup.visible_at == dt.datetime(2025, 6, 10, tzinfo=JST) + dt.timedelta(days=45)


def test_a_given_insurer_or_upload_days_or_visible_at_decide_the_upload() -> None:
    assert read_checkup(insurer=KYOKAI.number).insurer_number == KYOKAI.number
    assert read_checkup(upload_days=0).visible_at == dt.datetime(2025, 6, 10, tzinfo=JST)
    assert read_checkup(visible_at="2025-07-01T09:00:00+09:00").visible_at == at(
        2025, 7, 1, 9, 0)


@pytest.mark.parametrize(("values", "field"), [
    ({"date": "2010-06-14"}, "date"),
    ({"date": "2045-06-15"}, "date"),
    ({"items": None}, "items"),
    ({"items": {}}, "items"),
    ({"items": ["height"]}, "items"),
    ({"items": {"pulse": 70}}, "items.pulse"),
    ({"items": {"height": 158, "9N001000000000001": 158}}, "items.9N001000000000001"),
    ({"items": {"hba1c": "high"}}, "items.hba1c"),
    ({"items": {"weight": -3}}, "items.weight"),
    ({"items": {"metabolic": "5"}}, "items.metabolic"),
    ({"items": {"urine_glucose": True}}, "items.urine_glucose"),
    ({"visible_at": "2025-07-01T09:00:00+09:00", "upload_days": 3}, "upload_days"),
    ({"upload_days": -1}, "upload_days"),
    ({"visible_at": "2025-06-09T09:00:00+09:00"}, "visible_at"),
    ({"insurer": "06130018"}, "insurer"),
    ({"insurer": "01130020"}, "insurer"),
    ({"result": "A"}, "result"),
], ids=lambda v: str(v))
def test_a_bad_checkup_names_the_exact_path(values, field) -> None:
    with pytest.raises(InvalidInput) as raised:
        read_checkup(**values)

    assert raised.value.field == f"{CHECKUP_PATH}.{field}"


def test_a_person_outside_40_to_74_is_refused_naming_the_date_and_the_age() -> None:
    with pytest.raises(InvalidInput) as raised:
        read_checkup(date="2010-06-14")

    assert "39" in raised.value.reason and "2010-06-14" in raised.value.reason


def test_without_a_qualification_on_the_exam_date_the_insurer_must_be_given() -> None:
    later = (record(person_id=1, valid_from=dt.date(2026, 1, 1)),)

    with pytest.raises(InvalidInput) as raised:
        read_checkup(records=later)

    assert raised.value.field == f"{CHECKUP_PATH}.insurer"
    assert read_checkup(records=later, upload_days=10).insurer_number is None
