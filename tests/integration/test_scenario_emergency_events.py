"""Scenario files with emergency-mode and fault events (docs/scenarios.md): emergency_start /
emergency_end switch an institution's 緊急時医療情報・資格確認機能, fault_start / fault_end inject
a fault. They name no person, belong to the scenario, and a malformed one is refused with the
file and the place named, leaving the store as it was."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from simulator.disaster_mode.emergency import EmergencyMode, active_mode
from simulator.faults.model import Kind, Route
from simulator.profiles import load_profiles
from simulator.registry.model import JST
from simulator.scenarios.load import ScenarioError, load_scenario, parse_scenario
from simulator.store import SqlUnitOfWork
from tests.integration.test_scenario_files import dump, hashed

SOURCE = "terminal-failure.yaml"
PROFILES = load_profiles()
WALL = dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC)
CLINIC = "1311234569"
DENTAL = "1331000008"
UNREGISTERED = "1312000019"  # well-formed, declared nowhere


def jst(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 4, day, hour, minute, tzinfo=JST)


FAILED = jst(1, 9)
FAULT_FROM, FAULT_ENDED = jst(1, 9, 30), jst(1, 11)
RESTORED = jst(1, 12)
DENTAL_FROM, DENTAL_TO = jst(2, 8), jst(3, 8)

BASE = """\
name: terminal-failure
title: 端末故障と回線障害
clock: 2026-04-01T08:00:00+09:00
institutions:
  - {code: "1311234569", name: さくら内科クリニック}
  - {code: "1331000008", name: ひまわり歯科医院}
insurers:
  - {number: "06139992", name: 山田商事健康保険組合}
persons:
  - id: yoko
    name: 長谷川　陽子
    kana: ﾊｾｶﾞﾜ ﾖｳｺ
    birthdate: 1974-02-20
    sex: "2"
    address: 東京都世田谷区三軒茶屋2-11-22
    qualifications:
      - {insurer: "06139992", symbol: "1234", number: "4410", branch: "00",
         valid_from: 1996-04-01, registered_at: 2021-03-01T10:00:00+09:00}
timeline:
  - {at: 2026-04-01T09:00:00+09:00, event: emergency_start, institution: "1311234569",
     reason: 端末故障}
  - {at: 2026-04-01T09:30:00+09:00, event: fault_start, name: webapi-down, kind: outage,
     route: webapi, institution: "1311234569"}
  - {at: 2026-04-01T11:00:00+09:00, event: fault_end, name: webapi-down}
  - {at: 2026-04-01T12:00:00+09:00, event: emergency_end, institution: "1311234569"}
  - {at: 2026-04-01T12:00:00+09:00, event: emergency_start, institution: "1331000008",
     from: 2026-04-02T08:00:00+09:00, to: 2026-04-03T08:00:00+09:00}
