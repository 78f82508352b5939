"""Injected faults (docs/interfaces.md), pure: which request a fault touches and when, which fault
refuses when several do, the delay of a latency fault, the draws of an errors fault, the status
of a fault at a boundary, and the checks of a new fault and of a manual end.

The window used throughout is the business hour 2026-04-01 12:00–13:00 JST (end exclusive).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest

from simulator.faults import rules
from simulator.faults.model import (
    ROUTES,
    Answer,
    Distribution,
    Effect,
    Fault,
    Kind,
    Route,
    System,
    effect,
    status,
)
from simulator.registry.errors import CheckDigitError, Conflict, InvalidInput, MissingField
from simulator.registry.model import JST

BEFORE = dt.datetime(2026, 4, 1, 9, 0, tzinfo=JST)
START = dt.datetime(2026, 4, 1, 12, 0, tzinfo=JST)
MIDWAY = dt.datetime(2026, 4, 1, 12, 30, tzinfo=JST)
END = dt.datetime(2026, 4, 1, 13, 0, tzinfo=JST)  # exclusive
LONG_AFTER = dt.datetime(2027, 4, 1, 12, 0, tzinfo=JST)
TICK = dt.timedelta(microseconds=1)

CLINIC = "1311000002"  # さくら内科クリニック (a valid 医療機関コード)
DENTAL = "1331000008"  # ひまわり歯科医院
SEED = 7


def fault(kind: Kind = Kind.OUTAGE, **values) -> Fault:
    defaults = dict(name=f"{kind.value}-1", kind=kind, starts_at=START, ends_at=END)
    return Fault(**(defaults | values))


def never(_fault: Fault) -> random.Random:
    raise AssertionError("no random draw expected")


class CountingRandom(random.Random):
    """A seeded random source that counts the numbers drawn from it."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.draws = 0

    def random(self) -> float:
        self.draws += 1
        return super().random()


def refusing(faults, *, route: Route = Route.WEBAPI, institution: str | None = CLINIC,
             at: dt.datetime = MIDWAY, draw=never) -> Fault | None:
    return effect(faults, route=route, institution=institution, at=at, draw=draw).refused_by


# -- period --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "applies"),
    [(START - TICK, False), (START, True), (MIDWAY, True), (END - TICK, True), (END, False)],
    ids=["just before the start", "at the start", "midway", "just before the end", "at the end"],
)
def test_a_fault_applies_from_its_start_inclusive_to_its_end_exclusive(at, applies) -> None:
    assert fault().applies(Route.WEBAPI, CLINIC, at) is applies


def test_a_fault_without_an_end_applies_until_ended_by_hand() -> None:
    open_ended = fault(ends_at=None)

    assert open_ended.end is None
    assert open_ended.applies(Route.WEBAPI, CLINIC, LONG_AFTER)
    stopped = replace(open_ended, ended_at=MIDWAY)
    assert stopped.applies(Route.WEBAPI, CLINIC, MIDWAY - TICK)
    assert not stopped.applies(Route.WEBAPI, CLINIC, MIDWAY)


def test_a_manual_end_cuts_the_period_short_but_never_lengthens_it() -> None:
    cut = fault(ended_at=MIDWAY)
    late = fault(ended_at=LONG_AFTER)

    assert cut.end == MIDWAY
    assert not cut.applies(Route.WEBAPI, CLINIC, MIDWAY)
    assert late.end == END
    assert not late.applies(Route.WEBAPI, CLINIC, END)


# -- scope ---------------------------------------------------------------------------------------


def test_a_fault_on_every_route_touches_each_interface() -> None:
    everywhere = fault(route=Route.ALL)

    assert [everywhere.applies(route, CLINIC, MIDWAY) for route in ROUTES] == [True] * 4
    assert set(ROUTES) == {Route.WEBAPI, Route.FILES, Route.CARD, Route.EMERGENCY}


@pytest.mark.parametrize("route", ROUTES, ids=[r.value for r in ROUTES])
def test_a_fault_on_one_route_touches_only_that_route(route) -> None:
    scoped = fault(route=route)

    touched = {r for r in ROUTES if scoped.applies(r, CLINIC, MIDWAY)}

    assert touched == {route}


