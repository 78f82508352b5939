"""Life events as pure functions: what each does to a person's records (docs/architecture.md).

An event happens at the business instant ``at`` and takes effect in law on ``day`` (valid time).
OQS learns of each effect later: ``registered_at = at + employer_notify_days +
insurer_register_days`` (each 0..5 days by law; longer is allowed and flagged *late*). A loss and
a gain may be learnt at different times (``loss`` / ``gain`` delays).

Each function returns a :class:`Change` — losses to record, qualifications to add, holds to place
or end, corrections — and never touches storage. New qualifications pass the registration check
(:func:`mismatches`): any difference from the person's basic items puts them on hold (連携保留)
from the moment they are registered.

Which records an event closes: the person's records *open on* ``day`` (started before it and not
ended by it). Events concern the person named; dependents move with their own events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from .change import (
    Change,
    Coverage,
    Delays,
    Loss,
)
from .errors import InvalidInput
from .model import (
    ElderlyCertificate,
    Hold,
    Person,
    Qualification,
    ReasonOfLoss,
)

__all__ = [
    "BASIC_ITEMS",
    "mismatches",
    "register",
    "open_on",
    "change_coverage",
    "end_coverage",
    "change_terms",
    "next_branch",
    "birthday",
]

#: The items the registration check compares (住基の基本4情報 + カナ), with their labels.
BASIC_ITEMS: Mapping[str, str] = {
    "name": "漢字氏名",
    "kana": "カナ氏名",
    "birthdate": "生年月日",
    "sex": "性別",
    "address": "住所",
}


# -- the registration check ------------------------------------------------------------------


def mismatches(person: Person, record: Qualification) -> tuple[str, ...]:
    """Return the basic items (``BASIC_ITEMS`` keys) where the record differs from the person.

    An address the insurer did not register is not compared.
    """
    found = []
    for item in BASIC_ITEMS:
        registered = getattr(record, item)
        if item == "address" and registered is None:
            continue
        if registered != getattr(person, item):
            found.append(item)
    return tuple(found)


def _hold_for(person: Person, record: Qualification) -> tuple[Hold, ...]:
    differing = mismatches(person, record)
    if not differing:
        return ()
    labels = "・".join(BASIC_ITEMS[item] for item in differing)
    return (Hold(record.registered_at, None, f"連携保留: {labels}が住基と不一致"),)


def register(
    person: Person, coverage: Coverage, *, valid_from: dt.date, registered_at: dt.datetime
) -> Qualification:
    """Return the qualification the insurer registers for ``person``, checked against 住基.

    Its card is valid from ``valid_from`` unless the coverage gives another 有効開始年月日.
    """
    values = {item: getattr(person, item) for item in BASIC_ITEMS}
    values.update(coverage.as_registered)
    record = Qualification(
        person_id=person.id,
        insurer=coverage.insurer,
        number=coverage.number,
        symbol=coverage.symbol,
        branch=coverage.branch,
        family=coverage.family,
        card_class=coverage.card_class,
        valid_from=valid_from,
        registered_at=registered_at,
        post_number=person.post_number,
        insured_name=coverage.insured_name,
        ratio=coverage.ratio,
        preschool=coverage.preschool,
        elderly=coverage.elderly,
        limits=coverage.limits,
        specific_diseases=coverage.specific_diseases,
        card_issued_on=coverage.card_issued_on,
        card_valid_start=coverage.card_valid_start or valid_from,
        card_valid_end=coverage.card_valid_end,
        **values,
    )
    return replace(record, holds=_hold_for(person, record))


# -- events ------------------------------------------------------------------------------------


def open_on(records: Iterable[Qualification], day: dt.date) -> list[Qualification]:
    """Return the records that started before ``day`` and have not ended by it."""
    return [r for r in records if r.valid_from < day and (r.valid_to is None or r.valid_to > day)]


def _losses(
    records: Iterable[Qualification], *, valid_to: dt.date, reason: ReasonOfLoss | None,
    registered_at: dt.datetime,
) -> tuple[Loss, ...]:
    return tuple(Loss(r.id, valid_to, reason, registered_at) for r in records)


def change_coverage(
    person: Person,
    records: Sequence[Qualification],
    *,
    at: dt.datetime,
    day: dt.date,
    to: Coverage,
    loss: Delays,
    gain: Delays,
    reason: ReasonOfLoss | None,
) -> Change:
    """Close the records open on ``day`` and start ``to`` from ``day`` (転職, 退職→国保, 75歳 …)."""
    losses = _losses(
        open_on(records, day), valid_to=day, reason=reason, registered_at=loss.known_at(at)
    )
    new = register(person, to, valid_from=day, registered_at=gain.known_at(at))
    return Change(losses=losses, gains=(new,), late=loss.late or gain.late)


def end_coverage(
    records: Sequence[Qualification],
    *,
    at: dt.datetime,
    valid_to: dt.date,
    reason: ReasonOfLoss,
    delays: Delays,
) -> Change:
    """Close every record still open on ``valid_to`` (死亡: the day after death; 生活保護: the day).

    :raises InvalidInput: when the person has no qualification to lose.
    """
    closing = open_on(records, valid_to)
    if not closing:
        raise InvalidInput("person", f"has no qualification open on {valid_to.isoformat()}")
    losses = _losses(closing, valid_to=valid_to, reason=reason,
                     registered_at=delays.known_at(at))
    return Change(losses=losses, late=delays.late)


def change_terms(
    person: Person,
    records: Sequence[Qualification],
    *,
    at: dt.datetime,
    day: dt.date,
    delays: Delays,
    ratio: str | None = None,
    preschool: bool | None = None,
    elderly: ElderlyCertificate | None = None,
) -> Change:
    """Change 負担割合 / 未就学 / 高齢受給者証 from ``day``: the record is split at ``day``.

    The part before ``day`` keeps the old terms; a new version under the same key carries the new
    ones and is known to OQS after the insurer's delay (until then lookups show the old terms).

    :raises InvalidInput: when the person has no qualification open on ``day``.
    """
    current = open_on(records, day)
    if not current:
        raise InvalidInput("person", f"has no qualification open on {day.isoformat()}")
    known = delays.known_at(at)
    gains = []
    for record in current:
        gains.append(replace(
            record,
            id=None,
            valid_from=day,
            registered_at=known,
            ratio=record.ratio if ratio is None else ratio,
            preschool=record.preschool if preschool is None else preschool,
            elderly=record.elderly + ((elderly,) if elderly else ()),
            holds=(),
            acquired_on=record.qualification_date,
        ))
    losses = _losses(current, valid_to=day, reason=None, registered_at=known)
    return Change(losses=losses, gains=tuple(gains), late=delays.late)


# -- helpers for events that need a date or a number -------------------------------------------


def next_branch(records: Iterable[Qualification], *, insurer: str, number: str,
                symbol: str | None) -> str:
    """Return the next free 枝番 under one 記号番号 (the insured is 00)."""
    used = [
        int(r.branch) for r in records
        if r.insurer.number == insurer and r.number == number and r.symbol == symbol
        and r.branch and r.branch.isdigit()
    ]
    return f"{max(used, default=0) + 1:02d}"


def birthday(birthdate: dt.date, age: int) -> dt.date:
    """Return the day a person born on ``birthdate`` turns ``age`` (29 Feb → 1 Mar)."""
    try:
        return birthdate.replace(year=birthdate.year + age)
    except ValueError:
        return dt.date(birthdate.year + age, 3, 1)
