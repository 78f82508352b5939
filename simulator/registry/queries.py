"""Validated domain queries built from the raw strings an interface received.

Field names in errors are the element names of the OQS messages (docs/interfaces.md), so every
interface can report them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import InvalidInput, MissingField
from .identifiers import (
    insurer_law_code,
    normalize_branch_number,
    normalize_card_number,
    normalize_insurer_number,
    normalize_symbol,
    parse_date,
    validate_koki_insured_number,
)
from .lookup import InsuranceCardQuery

__all__ = ["insurance_card_query", "CardItems", "card_items", "SEARCH_NAMES", "MEDICAL_NAMES"]

_CONSENT_FLAGS = {"0": False, "1": True}
_KOKI_LAW_CODE = "39"  # 後期高齢者医療: the 被保険者番号 carries a check digit


def _strings(search: Mapping[str, object]) -> Mapping[str, str | None]:
    for field, value in search.items():
        if value is not None and not isinstance(value, str):
            raise InvalidInput(field, "文字列にしてください。")
    return search  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class CardItems:
    """The items printed on an insurance card, validated: 保険者番号 (canonical), 記号, 番号,
    枝番 (2 digits)."""

    insurer: str
    number: str
    symbol: str | None = None
    branch: str | None = None


#: Element names of the card items: (insurer, symbol, number, branch). The qualification and
#: 照会番号 requests use the first; the drug and checkup requests (docs/interfaces.md) the second.
SEARCH_NAMES = ("InsurerNumber", "InsuredCardSymbol", "InsuredIdentificationNumber",
                "InsuredBranchNumber")
MEDICAL_NAMES = ("InsurerNumber", "InsuranceCardSymbol", "InsuredPersonIdentificationNumber",
                 "BranchNumber")


def card_items(values: Mapping[str, object], names: tuple[str, str, str, str] = SEARCH_NAMES
               ) -> CardItems:
    """Read the card items of a request from ``values`` under the element ``names``.

    :raises InvalidInput: naming the first element that is missing or malformed (a
        後期高齢 番号 must verify its check digit).
    """
    insurer_name, symbol_name, number_name, branch_name = names
    _strings({name: values.get(name) for name in names})
    insurer = normalize_insurer_number(values.get(insurer_name) or "", field=insurer_name)
    symbol = normalize_symbol(values.get(symbol_name), field=symbol_name)
    number = normalize_card_number(values.get(number_name) or "", field=number_name)
    if insurer_law_code(insurer) == _KOKI_LAW_CODE:
        validate_koki_insured_number(number, field=number_name)
    branch = normalize_branch_number(values.get(branch_name), field=branch_name)
    return CardItems(insurer, number, symbol, branch)


def insurance_card_query(
    search: Mapping[str, object], *, confirm_date: str | None
) -> InsuranceCardQuery:
    """Build the query of QualificationConfirmSearchInfo for QualificationConfirmationDate.

    :raises InvalidInput: naming the first field that is missing or malformed.
    """
    search = _strings({**search, "QualificationConfirmationDate": confirm_date})
    if not confirm_date:
        raise MissingField("QualificationConfirmationDate")
    birthdate = search.get("Birthdate")
    if not birthdate:
        raise MissingField("Birthdate")
    flag = search.get("LimitApplicationCertificateRelatedConsFlg") or "0"
    if flag not in _CONSENT_FLAGS:
        raise InvalidInput("LimitApplicationCertificateRelatedConsFlg", "0または1にしてください。")
    items = card_items(search)
    return InsuranceCardQuery(
        insurer_number=items.insurer,
        symbol=items.symbol,
        number=items.number,
        branch=items.branch,
        birthdate=parse_date(birthdate, field="Birthdate"),
        confirm_date=parse_date(confirm_date, field="QualificationConfirmationDate"),
        limit_consent=_CONSENT_FLAGS[flag],
    )