"""


def variant(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def load(engine, text: str = BASE) -> dict[str, int]:
    return load_scenario(uow=SqlUnitOfWork(engine), scenario=parse_scenario(text, SOURCE),
                         profiles=PROFILES, password_hash=hashed, wall=WALL)


def modes(engine) -> list[EmergencyMode]:
    with SqlUnitOfWork(engine) as uow:
        return uow.repo.emergency_modes()


def faults(engine) -> list:
    with SqlUnitOfWork(engine) as uow:
        return uow.repo.faults()


# -- stored ----------------------------------------------------------------------------------------


def test_the_events_load_without_a_person_and_are_logged(engine) -> None:
    assert load(engine)["events"] == 5

    with SqlUnitOfWork(engine) as uow:
        log = uow.repo.events(scenario="terminal-failure")
    assert [(e.kind, e.person_id) for e in log] == [
        ("emergency_start", None), ("fault_start", None), ("fault_end", None),
        ("emergency_end", None), ("emergency_start", None)]


def test_emergency_start_and_end_store_the_mode_with_its_period(engine) -> None:
    load(engine)

    clinic, dental = modes(engine)
    assert (clinic.institution, clinic.reason, clinic.starts_at, clinic.ends_at,
            clinic.ended_at) == (CLINIC, "端末故障", FAILED, None, RESTORED)
    assert (dental.institution, dental.reason, dental.starts_at, dental.ends_at,
            dental.ended_at) == (DENTAL, "", DENTAL_FROM, DENTAL_TO, None)


def test_the_loaded_modes_open_the_institution_only_within_their_periods(engine) -> None:
    load(engine)
    stored = modes(engine)

    assert active_mode(stored, CLINIC, FAILED) is not None
    assert active_mode(stored, CLINIC, RESTORED - dt.timedelta(seconds=1)) is not None
    assert active_mode(stored, CLINIC, RESTORED) is None
    assert active_mode(stored, DENTAL, FAILED) is None
    assert active_mode(stored, DENTAL, DENTAL_FROM) is not None


def test_fault_start_and_end_store_the_fault_with_its_scope(engine) -> None:
    load(engine)

    (fault,) = faults(engine)
    assert (fault.name, fault.kind, fault.route, fault.institution) == (
        "webapi-down", Kind.OUTAGE, Route.WEBAPI, CLINIC)
    assert (fault.starts_at, fault.ends_at, fault.ended_at) == (FAULT_FROM, None, FAULT_ENDED)


def test_a_fault_start_with_its_own_period(engine) -> None:
    scheduled = variant("route: webapi, institution: \"1311234569\"}",
                        "route: files, from: 2026-04-01T10:00:00+09:00,\n"
                        "     to: 2026-04-01T10:30:00+09:00}")
    load(engine, scheduled.replace(
        "  - {at: 2026-04-01T11:00:00+09:00, event: fault_end, name: webapi-down}\n", ""))

    (fault,) = faults(engine)
    assert (fault.route, fault.institution) == (Route.FILES, None)
    assert (fault.starts_at, fault.ends_at) == (jst(1, 10), jst(1, 10, 30))


# -- belonging to the scenario -------------------------------------------------------------------


def test_deleting_the_scenario_removes_its_modes_and_faults(engine) -> None:
    load(engine)

    with SqlUnitOfWork(engine) as uow:
        assert uow.repo.delete_scenario("terminal-failure")
        uow.commit()

    assert (modes(engine), faults(engine)) == ([], [])


def test_loading_the_file_twice_replaces_its_modes_and_faults(engine) -> None:
    load(engine)
    load(engine)

    assert len(modes(engine)) == 2
    assert [f.name for f in faults(engine)] == ["webapi-down"]


def test_a_full_reset_removes_the_scenarios_modes_and_faults(engine) -> None:
    load(engine)

    with SqlUnitOfWork(engine) as uow:
        uow.repo.delete_registry()
        uow.commit()

    assert (modes(engine), faults(engine)) == ([], [])


# -- refused -----------------------------------------------------------------------------------


MALFORMED = {
    "emergency_start for an unknown institution": (
        'reason: 端末故障}', f'reason: 端末故障}}\n  - {{at: 2026-04-01T09:00:00+09:00, '
        f'event: emergency_start, institution: "{UNREGISTERED}"}}',
        f"timeline[1].institution: no institution {UNREGISTERED} is registered"),
    "emergency_start with a malformed code": (
        'event: emergency_start, institution: "1311234569"',
        'event: emergency_start, institution: "1311234560"', "timeline[0].institution"),
    "emergency_start without an institution": (
        'event: emergency_start, institution: "1311234569",\n     reason: 端末故障}',
        "event: emergency_start, reason: 端末故障}", "timeline[0]: 'institution' is a required"),
    "emergency_start ending before it starts": (
        "to: 2026-04-03T08:00:00+09:00", "to: 2026-04-02T08:00:00+09:00",
        "timeline[4].to: must be after from"),
    "emergency_start with a reason too long": (
        "reason: 端末故障", "reason: " + "障" * 201, "timeline[0].reason"),
    "emergency_end when none is active": (
        'event: emergency_end, institution: "1311234569"',
        'event: emergency_end, institution: "1331000008"',
        "timeline[3].institution: 1331000008 is not in emergency mode at "
        "2026-04-01T12:00:00+09:00"),
    "emergency_end after the mode was ended": (
        'event: emergency_end, institution: "1311234569"}',
        'event: emergency_end, institution: "1311234569"}\n'
        '  - {at: 2026-04-01T13:00:00+09:00, event: emergency_end, institution: "1311234569"}',
        "timeline[4].institution: 1311234569 is not in emergency mode"),
    "emergency_start for a person": (
        'event: emergency_start, institution: "1311234569",',
        'event: emergency_start, person: yoko, institution: "1311234569",',
        "timeline[0].person: this event names no person"),
    "emergency_end for a person": (
        'event: emergency_end, institution: "1311234569"',
        'event: emergency_end, person: yoko, institution: "1311234569"',
        "timeline[3].person: this event names no person"),
    "fault_start without a name": (
        "event: fault_start, name: webapi-down, kind: outage",
        "event: fault_start, kind: outage", "timeline[1]: 'name' is a required property"),
    "fault_start of kind flood": (
        "kind: outage", "kind: flood", "timeline[1].kind: 'flood' is not one of"),
    "fault_start for an unknown institution": (
        'route: webapi, institution: "1311234569"', f'route: webapi, institution: '
        f'"{UNREGISTERED}"', f"timeline[1].institution: no institution {UNREGISTERED}"),
    "fault_start with a bad name": (
        "name: webapi-down, kind", "name: 回線障害, kind", "timeline[1].name: must be 1–64"),
    "fault_end of an unknown fault": (
        "event: fault_end, name: webapi-down", "event: fault_end, name: dns-down",
        "timeline[2].name: no fault named 'dns-down'"),
    "fault_start for a person": (
        "event: fault_start, name", "event: fault_start, person: yoko, name",
        "timeline[1].person: a fault event names no person"),
    "fault_end for a person": (
        "event: fault_end, name", "event: fault_end, person: yoko, name",
        "timeline[2].person: a fault event names no person"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_event_is_refused_naming_the_file_and_key_and_changes_nothing(
        engine, case) -> None:
    load(engine)
    before = dump(engine)
    old, new, message = MALFORMED[case]

    with pytest.raises(ScenarioError, match=f"^{re.escape(f'{SOURCE}: {message}')}"):
        load(engine, variant(old, new))

    assert dump(engine) == before


def test_a_refused_file_on_an_empty_store_stores_nothing(engine) -> None:
    before = dump(engine)

    with pytest.raises(ScenarioError):
        load(engine, variant("kind: outage", "kind: flood"))

    assert dump(engine) == before
    assert (modes(engine), faults(engine)) == ([], [])


def test_an_overlapping_emergency_start_is_refused_naming_its_place(engine) -> None:
    load(engine)
    before = dump(engine)
    overlapping = variant(
        "event: fault_end, name: webapi-down}",
        "event: fault_end, name: webapi-down}\n"
        '  - {at: 2026-04-01T11:30:00+09:00, event: emergency_start, institution: "1311234569"}')

    with pytest.raises(ScenarioError, match=re.escape(
            "timeline[3].institution: 1311234569 is already in emergency mode")):
        load(engine, overlapping)

    assert dump(engine) == before
