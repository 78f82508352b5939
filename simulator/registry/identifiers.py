"""Identifier formats of the OQS messages: parse, check and normalise. Standard library only.

- 検証番号 (check digit) of 保険者番号, 後期高齢 被保険者番号 and 医療機関コード: see
  :func:`check_digit`.
- 保険者番号 ``InsurerNumber``: 8 digits (法別 2 + 都道府県 2 + 保険者別 3 + 検証 1), or 6 digits
  for 国保 (no 法別). In messages it is an 8-character field; 6-digit numbers are right-aligned
  and padded with spaces (or, by some clients, zeros).
- 医療機関コード ``MedicalInstitutionCode``: 10 digits (都道府県 2 + 点数表 1 + 郡市区 2 +
  医療機関番号 4 + 検証 1).
- 記号 / 番号 / 枝番 of the insurance card (被保険者証).
- Dates in ``YYYYMMDD`` (the OQS form) or ``YYYY-MM-DD``.

Every function that reads caller input takes ``field`` (the name the interface uses) and raises
:class:`InvalidInput`, :class:`CheckDigitError` or :class:`DateFormatError` naming it. Values are
stripped of surrounding whitespace before they are checked.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from .errors import CheckDigitError, DateFormatError, InvalidInput, MissingField

__all__ = [
    "check_digit",
    "normalize_insurer_number",
    "format_insurer_number",
    "insurer_law_code",
    "validate_koki_insured_number",
    "InstitutionKind",
    "InstitutionCode",
    "parse_institution_code",
    "institution_kind",
    "normalize_branch_number",
    "normalize_symbol",
    "normalize_card_number",
    "parse_date",
]

#: Longest 記号 and 番号 the interface accepts (InsuredCardSymbol, InsuredIdentificationNumber).
CARD_FIELD_MAX_LENGTH = 20

_ASCII_WHITESPACE = " \t\r\n"
_CARD_WHITESPACE = _ASCII_WHITESPACE + "\u3000"  # 全角スペース
_FULL_WIDTH_DIGITS = frozenset("０１２３４５６７８９")
_DATE_FORMS = (
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
    re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"),
)


# -- check digit ------------------------------------------------------------------------------


def check_digit(body: str) -> int:
    """Return the 検証番号 for ``body``, the digits that precede it.

    Walk the digits from the rightmost, multiply them alternately by 2 and 1, add up the digits
    of each product and return ``(10 - sum % 10) % 10``.

    :raises ValueError: if ``body`` is empty or not all half-width digits.
    """
    if not _is_digits(body):
        raise ValueError(f"check digit body must be half-width digits, got {body!r}")
    total = 0
    for position, char in enumerate(reversed(body)):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _verify_check_digit(number: str, field: str) -> None:
    expected = check_digit(number[:-1])
    if int(number[-1]) != expected:
        message = f"検証番号{number[-1]}が一致しません（正しくは{expected}）。"
        raise CheckDigitError(field, message)


# -- helpers ----------------------------------------------------------------------------------


def _is_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _require_digits(value: str, field: str, expected_form: str) -> None:
    if _FULL_WIDTH_DIGITS.intersection(value):
        raise InvalidInput(field, f"全角ではなく半角の数字にしてください（{expected_form}）。")
    if not _is_digits(value):
        raise InvalidInput(field, f"{expected_form}にしてください。")


def _required(value: str | None, field: str, strip_chars: str = _ASCII_WHITESPACE) -> str:
    stripped = (value or "").strip(strip_chars)
    if not stripped:
        raise MissingField(field, "値を設定してください。")
    return stripped


# -- 保険者番号 --------------------------------------------------------------------------------

_INSURER_FORM = "半角数字6桁または8桁"


def normalize_insurer_number(value: str, *, field: str = "InsurerNumber") -> str:
    """Return the canonical 保険者番号: 8 digits, or 6 digits for 国保.

    Accepts the bare number, the 8-character field padded on the left with spaces
    (``"  123456"``) or with zeros (``"00123456"``; no 法別 is 00).

    :raises InvalidInput: if the value is empty, not half-width digits or of the wrong length.
    :raises CheckDigitError: if the 検証番号 does not verify.
    """
    number = _required(value, field)
    _require_digits(number, field, _INSURER_FORM)
    if len(number) == 8 and number.startswith("00"):
        number = number[2:]
    if len(number) not in (6, 8):
        raise InvalidInput(field, f"{_INSURER_FORM}にしてください（{len(number)}桁です）。")
    _verify_check_digit(number, field)
    return number


def format_insurer_number(number: str, *, pad: str = " ") -> str:
    """Return ``number`` as the 8-character message field, a 6-digit one right-aligned on ``pad``.

    :raises ValueError: if ``pad`` is not ``" "`` or ``"0"``, or ``number`` is not a canonical
        6- or 8-digit number.
    """
    if pad not in (" ", "0"):
        raise ValueError(f"pad must be ' ' or '0', got {pad!r}")
    _require_canonical_insurer_number(number)
    return number.rjust(8, pad)


def insurer_law_code(number: str) -> str | None:
    """Return the 法別番号 of a canonical 保険者番号, or None for a 6-digit 国保 number.

    :raises ValueError: if ``number`` is not a canonical 6- or 8-digit number.
    """
    _require_canonical_insurer_number(number)
    return number[:2] if len(number) == 8 else None


def _require_canonical_insurer_number(number: str) -> None:
    if not (_is_digits(number) and len(number) in (6, 8)):
        raise ValueError(f"not a canonical insurer number: {number!r}")


# -- 後期高齢 被保険者番号 -----------------------------------------------------------------------


def validate_koki_insured_number(
    value: str, *, field: str = "InsuredIdentificationNumber"
) -> str:
    """Return the 後期高齢 被保険者番号: 8 digits, the last the 検証番号 over the first 7.

    :raises InvalidInput: if the value is empty or not exactly 8 half-width digits.
    :raises CheckDigitError: if the 検証番号 does not verify.
    """
    number = _required(value, field)
    _require_digits(number, field, "半角数字8桁")
    if len(number) != 8:
        raise InvalidInput(field, f"半角数字8桁にしてください（{len(number)}桁です）。")
    _verify_check_digit(number, field)
    return number


# -- 医療機関コード ------------------------------------------------------------------------------


class InstitutionKind(StrEnum):
    """点数表 — the third digit of a 医療機関コード."""

    MEDICAL = "1"  # 医科
    DENTAL = "3"  # 歯科
    PHARMACY = "4"  # 調剤


@dataclass(frozen=True, slots=True)
class InstitutionCode:
    """A verified 医療機関コード and the parts the simulator uses."""

    code: str
    prefecture: str  # 都道府県番号, "01".."47"
    kind: InstitutionKind


def parse_institution_code(
    value: str, *, field: str = "MedicalInstitutionCode"
) -> InstitutionCode:
    """Parse a 10-digit 医療機関コード.

    :raises InvalidInput: if the value is not 10 half-width digits, the prefecture is not
        01–47, or the 点数表 digit is not 1, 3 or 4.
    :raises CheckDigitError: if the 検証番号 (over the first 9 digits) does not verify.
    """
    code = _required(value, field)
    _require_digits(code, field, "半角数字10桁")
    if len(code) != 10:
        raise InvalidInput(field, f"半角数字10桁にしてください（{len(code)}桁です）。")
    prefecture = code[:2]
    if not 1 <= int(prefecture) <= 47:
        raise InvalidInput(field, f"都道府県番号{prefecture}は01〜47ではありません。")
    kind = _institution_kind_digit(code[2], field)
    _verify_check_digit(code, field)
    return InstitutionCode(code=code, prefecture=prefecture, kind=kind)


def institution_kind(code: str) -> InstitutionKind:
    """Return the 点数表 of a 医療機関コード (parsing and verifying it first)."""
    return parse_institution_code(code).kind


def _institution_kind_digit(digit: str, field: str) -> InstitutionKind:
    try:
        return InstitutionKind(digit)
    except ValueError:
        raise InvalidInput(field, f"点数表番号{digit}は1・3・4のいずれでもありません。") from None


# -- 記号・番号・枝番 -----------------------------------------------------------------------------


def normalize_branch_number(
    value: str | None, *, field: str = "InsuredBranchNumber"
) -> str | None:
    """Return the 枝番 as 2 digits (``"1"`` → ``"01"``), or None when absent or blank.

    :raises InvalidInput: if the value is not 1 or 2 half-width digits.
    """
    branch = (value or "").strip(_CARD_WHITESPACE)
    if not branch:
        return None
    _require_digits(branch, field, "半角数字1桁または2桁")
    if len(branch) > 2:
        raise InvalidInput(field, f"半角数字1桁または2桁にしてください（{len(branch)}桁です）。")
    return branch.zfill(2)


def normalize_symbol(value: str | None, *, field: str = "InsuredCardSymbol") -> str | None:
    """Return the 記号 stripped of surrounding spaces, or None when absent or blank.

    :raises InvalidInput: if it is longer than 20 characters or contains control characters.
    """
    symbol = (value or "").strip(_CARD_WHITESPACE)
    if not symbol:
        return None
    _check_card_field(symbol, field)
    return symbol


def normalize_card_number(value: str, *, field: str = "InsuredIdentificationNumber") -> str:
    """Return the 番号 stripped of surrounding spaces.

    :raises InvalidInput: if it is blank, longer than 20 characters or contains control
        characters.
    """
    number = _required(value, field, _CARD_WHITESPACE)
    _check_card_field(number, field)
    return number


def _check_card_field(value: str, field: str) -> None:
    if len(value) > CARD_FIELD_MAX_LENGTH:
        raise InvalidInput(
            field, f"{CARD_FIELD_MAX_LENGTH}文字以内にしてください（{len(value)}文字です）。"
        )
    if not value.isprintable() and any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidInput(field, "制御文字は使えません。")


# -- dates ------------------------------------------------------------------------------------


def parse_date(value: str, *, field: str) -> dt.date:
    """Parse a date written ``YYYYMMDD`` (the OQS form) or ``YYYY-MM-DD``.

    :raises DateFormatError: if the value has neither form or names a day that does not exist.
    """
    text = (value or "").strip(_ASCII_WHITESPACE)
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            return _date_from_parts(match, value, field)
    raise DateFormatError(field, "YYYYMMDDの形式にしてください。")


def _date_from_parts(match: re.Match[str], value: str, field: str) -> dt.date:
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise DateFormatError(
            field, "存在しない日付です（YYYYMMDD）。"
        ) from None
