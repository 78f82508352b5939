"""The business clock persisted in the database: every process reading it agrees."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.clock import SimulatedClock, parse_duration
from simulator.db import make_engine
from simulator.registry.errors import InvalidInput
from simulator.registry.model import JST

APRIL_FIRST_9AM = dt.datetime(2026, 4, 1, 9, 0, tzinfo=JST)


class FakeWall:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.instant = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.instant

    def tick(self, **delta) -> None:
        self.instant += dt.timedelta(**delta)


@pytest.fixture
def wall():
    return FakeWall()


def test_with_nothing_stored_the_clock_runs_at_real_time(engine, wall) -> None:
    clock = SimulatedClock(engine, wall=wall)

    assert clock.now() == wall()
    assert clock.describe()["mode"] == "running"


def test_a_frozen_clock_stays_put_while_the_wall_moves(engine, wall) -> None:
    clock = SimulatedClock(engine, wall=wall)
    clock.set(APRIL_FIRST_9AM, frozen=True)

    wall.tick(hours=3)

    assert clock.now() == APRIL_FIRST_9AM
    assert clock.describe() == {"now": "2026-04-01T09:00:00+09:00", "mode": "frozen",
                                "speed": 1.0}


def test_a_running_clock_moves_at_its_speed(engine, wall) -> None:
    clock = SimulatedClock(engine, wall=wall)
    clock.set(APRIL_FIRST_9AM, frozen=False, speed=60)

    wall.tick(seconds=30)

    assert clock.now() == APRIL_FIRST_9AM + dt.timedelta(minutes=30)


def test_two_processes_on_one_database_agree(database_url, wall) -> None:
    engine_a, engine_b = make_engine(database_url), make_engine(database_url)
    try:
        SimulatedClock(engine_a, wall=wall).set(APRIL_FIRST_9AM, frozen=True)
        SimulatedClock(engine_b, wall=wall).advance(parse_duration("5d"))

        assert SimulatedClock(engine_a, wall=wall).now() == APRIL_FIRST_9AM + dt.timedelta(days=5)
    finally:
        engine_a.dispose()
        engine_b.dispose()


def test_advance_keeps_the_mode_and_speed(engine, wall) -> None:
    clock = SimulatedClock(engine, wall=wall)
    clock.set(APRIL_FIRST_9AM, frozen=False, speed=2)

    clock.advance(parse_duration("P1M"))

    assert clock.now() == dt.datetime(2026, 5, 1, 9, 0, tzinfo=JST)
    wall.tick(seconds=10)
    assert clock.now() == dt.datetime(2026, 5, 1, 9, 0, 20, tzinfo=JST)


def test_set_keeps_the_mode_unless_told(engine, wall) -> None:
    clock = SimulatedClock(engine, wall=wall)
    clock.set(APRIL_FIRST_9AM, frozen=True)

    clock.set(APRIL_FIRST_9AM + dt.timedelta(days=1))

    assert clock.describe()["mode"] == "frozen"


def test_time_travel_backwards_is_done_with_set(engine, wall) -> None:
    clock = SimulatedClock(engine, wall=wall)
    clock.set(APRIL_FIRST_9AM, frozen=True)

    clock.set(dt.datetime(2024, 1, 1, tzinfo=JST))

    assert clock.now() == dt.datetime(2024, 1, 1, tzinfo=JST)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.advance(dt.timedelta(0)), "duration"),
        (lambda c: c.advance(dt.timedelta(days=-1)), "duration"),
        (lambda c: c.set(dt.datetime(2026, 4, 1)), "instant"),
        (lambda c: c.set(APRIL_FIRST_9AM, speed=0), "speed"),
    ],
    ids=["zero advance", "negative advance", "naive instant", "zero speed"],
)
def test_bad_clock_changes_are_refused_and_change_nothing(engine, wall, call, field) -> None:
    clock = SimulatedClock(engine, wall=wall)
    clock.set(APRIL_FIRST_9AM, frozen=True)

    with pytest.raises(InvalidInput) as raised:
        call(clock)

    assert raised.value.field == field
    assert clock.now() == APRIL_FIRST_9AM


def test_concurrent_advances_are_never_lost(database_url, wall) -> None:
    import threading

    engines = [make_engine(database_url) for _ in range(3)]
    SimulatedClock(engines[0], wall=wall).set(APRIL_FIRST_9AM, frozen=True)
    errors: list[BaseException] = []

    def advance_many(engine) -> None:
        try:
            for _ in range(20):
                SimulatedClock(engine, wall=wall).advance(dt.timedelta(days=1))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=advance_many, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert SimulatedClock(engines[0], wall=wall).now() == APRIL_FIRST_9AM + dt.timedelta(60)
    finally:
        for engine in engines:
            engine.dispose()
