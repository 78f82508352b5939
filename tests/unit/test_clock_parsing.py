"""Durations and instants as the CLI and the admin API read them; the clock state arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.clock import ClockState, FixedClock, parse_duration, parse_instant
from simulator.registry.errors import DateFormatError, InvalidInput
from simulator.registry.model import JST

APRIL_FIRST_9AM = dt.datetime(2026, 4, 1, 9, 0, tzinfo=JST)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5d", dt.timedelta(days=5)),
        ("3h", dt.timedelta(hours=3)),
        ("90m", dt.timedelta(minutes=90)),
        ("30s", dt.timedelta(seconds=30)),
        ("2w", dt.timedelta(weeks=2)),
        ("1d12h", dt.timedelta(days=1, hours=12)),
        ("P5D", dt.timedelta(days=5)),
        ("PT3H", dt.timedelta(hours=3)),
        ("p1dt30m", dt.timedelta(days=1, minutes=30)),
    ],
)
def test_a_duration_is_read_in_short_or_iso_form(text, expected) -> None:
    assert parse_duration(text) == expected


def test_an_iso_month_is_a_calendar_month() -> None:
    assert APRIL_FIRST_9AM + parse_duration("P1M") == dt.datetime(2026, 5, 1, 9, 0, tzinfo=JST)


@pytest.mark.parametrize("text", ["5x", "d5", "", "5 d", "P", "PXD", "-5d"])
def test_a_malformed_duration_names_the_field(text) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_duration(text, field="DURATION")

    assert raised.value.field == "DURATION"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-01T09:00:00+09:00", APRIL_FIRST_9AM),
        ("2026-04-01T09:00", APRIL_FIRST_9AM),
        ("2026-04-01T00:00:00Z", APRIL_FIRST_9AM),
        ("2026-04-01", dt.datetime(2026, 4, 1, 0, 0, tzinfo=JST)),
    ],
    ids=["with offset", "no offset means JST", "UTC", "a date means midnight JST"],
)
def test_an_instant_is_read_as_iso_8601(text, expected) -> None:
    assert parse_instant(text) == expected


@pytest.mark.parametrize("text", ["2026-13-01", "tomorrow", "2026/04/01 09:00"])
def test_a_malformed_instant_names_the_field(text) -> None:
    with pytest.raises(DateFormatError) as raised:
        parse_instant(text, field="INSTANT")

    assert raised.value.field == "INSTANT"


def test_a_frozen_state_ignores_the_wall_clock() -> None:
    wall = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    state = ClockState(APRIL_FIRST_9AM, wall, speed=60.0, frozen=True)

    assert state.at(wall + dt.timedelta(hours=5)) == APRIL_FIRST_9AM


def test_a_running_state_moves_at_its_speed() -> None:
    wall = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    state = ClockState(APRIL_FIRST_9AM, wall, speed=60.0, frozen=False)

    assert state.at(wall + dt.timedelta(seconds=10)) == APRIL_FIRST_9AM + dt.timedelta(minutes=10)
    assert state.at(wall).tzinfo == JST


def test_a_fixed_clock_tells_jst_and_moves_only_when_advanced() -> None:
    clock = FixedClock(dt.datetime(2026, 4, 1, 0, 0, tzinfo=dt.UTC))

    clock.advance(dt.timedelta(days=1))

    assert clock.now() == dt.datetime(2026, 4, 2, 9, 0, tzinfo=JST)
    assert clock.describe()["mode"] == "frozen"
