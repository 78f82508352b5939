"""Scenario files (docs/scenarios.md): a malformed file is refused with its place named, atomically.

A valid file is loaded first; each malformed variant of it (same scenario name, so loading it
would replace the first) must then be refused with ``<source>: <path>: <problem>`` and leave
every row of every table exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from simulator.profiles import load_profiles
from simulator.scenarios.load import (
    ScenarioError,
    load_scenario,
    parse_scenario,
    read_scenario,
)
from simulator.schema import metadata
from simulator.store import SqlUnitOfWork

SOURCE = "life-events.yaml"
PROFILES = load_profiles()
WALL = dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC)

BASE = """\
name: life-events
title: 転職と連携保留
description: 太郎さんは転職し、花子さんの記録はカナの誤りで保留されています。
clock: 2026-04-01T09:00:00+09:00
institutions:
  - {code: "1311234569", name: さくら内科クリニック, account: {user: sakura, password: pw}}
insurers:
  - {number: "06139992", name: 山田商事健康保険組合}
  - {number: "01130012", name: 全国健康保険協会東京支部}
persons:
  - id: taro
    name: 山田　太郎
    kana: ﾔﾏﾀﾞ ﾀﾛｳ
    birthdate: 1985-05-10
    sex: "1"
    address: 東京都千代田区千代田1-1
    qualifications:
      - {insurer: "06139992", symbol: "1234", number: "5678", branch: "00", ratio: "030",
         valid_from: 2015-04-01, registered_at: 2015-04-03T10:00:00+09:00}
  - id: hanako
    name: 山田　花子
    kana: ﾔﾏﾀﾞ ﾊﾅｺ
    birthdate: 1987-08-20
    sex: "2"
    address: 東京都千代田区千代田1-1
    qualifications:
      - {insurer: "06139992", symbol: "1234", number: "5678", branch: "01", family: "2",
         valid_from: 2015-04-01, registered_at: 2015-04-03T10:00:00+09:00,
         as_registered: {kana: ﾔﾏﾀﾞ ﾊﾅ}}
timeline:
  - at: 2026-04-01T09:00:00+09:00
    event: job_change
    person: taro
    to: {insurer: "01130012", symbol: "7001", number: "88", branch: "00"}
    loss: {employer_notify_days: 1, insurer_register_days: 1}
    gain: {employer_notify_days: 3, insurer_register_days: 4}
  - at: 2026-04-02T09:00:00+09:00
    event: hold_correct
    person: hanako
    fields: [kana]
expect:
  - at: 2026-04-08T10:00:00+09:00
    institution: "1311234569"
    query: {route: card, person: taro, date: 2026-04-08}
    result: {validity: "1", insurer: "01130012"}
"""


def variant(old: str, new: str) -> str:
    """BASE with the one occurrence of ``old`` replaced by ``new``."""
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def hashed(password: str) -> str:
    return f"fake-hash:{password}"


def load(engine, text: str, source: str = SOURCE) -> dict[str, int]:
    scenario = parse_scenario(text, source)
    return load_scenario(uow=SqlUnitOfWork(engine), scenario=scenario, profiles=PROFILES,
                         password_hash=hashed, wall=WALL)


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(
                select(table).order_by(*(list(table.primary_key.columns) or table.columns)))]
            for table in metadata.sorted_tables
        }


_IDS = {"id", "person_id", "qualification_id"}


def values(engine) -> dict[str, list[str]]:
    """Every row of every table without surrogate ids, in a stable order."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                repr(sorted((k, v) for k, v in row._mapping.items() if k not in _IDS))
                for row in connection.execute(select(table)))
            for table in metadata.sorted_tables
        }


def counts(engine) -> dict[str, int]:
    with SqlUnitOfWork(engine) as uow:
        return uow.repo.counts()