def test_a_fault_for_one_institution_touches_only_its_requests() -> None:
    scoped = fault(institution=DENTAL)

    assert scoped.applies(Route.FILES, DENTAL, MIDWAY)
    assert not scoped.applies(Route.FILES, CLINIC, MIDWAY)
    assert not scoped.applies(Route.WEBAPI, None, MIDWAY)  # a login names no institution


def test_a_fault_for_every_institution_touches_a_request_that_names_none() -> None:
    assert fault().applies(Route.WEBAPI, None, MIDWAY)


def test_a_jpki_maintenance_window_touches_only_the_card_route() -> None:
    window = fault(Kind.MAINTENANCE, system=System.JPKI, route=Route.ALL)

    assert {r for r in ROUTES if window.applies(r, CLINIC, MIDWAY)} == {Route.CARD}
    assert window.code == "jpki_maintenance"


@pytest.mark.parametrize(
    ("refuser", "code"),
    [(fault(Kind.OUTAGE), "outage"), (fault(Kind.MAINTENANCE), "maintenance"),
     (fault(Kind.MAINTENANCE, system=System.JPKI), "jpki_maintenance"),
     (fault(Kind.ERRORS, rate=0.5), "outage")],
    ids=["outage", "maintenance", "jpki maintenance", "errors"],
)
def test_each_refusing_kind_names_its_result_code(refuser, code) -> None:
    assert refuser.code == code


# -- effect: precedence, latency, draws ----------------------------------------------------------


def test_no_fault_in_force_neither_delays_nor_refuses() -> None:
    faults = [fault(), fault(Kind.LATENCY, name="slow", latency_ms=150)]

    assert effect(faults, route=Route.WEBAPI, institution=CLINIC, at=BEFORE,
                  draw=never) == Effect(0.0, None)
    assert effect([], route=Route.WEBAPI, institution=CLINIC, at=MIDWAY,
                  draw=never) == Effect()


@pytest.mark.parametrize("order", [slice(None), slice(None, None, -1)],
                         ids=["as listed", "reversed"])
def test_a_maintenance_window_is_named_before_an_outage_before_errors(order) -> None:
    errors = fault(Kind.ERRORS, name="flaky", rate=1.0, starts_at=BEFORE)
    outage = fault(Kind.OUTAGE, name="down", starts_at=BEFORE)
    window = fault(Kind.MAINTENANCE, name="planned")
    draw = {errors: random.Random(SEED)}.__getitem__

    assert refusing([errors, outage, window][order], draw=draw) is window
    assert refusing([errors, outage][order], draw=draw) is outage
    assert refusing([errors], draw=draw) is errors


def test_of_two_outages_the_earlier_start_then_the_name_refuses() -> None:
    early = fault(name="zeta", starts_at=BEFORE)
    late = fault(name="alpha")
    twin = fault(name="beta", starts_at=BEFORE)

    assert refusing([late, early]) is early
    assert refusing([late, early, twin]) is twin


def test_latencies_in_force_add_up_and_go_with_a_refusal() -> None:
    faults = [fault(Kind.LATENCY, name="slow", latency_ms=100),
              fault(Kind.LATENCY, name="slower", latency_ms=50, route=Route.WEBAPI),
              fault(Kind.LATENCY, name="elsewhere", latency_ms=1000, route=Route.FILES)]

    source = CountingRandom(SEED)

    def draw(_fault: Fault) -> random.Random:
        return source

    alone = effect(faults, route=Route.WEBAPI, institution=CLINIC, at=MIDWAY, draw=draw)
    refused = effect([*faults, fault()], route=Route.WEBAPI, institution=CLINIC, at=MIDWAY,
                     draw=draw)

    assert source.draws == 0  # a fixed delay draws no number
    assert alone == Effect(pytest.approx(0.15), None)
    assert refused.delay == pytest.approx(0.15)
    assert refused.refused_by == fault()


