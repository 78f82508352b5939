"""Rules of virtual My Number cards at their boundaries: expiry, warning, revocation,
registration and the PIN counter."""

from __future__ import annotations

import ast
import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from simulator.cards.model import (
    PIN_TRIES,
    Card,
    RevokeReason,
    add_months,
    expiring_soon,
    pin_check,
    refusal,
)
from tests.builders import at

ISSUED = at(2026, 4, 1, 9, 0)
CERT_END = at(2031, 4, 2, 0, 0)
DIED = at(2027, 1, 15, 12, 0)
REVOKED = at(2026, 6, 1, 10, 0)
REGISTERED = at(2026, 4, 10, 10, 0)
SECOND = dt.timedelta(seconds=1)

CARD = Card(person_id=1, serial="abc", certificate="PEM", not_before=ISSUED,
            not_after=CERT_END, insurance_registered_at=ISSUED)


def test_a_fresh_registered_card_is_usable() -> None:
    assert refusal(CARD, at=ISSUED) is None


def test_the_card_expires_at_the_end_of_its_certificate_and_not_a_second_before() -> None:
    assert refusal(CARD, at=CERT_END - SECOND) is None
    assert refusal(CARD, at=CERT_END) == "card_expired"


def test_a_card_that_died_early_expires_at_that_instant() -> None:
    died = replace(CARD, expires_at=DIED)

    assert refusal(died, at=DIED - SECOND) is None
    assert refusal(died, at=DIED) == "card_expired"
    assert died.end == DIED


def test_a_death_after_the_certificate_end_changes_nothing() -> None:
    late = replace(CARD, expires_at=CERT_END + dt.timedelta(days=30))

    assert late.end == CERT_END


@pytest.mark.parametrize("reason", list(RevokeReason))
def test_revocation_counts_from_its_instant(reason) -> None:
    revoked = replace(CARD, revoked_at=REVOKED, revoke_reason=reason)

    assert refusal(revoked, at=REVOKED - SECOND) is None
    assert refusal(revoked, at=REVOKED) == "card_revoked"


def test_revocation_is_reported_before_expiry() -> None:
    both = replace(CARD, revoked_at=REVOKED, revoke_reason=RevokeReason.REVOKED)

    assert refusal(both, at=CERT_END) == "card_revoked"


def test_a_card_is_not_registered_until_its_registration_instant() -> None:
    later = replace(CARD, insurance_registered_at=REGISTERED)
    never = replace(CARD, insurance_registered_at=None)

    assert refusal(later, at=REGISTERED - SECOND) == "card_not_registered"
    assert refusal(later, at=REGISTERED) is None
    assert refusal(never, at=CERT_END - SECOND) == "card_not_registered"


def test_an_expired_card_is_reported_before_a_missing_registration() -> None:
    never = replace(CARD, insurance_registered_at=None)

    assert refusal(never, at=CERT_END) == "card_expired"


def test_a_locked_pin_is_reported_last() -> None:
    locked = replace(CARD, pin_failures=PIN_TRIES, pin_locked_at=REGISTERED)

    assert refusal(locked, at=REGISTERED - SECOND) is None
    assert refusal(locked, at=REGISTERED) == "pin_locked"
    assert refusal(replace(locked, insurance_registered_at=None), at=REGISTERED) == (
        "card_not_registered")


# -- the 3-month warning -------------------------------------------------------------------------

THREE_MONTHS_BEFORE_END = at(2031, 1, 2, 0, 0)


def test_the_warning_starts_exactly_three_calendar_months_before_the_end() -> None:
    assert not expiring_soon(CARD, at=THREE_MONTHS_BEFORE_END - SECOND)
    assert expiring_soon(CARD, at=THREE_MONTHS_BEFORE_END)
    assert expiring_soon(CARD, at=CERT_END - SECOND)


def test_an_expired_card_is_not_expiring_but_expired() -> None:
    assert not expiring_soon(CARD, at=CERT_END)


def test_the_warning_follows_an_early_death() -> None:
    died = replace(CARD, expires_at=DIED)

    assert not expiring_soon(died, at=at(2026, 10, 15, 11, 59, 59))
    assert expiring_soon(died, at=at(2026, 10, 15, 12, 0))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (at(2026, 11, 30, 9), 3, at(2027, 2, 28, 9)),
        (at(2027, 11, 30, 9), 3, at(2028, 2, 29, 9)),
        (at(2026, 10, 31, 9), 1, at(2026, 11, 30, 9)),
        (at(2026, 12, 15, 9), 3, at(2027, 3, 15, 9)),
    ],
    ids=["into February", "into a leap February", "31st into a 30-day month", "over new year"],
)
def test_adding_calendar_months_keeps_the_wall_time_and_clamps_the_day(start, months,
                                                                       expected) -> None:
    assert add_months(start, months) == expected


# -- the PIN counter -----------------------------------------------------------------------------


def test_a_wrong_pin_counts_and_tells_the_tries_left() -> None:
    check = pin_check(CARD, right=False, at=ISSUED)

    assert (check.failures, check.locks, check.refusal, check.remaining) == (
        1, False, "pin_wrong", PIN_TRIES - 1)


def test_the_third_wrong_pin_in_a_row_locks_the_card() -> None:
    twice = replace(CARD, pin_failures=PIN_TRIES - 1)

    check = pin_check(twice, right=False, at=ISSUED)

    assert (check.failures, check.locks, check.refusal, check.remaining) == (
        PIN_TRIES, True, "pin_locked", 0)


def test_a_right_pin_resets_the_count() -> None:
    twice = replace(CARD, pin_failures=PIN_TRIES - 1)

    check = pin_check(twice, right=True, at=ISSUED)

    assert (check.failures, check.locks, check.refusal) == (0, False, None)


def test_a_locked_card_stays_locked_even_with_the_right_pin() -> None:
    locked = replace(CARD, pin_failures=PIN_TRIES, pin_locked_at=REGISTERED)

    right = pin_check(locked, right=True, at=REGISTERED)
    wrong = pin_check(locked, right=False, at=REGISTERED)

    assert right.refusal == wrong.refusal == "pin_locked"
    assert not right.locks and not wrong.locks
    assert right.failures == wrong.failures == PIN_TRIES


def test_the_card_rules_import_only_the_standard_library_and_the_pure_domain() -> None:
    source = Path(__file__).parents[2] / "simulator" / "cards" / "model.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))

    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}

    foreign = {m for m in imported
               if m.split(".")[0] not in sys.stdlib_module_names
               and m not in {"registry.errors", "registry.model"}}
    assert foreign == set()
