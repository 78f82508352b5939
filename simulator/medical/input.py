"""Readers of drug records and 特定健診 results from plain mappings (scenario files, events).

Like :mod:`.fields`, every reader takes the mapping and its path in the document; a problem
raises :class:`InvalidInput` whose field is the full path (``persons[0].drugs[2].code``).

A drug (docs/scenarios.md)::

    {date, source: claims|dispensing|eprescription, institution, institution_name?,
     prescriber?, prescriber_name?, code, name?, ingredient?, quantity, unit?, usage?, days,
     visible_at?}

``institution`` is the 医療機関・薬局 that dispensed (10-digit code), ``prescriber`` the one that
prescribed (the institution itself when absent: 院内). ``code`` is the 9-digit 医薬品コード; name,
ingredient, unit and usage default to the drug master's. ``visible_at`` defaults by source:
claims reach OQS with their lag (:func:`.medical.claims_visible_at`); dispensing results and
e-prescriptions at once — at ``known_at`` (the event's or the scenario's time), else (or when
that is earlier) at 00:00 JST of the date.

A checkup::

    {date, items: {NAME_OR_CODE: value}, insurer?, visible_at? | upload_days?}

Item keys are the master's short names (``height``, ``hba1c``, ``metabolic``) or 17-character
codes; a value must fit the item's DataType (a number for PQ, a known code for CD/CO, text for
ST). The person must be 40–74 on the exam date. ``visible_at`` defaults to the exam date's
00:00 JST plus ``upload_days``, else the upload delay of the insurer's kind (the insurer given,
else the one the person belongs to on the exam date).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..registry import fields
from ..registry.errors import InvalidInput, MissingField
from ..registry.identifiers import InstitutionKind, parse_institution_code
from ..registry.model import JST, Insurer, InsurerKind, Person, Qualification
from .model import (
    Checkup,
    CheckupResult,
    DrugRecord,
    DrugSource,
    age_on,
    checkup_age_ok,
    claims_visible_at,
)

if TYPE_CHECKING:  # the masters are loaded outside the registry and passed in
    from .masters import CheckupItem, CheckupItems, Drugs

__all__ = ["SOURCES", "drug", "checkup"]

#: Drug sources as scenario files spell them.
SOURCES = {"claims": DrugSource.CLAIMS, "dispensing": DrugSource.DISPENSING,
           "eprescription": DrugSource.EPRESCRIPTION}
_DRUG_KEYS = ("date", "source", "institution", "institution_name", "prescriber",
              "prescriber_name", "code", "name", "ingredient", "quantity", "unit", "usage",
              "days", "visible_at")
_CHECKUP_KEYS = ("date", "items", "insurer", "visible_at", "upload_days")
_DRUG_CODE = re.compile(r"[0-9]{9}")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
IN_HOUSE, OUTSIDE = "1", "2"  # 院内, 院外


def _known_keys(mapping: Any, path: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(mapping, Mapping):
        raise InvalidInput(path, "must be a mapping")
    unknown = [key for key in mapping if key not in allowed]
    if unknown:
        raise InvalidInput(fields.at_path(path, str(unknown[0])),
                           f"is not a known key (one of {', '.join(allowed)})")
    return mapping


def _number(value: Any, field: str) -> str:
    """A non-negative number (YAML number or digits with an optional decimal part) as text."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInput(field, f"must be a number, got {value!r}")
    text = value if isinstance(value, str) else repr(value)
    if not _NUMBER.fullmatch(text):
        raise InvalidInput(field, f"must be a number ≥ 0 such as 3 or 1.5, got {value!r}")
    return text


def _source(mapping: Mapping[str, Any], path: str) -> DrugSource:
    raw = fields.text(mapping, "source", path)
    if raw not in SOURCES:
        raise InvalidInput(fields.at_path(path, "source"),
                           f"must be one of {', '.join(SOURCES)}, got {raw!r}")
    return SOURCES[raw]


