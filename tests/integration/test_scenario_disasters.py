"""Scenario files with disaster events: declare, extend, end; no person named."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.disaster_mode.model import covers
from simulator.profiles import load_profiles
from simulator.registry.model import JST
from simulator.scenarios.load import ScenarioError, load_scenario, parse_scenario
from simulator.store import SqlUnitOfWork
from tests.integration.test_scenario_files import dump, hashed

SOURCE = "noto.yaml"
PROFILES = load_profiles()
WALL = dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC)
QUAKE = dt.datetime(2024, 1, 1, 16, 10, tzinfo=JST)
AREA_END = dt.datetime(2024, 1, 8, tzinfo=JST)
EXTENDED_END = dt.datetime(2024, 1, 15, tzinfo=JST)
ON_THE_10TH = dt.datetime(2024, 1, 10, 9, 0, tzinfo=JST)

BASE = """\
name: noto
title: 能登半島地震の災害時特例
clock: 2024-01-01T16:00:00+09:00
institutions:
  - {code: "1710100015", name: 輪島の診療所, municipality: "172049"}
  - {code: "1710100023", name: 金沢の診療所, municipality: "172014"}
timeline:
  - at: 2024-01-01T16:10:00+09:00
    event: disaster_declare
    name: 令和6年能登半島地震
    prefectures: ["17"]
    to: 2024-01-08T00:00:00+09:00
  - at: 2024-01-07T12:00:00+09:00
    event: disaster_extend
    name: 令和6年能登半島地震
    municipalities: ["172049"]
    to: 2024-01-15T00:00:00+09:00
"""


def load(engine, text: str = BASE) -> dict[str, int]:
    return load_scenario(uow=SqlUnitOfWork(engine), scenario=parse_scenario(text, SOURCE),
                         profiles=PROFILES, password_hash=hashed, wall=WALL)


def test_a_disaster_declare_event_loads_without_a_person(engine) -> None:
    assert load(engine)["events"] == 2

    with SqlUnitOfWork(engine) as uow:
        disaster = uow.repo.disaster("令和6年能登半島地震")
        wajima, kanazawa = (uow.repo.get_institution(c) for c in ("1710100015", "1710100023"))
        log = uow.repo.events(scenario="noto")
    assert (disaster.starts_at, disaster.ends_at) == (QUAKE, AREA_END)  # from defaults to at
    assert covers(disaster, wajima, ON_THE_10TH)
    assert not covers(disaster, kanazawa, ON_THE_10TH)
    assert [(e.kind, e.person_id) for e in log] == [("disaster_declare", None),
                                                    ("disaster_extend", None)]


def test_a_disaster_end_event_ends_it_at_its_instant(engine) -> None:
    load(engine, BASE + """\
  - at: 2024-01-09T00:00:00+09:00
    event: disaster_end
    name: 令和6年能登半島地震
""")

    with SqlUnitOfWork(engine) as uow:
        disaster = uow.repo.disaster("令和6年能登半島地震")
    assert disaster.ended_at == dt.datetime(2024, 1, 9, tzinfo=JST)


def test_resetting_the_scenario_removes_its_disasters(engine) -> None:
    load(engine)

    with SqlUnitOfWork(engine) as uow:
        uow.repo.delete_scenario("noto")
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.repo.disasters() == []


def test_loading_the_file_twice_replaces_its_disaster(engine) -> None:
    load(engine)
    load(engine)

    with SqlUnitOfWork(engine) as uow:
        assert len(uow.repo.disasters()) == 1


@pytest.mark.parametrize(("old", "new", "place"), [
    ('prefectures: ["17"]', 'prefectures: ["17"]\n    municipalities: ["172040"]',
     "timeline[0].municipalities[0]"),
    ('municipalities: ["172049"]', 'municipalities: ["162019"]', "timeline[1].municipalities"),
    ("to: 2024-01-15T00:00:00+09:00", "to: 2024-01-05T00:00:00+09:00", "timeline[1].to"),
    ("event: disaster_extend\n    name: 令和6年能登半島地震",
     "event: disaster_extend\n    name: 別の災害", "timeline[1].name"),
])
def test_a_malformed_disaster_event_is_refused_naming_its_place(engine, old, new,
                                                                place) -> None:
    load(engine)
    before = dump(engine)
    assert BASE.count(old) == 1

    with pytest.raises(ScenarioError, match=place.replace("[", r"\[").replace("]", r"\]")):
        load(engine, BASE.replace(old, new))

    assert dump(engine) == before
