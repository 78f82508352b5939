"""The population data (datasets/population/) is whole and consistent: 47 prefectures, every
municipality with a valid 全国地方公共団体コード, 保険者番号 with their check digits, shares that
add up, age bands without gaps, distributions for the items of the checkup master."""

from __future__ import annotations

import re

import pytest

from simulator.datasets import DATASETS, load_yaml
from simulator.medical.masters import load_checkup_items, load_drugs
from simulator.registry.identifiers import check_digit

POPULATION = DATASETS / "population"
PREFECTURE_CODES = [f"{n:02d}" for n in range(1, 48)]
KINDS = ("kyokai", "kumiai", "kyosai", "kokuho", "kokuho_kumiai", "koki", "welfare")


def load(name: str):
    return load_yaml(POPULATION / f"{name}.yaml")


def lg_check_digit(body: str) -> int:
    """The 検査数字 of a 全国地方公共団体コード (JIS X 0402): weights 6..2, modulus 11."""
    remainder = sum(int(d) * w for d, w in zip(body, (6, 5, 4, 3, 2), strict=True)) % 11
    return (11 - remainder) % 10


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- age pyramid ---------------------------------------------------------------------------------


def test_age_bands_run_without_gaps_from_0_to_100_and_over() -> None:
    data = load("age_pyramid")
    bands = data["bands"]

    assert data["unit"] == "thousand" and data["source"]
    assert [b["from"] for b in bands] == list(range(0, 105, 5))
    assert all(b["to"] == b["from"] + 4 for b in bands[:-1])
    assert bands[-1] == bands[-1] | {"from": 100, "to": 105}
    assert all(is_number(b["male"]) and is_number(b["female"]) and b["male"] >= 0 for b in bands)
    total = sum(b["male"] + b["female"] for b in bands)
    assert 120_000 < total < 127_000  # Japan, in thousands


# -- prefectures and municipalities ------------------------------------------------------------


def test_the_47_prefectures_in_code_order_with_populations() -> None:
    prefectures = load("prefectures")["prefectures"]

    assert [p["code"] for p in prefectures] == PREFECTURE_CODES
    assert prefectures[0]["name"] == "北海道" and prefectures[12]["name"] == "東京都"
    assert all(isinstance(p["population"], int) and p["population"] > 400 for p in prefectures)
    total = sum(p["population"] for p in prefectures)
    bands = load("age_pyramid")["bands"]
    assert abs(total - sum(b["male"] + b["female"] for b in bands)) < 100  # same source year


def test_every_municipality_has_a_valid_code_and_a_known_prefecture() -> None:
    municipalities = load("municipalities")["municipalities"]
    codes = [m["code"] for m in municipalities]

    assert 1700 < len(municipalities) < 1760
    assert len(set(codes)) == len(codes)
    for m in municipalities:
        assert isinstance(m["code"], str) and re.fullmatch(r"[0-9]{6}", m["code"]), m
        assert int(m["code"][5]) == lg_check_digit(m["code"][:5]), m
        assert m["prefecture"] == m["code"][:2] and m["prefecture"] in PREFECTURE_CODES, m
        assert m["name"] and m["name"][-1] in "市区町村", m
        assert m["population"] is None or (isinstance(m["population"], int)
                                           and m["population"] > 0), m
        if "kokuho_number" in m:
            number = m["kokuho_number"]
            assert re.fullmatch(r"[0-9]{6}", number) and number[:2] == m["prefecture"], m
            assert int(number[5]) == check_digit(number[:5]), m
    assert {m["prefecture"] for m in municipalities} == set(PREFECTURE_CODES)


def test_no_ward_of_a_designated_city_is_an_insurer() -> None:
    municipalities = load("municipalities")["municipalities"]
    names = {m["code"]: m["name"] for m in municipalities}

    assert names["011002"] == "札幌市" and "011011" not in names  # 札幌市中央区
    assert names["131016"] == "千代田区"  # the 23 特別区 are insurers
    assert sum(1 for code in names if code.startswith("131")) == 23


# 双葉町 (福島県) had nobody living there on census day 2020 (the whole town still evacuated), so
# the census gives it no population and the file leaves it null.
NO_CENSUS_POPULATION = {"075469"}


def test_municipal_populations_add_up_to_their_prefecture() -> None:
    municipalities = load("municipalities")["municipalities"]
    prefectures = {p["code"]: p["population"] for p in load("prefectures")["prefectures"]}
    unknown = {m["code"] for m in municipalities if m["population"] is None}
    known = [m for m in municipalities if m["population"] is not None]

    assert unknown == NO_CENSUS_POPULATION
    for code, thousands in prefectures.items():
        persons = sum(m["population"] for m in known if m["prefecture"] == code)
        # municipalities: 国勢調査 2020 (速報); prefectures: 人口推計 2022. Two years of change stay
        # under 4 % everywhere (秋田県, falling fastest, differs by 3.2 %).
        assert abs(persons / 1000 - thousands) / thousands < 0.04, code