def test_an_errors_fault_refuses_exactly_the_requests_its_seeded_draws_fall_below_the_rate(
) -> None:
    flaky = fault(Kind.ERRORS, rate=0.5, seed=SEED)
    source = random.Random(SEED)
    expected = random.Random(SEED)

    refused = [refusing([flaky], draw=lambda _: source) is flaky for _ in range(20)]

    assert refused == [expected.random() < 0.5 for _ in range(20)]
    assert refused[:6] == [True, True, False, True, False, True]  # 0.324 0.151 0.651 0.072 …


@pytest.mark.parametrize(("rate", "refused"), [(0.0, False), (1.0, True)])
def test_a_rate_of_0_never_refuses_and_a_rate_of_1_always_does(rate, refused) -> None:
    flaky = fault(Kind.ERRORS, rate=rate)
    source = random.Random(SEED)

    outcomes = {refusing([flaky], draw=lambda _: source) is flaky for _ in range(50)}

    assert outcomes == {refused}


def test_one_number_is_drawn_per_errors_fault_in_force_and_none_for_others() -> None:
    in_force = fault(Kind.ERRORS, name="flaky", rate=0.5)
    elsewhere = fault(Kind.ERRORS, name="files-only", rate=0.5, route=Route.FILES)
    sources = {in_force.name: CountingRandom(SEED), elsewhere.name: CountingRandom(SEED)}

    for _ in range(3):
        refusing([in_force, elsewhere, fault(name="down")],
                 draw=lambda f: sources[f.name])

    assert (sources["flaky"].draws, sources["files-only"].draws) == (3, 0)


# -- delay ---------------------------------------------------------------------------------------


def test_a_fixed_delay_is_the_latency_and_draws_nothing() -> None:
    source = CountingRandom(SEED)

    assert fault(Kind.LATENCY, latency_ms=150, jitter_ms=40).delay(source) == 0.15
    assert source.draws == 0


def test_a_uniform_delay_is_drawn_within_plus_or_minus_the_jitter() -> None:
    slow = fault(Kind.LATENCY, latency_ms=150, jitter_ms=40, distribution=Distribution.UNIFORM)
    source, expected = random.Random(SEED), random.Random(SEED)

    delays = [slow.delay(source) for _ in range(100)]

    assert delays == pytest.approx([expected.uniform(0.11, 0.19) for _ in range(100)])
    assert all(0.11 <= d <= 0.19 for d in delays)


def test_a_normal_delay_is_drawn_around_the_latency() -> None:
    slow = fault(Kind.LATENCY, latency_ms=150, jitter_ms=40, distribution=Distribution.NORMAL)
    source, expected = random.Random(SEED), random.Random(SEED)

    delays = [slow.delay(source) for _ in range(100)]

    assert delays == pytest.approx([max(0.0, expected.gauss(0.15, 0.04)) for _ in range(100)])


@pytest.mark.parametrize("distribution", [Distribution.UNIFORM, Distribution.NORMAL])
def test_a_delay_is_never_below_zero(distribution) -> None:
    wide = fault(Kind.LATENCY, latency_ms=10, jitter_ms=1000, distribution=distribution)
    source = random.Random(SEED)

    delays = [wide.delay(source) for _ in range(200)]

    assert min(delays) == 0.0
    assert max(delays) > 0.01


# -- status --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [(START - TICK, "scheduled"), (START, "active"), (END - TICK, "active"), (END, "over"),
     (LONG_AFTER, "over")],
    ids=["before the start", "at the start", "just before the end", "at the end", "long after"],
)
def test_the_status_of_a_fault_that_runs_its_period(at, expected) -> None:
    assert status(fault(), at) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [(START, "active"), (MIDWAY - TICK, "active"), (MIDWAY, "ended"), (LONG_AFTER, "ended")],
    ids=["at the start", "just before its manual end", "at its manual end", "long after"],
)
def test_a_fault_ended_by_hand_inside_its_period_is_ended(at, expected) -> None:
    assert status(fault(ended_at=MIDWAY), at) == expected
    assert status(fault(ends_at=None, ended_at=MIDWAY), at) == expected


