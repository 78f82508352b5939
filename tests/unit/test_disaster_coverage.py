"""Which institutions a disaster declaration covers, and when (area and period boundaries).

The Noto case (docs/decisions.md): the declaration ran through 7 January 2024 for the whole area and
was extended through 14 January in 18 municipalities (輪島市 among them, 金沢市 not). "Through
7 January" is the exclusive end 8 January 00:00 JST.
"""

from __future__ import annotations

import ast
import datetime as dt
import sys
from pathlib import Path

import pytest

from simulator.disaster_mode import codes, rules
from simulator.disaster_mode.model import (
    Disaster,
    Extension,
    Status,
    covering,
    covers,
    end_for,
    status,
)
from simulator.registry.errors import CheckDigitError, Conflict, InvalidInput
from simulator.registry.identifiers import InstitutionKind
from simulator.registry.model import JST, Institution

QUAKE = dt.datetime(2024, 1, 1, 16, 10, tzinfo=JST)
AREA_END = dt.datetime(2024, 1, 8, 0, 0, tzinfo=JST)  # through 7 January
EXTENDED_END = dt.datetime(2024, 1, 15, 0, 0, tzinfo=JST)  # through 14 January
JUST_BEFORE = dt.timedelta(microseconds=1)
ON_THE_10TH = dt.datetime(2024, 1, 10, 12, 0, tzinfo=JST)

ISHIKAWA, TOYAMA, NIIGATA = "17", "16", "15"
WAJIMA, SUZU, KANAZAWA = "172049", "172057", "172014"  # 輪島市, 珠洲市, 金沢市
TOYAMA_CITY = "162019"  # 富山市


def clinic(prefecture: str, municipality: str | None = None) -> Institution:
    return Institution(f"{prefecture}10000000", "診療所", InstitutionKind.MEDICAL, prefecture,
                       municipality)


def declared(*, prefectures=(ISHIKAWA,), municipalities=(), extensions=(), ended_at=None,
             name="令和6年能登半島地震", starts_at=QUAKE, ends_at=AREA_END) -> Disaster:
    return Disaster(name, tuple(prefectures), tuple(municipalities), starts_at, ends_at,
                    ended_at, tuple(extensions))


NOTO_EXTENSION = Extension(EXTENDED_END, municipalities=(WAJIMA, SUZU))


# -- area --------------------------------------------------------------------------------------


def test_a_prefecture_declaration_covers_every_institution_of_the_prefecture() -> None:
    disaster = declared()

    assert covers(disaster, clinic(ISHIKAWA, KANAZAWA), QUAKE)
    assert covers(disaster, clinic(ISHIKAWA), QUAKE)
    assert not covers(disaster, clinic(TOYAMA, TOYAMA_CITY), QUAKE)


def test_a_municipality_declaration_covers_only_the_municipalities_listed() -> None:
    disaster = declared(municipalities=(WAJIMA,))

    assert covers(disaster, clinic(ISHIKAWA, WAJIMA), QUAKE)
    assert not covers(disaster, clinic(ISHIKAWA, KANAZAWA), QUAKE)


def test_an_institution_without_municipality_is_outside_a_municipality_declaration() -> None:
    assert not covers(declared(municipalities=(WAJIMA,)), clinic(ISHIKAWA), QUAKE)


def test_an_institution_municipality_without_check_digit_still_matches() -> None:
    assert covers(declared(municipalities=(WAJIMA,)), clinic(ISHIKAWA, WAJIMA[:5]), QUAKE)


def test_several_prefectures_are_covered_together() -> None:
    disaster = declared(prefectures=(ISHIKAWA, TOYAMA, NIIGATA))

    assert covers(disaster, clinic(TOYAMA, TOYAMA_CITY), QUAKE)
    assert not covers(disaster, clinic("18"), QUAKE)


# -- period ------------------------------------------------------------------------------------


def test_the_start_is_inclusive() -> None:
    assert covers(declared(), clinic(ISHIKAWA), QUAKE)
    assert not covers(declared(), clinic(ISHIKAWA), QUAKE - JUST_BEFORE)


