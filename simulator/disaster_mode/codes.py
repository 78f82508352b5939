"""Area codes of a declaration: 都道府県コード and 全国地方公共団体コード (pure, stdlib only).

Prefectures are two digits, ``01`` (北海道) to ``47`` (沖縄県). Municipalities are stored as the
six-digit 全国地方公共団体コード: five digits (prefecture 2 + 市区町村 3) and a check digit. The
check digit is the last digit of ``11 - (d1×6 + d2×5 + d3×4 + d4×3 + d5×2) mod 11`` (so
石川県輪島市 is ``17204`` + ``9``). Five-digit input gets its check digit appended; six-digit
input must verify. Institutions are matched on the first five digits, so an institution whose
municipality was stored without a verified check digit still matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..registry.errors import CheckDigitError, InvalidInput

__all__ = ["prefecture", "municipality", "municipality_check_digit", "prefectures",
           "municipalities", "body"]

_DIGITS = re.compile(r"[0-9]+")
_WEIGHTS = (6, 5, 4, 3, 2)
PREFECTURES = frozenset(f"{n:02d}" for n in range(1, 48))


def municipality_check_digit(first_five: str) -> str:
    """The check digit of a five-digit 団体コード body."""
    total = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def prefecture(value: object, field: str) -> str:
    """A 都道府県コード: two digits, 01–47."""
    if not isinstance(value, str) or value not in PREFECTURES:
        raise InvalidInput(field, f"must be a prefecture code, 2 digits 01–47, got {value!r}")
    return value


def municipality(value: object, field: str) -> str:
    """A 全国地方公共団体コード of six digits (five given: the check digit is appended).

    :raises InvalidInput: not 5 or 6 digits, or a prefecture outside 01–47.
    :raises CheckDigitError: a six-digit code whose check digit does not verify.
    """
    if not isinstance(value, str) or not _DIGITS.fullmatch(value) or len(value) not in (5, 6):
        raise InvalidInput(field, f"must be a municipality code of 6 digits (or 5 without the "
                           f"check digit), got {value!r}")
    if value[:2] not in PREFECTURES:
        raise InvalidInput(field, f"{value!r} does not start with a prefecture code 01–47")
    digit = municipality_check_digit(value[:5])
    if len(value) == 6 and value[5] != digit:
        raise CheckDigitError(field, f"check digit of {value} should be {digit}")
    return value[:5] + digit


def _listed(values: object, field: str) -> list[object]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(field, "must be a list of codes")
    return list(values)


def prefectures(values: object, field: str) -> tuple[str, ...]:
    """Distinct prefecture codes, sorted."""
    return tuple(sorted({prefecture(v, f"{field}[{i}]")
                         for i, v in enumerate(_listed(values, field))}))


def municipalities(values: object, field: str) -> tuple[str, ...]:
    """Distinct six-digit municipality codes, sorted."""
    return tuple(sorted({municipality(v, f"{field}[{i}]")
                         for i, v in enumerate(_listed(values, field))}))


def body(code: str | None) -> str | None:
    """The first five digits of a municipality code (what coverage compares)."""
    return code[:5] if code else None
