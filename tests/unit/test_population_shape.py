"""The generated population is Japan-shaped, every number it makes is well formed, and a
household depends on the seed and its own number only."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from simulator.population.data import population_data
from simulator.population.generator import MAX_MEMBERS, Generator, Plan
from simulator.population.insurers import catalogue
from simulator.registry.identifiers import (
    check_digit,
    parse_institution_code,
    validate_koki_insured_number,
)

TODAY = dt.date(2026, 6, 1)
BANDS = {"0-14": (0, 14), "15-64": (15, 64), "65-74": (65, 74), "75+": (75, 200)}


@pytest.fixture(scope="module")
def generator():
    return Generator(Plan(seed=11, today=TODAY))


@pytest.fixture(scope="module")
def members(generator):
    """The members of households until 100,000 persons (composition only: fast)."""
    found, index = [], 0
    while len(found) < 100_000:
        rng = random.Random((11 << 32) + index)
        found += generator.composer.household(rng, index).members
        index += 1
    return found[:100_000]


def test_insurer_kinds_match_the_data_within_two_points(members):
    kinds = Counter(m.kind for m in members)
    for kind, share in population_data().shares.items():
        assert abs(kinds[kind] / len(members) - share) < 0.02, kind


def test_age_bands_match_the_pyramid_within_two_points(members, generator):
    ages = generator.composer.ages
    for low, high in BANDS.values():
        made = sum(low <= m.age <= high for m in members) / len(members)
        assert abs(made - ages.share(low, high)) < 0.02, (low, high)


def test_twins_come_at_about_the_rate_of_births(members):
    twins = sum(m.twin for m in members)
    children = sum(m.age <= 22 for m in members)
    assert 0.005 < twins / children < 0.04


def test_every_insurer_number_has_a_valid_check_digit():
    insurers = catalogue().all()
    assert len({i.number for i in insurers}) == len(insurers) > 4_000
    for insurer in insurers:
        assert len(insurer.number) in (6, 8)
        assert int(insurer.number[-1]) == check_digit(insurer.number[:-1]), insurer


@pytest.fixture(scope="module")
def households(generator):
    return [generator.household(index) for index in range(1500)]


def test_generated_numbers_are_well_formed(households):
    koki = {i.number for i in catalogue().koki.values()}
    serials = set()
    for household in households:
        for row in household.rows["qualifications"]:
            names = ("id", "person_id", "insurer_number", "symbol", "number")
            values = dict(zip(names, row[:5], strict=True))
            if values["insurer_number"] in koki:
                validate_koki_insured_number(values["number"])
        for row in household.rows["drug_records"]:
            for code in (row[4], row[6]):
                if code is not None:
                    parse_institution_code(code)
        for row in household.rows["cards"]:
            serials.add(row[1])
    assert len(serials) == sum(len(h.rows["cards"]) for h in households)


def test_person_ids_are_fixed_by_the_household_number(households):
    for household in households:
        ids = [row[0] for row in household.rows["persons"]]
        base = 1 + household.index * MAX_MEMBERS
        assert ids == list(range(base, base + len(ids)))


def test_a_household_depends_on_the_seed_and_its_number_only(generator):
    again = Generator(Plan(seed=11, today=TODAY))
    assert again.household(977).rows == generator.household(977).rows
    other = Generator(Plan(seed=12, today=TODAY))
    assert other.household(977).rows != generator.household(977).rows


def test_cut_households_keep_their_first_persons_and_only_their_rows(households):
    family = next(h for h in households if h.persons >= 3)
    cut = family.first(2)
    kept = {row[0] for row in cut.rows["persons"]}
    assert cut.cut and cut.persons == 2 and kept == {r[0] for r in family.rows["persons"][:2]}
    assert all(row[0] in kept for row in cut.rows["drug_records"] + cut.rows["cards"])
    assert all(row[1] in kept for row in cut.rows["qualifications"])


def test_some_names_carry_variant_characters_outside_jis_x_0208(households):
    names = [row[1] for h in households for row in h.rows["persons"]]
    outside = [n for n in names if not _in_jis_x_0208(n)]
    assert 0 < len(outside) < len(names) * 0.05


def _in_jis_x_0208(text: str) -> bool:
    try:
        text.encode("euc_jp")
    except UnicodeEncodeError:
        return False
    return True
