"""The checkup item and drug masters load, and fail loudly when broken."""

from __future__ import annotations

import textwrap

import pytest

from simulator.datasets import DatasetError
from simulator.medical.masters import DATA_TYPES, load_checkup_items, load_drugs

HEIGHT = """\
  - name: height
    code: "9N001000000000001"
    label: 身長
    type: PQ
    unit: cm
"""
METABOLIC = """\
  - name: metabolic
    code: "9N501000000000011"
    label: メタボリックシンドローム判定
    type: CD
    oid: "1.2.392.200119.6.1008"
    values: {"1": 基準該当}
"""
LOXONIN = """\
  - code: "620098801"
    name: ロキソニン錠６０ｍｇ
    ingredient: ロキソプロフェンナトリウム水和物
    unit: 錠
    usage: １日３回毎食後
"""


def write(tmp_path, text: str):
    path = tmp_path / "master.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_shipped_item_master_has_the_specific_checkup_items() -> None:
    items = load_checkup_items()

    names = {"height", "weight", "bmi", "waist", "systolic", "diastolic", "triglycerides", "hdl",
             "ldl", "ast", "alt", "ggt", "fasting_glucose", "hba1c", "urine_glucose",
             "urine_protein", "metabolic", "guidance_level"}
    assert set(items.names) == names
    assert all(len(item.code) == 17 and item.data_type in DATA_TYPES for item in items)
    assert items.find("9N001000000000001") is items.find("height")


def test_coded_items_carry_their_oid_and_value_names() -> None:
    items = load_checkup_items()

    assert items.find("urine_glucose").value_name("3") == "＋"
    assert items.find("guidance_level").value_name("1") == "積極的支援"
    assert items.find("height").value_name("1") is None


def test_the_shipped_drug_master_has_about_twenty_drugs_by_nine_digit_code() -> None:
    drugs = load_drugs()

    assert len(drugs) >= 20
    assert all(len(d.code) == 9 and d.code.isdigit() for d in drugs)
    assert drugs.get("620098801").name == "ロキソニン錠６０ｍｇ"


def test_a_drug_may_say_how_often_and_to_whom_it_is_given(tmp_path) -> None:
    plain, weighted = load_drugs(write(tmp_path, "drugs:\n" + LOXONIN + LOXONIN.replace(
        '"620098801"', '"620000033"') + "    weight: 2.5\n    ages: [15, 110]\n"))

    assert (plain.weight, plain.ages, plain.fits(3)) == (1.0, None, True)
    assert (weighted.weight, weighted.ages) == (2.5, (15, 110))
    assert weighted.fits(15) and weighted.fits(110) and not weighted.fits(14)


@pytest.mark.parametrize(("text", "message"), [
    ("items:\n" + HEIGHT + HEIGHT.replace('"9N001000000000001"', '"9N006000000000001"'),
     "duplicate name or code height"),
    ("items:\n" + HEIGHT + HEIGHT.replace("name: height", "name: tall"),
     "duplicate name or code 9N001000000000001"),
    ("items:\n" + HEIGHT.replace("unit: cm", "unit: cm\n    range: 1"), "expected the keys"),
    ("items:\n" + HEIGHT.replace("type: PQ", "type: NM"), "'NM' is not one of"),
    ("items:\n" + HEIGHT.replace("    unit: cm\n", ""), "needs a unit"),
    ("items:\n" + HEIGHT.replace('"9N001000000000001"', '"9N00100000000001"'),
     "not a 17-character"),
    ("items:\n" + HEIGHT.replace("name: height", "name: Height"), "lower-case"),
    ("items:\n" + METABOLIC.replace('    values: {"1": 基準該当}\n', ""), "needs oid and values"),
    ("items:\n" + METABOLIC.replace('{"1": 基準該当}', "{1: 基準該当}"), "quoted code"),
    ("items: []\n", "non-empty list"),
    ("items:\n" + HEIGHT + "items: []\n", "duplicate key 'items'"),
], ids=["dup-name", "dup-code", "unknown-key", "type", "unit", "code-form", "name-form",
        "values", "value-key", "empty", "yaml-dup"])
def test_a_broken_item_master_stops_start_up(tmp_path, text, message) -> None:
    with pytest.raises(DatasetError, match=message):
        load_checkup_items(write(tmp_path, text))


@pytest.mark.parametrize(("text", "message"), [
    ("drugs:\n" + LOXONIN + LOXONIN, "duplicate code 620098801"),
    ("drugs:\n" + LOXONIN.replace('"620098801"', '"1149019F1560"'), "9-digit"),
    ("drugs:\n" + LOXONIN.replace("    usage: １日３回毎食後\n", ""), "exactly the keys"),
    ("drugs:\n" + LOXONIN.replace("unit: 錠", 'unit: ""'), "drugs\\[0\\].unit"),
    ("drugs:\n" + LOXONIN + "    weight: 0\n", "weight: expected a positive number"),
    ("drugs:\n" + LOXONIN + "    ages: [65]\n", "ages: expected"),
    ("drugs:\n" + LOXONIN + "    ages: [70, 40]\n", "ages: expected"),
    ("drugs:\n" + LOXONIN + "    price: 10\n", "exactly the keys"),
], ids=["dup-code", "code-form", "missing-key", "empty-value", "weight", "ages-length",
        "ages-order", "unknown-key"])
def test_a_broken_drug_master_stops_start_up(tmp_path, text, message) -> None:
    with pytest.raises(DatasetError, match=message):
        load_drugs(write(tmp_path, text))