def test_the_end_is_exclusive() -> None:
    assert covers(declared(), clinic(ISHIKAWA), AREA_END - JUST_BEFORE)
    assert not covers(declared(), clinic(ISHIKAWA), AREA_END)


# -- the Noto extension ------------------------------------------------------------------------


def test_an_extension_lengthens_the_period_only_in_the_municipalities_it_names() -> None:
    disaster = declared(extensions=[NOTO_EXTENSION])

    assert covers(disaster, clinic(ISHIKAWA, WAJIMA), ON_THE_10TH)
    assert covers(disaster, clinic(ISHIKAWA, SUZU), EXTENDED_END - JUST_BEFORE)
    assert not covers(disaster, clinic(ISHIKAWA, WAJIMA), EXTENDED_END)
    assert not covers(disaster, clinic(ISHIKAWA, KANAZAWA), ON_THE_10TH)
    assert not covers(disaster, clinic(ISHIKAWA), ON_THE_10TH)


def test_an_extension_naming_no_area_lengthens_the_whole_area() -> None:
    disaster = declared(extensions=[Extension(EXTENDED_END)])

    assert covers(disaster, clinic(ISHIKAWA, KANAZAWA), ON_THE_10TH)
    assert covers(disaster, clinic(ISHIKAWA), ON_THE_10TH)


def test_an_extension_naming_a_prefecture_lengthens_that_prefecture_only() -> None:
    disaster = declared(prefectures=(ISHIKAWA, TOYAMA),
                        extensions=[Extension(EXTENDED_END, prefectures=(ISHIKAWA,))])

    assert covers(disaster, clinic(ISHIKAWA), ON_THE_10TH)
    assert not covers(disaster, clinic(TOYAMA, TOYAMA_CITY), ON_THE_10TH)


def test_the_end_for_an_institution_counts_its_extensions() -> None:
    disaster = declared(extensions=[NOTO_EXTENSION])

    assert end_for(disaster, clinic(ISHIKAWA, WAJIMA)) == EXTENDED_END
    assert end_for(disaster, clinic(ISHIKAWA, KANAZAWA)) == AREA_END
    assert end_for(disaster, clinic(TOYAMA)) is None


# -- early end ---------------------------------------------------------------------------------


def test_ending_early_cuts_every_part_at_that_instant() -> None:
    ended_at = dt.datetime(2024, 1, 5, 12, 0, tzinfo=JST)
    disaster = declared(extensions=[NOTO_EXTENSION], ended_at=ended_at)

    assert covers(disaster, clinic(ISHIKAWA, KANAZAWA), ended_at - JUST_BEFORE)
    assert not covers(disaster, clinic(ISHIKAWA, KANAZAWA), ended_at)
    assert not covers(disaster, clinic(ISHIKAWA, WAJIMA), ended_at)
    assert status(disaster, ended_at) is Status.ENDED


def test_ending_after_the_area_end_still_cuts_the_extension() -> None:
    ended_at = dt.datetime(2024, 1, 10, 0, 0, tzinfo=JST)
    disaster = declared(extensions=[NOTO_EXTENSION], ended_at=ended_at)

    assert covers(disaster, clinic(ISHIKAWA, WAJIMA), ended_at - JUST_BEFORE)
    assert not covers(disaster, clinic(ISHIKAWA, WAJIMA), ON_THE_10TH)


def test_ended_at_its_start_it_is_cancelled_and_covers_nothing() -> None:
    disaster = declared(ended_at=QUAKE)

    assert not covers(disaster, clinic(ISHIKAWA), QUAKE)
    assert status(disaster, QUAKE) is Status.CANCELLED


def test_the_status_follows_the_period() -> None:
    disaster = declared(extensions=[NOTO_EXTENSION])

    assert status(disaster, QUAKE - JUST_BEFORE) is Status.SCHEDULED
    assert status(disaster, ON_THE_10TH) is Status.ACTIVE  # active in the extended part only
    assert status(disaster, EXTENDED_END) is Status.OVER


# -- several declarations ----------------------------------------------------------------------