def _institution(mapping: Mapping[str, Any], key: str, path: str, *, required: bool):
    raw = (fields.text if required else fields.optional_text)(mapping, key, path)
    return None if raw is None else parse_institution_code(raw, field=fields.at_path(path, key))


def _drug_code(mapping: Mapping[str, Any], path: str) -> str:
    code = fields.text(mapping, "code", path)
    if not _DRUG_CODE.fullmatch(code):
        raise InvalidInput(fields.at_path(path, "code"),
                           f"must be the 9-digit 医薬品コード (レセプト電算処理), got {code!r}")
    return code


def _days(mapping: Mapping[str, Any], path: str) -> str:
    value = mapping.get("days")
    if value is None:
        raise MissingField(fields.at_path(path, "days"), "is required")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(fields.at_path(path, "days"),
                           f"must be a whole number of days ≥ 1, got {value!r}")
    return str(value)


def _visible_at(mapping: Mapping[str, Any], path: str, *, day: dt.date,
                default: dt.datetime) -> dt.datetime:
    given = fields.optional_instant(mapping, "visible_at", path)
    if given is not None and given < dt.datetime.combine(day, dt.time(), JST):
        raise InvalidInput(fields.at_path(path, "visible_at"),
                           f"must not be before {day.isoformat()} 00:00 JST (the date itself)")
    return default if given is None else given


def drug(mapping: Mapping[str, Any], path: str, *, person_id: int, drugs: Drugs,
         known_at: dt.datetime | None = None) -> DrugRecord:
    """Read one drug line of the person ``person_id``.

    :raises InvalidInput: naming the first key that is missing, unknown or malformed.
    """
    mapping = _known_keys(mapping, path, _DRUG_KEYS)
    day = fields.day(mapping, "date", path)
    source = _source(mapping, path)
    dispensing = _institution(mapping, "institution", path, required=True)
    prescribing = _institution(mapping, "prescriber", path, required=False)
    code = _drug_code(mapping, path)
    entry = drugs.get(code)
    name = fields.optional_text(mapping, "name", path) or (entry.name if entry else None)
    if name is None:
        raise MissingField(fields.at_path(path, "name"),
                           f"is required: {code} is not in the drug master")
    quantity = mapping.get("quantity")
    if quantity is None:
        raise MissingField(fields.at_path(path, "quantity"), "is required")
    pharmacy = dispensing.kind is InstitutionKind.PHARMACY
    if prescribing is None and not pharmacy:
        prescribing = dispensing  # 院内: the clinic prescribed and dispensed
    in_house = prescribing is not None and prescribing.code == dispensing.code
    midnight = dt.datetime.combine(day, dt.time(), JST)
    at_once = max(known_at, midnight) if known_at else midnight  # never before the date
    default_visible = claims_visible_at(day) if source is DrugSource.CLAIMS else at_once
    return DrugRecord(
        person_id=person_id, source=source, dispensed_on=day, prescribed_on=day,
        drug_code=code, drug_name=name,
        visible_at=_visible_at(mapping, path, day=day, default=default_visible),
        dispensing_code=dispensing.code,
        dispensing_name=fields.optional_text(mapping, "institution_name", path),
        prescribing_code=prescribing.code if prescribing else None,
        prescribing_name=fields.optional_text(mapping, "prescriber_name", path)
        or (fields.optional_text(mapping, "institution_name", path) if in_house else None),
        in_out=IN_HOUSE if in_house else OUTSIDE,
        ingredient=fields.optional_text(mapping, "ingredient", path)
        or (entry.ingredient if entry else None),
        quantity=_number(quantity, fields.at_path(path, "quantity")),
        unit=fields.optional_text(mapping, "unit", path) or (entry.unit if entry else None),
        usage=fields.optional_text(mapping, "usage", path) or (entry.usage if entry else None),
        days=_days(mapping, path),
    )


# -- checkups ----------------------------------------------------------------------------------