def test_the_base_file_loads(engine) -> None:
    assert load(engine, BASE) == {"insurers": 2, "institutions": 1, "persons": 2, "events": 2}
    assert counts(engine) == {"persons": 2, "insurers": 2, "institutions": 1,
                              "qualifications": 3}
    with SqlUnitOfWork(engine) as uow:
        (hold,) = uow.repo.holds()  # hanako's kana typo, corrected on 4/2
        kinds = [event.kind for event in uow.repo.events(scenario="life-events")]
    assert (hold.handle, hold.kana, hold.held_until) == (
        "hanako", "ﾔﾏﾀﾞ ﾊﾅｺ", dt.datetime(2026, 4, 2, 0, 0, tzinfo=dt.UTC))
    assert kinds == ["job_change", "hold_correct"]


def test_the_insurance_cards_dates_are_stored_and_the_start_defaults_to_valid_from(
    engine,
) -> None:
    text = variant('ratio: "030",', 'ratio: "030", card_issued_on: 2015-04-06, '
                   'card_valid_end: 2026-03-31, specific_diseases: [{category: "2"}],')
    load(engine, text)

    with SqlUnitOfWork(engine) as uow:
        taro = uow.repo.person_by_handle("life-events", "taro")
        hanako = uow.repo.person_by_handle("life-events", "hanako")
        old = [r for r in uow.repo.records_of(taro.id) if r.valid_to is not None]
        (own,) = uow.repo.records_of(hanako.id)
    assert [(r.card_issued_on, r.card_valid_start, r.card_valid_end) for r in old] == [
        (dt.date(2015, 4, 6), dt.date(2015, 4, 1), dt.date(2026, 3, 31))]
    assert old[0].specific_diseases[0].category == "2"
    assert (own.card_issued_on, own.card_valid_start, own.card_valid_end) == (
        None, dt.date(2015, 4, 1), None)


def test_loading_the_same_file_twice_leaves_the_same_store(engine) -> None:
    load(engine, BASE)
    first_counts, first = counts(engine), values(engine)
    load(engine, BASE)
    assert counts(engine) == first_counts
    assert values(engine) == first


# Each case: the text, where it must fail (parse: before the store is touched; load: inside
# the loading transaction), the path named, and a fragment of the problem.
MALFORMED: dict[str, tuple[str, str, str, str]] = {
    "unknown event kind": (
        variant("event: job_change", "event: job_move"),
        "parse", "timeline[0].event", "'job_move' is not one of"),
    "30 February as a birthdate": (
        variant("birthdate: 1987-08-20", "birthdate: 1987-02-30"),
        "load", "persons[1].birthdate", "存在しない日付"),
    "30 February as an event instant": (
        variant("at: 2026-04-02T09:00:00+09:00", "at: 2026-02-30T09:00:00+09:00"),
        "load", "timeline[1].at", "2026-02-30"),
    "date in the wrong format": (
        variant("birthdate: 1985-05-10", "birthdate: 1985/05/10"),
        "parse", "persons[0].birthdate", "'1985/05/10' does not match"),
    "bad check digit in a declared insurer": (
        variant('{number: "01130012", name:', '{number: "01130013", name:'),
        "parse", "insurers[1].number", "検証番号"),
    "bad check digit in an event's insurer": (
        variant('to: {insurer: "01130012"', 'to: {insurer: "01130013"'),
        "load", "timeline[0].to.insurer", "検証番号"),
    "bad check digit in an institution code": (
        variant('code: "1311234569"', 'code: "1311234568"'),
        "parse", "institutions[0].code", "検証番号"),
    "duplicate person id": (
        variant("id: hanako", "id: taro"),
        "parse", "persons[1].id", "duplicate id 'taro'"),
    "qualification naming an insurer not declared": (
        variant('{insurer: "06139992", symbol: "1234", number: "5678", branch: "01"',
                '{insurer: "06130017", symbol: "1234", number: "5678", branch: "01"'),
        "load", "persons[1].qualifications[0].insurer", "06130017 is not declared"),
    "timeline naming a person not declared": (
        variant("person: hanako", "person: jiro"),
        "parse", "timeline[1].person", "no person 'jiro'"),
    "expectation at an institution not declared": (
        variant('institution: "1311234569"', 'institution: "1311000002"'),
        "parse", "expect[0].institution", "1311000002 is not declared"),
    "expectation for a person not declared": (
        variant("query: {route: card, person: taro", "query: {route: card, person: saburo"),
        "parse", "expect[0].query.person", "no person 'saburo'"),
    "unknown top-level key": (
        BASE + "author: qa-team\n",
        "parse", "", "'author' was unexpected"),
    "a number given as a YAML integer": (
        variant('number: "5678", branch: "00"', 'number: 5678, branch: "00"'),
        "parse", "persons[0].qualifications[0].number", "5678 is not of type 'string'"),
    "a duplicate YAML key": (
        variant("title: 転職と連携保留\n", "title: 転職と連携保留\ntitle: もう一度\n"),
        "parse", "", "duplicate key 'title'"),
    "a job change without its new qualification": (
        variant('    to: {insurer: "01130012", symbol: "7001", number: "88", branch: "00"}\n',
                ""),
        "parse", "timeline[0]", "'to' is a required property"),
    "a card ending before the qualification starts": (
        variant('ratio: "030",', 'ratio: "030", card_valid_end: 2015-03-31,'),
        "load", "persons[0].qualifications[0].card_valid_end",
        "must not be before valid_from 2015-04-01"),
    "a card ending before its start": (
        variant('ratio: "030",',
                'ratio: "030", card_valid_start: 2020-08-01, card_valid_end: 2020-07-31,'),
        "load", "persons[0].qualifications[0].card_valid_end",
        "must not be before card_valid_start 2020-08-01"),
    "a specific disease category of two digits": (
        variant('ratio: "030",', 'ratio: "030", specific_diseases: [{category: "01"}],'),
        "parse", "persons[0].qualifications[0].specific_diseases[0].category",
        "'01' is not one of ['1', '2', '3']"),
    "a hold release with no hold in force (fails only when applied)": (
        variant("event: hold_correct\n    person: hanako\n    fields: [kana]",
                "event: hold_release\n    person: taro"),
        "load", "timeline[1].person", "has no hold in force"),
}


