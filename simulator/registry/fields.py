"""Readers of plain mappings (a scenario file, an admin request) into domain values.

Every reader takes the mapping, the key and the *path* of the mapping inside its document
(``timeline[2].to``); a problem raises :class:`InvalidInput` whose field is the full path
(``timeline[2].to.insurer``), so the caller can say exactly where it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, TypeVar

from .errors import DateFormatError, InvalidInput, MissingField, OqsError
from .identifiers import normalize_insurer_number, parse_date
from .model import JST, Insurer, Sex

E = TypeVar("E", bound=Enum)

__all__ = [
    "at_path",
    "text",
    "optional_text",
    "day",
    "optional_day",
    "instant",
    "optional_instant",
    "sex",
    "insurer",
    "flag",
    "days",
    "located",
]

_INSTANT_FORM = "an ISO 8601 instant with its offset, e.g. 2026-04-01T09:00:00+09:00"


def at_path(path: str, key: str | int) -> str:
    """Return the path of ``key`` inside the mapping or list at ``path``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def located(error: OqsError, path: str) -> OqsError:
    """Return ``error`` with its field placed under ``path`` (for errors raised by callees)."""
    field = getattr(error, "field", None)
    if isinstance(error, InvalidInput) and field and not field.startswith(path):
        error.field = at_path(path, field)
        error.message = f"{error.field}: {error.reason}"
        error.args = (error.message,)
    return error


def text(mapping: Mapping[str, Any], key: str, path: str) -> str:
    value = mapping.get(key)
    if value is None or value == "":
        raise MissingField(at_path(path, key), "is required")
    if not isinstance(value, str):
        raise InvalidInput(at_path(path, key), f"must be a string, got {value!r}")
    return value


def optional_text(mapping: Mapping[str, Any], key: str, path: str) -> str | None:
    return None if mapping.get(key) in (None, "") else text(mapping, key, path)


def day(mapping: Mapping[str, Any], key: str, path: str) -> dt.date:
    return parse_date(text(mapping, key, path), field=at_path(path, key))


def optional_day(mapping: Mapping[str, Any], key: str, path: str) -> dt.date | None:
    return None if mapping.get(key) is None else day(mapping, key, path)


def instant(mapping: Mapping[str, Any], key: str, path: str) -> dt.datetime:
    """An ISO 8601 instant with an explicit offset, returned in JST."""
    raw = text(mapping, key, path)
    field = at_path(path, key)
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise DateFormatError(field, f"expected {_INSTANT_FORM}, got {raw!r}") from None
    if value.tzinfo is None:
        raise DateFormatError(field, f"needs its UTC offset: expected {_INSTANT_FORM}")
    if not 1900 <= value.year <= 2199:
        raise InvalidInput(field, "must lie between 1900 and 2199")
    return value.astimezone(JST)


def optional_instant(mapping: Mapping[str, Any], key: str, path: str) -> dt.datetime | None:
    return None if mapping.get(key) is None else instant(mapping, key, path)


def sex(mapping: Mapping[str, Any], key: str, path: str) -> Sex:
    raw = text(mapping, key, path)
    try:
        return Sex(raw)
    except ValueError:
        raise InvalidInput(at_path(path, key), f"must be 1, 2 or 3, got {raw!r}") from None


def insurer(
    mapping: Mapping[str, Any], key: str, path: str, *, known: Callable[[str], Insurer | None]
) -> Insurer:
    """A 保険者番号 (check digit verified) naming an insurer ``known`` returns."""
    field = at_path(path, key)
    number = normalize_insurer_number(text(mapping, key, path), field=field)
    found = known(number)
    if found is None:
        raise InvalidInput(field, f"insurer {number} is not declared")
    return found


def flag(mapping: Mapping[str, Any], key: str, path: str, default: bool = False) -> bool:
    value = mapping.get(key, default)
    if not isinstance(value, bool):
        raise InvalidInput(at_path(path, key), f"must be true or false, got {value!r}")
    return value


def days(mapping: Mapping[str, Any], key: str, path: str) -> int | None:
    """A number of days (0 or more), or None when absent."""
    value = mapping.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(at_path(path, key), f"must be a whole number of days ≥ 0, got {value!r}")
    return value


def choice(mapping: Mapping[str, Any], path: str, key: str, enum: type[E], default: E) -> E:
    """The member of ``enum`` whose value ``mapping[key]`` is, or ``default`` when absent.

    :raises InvalidInput: naming ``path.key`` and the values allowed.
    """
    value = mapping.get(key)
    if value is None:
        return default
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise InvalidInput(at_path(path, key), f"{value!r} is not one of {choices}") from None
