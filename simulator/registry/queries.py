"""Validated domain queries built from the raw strings an interface received.

Field names in errors are the element names of the OQS messages (reference §2.1), so every
interface can report them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

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
from .model import InsuranceCardQuery

__all__ = ["insurance_card_query"]

_CONSENT_FLAGS = {"0": False, "1": True}
_KOKI_LAW_CODE = "39"  # 後期高齢者医療: the 被保険者番号 carries a check digit


def _strings(search: Mapping[str, object]) -> Mapping[str, str | None]:
    for field, value in search.items():
        if value is not None and not isinstance(value, str):
            raise InvalidInput(field, f"must be a string, got {type(value).__name__}")
    return search  # type: ignore[return-value]


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
        raise InvalidInput("LimitApplicationCertificateRelatedConsFlg", "must be 0 or 1")
    insurer = normalize_insurer_number(search.get("InsurerNumber") or "")
    number = normalize_card_number(search.get("InsuredIdentificationNumber") or "")
    if insurer_law_code(insurer) == _KOKI_LAW_CODE:
        validate_koki_insured_number(number)
    return InsuranceCardQuery(
        insurer_number=insurer,
        symbol=normalize_symbol(search.get("InsuredCardSymbol")),
        number=number,
        branch=normalize_branch_number(search.get("InsuredBranchNumber")),
        birthdate=parse_date(birthdate, field="Birthdate"),
        confirm_date=parse_date(confirm_date, field="QualificationConfirmationDate"),
        limit_consent=_CONSENT_FLAGS[flag],
    )
