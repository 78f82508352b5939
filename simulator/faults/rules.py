"""Checking a fault before it is stored (pure).

Keys are those of the admin body and the scenario event: ``name``, ``kind``, ``route``,
``institution``, ``system``, ``answer``, ``latency_ms``, ``jitter_ms``, ``distribution``,
``rate``, ``http_status``, ``hold_seconds``, ``seed`` (``from``/``to`` are parsed by the caller,
which knows its time format). Errors name the key under ``path``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from ..periods import stopped
from ..registry.errors import InvalidInput, MissingField
from ..registry.identifiers import parse_institution_code
from .model import Answer, Distribution, Fault, Kind, Route, System

__all__ = ["KEYS", "new_fault", "ended", "fault_name"]

KEYS = frozenset({"name", "kind", "route", "institution", "system", "answer", "latency_ms",
                  "jitter_ms", "distribution", "rate", "http_status", "hold_seconds", "seed"})
HTTP_STATUSES = (500, 502, 503, 504)
HOLD_MAX = 600.0
LATENCY_MAX_MS = 600_000
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def fault_name(value: object, field: str = "name") -> str:
    """A fault's name: 1–64 letters, digits, '.', '_' or '-' (it appears in URLs)."""
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise InvalidInput(field, "must be 1–64 letters, digits, '.', '_' or '-', starting "
                           f"with a letter or digit, got {value!r}")
    return value


def _choice(values: Mapping[str, Any], key: str, path: str, enum: type[StrEnum],
            default: StrEnum | None = None) -> Any:
    raw = values.get(key)
    if raw is None and default is not None:
        return default
    allowed = ", ".join(e.value for e in enum)
    if raw is None:
        raise MissingField(_at(path, key), f"is required: one of {allowed}")
    try:
        return enum(raw)
    except ValueError:
        raise InvalidInput(_at(path, key), f"must be one of {allowed}, got {raw!r}") from None


def _number(values: Mapping[str, Any], key: str, path: str, *, low: float, high: float,
            default: float | None, whole: bool = False) -> Any:
    raw = values.get(key)
    if raw is None:
        return default
    kinds = (int,) if whole else (int, float)
    if isinstance(raw, bool) or not isinstance(raw, kinds) or not low <= raw <= high:
        kind = "a whole number" if whole else "a number"
        raise InvalidInput(_at(path, key), f"must be {kind} from {low:g} to {high:g}, got {raw!r}")
    return raw


def _only(values: Mapping[str, Any], keys: tuple[str, ...], kind: Kind, path: str) -> None:
    for key in keys:
        if values.get(key) is not None:
            article = "an" if kind.value[0] in "aeiou" else "a"
            raise InvalidInput(_at(path, key), f"does not apply to {article} {kind.value} fault")


def _institution(values: Mapping[str, Any], path: str) -> str | None:
    raw = values.get("institution")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidInput(_at(path, "institution"), "must be a 10-digit 医療機関コード")
    return parse_institution_code(raw, field=_at(path, "institution")).code


def new_fault(values: Mapping[str, Any], *, starts_at: dt.datetime,
              ends_at: dt.datetime | None, path: str = "") -> Fault:
    """A fault from its inputs.

    :raises InvalidInput: an unknown key or value, a key of another kind (``rate`` on an
        outage), a number out of range, or ``to`` not after ``from``.
    """
    unknown = sorted(set(values) - KEYS - {"from", "to"})
    if unknown:
        raise InvalidInput(_at(path, unknown[0]),
                           f"unknown key; expected {', '.join(sorted(KEYS))}, from, to")
    kind = _choice(values, "kind", path, Kind)
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput(_at(path, "to"), "must be after from")
    system = _choice(values, "system", path, System, System.OQS)
    if system is System.JPKI and kind is not Kind.MAINTENANCE:
        raise InvalidInput(_at(path, "system"), "jpki applies only to a maintenance window")
    route = _choice(values, "route", path, Route, Route.ALL)
    if system is System.JPKI:
        if route not in (Route.ALL, Route.CARD):
            raise InvalidInput(_at(path, "route"), "a JPKI window touches only the card route")
        route = Route.CARD
    if kind is Kind.LATENCY:
        _only(values, ("answer", "rate", "http_status", "hold_seconds"), kind, path)
    else:
        _only(values, ("latency_ms", "jitter_ms", "distribution"), kind, path)
    if kind is not Kind.ERRORS:
        _only(values, ("rate",), kind, path)
    if kind is Kind.LATENCY and values.get("latency_ms") is None:
        raise MissingField(_at(path, "latency_ms"), "is required: milliseconds added")
    return Fault(
        name=fault_name(values.get("name"), _at(path, "name")), kind=kind,
        starts_at=starts_at, ends_at=ends_at, route=route,
        institution=_institution(values, path), system=system,
        answer=_choice(values, "answer", path, Answer, Answer.SEGMENT),
        latency_ms=_number(values, "latency_ms", path, low=0, high=LATENCY_MAX_MS, default=0,
                           whole=True),
        jitter_ms=_number(values, "jitter_ms", path, low=0, high=LATENCY_MAX_MS, default=0,
                          whole=True),
        distribution=_choice(values, "distribution", path, Distribution, Distribution.FIXED),
        rate=float(_number(values, "rate", path, low=0, high=1, default=1.0)),
        http_status=_http_status(values, path),
        hold_seconds=float(_number(values, "hold_seconds", path, low=0, high=HOLD_MAX,
                                   default=30.0)),
        seed=_number(values, "seed", path, low=0, high=2**31 - 1, default=None, whole=True),
    )


def _http_status(values: Mapping[str, Any], path: str) -> int:
    raw = values.get("http_status")
    if raw is None:  # absent or null, as for every other key
        return 503
    if isinstance(raw, bool) or raw not in HTTP_STATUSES:
        raise InvalidInput(_at(path, "http_status"),
                           f"must be one of {', '.join(map(str, HTTP_STATUSES))}, got {raw!r}")
    return raw


def ended(fault: Fault, at: dt.datetime) -> Fault:
    """The fault stopped by hand at ``at``.

    :raises Conflict: it has already stopped by then.
    """
    return stopped(fault, at, f"fault {fault.name!r}")
