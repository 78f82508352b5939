"""Readers of qualification blocks: a scenario person's ``qualifications`` and an event's ``to``.

Keys (docs/scenarios.md): ``insurer``, ``symbol``, ``number``, ``branch``, ``family`` (OQSCD009),
``card_class`` (OQSCD010), ``ratio`` ("030"), ``preschool``, ``insured_name``, ``elderly``
{ratio, issued_on, valid_start, valid_end}, ``limit_certificate`` {classification, flag,
issued_on, valid_start, valid_end, long_term_date}, ``specific_diseases`` [{category, self_pay,
issued_on, valid_start, valid_end}] (category: OQSCD013), ``as_registered`` {name, kana,
birthdate, sex, address}, the insurance card's ``card_issued_on`` (交付年月日),
``card_valid_start`` (有効開始年月日; default: the qualification's start) and ``card_valid_end``
(有効終了年月日, inclusive as printed); for a stored qualification also ``valid_from``,
``valid_to``, ``reason_of_loss``, ``registered_at``, ``loss_registered_at``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from ..codes import load_code_tables
from . import fields
from .change import Coverage
from .errors import InvalidInput
from .identifiers import (
    normalize_branch_number,
    normalize_card_number,
    normalize_symbol,
    validate_koki_insured_number,
)
from .lifecycle import BASIC_ITEMS, register
from .model import (
    ElderlyCertificate,
    Family,
    Insurer,
    InsurerKind,
    LimitCertificate,
    Person,
    Qualification,
    ReasonOfLoss,
    SpecificDiseaseCertificate,
)

__all__ = [
    "insurer_kind", "coverage", "qualification", "reason_of_loss", "as_registered", "ratio",
    "card_dates", "check_card_period", "CARD_KEYS",
]

#: The insurance card's dates (被保険者証の交付年月日・有効開始年月日・有効終了年月日).
CARD_KEYS = ("card_issued_on", "card_valid_start", "card_valid_end")

KnownInsurer = Callable[[str], Insurer | None]

_LAW_KINDS = {
    "01": InsurerKind.KYOKAI, "02": InsurerKind.SENIN, "03": InsurerKind.HIYATOI,
    "04": InsurerKind.HIYATOI, "06": InsurerKind.KUMIAI, "07": InsurerKind.JIEIKAN,
    "31": InsurerKind.KYOSAI, "32": InsurerKind.KYOSAI, "33": InsurerKind.KYOSAI,
    "34": InsurerKind.KYOSAI, "39": InsurerKind.KOKI, "63": InsurerKind.TOKUREI,
    "72": InsurerKind.TOKUREI, "73": InsurerKind.TOKUREI, "74": InsurerKind.TOKUREI,
    "75": InsurerKind.TOKUREI,
}


def insurer_kind(number: str, *, field: str = "insurer") -> InsurerKind:
    """The kind of insurer a canonical 保険者番号 names (法別番号; 6 digits: 国保).

    :raises InvalidInput: for a 法別番号 that is not a medical insurer's (公費 and others).
    """
    if len(number) == 6:
        return InsurerKind.KOKUHO
    kind = _LAW_KINDS.get(number[:2])
    if kind is None:
        raise InvalidInput(field, f"法別番号 {number[:2]} is not a medical insurer's")
    return kind


_RATIO = re.compile(r"0[0-9]0|100")


def ratio(mapping: Mapping[str, Any], key: str, path: str) -> str | None:
    """A 負担割合 as a 3-digit percent ("010", "020", "030")."""
    value = fields.optional_text(mapping, key, path)
    if value is not None and not _RATIO.fullmatch(value):
        raise InvalidInput(fields.at_path(path, key),
                           f"must be a 3-digit percent such as \"030\", got {value!r}")
    return value


def reason_of_loss(mapping: Mapping[str, Any], key: str, path: str) -> ReasonOfLoss | None:
    value = fields.optional_text(mapping, key, path)
    if value is None:
        return None
    try:
        return ReasonOfLoss(value)
    except ValueError:
        raise InvalidInput(fields.at_path(path, key),
                           f"must be 01, 02, 03 or 99 (OQSCD008), got {value!r}") from None


def _family(mapping: Mapping[str, Any], path: str, default: Family) -> Family:
    value = fields.optional_text(mapping, "family", path)
    if value is None:
        return default
    try:
        return Family(value)
    except ValueError:
        raise InvalidInput(fields.at_path(path, "family"),
                           f"must be 1 (本人) or 2 (家族), got {value!r}") from None


def _block(mapping: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidInput(fields.at_path(path, key), "must be a mapping")
    return value


def _elderly(raw: Mapping[str, Any], path: str) -> ElderlyCertificate:
    return ElderlyCertificate(
        ratio=ratio(raw, "ratio", path) or fields.text(raw, "ratio", path),
        issued_on=fields.optional_day(raw, "issued_on", path),
        valid_start=fields.optional_day(raw, "valid_start", path),
        valid_end=fields.optional_day(raw, "valid_end", path),
    )


def elderly(mapping: Mapping[str, Any], key: str, path: str) -> ElderlyCertificate | None:
    raw = _block(mapping, key, path)
    return None if raw is None else _elderly(raw, fields.at_path(path, key))


def _limit(raw: Mapping[str, Any], path: str) -> LimitCertificate:
    return LimitCertificate(
        classification=fields.text(raw, "classification", path),
        classification_flag=fields.text(raw, "flag", path),
        issued_on=fields.optional_day(raw, "issued_on", path),
        valid_start=fields.optional_day(raw, "valid_start", path),
        valid_end=fields.optional_day(raw, "valid_end", path),
        long_term_date=fields.optional_day(raw, "long_term_date", path),
    )


@cache
def _code_values(table: str) -> tuple[str, ...]:
    """The values of an OQSCD table (``datasets/codes/oqscd.yaml``)."""
    return tuple(load_code_tables().values(table))


def _disease_category(item: Mapping[str, Any], path: str) -> str:
    """特定疾病療養受療証の認定疾病区分: one of OQSCD013."""
    value = fields.text(item, "category", path)
    allowed = _code_values("OQSCD013")
    if value not in allowed:
        raise InvalidInput(fields.at_path(path, "category"),
                           f"must be one of {', '.join(allowed)} (OQSCD013), got {value!r}")
    return value


def _diseases(mapping: Mapping[str, Any], path: str) -> tuple[SpecificDiseaseCertificate, ...]:
    raw = mapping.get("specific_diseases") or []
    where = fields.at_path(path, "specific_diseases")
    if not isinstance(raw, list):
        raise InvalidInput(where, "must be a list")
    found = []
    for index, item in enumerate(raw):
        item_path = fields.at_path(where, index)
        if not isinstance(item, Mapping):
            raise InvalidInput(item_path, "must be a mapping")
        self_pay = item.get("self_pay")
        if self_pay is not None and (isinstance(self_pay, bool) or not isinstance(self_pay, int)):
            raise InvalidInput(fields.at_path(item_path, "self_pay"), "must be yen, a number")
        found.append(SpecificDiseaseCertificate(
            category=_disease_category(item, item_path),
            self_pay=self_pay,
            issued_on=fields.optional_day(item, "issued_on", item_path),
            valid_start=fields.optional_day(item, "valid_start", item_path),
            valid_end=fields.optional_day(item, "valid_end", item_path),
        ))
    return tuple(found)


def card_dates(mapping: Mapping[str, Any], path: str) -> dict[str, dt.date | None]:
    """The card's dates (``CARD_KEYS``); the end may not come before a given start."""
    dates = {key: fields.optional_day(mapping, key, path) for key in CARD_KEYS}
    start, end = dates["card_valid_start"], dates["card_valid_end"]
    if start is not None and end is not None and end < start:
        raise InvalidInput(fields.at_path(path, "card_valid_end"),
                           f"must not be before card_valid_start {start.isoformat()}")
    return dates


