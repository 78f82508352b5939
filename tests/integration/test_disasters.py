"""Disaster declarations in the store through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from simulator import schema
from simulator.clock import FixedClock
from simulator.disaster_mode import service
from simulator.disaster_mode.model import covers
from simulator.registry.errors import Conflict, InvalidInput, NotFound
from simulator.registry.identifiers import InstitutionKind
from simulator.registry.model import JST, Institution
from simulator.store import SqlUnitOfWork

QUAKE = dt.datetime(2024, 1, 1, 16, 10, tzinfo=JST)
AREA_END = dt.datetime(2024, 1, 8, tzinfo=JST)
EXTENDED_END = dt.datetime(2024, 1, 15, tzinfo=JST)
ON_THE_3RD = dt.datetime(2024, 1, 3, 9, 0, tzinfo=JST)
ON_THE_10TH = dt.datetime(2024, 1, 10, 9, 0, tzinfo=JST)
NOTO = "令和6年能登半島地震"
WAJIMA, KANAZAWA = "172049", "172014"


def uses(engine, now=ON_THE_3RD):
    return {"uow": SqlUnitOfWork(engine), "clock": FixedClock(now)}


def declare(engine, **changes):
    values = dict(name=NOTO, prefectures=["17", "16"], municipalities=None, starts_at=QUAKE,
                  ends_at=AREA_END) | changes
    return service.declare(**uses(engine), **values)


def stored(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (schema.disasters, schema.disaster_extensions)}


def the(engine, name=NOTO):
    with SqlUnitOfWork(engine) as uow:
        return uow.repo.disaster(name)


def test_a_declaration_is_stored_and_listed_with_its_status(engine) -> None:
    view = declare(engine)

    (listed,) = service.disaster_list(**uses(engine))
    assert view == listed
    assert listed["prefectures"] == ["16", "17"]
    assert listed["from"] == "2024-01-01T16:10:00+09:00"
    assert listed["to"] == "2024-01-08T00:00:00+09:00"
    assert (listed["status"], listed["active"]) == ("active", True)
    assert service.disaster_list(**uses(engine, AREA_END))[0]["status"] == "over"


def test_the_noto_extension_is_stored_for_its_municipalities_only(engine) -> None:
    declare(engine)

    view = service.extend(**uses(engine), name=NOTO, ends_at=EXTENDED_END,
                          municipalities=["17204"])

    disaster = the(engine)
    wajima = Institution("1710000000", "輪島の診療所", InstitutionKind.MEDICAL, "17", WAJIMA)
    kanazawa = Institution("1710000001", "金沢の診療所", InstitutionKind.MEDICAL, "17", KANAZAWA)
    assert view["extensions"] == [{"to": "2024-01-15T00:00:00+09:00", "prefectures": [],
                                   "municipalities": [WAJIMA]}]
    assert covers(disaster, wajima, ON_THE_10TH)
    assert not covers(disaster, kanazawa, ON_THE_10TH)
    assert disaster.starts_at == QUAKE  # instants come back aware and equal


def test_ending_early_is_stored_and_cuts_the_period(engine) -> None:
    declare(engine)

    view = service.end(**uses(engine), name=NOTO)

    assert view["ended_at"] == "2024-01-03T09:00:00+09:00"
    assert the(engine).ended_at == ON_THE_3RD
    with pytest.raises(Conflict, match="already ended"):
        service.end(**uses(engine), name=NOTO)
    with pytest.raises(Conflict):
        service.extend(**uses(engine), name=NOTO, ends_at=EXTENDED_END)


def test_ending_before_the_start_cancels_it(engine) -> None:
    declare(engine)

    view = service.end(**uses(engine, QUAKE - dt.timedelta(days=1)), name=NOTO)

    assert view["status"] == "cancelled"


def test_a_duplicate_name_is_a_conflict_and_changes_nothing(engine) -> None:
    declare(engine)

    with pytest.raises(Conflict):
        declare(engine, prefectures=["15"])

    assert stored(engine) == {"disasters": 1, "disaster_extensions": 0}
    assert the(engine).prefectures == ("16", "17")


@pytest.mark.parametrize(("changes", "field"), [
    ({"prefectures": ["48"]}, "prefectures[0]"),
    ({"municipalities": ["172040"]}, "municipalities[0]"),
    ({"ends_at": QUAKE}, "to"),
    ({"name": " "}, "name"),
])
def test_bad_input_names_the_field_and_stores_nothing(engine, changes, field) -> None:
    with pytest.raises(InvalidInput) as error:
        declare(engine, **changes)

    assert error.value.field == field
    assert stored(engine) == {"disasters": 0, "disaster_extensions": 0}


def test_a_bad_extension_stores_nothing(engine) -> None:
    declare(engine, municipalities=[WAJIMA], prefectures=["17"])

    with pytest.raises(InvalidInput, match="municipalities"):
        service.extend(**uses(engine), name=NOTO, ends_at=EXTENDED_END,
                       municipalities=[KANAZAWA])
    with pytest.raises(NotFound):
        service.extend(**uses(engine), name="無い", ends_at=EXTENDED_END)

    assert stored(engine) == {"disasters": 1, "disaster_extensions": 0}


def test_a_registry_reset_removes_declarations(engine) -> None:
    declare(engine)
    service.extend(**uses(engine), name=NOTO, ends_at=EXTENDED_END)

    with SqlUnitOfWork(engine) as uow:
        uow.repo.delete_registry()
        uow.commit()

    assert stored(engine) == {"disasters": 0, "disaster_extensions": 0}
