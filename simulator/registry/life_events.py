"""The core's life events as timeline kinds: 転職, 退職→国保, 75歳→後期高齢, 死亡, 生活保護開始,
出生, 被扶養者追加, 負担割合の変更, and the holds (保留, 解除, 訂正).

Each handler reads its keys from the event mapping, asks :mod:`.lifecycle` (or :mod:`.holds`)
for the :class:`~.Change` and returns it; :func:`.events.apply_with` stores it and
logs the event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from . import fields, holds, lifecycle
from .change import Change, Coverage, Delays
from .coverage_input import (
    as_registered,
    card_dates,
    check_card_period,
    coverage,
    elderly,
    ratio,
    reason_of_loss,
)
from .errors import InvalidInput
from .events import Event, EventContext, Handler, correction_values, person_of
from .model import Family, InsurerKind, Person, Qualification, ReasonOfLoss

__all__ = ["KINDS"]

LEGAL_AGE_KOKI = 75


def _delays(ctx: EventContext, event: Event, kind: InsurerKind, part: str | None,
            used: dict[str, Any]) -> Delays:
    block = event.raw.get(part) if part else None
    if block is not None and not isinstance(block, Mapping):
        raise InvalidInput(event.at_path(part), "must be a mapping of delays")
    values = {}
    for name in ("employer_notify_days", "insurer_register_days"):
        if block is not None and name in block:
            values[name] = fields.days(block, name, event.at_path(part))
        else:
            values[name] = fields.days(event.raw, name, event.path)
    if None in values.values():
        drawn = ctx.profiles.of(kind).draw(event.rng)
        values = {k: getattr(drawn, k) if v is None else v for k, v in values.items()}
    used[part or "delays"] = values
    return Delays(**values)


def _open_kind(event: Event, fallback: InsurerKind) -> InsurerKind:
    current = lifecycle.open_on(event.records, event.day)
    return current[0].insurer.kind if current else fallback


def _reason(event: Event, default: ReasonOfLoss) -> ReasonOfLoss:
    return reason_of_loss(event.raw, "reason_of_loss", event.path) or default


def _to(ctx: EventContext, event: Event, family: Family = Family.INSURED) -> Coverage:
    block = event.raw.get("to")
    if not isinstance(block, Mapping):
        raise InvalidInput(event.at_path("to"), "is required: the new qualification's keys")
    return coverage(block, event.at_path("to"), known=ctx.known, family=family)


# -- the events --------------------------------------------------------------------------------


def _move(ctx: EventContext, event: Event, used: dict[str, Any], to: Coverage,
          reason: ReasonOfLoss, day: dt.date | None = None, card_path: str | None = None) -> Change:
    """Close the open records and start ``to`` on the event's day; its card is valid from that
    day unless ``to`` (at ``card_path``, default the event's ``to``) says otherwise."""
    event = replace(event, day=day or event.day)
    check_card_period(to, event.day, card_path or event.at_path("to"), start_key="date")
    loss = _delays(ctx, event, _open_kind(event, to.insurer.kind), "loss", used)
    gain = _delays(ctx, event, to.insurer.kind, "gain", used)
    return lifecycle.change_coverage(event.person, event.records, at=event.at, day=event.day,
                                     to=to, loss=loss, gain=gain, reason=reason)


def _job_change(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    closing = lifecycle.open_on(event.records, event.day)
    from_kokuho = any(r.insurer.kind is InsurerKind.KOKUHO for r in closing)
    default = ReasonOfLoss.OTHER_INSURANCE if from_kokuho else ReasonOfLoss.OTHER
    return _move(ctx, event, used, _to(ctx, event), _reason(event, default))


def _retire_to_kokuho(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    to = _to(ctx, event)
    if to.insurer.kind is not InsurerKind.KOKUHO:
        raise InvalidInput(event.at_path("to.insurer"), "must be a 国保 insurer (6 digits)")
    return _move(ctx, event, used, to, _reason(event, ReasonOfLoss.OTHER))


def _turn_75(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    to = _to(ctx, event)
    if to.insurer.kind is not InsurerKind.KOKI:
        raise InvalidInput(event.at_path("to.insurer"), "must be a 後期高齢 insurer (39…)")
    to = replace(to, ratio=to.ratio or "010")
    day = fields.optional_day(event.raw, "date", event.path)
    birthday = lifecycle.birthday(event.person.birthdate, LEGAL_AGE_KOKI)
    return _move(ctx, event, used, to, _reason(event, ReasonOfLoss.OTHER_INSURANCE),
                 day=day or birthday)


def _end(ctx: EventContext, event: Event, used: dict[str, Any], valid_to: dt.date,
         reason: ReasonOfLoss) -> Change:
    delays = _delays(ctx, event, _open_kind(event, InsurerKind.KYOKAI), None, used)
    return lifecycle.end_coverage(event.records, at=event.at, valid_to=valid_to,
                                  reason=_reason(event, reason), delays=delays)


def _death(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    # 資格喪失日 is the day after death
    return _end(ctx, event, used, event.day + dt.timedelta(days=1), ReasonOfLoss.DEATH)


def _welfare_start(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    # 生活保護: the qualification is lost on the day assistance starts
    return _end(ctx, event, used, event.day, ReasonOfLoss.WELFARE)


def _insured_key(event: Event) -> Qualification:
    current = [r for r in event.records if r.valid_on(event.day)]
    if not current:
        raise InvalidInput(event.at_path("person"),
                           f"has no qualification valid on {event.day.isoformat()}")
    return max(current, key=lambda r: r.valid_from)


def _dependent_coverage(ctx: EventContext, event: Event, insured: Qualification,
                        preschool: bool) -> Coverage:
    raw = event.raw
    branch = fields.optional_text(raw, "branch", event.path) or lifecycle.next_branch(
        ctx.repo.records_under(insured.insurer.number, insured.number),
        insurer=insured.insurer.number, number=insured.number, symbol=insured.symbol)
    own = insured.insurer.kind in (InsurerKind.KOKUHO, InsurerKind.KOKI)
    return Coverage(
        insurer=insured.insurer,
        number=insured.number,
        symbol=insured.symbol,
        branch=branch.zfill(2),
        family=Family.INSURED if own else Family.DEPENDENT,
        card_class=insured.card_class,
        ratio=ratio(raw, "ratio", event.path) or ("020" if preschool else insured.ratio),
        preschool=preschool,
        insured_name=insured.insured_name or insured.name,
        as_registered=as_registered(raw, "as_registered", event.path),
        **card_dates(raw, event.path),
    )


def _birth(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    child_path = event.at_path("child")
    raw_child = event.raw.get("child")
    if not isinstance(raw_child, Mapping):
        raise InvalidInput(child_path, "is required: the newborn (id, name, kana, sex)")
    insured = _insured_key(event)
    child = Person(
        name=fields.text(raw_child, "name", child_path),
        kana=fields.text(raw_child, "kana", child_path),
        birthdate=event.day,
        sex=fields.sex(raw_child, "sex", child_path),
        address=fields.optional_text(raw_child, "address", child_path) or event.person.address,
        post_number=event.person.post_number,
    )
    handle = fields.text(raw_child, "id", child_path)
    if ctx.scenario and ctx.repo.person_by_handle(ctx.scenario, handle):
        raise InvalidInput(fields.at_path(child_path, "id"), f"person {handle!r} already exists")
    gain = _delays(ctx, event, insured.insurer.kind, None, used)
    to = _dependent_coverage(ctx, event, insured, preschool=True)
    # every input is read: only now is the newborn written
    check_card_period(to, event.day, event.path, start_key="date")
    child = replace(child, id=ctx.repo.add_person(child, scenario=ctx.scenario, handle=handle))
    used["child_person_id"] = child.id
    record = lifecycle.register(child, to, valid_from=event.day,
                                registered_at=gain.known_at(event.at))
    return Change(gains=(record,), late=gain.late)


def _dependent_add(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    dependent = person_of(ctx, event.raw, "dependent", event.path)
    insured = _insured_key(event)
    records = ctx.repo.records_of(dependent.id)
    closing = lifecycle.open_on(records, event.day)
    from_kokuho = any(r.insurer.kind is InsurerKind.KOKUHO for r in closing)
    default = ReasonOfLoss.OTHER_INSURANCE if from_kokuho else ReasonOfLoss.OTHER
    to = _dependent_coverage(ctx, event, insured,
                             preschool=fields.flag(event.raw, "preschool", event.path))
    moved = replace(event, person=dependent, records=records)
    used["dependent_person_id"] = dependent.id
    return _move(ctx, moved, used, to, _reason(event, default), card_path=event.path)


def _ratio_change(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    raw, path = event.raw, event.path
    new_ratio = ratio(raw, "ratio", path)
    preschool = fields.flag(raw, "preschool", path) if "preschool" in raw else None
    certificate = elderly(raw, "elderly", path)
    if certificate is not None and certificate.valid_start is None:
        certificate = replace(certificate, valid_start=event.day)
    if new_ratio is None and preschool is None and certificate is None:
        raise InvalidInput(event.at_path("ratio"), "give ratio, preschool or elderly")
    delays = _delays(ctx, event, _open_kind(event, InsurerKind.KYOKAI), None, used)
    return lifecycle.change_terms(event.person, event.records, at=event.at, day=event.day,
                                  delays=delays, ratio=new_ratio, preschool=preschool,
                                  elderly=certificate)


def _insurer_filter(ctx: EventContext, event: Event) -> str | None:
    if event.raw.get("insurer") is None:
        return None
    return fields.insurer(event.raw, "insurer", event.path, known=ctx.known).number


def _hold(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    reason = fields.optional_text(event.raw, "reason", event.path) or "連携保留（保険者による保留）"
    return holds.place_hold(event.records, at=event.at,
                                insurer=_insurer_filter(ctx, event), reason=reason)


def _hold_release(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    return holds.release_holds(event.records, at=event.at,
                                   insurer=_insurer_filter(ctx, event))


def _hold_correct(ctx: EventContext, event: Event, used: dict[str, Any]) -> Change:
    values = correction_values(event.person, event.raw.get("fields"), event.at_path("fields"))
    return holds.correct(event.person, event.records, at=event.at,
                             insurer=_insurer_filter(ctx, event), values=values)


KINDS: Mapping[str, Handler] = {
    "job_change": _job_change,
    "retire_to_kokuho": _retire_to_kokuho,
    "turn_75": _turn_75,
    "death": _death,
    "welfare_start": _welfare_start,
    "birth": _birth,
    "dependent_add": _dependent_add,
    "ratio_change": _ratio_change,
    "hold": _hold,
    "hold_release": _hold_release,
    "hold_correct": _hold_correct,
}
