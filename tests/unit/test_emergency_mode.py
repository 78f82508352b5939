"""Emergency mode (緊急時医療情報・資格確認機能): its period ``[from, to)`` cut by an end by hand,
its status at each boundary, and the refusals when switching an institution on or ending it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from simulator.disaster_mode.emergency import (
    REASON_MAX,
    EmergencyMode,
    active_mode,
    ended,
    mode_status,
    new_mode,
)
from simulator.registry.errors import Conflict, InvalidInput
from tests.builders import at

CLINIC = "1311000002"
DENTAL = "1331000008"
FAILED = at(2026, 4, 1, 9, 0)  # the clinic's terminal failed
RESTORED = at(2026, 4, 3, 9, 0)  # exclusive end of the period
ENDED_EARLY = at(2026, 4, 2, 12, 0)
MUCH_LATER = at(2027, 1, 1, 0, 0)
TICK = dt.timedelta(microseconds=1)


def mode(*, institution: str = CLINIC, starts_at: dt.datetime = FAILED,
         ends_at: dt.datetime | None = RESTORED, ended_at: dt.datetime | None = None,
         id: int = 1) -> EmergencyMode:
    return EmergencyMode(institution, starts_at, ends_at, "端末故障", ended_at, id)


def start(existing=(), *, institution: str = CLINIC, starts_at: dt.datetime = FAILED,
          ends_at: dt.datetime | None = RESTORED, reason: object = "回線障害",
          path: str = "") -> EmergencyMode:
    return new_mode(list(existing), institution=institution, starts_at=starts_at,
                    ends_at=ends_at, reason=reason, path=path)


# -- active_at -----------------------------------------------------------------------------------


def test_the_start_is_inclusive() -> None:
    assert mode().active_at(FAILED)
    assert not mode().active_at(FAILED - TICK)


def test_the_end_is_exclusive() -> None:
    assert mode().active_at(RESTORED - TICK)
    assert not mode().active_at(RESTORED)


def test_an_end_by_hand_cuts_the_period_short() -> None:
    cut = mode(ended_at=ENDED_EARLY)

    assert cut.active_at(ENDED_EARLY - TICK)
    assert not cut.active_at(ENDED_EARLY)
    assert not cut.active_at(RESTORED - TICK)
    assert cut.end == ENDED_EARLY


def test_an_end_by_hand_after_the_period_does_not_lengthen_it() -> None:
    late = mode(ended_at=RESTORED + dt.timedelta(days=1))

    assert not late.active_at(RESTORED)
    assert late.end == RESTORED


def test_an_open_mode_runs_until_ended() -> None:
    open_ = mode(ends_at=None)

    assert open_.end is None
    assert open_.active_at(MUCH_LATER)
    assert not replace(open_, ended_at=ENDED_EARLY).active_at(ENDED_EARLY)


# -- active_mode ---------------------------------------------------------------------------------


def test_the_active_mode_is_the_institutions_own() -> None:
    dental = mode(institution=DENTAL, id=2)
    clinic = mode(id=3)

    assert active_mode([dental, clinic], CLINIC, FAILED) == clinic
    assert active_mode([dental], CLINIC, FAILED) is None


def test_no_mode_is_active_outside_its_period() -> None:
    modes = [mode()]

    assert active_mode(modes, CLINIC, FAILED - TICK) is None
    assert active_mode(modes, CLINIC, RESTORED) is None


def test_of_two_active_modes_the_earliest_start_is_the_basis() -> None:
    first = mode(ends_at=None, id=9)
    second = mode(starts_at=ENDED_EARLY, id=4)

    assert active_mode([second, first], CLINIC, ENDED_EARLY) == first


# -- mode_status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("instant", "status"), [
    (FAILED - TICK, "scheduled"),
    (FAILED, "active"),
    (RESTORED - TICK, "active"),
    (RESTORED, "over"),
    (MUCH_LATER, "over"),
], ids=["just before", "at the start", "just before the end", "at the end", "long after"])
def test_the_status_of_a_mode_with_a_period(instant, status) -> None:
    assert mode_status(mode(), instant) == status


@pytest.mark.parametrize(("instant", "status"), [
    (ENDED_EARLY - TICK, "active"),
    (ENDED_EARLY, "ended"),
    (RESTORED, "ended"),
], ids=["just before the end by hand", "at it", "after the period"])
def test_a_mode_ended_early_is_ended_not_over(instant, status) -> None:
    assert mode_status(mode(ended_at=ENDED_EARLY), instant) == status


def test_an_open_mode_ended_by_hand_is_ended() -> None:
    assert mode_status(mode(ends_at=None), MUCH_LATER) == "active"
    assert mode_status(mode(ends_at=None, ended_at=ENDED_EARLY), MUCH_LATER) == "ended"


def test_an_end_by_hand_at_or_after_the_period_end_leaves_it_over() -> None:
    assert mode_status(mode(ended_at=RESTORED), MUCH_LATER) == "over"
    assert mode_status(mode(ended_at=MUCH_LATER), MUCH_LATER) == "over"


@pytest.mark.parametrize("ended_at", [FAILED, FAILED - dt.timedelta(hours=1)],
                         ids=["at its start", "before its start"])
@pytest.mark.parametrize("instant", [FAILED - dt.timedelta(days=1), FAILED, MUCH_LATER],
                         ids=["before", "at the start", "after"])
def test_a_mode_ended_before_it_started_is_cancelled_at_any_instant(ended_at,
                                                                    instant) -> None:
    assert mode_status(mode(ended_at=ended_at), instant) == "cancelled"


# -- new_mode ------------------------------------------------------------------------------------


def test_a_new_mode_has_the_institution_period_and_stripped_reason() -> None:
    started = start(reason="  端末故障のため  ")

    assert started == EmergencyMode(CLINIC, FAILED, RESTORED, "端末故障のため")
    assert started.id is None


def test_a_reason_may_be_left_out() -> None:
    assert start(reason=None).reason == ""
    assert start(reason="あ" * REASON_MAX).reason == "あ" * REASON_MAX


@pytest.mark.parametrize("ends_at", [FAILED, FAILED - TICK], ids=["equal", "before"])
def test_the_end_must_be_after_the_start(ends_at) -> None:
    with pytest.raises(InvalidInput) as raised:
        start(ends_at=ends_at)

    assert raised.value.field == "to"


def test_a_refusal_names_the_key_under_the_path() -> None:
    with pytest.raises(InvalidInput) as raised:
        start(ends_at=FAILED, path="timeline[3]")

    assert raised.value.field == "timeline[3].to"


@pytest.mark.parametrize("reason", ["あ" * (REASON_MAX + 1), 42, ["端末故障"]],
                         ids=["too long", "a number", "a list"])
def test_a_reason_must_be_short_text(reason) -> None:
    with pytest.raises(InvalidInput) as raised:
        start(reason=reason, path="timeline[0]")

    assert raised.value.field == "timeline[0].reason"


@pytest.mark.parametrize(("starts_at", "ends_at"), [
    (FAILED, RESTORED),
    (FAILED - dt.timedelta(days=1), FAILED + TICK),
    (RESTORED - TICK, None),
    (FAILED + dt.timedelta(hours=1), ENDED_EARLY),
    (FAILED - dt.timedelta(days=1), None),
], ids=["the same period", "overlapping its start", "overlapping its end", "inside it",
        "open, starting before it"])
def test_an_overlapping_mode_of_the_same_institution_is_a_conflict(starts_at,
                                                                   ends_at) -> None:
    with pytest.raises(Conflict, match=f"{CLINIC} is already in emergency mode"):
        start([mode(id=5)], starts_at=starts_at, ends_at=ends_at)


def test_a_conflict_names_the_mode_it_clashes_with() -> None:
    with pytest.raises(Conflict, match=r"\(id 5\)"):
        start([mode(id=5)], path="timeline[1]")


def test_an_open_mode_clashes_with_every_later_one() -> None:
    with pytest.raises(Conflict):
        start([mode(ends_at=None)], starts_at=MUCH_LATER, ends_at=None)


def test_modes_that_only_touch_do_not_clash() -> None:
    assert start([mode()], starts_at=RESTORED, ends_at=None).starts_at == RESTORED
    assert start([mode()], starts_at=FAILED - dt.timedelta(days=1),
                 ends_at=FAILED).ends_at == FAILED


def test_another_institutions_mode_does_not_clash() -> None:
    assert start([mode(institution=DENTAL)]).institution == CLINIC


@pytest.mark.parametrize("ended_at", [FAILED, FAILED - dt.timedelta(hours=1)],
                         ids=["at its start", "before its start"])
def test_a_cancelled_mode_does_not_clash(ended_at) -> None:
    cancelled = mode(ends_at=None, ended_at=ended_at)
    earlier = FAILED - dt.timedelta(hours=2)

    assert start([cancelled]).starts_at == FAILED
    assert start([cancelled], starts_at=earlier, ends_at=None).starts_at == earlier


def test_a_mode_ended_by_hand_frees_the_rest_of_its_period() -> None:
    cut = mode(ended_at=ENDED_EARLY)

    assert start([cut], starts_at=ENDED_EARLY).starts_at == ENDED_EARLY
    with pytest.raises(Conflict):
        start([cut], starts_at=ENDED_EARLY - TICK)


# -- ended ---------------------------------------------------------------------------------------


def test_ending_a_mode_sets_the_instant_and_keeps_the_rest() -> None:
    stopped = ended(mode(), ENDED_EARLY)

    assert stopped == mode(ended_at=ENDED_EARLY)
    assert mode_status(stopped, ENDED_EARLY) == "ended"


def test_ending_an_open_mode_at_any_later_instant_works() -> None:
    assert ended(mode(ends_at=None), MUCH_LATER).ended_at == MUCH_LATER


def test_ending_a_scheduled_mode_before_its_start_cancels_it() -> None:
    stopped = ended(mode(), FAILED - dt.timedelta(hours=1))

    assert mode_status(stopped, FAILED) == "cancelled"


@pytest.mark.parametrize(("stopped", "instant"), [
    (mode(), RESTORED),
    (mode(), MUCH_LATER),
    (mode(ended_at=ENDED_EARLY), ENDED_EARLY),
    (mode(ends_at=None, ended_at=ENDED_EARLY), MUCH_LATER),
], ids=["at the end of its period", "after its period", "ended already, at that instant",
        "open, ended already"])
def test_ending_a_mode_that_has_stopped_is_a_conflict(stopped, instant) -> None:
    with pytest.raises(Conflict, match="emergency mode 1 has already stopped"):
        ended(stopped, instant)


def test_ending_just_before_the_end_is_allowed() -> None:
    assert ended(mode(), RESTORED - TICK).end == RESTORED - TICK