def test_of_several_covering_declarations_the_earliest_started_is_chosen() -> None:
    later = declared(name="余震", starts_at=QUAKE + dt.timedelta(days=1))
    first = declared(name="本震")

    assert covering([later, first], clinic(ISHIKAWA), ON_THE_10TH - dt.timedelta(days=5)) == first
    assert covering([later, first], clinic(ISHIKAWA), QUAKE) == first
    assert covering([later, first], clinic(TOYAMA), QUAKE) is None


def test_with_the_same_start_the_name_decides() -> None:
    b, a = declared(name="b"), declared(name="a")

    assert covering([b, a], clinic(ISHIKAWA), QUAKE) == a


# -- codes and checks --------------------------------------------------------------------------


def test_a_municipality_code_gets_or_verifies_its_check_digit() -> None:
    assert codes.municipality("17204", "m") == WAJIMA
    assert codes.municipality("131016", "m") == "131016"  # 千代田区
    with pytest.raises(CheckDigitError):
        codes.municipality("172040", "m")


@pytest.mark.parametrize("value", ["00", "48", "1", "017", 17, None])
def test_a_prefecture_code_is_two_digits_01_to_47(value) -> None:
    with pytest.raises(InvalidInput) as error:
        codes.prefecture(value, "prefectures[0]")
    assert error.value.field == "prefectures[0]"


def test_a_declaration_names_its_bad_field() -> None:
    def declare(**changes):
        values = dict(name="能登", prefectures=[ISHIKAWA], municipalities=[], starts_at=QUAKE,
                      ends_at=AREA_END) | changes
        with pytest.raises(InvalidInput) as error:
            rules.new_disaster(**values, path="timeline[0]")
        return error.value.field

    assert declare(name="") == "timeline[0].name"
    assert declare(name="a/b") == "timeline[0].name"
    assert declare(prefectures=[]) == "timeline[0].prefectures"
    assert declare(prefectures="17") == "timeline[0].prefectures"
    assert declare(municipalities=["17204", "9"]) == "timeline[0].municipalities[1]"
    assert declare(municipalities=[TOYAMA_CITY]) == "timeline[0].municipalities"
    assert declare(prefectures=[ISHIKAWA, TOYAMA], municipalities=[WAJIMA]) == \
        "timeline[0].prefectures"
    assert declare(ends_at=QUAKE) == "timeline[0].to"


def test_an_extension_must_lie_in_the_declared_area_and_after_its_end() -> None:
    municipal = declared(municipalities=(WAJIMA,))

    with pytest.raises(InvalidInput, match="municipalities"):
        rules.new_extension(municipal, ends_at=EXTENDED_END, municipalities=[KANAZAWA])
    with pytest.raises(InvalidInput, match="prefectures"):
        rules.new_extension(declared(), ends_at=EXTENDED_END, prefectures=[TOYAMA])
    with pytest.raises(InvalidInput, match="to"):
        rules.new_extension(declared(), ends_at=AREA_END)
    with pytest.raises(Conflict):
        rules.new_extension(declared(ended_at=ON_THE_10TH), ends_at=EXTENDED_END)
    assert rules.new_extension(declared(), ends_at=EXTENDED_END,
                               municipalities=["17204"]).municipalities == (WAJIMA,)


def test_ending_twice_or_after_the_period_is_refused() -> None:
    with pytest.raises(Conflict, match="already ended"):
        rules.ended(declared(ended_at=ON_THE_10TH), EXTENDED_END)
    with pytest.raises(Conflict, match="over"):
        rules.ended(declared(), AREA_END)
    assert rules.ended(declared(extensions=[NOTO_EXTENSION]), AREA_END).ended_at == AREA_END


def test_the_disaster_rules_import_only_the_standard_library_and_the_pure_domain() -> None:
    package = Path(__file__).parents[2] / "simulator" / "disaster_mode"
    allowed = {"registry.model", "registry.errors", "model", "codes", "registry"}
    for name in ("model.py", "codes.py", "rules.py"):
        tree = ast.parse((package / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert (node.module or "") in allowed | {""}, (name, node.module)
            elif isinstance(node, ast.ImportFrom | ast.Import):
                modules = [node.module] if isinstance(node, ast.ImportFrom) else \
                    [a.name for a in node.names]
                assert all(m.split(".")[0] in sys.stdlib_module_names for m in modules), name