def _value(item: CheckupItem, value: Any, field: str) -> str:
    if item.data_type == "PQ":
        return _number(value, field)
    if item.coded:
        code = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if code not in item.values:
            choices = ", ".join(f"{c} ({n})" for c, n in item.values.items())
            raise InvalidInput(field, f"must be a code of {item.label}: {choices}; got {value!r}")
        return code
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, f"must be text, got {value!r}")
    return value


def _results(mapping: Mapping[str, Any], path: str,
             items: CheckupItems) -> tuple[CheckupResult, ...]:
    where = fields.at_path(path, "items")
    raw = mapping.get("items")
    if raw is None or raw == {}:
        raise MissingField(where, "is required: at least one item result")
    if not isinstance(raw, Mapping):
        raise InvalidInput(where, "must be a mapping of item name or code to value")
    found: dict[str, tuple[str, CheckupResult]] = {}
    for key, value in raw.items():
        field = fields.at_path(where, str(key))
        item = items.find(key) if isinstance(key, str) else None
        if item is None:
            raise InvalidInput(field, f"is not a 特定健診 item (one of {', '.join(items.names)} "
                                      "or a 17-character item code of the master)")
        if item.code in found:
            raise InvalidInput(field, f"names the same item as {found[item.code][0]}")
        found[item.code] = (str(key), CheckupResult(item.code, _value(item, value, field)))
    return tuple(result for _, result in sorted(found.values(),
                                                key=lambda kr: items.order(kr[1].code)))


def _insurer_on(records: Iterable[Qualification], day: dt.date) -> Insurer | None:
    valid = [r for r in records if r.valid_on(day)]
    return max(valid, key=lambda r: r.valid_from).insurer if valid else None


def checkup(
    mapping: Mapping[str, Any], path: str, *, person: Person, records: Iterable[Qualification],
    items: CheckupItems, upload_days: Callable[[InsurerKind], int],
    known: Callable[[str], Insurer | None],
) -> Checkup:
    """Read one 特定健診 of ``person``, whose qualification ``records`` give the insurer on the
    exam date; ``upload_days`` gives the upload delay of a kind of insurer (its profile).

    :raises InvalidInput: naming the first key that is missing, unknown or malformed, the date
        when the person is not 40–74 then, or the insurer when none can be found.
    """
    mapping = _known_keys(mapping, path, _CHECKUP_KEYS)
    day = fields.day(mapping, "date", path)
    if not checkup_age_ok(person.birthdate, day):
        raise InvalidInput(fields.at_path(path, "date"),
                           f"the person is {age_on(person.birthdate, day)} on {day.isoformat()}:"
                           " 特定健診 is for ages 40 to 74")
    results = _results(mapping, path, items)
    insurer = (fields.insurer(mapping, "insurer", path, known=known)
               if mapping.get("insurer") is not None else _insurer_on(records, day))
    visible_at = _checkup_visible_at(mapping, path, day=day, insurer=insurer,
                                     upload_days=upload_days)
    return Checkup(person_id=person.id, exam_date=day, results=results, visible_at=visible_at,
                   insurer_number=insurer.number if insurer else None)


def _checkup_visible_at(mapping: Mapping[str, Any], path: str, *, day: dt.date,
                        insurer: Insurer | None,
                        upload_days: Callable[[InsurerKind], int]) -> dt.datetime:
    if mapping.get("visible_at") is not None and mapping.get("upload_days") is not None:
        raise InvalidInput(fields.at_path(path, "upload_days"),
                           "give visible_at or upload_days, not both")
    midnight = dt.datetime.combine(day, dt.time(), JST)
    days = fields.days(mapping, "upload_days", path)
    if days is None and mapping.get("visible_at") is None:
        if insurer is None:
            raise InvalidInput(fields.at_path(path, "insurer"),
                               f"is required: the person has no qualification on "
                               f"{day.isoformat()} to take the upload delay from")
        days = upload_days(insurer.kind)
    default = midnight + dt.timedelta(days=days or 0)
    return _visible_at(mapping, path, day=day, default=default)