def test_a_manual_end_at_the_period_end_leaves_it_over() -> None:
    assert status(fault(ended_at=END), END) == "over"


@pytest.mark.parametrize("ended_at", [BEFORE, START], ids=["before its start", "at its start"])
def test_a_fault_stopped_before_it_began_is_cancelled_at_every_instant(ended_at) -> None:
    stopped = fault(ended_at=ended_at)

    assert {status(stopped, at) for at in (BEFORE, START, MIDWAY, LONG_AFTER)} == {"cancelled"}
    assert not stopped.applies(Route.WEBAPI, CLINIC, START)


# -- rules.new_fault -----------------------------------------------------------------------------


def new(values: dict, *, starts_at: dt.datetime = START, ends_at: dt.datetime | None = END,
        path: str = "") -> Fault:
    return rules.new_fault(values, starts_at=starts_at, ends_at=ends_at, path=path)


_OUTAGE_NULLS = {"name": "core-down", "kind": "outage", "route": None, "institution": None,
                 "answer": None, "http_status": None, "hold_seconds": None, "rate": None,
                 "seed": None}
_LATENCY_NULLS = {"name": "slow", "kind": "latency", "latency_ms": 150, "answer": None,
                  "rate": None, "http_status": None, "hold_seconds": None}


def test_a_new_outage_takes_the_defaults() -> None:
    made = new({"name": "core-down", "kind": "outage"}, ends_at=None)

    assert made == Fault(name="core-down", kind=Kind.OUTAGE, starts_at=START, ends_at=None,
                         route=Route.ALL, institution=None, system=System.OQS,
                         answer=Answer.SEGMENT, rate=1.0, http_status=503, hold_seconds=30.0)


def test_a_new_fault_keeps_every_value_given() -> None:
    made = new({"name": "flaky.files_1", "kind": "errors", "route": "files",
                "institution": DENTAL, "answer": "http", "rate": 0.25, "http_status": 502,
                "hold_seconds": 2, "seed": SEED})

    assert (made.route, made.institution, made.answer, made.rate, made.http_status,
            made.hold_seconds, made.seed) == (Route.FILES, DENTAL, Answer.HTTP, 0.25, 502,
                                              2.0, SEED)


def test_a_new_latency_keeps_its_distribution() -> None:
    made = new({"name": "slow", "kind": "latency", "latency_ms": 150, "jitter_ms": 20,
                "distribution": "normal"})

    assert (made.latency_ms, made.jitter_ms, made.distribution) == (150, 20,
                                                                    Distribution.NORMAL)


@pytest.mark.parametrize("values", [_OUTAGE_NULLS, _LATENCY_NULLS], ids=["outage", "latency"])
def test_a_key_sent_as_null_is_taken_as_absent(values) -> None:
    made = new(values)

    assert (made.answer, made.http_status, made.hold_seconds, made.rate, made.route) == (
        Answer.SEGMENT, 503, 30.0, 1.0, Route.ALL)


@pytest.mark.parametrize("route", [None, "card"], ids=["no route", "the card route"])
def test_a_jpki_window_is_put_on_the_card_route(route) -> None:
    made = new({"name": "jpki", "kind": "maintenance", "system": "jpki", "route": route})

    assert (made.route, made.system, made.code) == (Route.CARD, System.JPKI, "jpki_maintenance")


_OUTAGE = {"name": "core-down", "kind": "outage"}
_LATENCY = {"name": "slow", "kind": "latency", "latency_ms": 150}
_ERRORS = {"name": "flaky", "kind": "errors", "rate": 0.5}