def check_card_period(to: Coverage, valid_from: dt.date, path: str, *, start_key: str) -> None:
    """Refuse a card end before the qualification's start, the card's default start.

    ``start_key`` names where that start came from (``valid_from``, ``date``).
    """
    end = to.card_valid_end
    if to.card_valid_start is None and end is not None and end < valid_from:
        raise InvalidInput(fields.at_path(path, "card_valid_end"),
                           f"must not be before {start_key} {valid_from.isoformat()} "
                           "(the card's start when card_valid_start is not given)")


def as_registered(mapping: Mapping[str, Any], key: str, path: str) -> dict[str, Any]:
    """Personal values typed by the insurer or fixed by a correction (BASIC_ITEMS keys)."""
    raw = _block(mapping, key, path) or {}
    where = fields.at_path(path, key)
    unknown = sorted(set(raw) - set(BASIC_ITEMS))
    if unknown:
        raise InvalidInput(fields.at_path(where, unknown[0]),
                           f"is not a basic item (one of {', '.join(BASIC_ITEMS)})")
    readers = {"birthdate": fields.day, "sex": fields.sex}
    return {item: readers.get(item, fields.text)(raw, item, where) for item in raw}


def _number(mapping: Mapping[str, Any], path: str, insurer: Insurer) -> str:
    field = fields.at_path(path, "number")
    raw = fields.text(mapping, "number", path)
    if insurer.kind is InsurerKind.KOKI:
        return validate_koki_insured_number(raw, field=field)
    return normalize_card_number(raw, field=field)