# -- insurers ----------------------------------------------------------------------------------


def test_insurer_shares_cover_every_kind_and_sum_to_one() -> None:
    shares = load("insurers")["shares"]

    assert set(shares) == set(KINDS)
    assert all(is_number(v) and 0 < v < 1 for v in shares.values())
    assert abs(sum(shares.values()) - 1.0) <= 0.001


def test_insurer_counts_and_dependents() -> None:
    data = load("insurers")

    assert set(data["counts"]) == {"kumiai", "kyosai", "kokuho_kumiai"}
    assert all(isinstance(v, int) and v > 0 for v in data["counts"].values())
    assert set(data["dependents"]) >= set(KINDS) - {"welfare"}
    assert all(is_number(v) and 0 <= v < 3 for v in data["dependents"].values())


@pytest.mark.parametrize(("key", "law"), [("kyokai_branches", "01"), ("koki_unions", "39")])
def test_each_prefecture_has_one_insurer_with_a_valid_number(key: str, law: str) -> None:
    entries = load("insurers")[key]

    assert [e["prefecture"] for e in entries] == PREFECTURE_CODES
    for entry in entries:
        number = entry["number"]
        assert isinstance(number, str) and re.fullmatch(r"[0-9]{8}", number), entry
        assert number[:2] == law and number[2:4] == entry["prefecture"], entry
        assert int(number[7]) == check_digit(number[:7]), entry
        assert entry["name"], entry
    assert len({e["number"] for e in entries}) == 47


# -- rates, drug use, checkup values -----------------------------------------------------------


def test_rates_have_the_keys_the_generator_reads() -> None:
    rates = load("rates")

    for key in ("births_per_1000", "twin_share_of_births", "job_change_per_year", "retire_age",
                "welfare_share", "my_number_card_holding", "insurance_registration_of_holders",
                "checkup_participation", "hold_share", "late_filing_share"):
        assert is_number(rates[key]), key
    for key in ("twin_share_of_births", "job_change_per_year", "welfare_share",
                "my_number_card_holding", "insurance_registration_of_holders",
                "checkup_participation", "hold_share", "late_filing_share"):
        assert 0 <= rates[key] <= 1, key
    deaths = rates["deaths_per_1000_by_age"]
    assert list(deaths) == [str(n) for n in range(0, 105, 5)]
    assert all(is_number(v) and v > 0 for v in deaths.values())
    assert set(rates["card_validity_years"]) == {"adult", "minor"}
    assert set(rates["checkup_participation_by_kind"]) == set(KINDS) - {"koki", "welfare"}
    assert abs(rates["welfare_share"] - load("insurers")["shares"]["welfare"]) < 0.002


def test_drug_use_is_by_age_with_a_source_mix() -> None:
    use = load("drug_use")

    ages = [int(a) for a in use["dispensings_per_year"]]
    assert ages[0] == 0 and ages == sorted(ages)
    assert all(is_number(v) and v > 0 for v in use["dispensings_per_year"].values())
    lines = use["lines_per_dispensing"]
    assert 1 <= lines["mean"] <= lines["max"]
    assert set(use["source_mix"]) == {"claims", "dispensing", "eprescription"}
    assert all(0 <= v <= 1 for v in use["source_mix"].values())


def test_checkup_values_cover_every_item_of_the_master() -> None:
    values = load("checkup_values")["items"]
    master = load_checkup_items()

    assert set(values) == set(master.names)
    for item in master:
        entry = values[item.name]
        if item.coded:
            shares = entry["codes"]
            assert set(shares) <= set(item.values), item.name
            assert abs(sum(shares.values()) - 1.0) <= 0.001, item.name
        else:
            assert set(entry) == {"male", "female"}, item.name
            for sex in ("male", "female"):
                assert list(entry[sex]) == ["40", "50", "60", "70"], (item.name, sex)
                for band in entry[sex].values():
                    assert is_number(band["mean"]) and is_number(band["sd"]), item.name
                    assert band["mean"] > 0 and band["sd"] > 0, item.name


def test_the_drug_master_weights_and_ages_are_well_formed() -> None:
    drugs = load_drugs()

    assert len(drugs) >= 20
    assert all(drug.weight > 0 for drug in drugs)
    assert all(drug.ages is None or 0 <= drug.ages[0] < drug.ages[1] for drug in drugs)
