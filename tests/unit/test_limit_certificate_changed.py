"""限度額適用認定証情報変更有無 (OQSCD014) of a bulk result: compared with the institution's
previous confirmation of the person, 1 when there was none (判定不能) or the certificates in force
differ, 0 when they are the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from simulator.registry.model import LimitCertificate
from simulator.registry.rules import limit_certificate_changed, limits_in_force
from tests.builders import at, held, record

A03 = LimitCertificate("01", "A03", dt.date(2026, 1, 5), dt.date(2026, 1, 1),
                       dt.date(2026, 12, 31))
A04 = LimitCertificate("01", "A04", dt.date(2026, 5, 1), dt.date(2026, 5, 1),
                       dt.date(2027, 4, 30))
PREVIOUS = at(2026, 4, 1, 9)  # the institution's previous confirmation
NOW = at(2026, 4, 30, 18)  # the bulk job runs
TOMORROW = dt.date(2026, 5, 1)  # the appointments' confirmation date


def changed(records, *, day=TOMORROW, previous=PREVIOUS, person_id=1) -> bool:
    return limit_certificate_changed(records, person_id=person_id, day=day, as_of=NOW,
                                     previous=previous)


def test_never_confirmed_before_cannot_be_judged() -> None:
    assert changed([record(limits=(A03,))], previous=None) is True
    assert changed([record()], previous=None) is True


def test_same_certificate_in_force_is_unchanged() -> None:
    assert changed([record(limits=(A03,))], day=dt.date(2026, 4, 30)) is False


def test_no_certificate_then_and_now_is_unchanged() -> None:
    assert changed([record()]) is False


def test_a_certificate_that_ended_and_a_new_one_that_began_are_changes() -> None:
    assert changed([record(limits=(A03, A04))]) is True  # A03 then, A04 on May 1st
    ended = replace(A03, valid_end=dt.date(2026, 4, 30))
    assert changed([record(limits=(ended,))]) is True  # A03 then, none on May 1st


def test_a_certificate_registered_after_the_previous_confirmation_is_a_change() -> None:
    """The insurer registers a new version of the record carrying the certificate after the
    clinic last looked: what the clinic could have seen then differs from now."""
    old = record(valid_to=dt.date(2026, 4, 15))
    new = record(valid_from=dt.date(2026, 4, 15), registered_at=at(2026, 4, 20),
                 acquired_on=old.valid_from, limits=(A03,))
    assert changed([old, new]) is True
    assert limits_in_force([old, new], person_id=1, day=dt.date(2026, 4, 1),
                           as_of=PREVIOUS) == frozenset()


def test_a_record_on_hold_at_the_previous_confirmation_showed_no_certificate() -> None:
    on_hold = held(record(limits=(A03,)), at(2026, 3, 20), at(2026, 4, 10))
    assert changed([on_hold], day=dt.date(2026, 4, 30)) is True
    assert changed([on_hold], day=dt.date(2026, 4, 30), previous=at(2026, 4, 11)) is False


def test_only_the_persons_own_records_count() -> None:
    """Twins under one 記号番号: the sibling's certificate is not the person's."""
    sibling = record(person_id=2, branch="02", limits=(A03,))
    assert changed([record(), sibling], day=dt.date(2026, 4, 30)) is False
    assert changed([record(), sibling], day=dt.date(2026, 4, 30), person_id=2) is False