def refused(engine, text: str, stage: str, source: str = SOURCE) -> ScenarioError:
    """The error refusing ``text`` at ``stage``; a file refused at load parses cleanly."""
    if stage == "parse":
        with pytest.raises(ScenarioError) as caught:
            parse_scenario(text, source)
        return caught.value
    scenario = parse_scenario(text, source)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(uow=SqlUnitOfWork(engine), scenario=scenario, profiles=PROFILES,
                      password_hash=hashed, wall=WALL)
    return caught.value


@pytest.mark.parametrize(("text", "stage", "path", "problem"), MALFORMED.values(),
                         ids=MALFORMED.keys())
def test_a_malformed_file_is_refused_naming_its_place_and_the_store_is_unchanged(
    engine, text, stage, path, problem
) -> None:
    load(engine, BASE)
    before = dump(engine)

    error = refused(engine, text, stage)

    assert error.field == path
    assert error.source == SOURCE
    assert str(error).startswith(f"{SOURCE}: {path or '(top)'}: ")
    assert problem in str(error)
    assert dump(engine) == before


def test_a_duplicate_yaml_key_is_placed_by_its_line() -> None:
    text = MALFORMED["a duplicate YAML key"][0]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, SOURCE)
    assert "line 3" in str(caught.value)


def test_a_malformed_json_file_is_refused_the_same_way(engine) -> None:
    document = json.loads(json.dumps(read_scenario(BASE, SOURCE)))  # dates stay strings
    document["timeline"][0]["event"] = "job_move"
    load(engine, BASE)
    before = dump(engine)

    error = refused(engine, json.dumps(document, ensure_ascii=False), "parse",
                    source="life-events.json")

    assert error.field == "timeline[0].event"
    assert str(error).startswith("life-events.json: timeline[0].event: ")
    assert dump(engine) == before


def test_a_failed_file_into_an_empty_store_leaves_it_empty(engine) -> None:
    before = dump(engine)
    text = MALFORMED["a hold release with no hold in force (fails only when applied)"][0]
    refused(engine, text, "load")
    assert dump(engine) == before