@pytest.mark.parametrize(
    ("values", "field", "error"),
    [
        (_OUTAGE | {"colour": "red"}, "colour", InvalidInput),
        ({"name": "core-down"}, "kind", MissingField),
        (_OUTAGE | {"kind": "meltdown"}, "kind", InvalidInput),
        (_OUTAGE | {"rate": 0.5}, "rate", InvalidInput),
        (_OUTAGE | {"latency_ms": 100}, "latency_ms", InvalidInput),
        ({"name": "slow", "kind": "latency"}, "latency_ms", MissingField),
        (_LATENCY | {"answer": "http"}, "answer", InvalidInput),
        (_LATENCY | {"latency_ms": -1}, "latency_ms", InvalidInput),
        (_LATENCY | {"latency_ms": 1.5}, "latency_ms", InvalidInput),
        (_LATENCY | {"distribution": "poisson"}, "distribution", InvalidInput),
        (_ERRORS | {"rate": 1.5}, "rate", InvalidInput),
        (_ERRORS | {"rate": -0.1}, "rate", InvalidInput),
        (_ERRORS | {"rate": True}, "rate", InvalidInput),
        (_ERRORS | {"rate": "0.5"}, "rate", InvalidInput),
        (_OUTAGE | {"http_status": 418}, "http_status", InvalidInput),
        (_OUTAGE | {"http_status": "503"}, "http_status", InvalidInput),
        (_OUTAGE | {"hold_seconds": 601}, "hold_seconds", InvalidInput),
        (_OUTAGE | {"answer": "silence"}, "answer", InvalidInput),
        (_OUTAGE | {"route": "fax"}, "route", InvalidInput),
        (_OUTAGE | {"system": "jpki"}, "system", InvalidInput),
        (_ERRORS | {"system": "jpki"}, "system", InvalidInput),
        ({"name": "jpki", "kind": "maintenance", "system": "jpki", "route": "files"}, "route",
         InvalidInput),
        (_OUTAGE | {"institution": "1311000003"}, "institution", CheckDigitError),
        (_OUTAGE | {"institution": "131100000"}, "institution", InvalidInput),
        (_OUTAGE | {"institution": 1311000002}, "institution", InvalidInput),
        (_OUTAGE | {"name": "core down"}, "name", InvalidInput),
        (_OUTAGE | {"name": "x" * 65}, "name", InvalidInput),
        (_OUTAGE | {"seed": -1}, "seed", InvalidInput),
    ],
    ids=["unknown key", "kind missing", "unknown kind", "rate on an outage",
         "latency_ms on an outage", "latency_ms missing on latency", "answer on latency",
         "negative latency", "fractional latency", "unknown distribution", "rate above 1",
         "rate below 0", "rate a boolean", "rate a string", "http_status 418",
         "http_status a string", "hold too long", "unknown answer", "unknown route",
         "jpki on an outage", "jpki on errors", "jpki on the files route",
         "institution check digit", "institution 9 digits", "institution a number",
         "name with a space", "name of 65 characters", "negative seed"],
)
def test_a_bad_fault_is_refused_naming_the_field(values, field, error) -> None:
    with pytest.raises(error) as refused:
        new(values)

    assert refused.value.field == field


@pytest.mark.parametrize("ends_at", [START, START - TICK], ids=["equal", "before"])
def test_a_fault_must_end_after_it_starts(ends_at) -> None:
    with pytest.raises(InvalidInput) as refused:
        new(_OUTAGE, ends_at=ends_at)

    assert refused.value.field == "to"


def test_the_field_of_a_scenario_event_is_named_under_its_path() -> None:
    with pytest.raises(InvalidInput) as refused:
        new(_OUTAGE | {"rate": 0.5}, path="timeline[3]")

    assert refused.value.field == "timeline[3].rate"


# -- rules.ended ---------------------------------------------------------------------------------


def test_ending_a_fault_sets_its_manual_end() -> None:
    assert rules.ended(fault(), MIDWAY) == fault(ended_at=MIDWAY)
    assert status(rules.ended(fault(), BEFORE), BEFORE) == "cancelled"


@pytest.mark.parametrize(
    ("stopped", "at"),
    [(fault(), END), (fault(), LONG_AFTER), (fault(ended_at=MIDWAY), MIDWAY),
     (fault(ends_at=None, ended_at=MIDWAY), END)],
    ids=["at its end", "after its end", "at its manual end", "after a manual end"],
)
def test_ending_a_fault_that_has_stopped_is_a_conflict(stopped, at) -> None:
    with pytest.raises(Conflict, match="has already stopped"):
        rules.ended(stopped, at)