def coverage(
    mapping: Mapping[str, Any], path: str, *, known: KnownInsurer,
    family: Family = Family.INSURED,
) -> Coverage:
    """Read the key and terms of a qualification."""
    insurer = fields.insurer(mapping, "insurer", path, known=known)
    limit = _block(mapping, "limit_certificate", path)
    old = elderly(mapping, "elderly", path)
    return Coverage(
        insurer=insurer,
        number=_number(mapping, path, insurer),
        symbol=normalize_symbol(fields.optional_text(mapping, "symbol", path),
                                field=fields.at_path(path, "symbol")),
        branch=normalize_branch_number(fields.optional_text(mapping, "branch", path),
                                       field=fields.at_path(path, "branch")),
        family=_family(mapping, path, family),
        card_class=fields.optional_text(mapping, "card_class", path) or "01",
        ratio=ratio(mapping, "ratio", path),
        preschool=fields.flag(mapping, "preschool", path),
        insured_name=fields.optional_text(mapping, "insured_name", path),
        elderly=(old,) if old else (),
        limits=(_limit(limit, fields.at_path(path, "limit_certificate")),) if limit else (),
        specific_diseases=_diseases(mapping, path),
        as_registered=as_registered(mapping, "as_registered", path),
        **card_dates(mapping, path),
    )


def qualification(
    mapping: Mapping[str, Any], path: str, *, person: Person, known: KnownInsurer
) -> Qualification:
    """Read a qualification as a scenario states it, checked against 住基 on registration."""
    valid_from = fields.day(mapping, "valid_from", path)
    valid_to = fields.optional_day(mapping, "valid_to", path)
    if valid_to is not None and valid_to <= valid_from:
        raise InvalidInput(fields.at_path(path, "valid_to"), "must be after valid_from")
    registered_at = fields.instant(mapping, "registered_at", path)
    loss_registered_at = fields.optional_instant(mapping, "loss_registered_at", path)
    if valid_to is None and (mapping.get("reason_of_loss") or loss_registered_at):
        raise InvalidInput(fields.at_path(path, "valid_to"),
                           "is required with reason_of_loss or loss_registered_at")
    terms = coverage(mapping, path, known=known)
    check_card_period(terms, valid_from, path, start_key="valid_from")
    record = register(person, terms, valid_from=valid_from, registered_at=registered_at)
    return replace(
        record,
        valid_to=valid_to,
        reason_of_loss=reason_of_loss(mapping, "reason_of_loss", path),
        loss_registered_at=loss_registered_at,
    )
