"""Pure rules of the registry: visibility and QualificationValidity (docs/architecture.md).

Every function takes time as an argument: ``as_of`` is the business instant T (what OQS knows
and shows), ``query.confirm_date`` is the date D the qualification is checked against.

Insurance-card route (照会区分 2):

1. Candidates are the records visible at T that match the key (insurer, 記号 if given,
   番号, 枝番 if given, 生年月日).
2. No candidate → 4 該当資格なし.
3. Candidates of several persons (twins under one 記号番号 queried without 枝番) → 5 複数該当,
   one result per person.
4. One person: a candidate valid on D → 1 有効. Otherwise, when the person has a visible record
   under another key that is valid on D or later → 3 無効（新しい資格あり）. Otherwise → 2 無効.
   The record shown is then the candidate that ended most recently by D (with its ReasonOfLoss
   and DisqualificationDate when the loss is known), else the earliest one yet to start.

My Number card route (照会区分 1), once the card has identified the person: the person's records
visible at T. One valid on D → 1; records but none valid on D → 2 (the clinic sees 資格(無効));
nothing visible → 4 (資格情報なし).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import groupby

from .lookup import Confirmation, InsuranceCardQuery, PersonQuery
from .model import JST, LimitCertificate, Qualification, Validity

__all__ = [
    "is_visible",
    "as_known",
    "visible_records",
    "matches_key",
    "shown",
    "confirm_by_insurance_card",
    "confirm_by_person",
    "identify",
    "limits_in_force",
    "limit_certificate_changed",
]


def is_visible(record: Qualification, *, as_of: dt.datetime) -> bool:
    """Tell whether OQS shows the record at ``as_of``: registered and not on hold."""
    if record.registered_at > as_of:
        return False
    return not any(hold.covers(as_of) for hold in record.holds)


def as_known(record: Qualification, *, as_of: dt.datetime) -> Qualification:
    """Return the record as OQS knows it at ``as_of``: a loss registered later is not yet there."""
    if record.valid_to is None:
        return record
    loss_known_at = record.loss_registered_at or record.registered_at
    if loss_known_at <= as_of:
        return record
    return replace(record, valid_to=None, reason_of_loss=None, loss_registered_at=None)


def visible_records(
    records: Iterable[Qualification], *, as_of: dt.datetime
) -> list[Qualification]:
    """Return the records visible at ``as_of``, each as known then."""
    return [as_known(r, as_of=as_of) for r in records if is_visible(r, as_of=as_of)]


def matches_key(record: Qualification, query: InsuranceCardQuery) -> bool:
    """Tell whether the record answers the insurance-card key; 記号 and 枝番 only when given."""
    return (
        record.insurer.number == query.insurer_number
        and record.number == query.number
        and record.birthdate == query.birthdate
        and (query.symbol is None or record.symbol == query.symbol)
        and (query.branch is None or record.branch == query.branch)
    )


def shown(record: Qualification, *, day: dt.date, limit_consent: bool) -> Qualification:
    """Return the record as a result message carries it for confirmation date ``day``.

    Certificates are those valid on ``day``; 限度額適用認定証 and 特定疾病療養受療証 (限度額適用
    認定証等) only with the patient's consent.
    """
    elderly = tuple(c for c in record.elderly if c.valid_on(day))
    limits = tuple(c for c in record.limits if c.valid_on(day)) if limit_consent else ()
    diseases = (tuple(c for c in record.specific_diseases if c.valid_on(day))
                if limit_consent else ())
    if (elderly, limits, diseases) == (record.elderly, record.limits, record.specific_diseases):
        return record  # most records carry no certificate: no copy (the bulk job's hot path)
    return replace(record, elderly=elderly, limits=limits, specific_diseases=diseases)


def _pick(candidates: Sequence[Qualification], day: dt.date) -> Qualification:
    """The candidate to show for one person on ``day``.

    The one valid on ``day``; else the one that ended most recently by then; else the earliest
    one yet to start.
    """
    valid = [r for r in candidates if r.valid_on(day)]
    if valid:
        return max(valid, key=lambda r: r.valid_from)
    ended = [r for r in candidates if r.valid_to is not None and r.valid_to <= day]
    if ended:
        return max(ended, key=lambda r: r.valid_to)
    return min(candidates, key=lambda r: r.valid_from)


def _validity_for_one_person(
    candidates: Sequence[Qualification],
    person_records: Sequence[Qualification],
    query: InsuranceCardQuery,
) -> Validity:
    day = query.confirm_date
    if any(r.valid_on(day) for r in candidates):
        return Validity.VALID
    other_keys = (r for r in person_records if not matches_key(r, query))
    if any(r.valid_on_or_after(day) for r in other_keys):
        return Validity.INVALID_NEWER_EXISTS
    return Validity.INVALID


def confirm_by_insurance_card(
    records: Iterable[Qualification], *, query: InsuranceCardQuery, as_of: dt.datetime
) -> Confirmation:
    """Decide QualificationValidity for an insurance-card lookup (docs/architecture.md).

    ``records`` must hold every record of every person who has a record matching the key
    (matching or not, visible or not); the rule filters them itself.
    """
    visible = visible_records(records, as_of=as_of)
    by_person = {
        person_id: list(group)
        for person_id, group in groupby(
            sorted(visible, key=lambda r: r.person_id), key=lambda r: r.person_id
        )
    }
    day = query.confirm_date
    matching = {
        person_id: [r for r in person_records if matches_key(r, query)]
        for person_id, person_records in by_person.items()
    }
    matching = {person_id: found for person_id, found in matching.items() if found}

    if not matching:
        return Confirmation(Validity.NOT_FOUND, query, as_of)

    picked = {person_id: _pick(found, day) for person_id, found in matching.items()}
    results = tuple(
        shown(picked[p], day=day, limit_consent=query.limit_consent) for p in sorted(picked)
    )
    if len(picked) > 1:
        return Confirmation(Validity.MULTIPLE, query, as_of, results)

    (person_id,) = picked
    validity = _validity_for_one_person(matching[person_id], by_person[person_id], query)
    return Confirmation(validity, query, as_of, results)


def confirm_by_person(
    records: Iterable[Qualification], *, query: PersonQuery, as_of: dt.datetime
) -> Confirmation:
    """Decide QualificationValidity for a person the card identified.

    ``records`` are the person's records, visible or not; the rule filters them itself.
    """
    visible = [r for r in visible_records(records, as_of=as_of) if r.person_id == query.person_id]
    if not visible:
        return Confirmation(Validity.NOT_FOUND, query, as_of)
    day = query.confirm_date
    picked = _pick(visible, day)
    validity = Validity.VALID if picked.valid_on(day) else Validity.INVALID
    result = shown(picked, day=day, limit_consent=query.limit_consent)
    return Confirmation(validity, query, as_of, (result,))


def identify(
    records: Iterable[Qualification], *, insurer: str, number: str, symbol: str | None,
    branch: str | None, as_of: dt.datetime,
) -> list[int]:
    """The persons an insurance-card key without 生年月日 names (drug, checkup and 照会番号
    requests carry no birthdate): ids of the persons with a record visible at ``as_of`` under
    (insurer, 番号, 記号 if given, 枝番 if given), in id order. Validity does not matter: a
    lost qualification still names its person.
    """
    found = {
        r.person_id for r in visible_records(records, as_of=as_of)
        if r.insurer.number == insurer and r.number == number
        and (symbol is None or r.symbol == symbol) and (branch is None or r.branch == branch)
    }
    return sorted(found)


def limits_in_force(records: Iterable[Qualification], *, person_id: int, day: dt.date,
                    as_of: dt.datetime) -> frozenset[LimitCertificate]:
    """The person's 限度額適用認定証 in force on ``day``, as OQS knows them at ``as_of``."""
    return frozenset(
        certificate
        for record in visible_records(records, as_of=as_of)
        if record.person_id == person_id and record.valid_on(day)
        for certificate in record.limits if certificate.valid_on(day)
    )


def limit_certificate_changed(records: Iterable[Qualification], *, person_id: int,
                              day: dt.date, as_of: dt.datetime,
                              previous: dt.datetime | None) -> bool:
    """限度額適用認定証情報変更有無 (OQSCD014) of a person in a bulk result.

    A bulk result never carries the certificate (no consent is given at a bulk upload); it
    tells the hospital whether to ask for it at the visit. ``previous`` is when the institution
    last confirmed the person (any route). True — 1 変更あり または 判定不能 — when there was
    no such confirmation, or when the certificates in force on its day, as known then, differ
    from those in force on ``day`` as known at ``as_of``; False — 0 変更なし — otherwise.
    """
    if previous is None:
        return True
    records = [r for r in records if r.person_id == person_id]
    if not any(r.limits for r in records):
        return False  # no certificate in any version of any record: none then, none now
    before = limits_in_force(records, person_id=person_id,
                             day=previous.astimezone(JST).date(), as_of=previous)
    return before != limits_in_force(records, person_id=person_id, day=day, as_of=as_of)
