"""Validated domain queries built from the raw strings an interface received.

Field names in errors are the element names of the OQS messages (reference §2.1), so every
interface can report them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import InvalidInput, MissingField
from .identifiers import (
    normalize_branch_number,
    normalize_card_number,
    normalize_insurer_number,
    normalize_symbol,
    parse_date,
)
from .model import InsuranceCardQuery

__all__ = ["insurance_card_query"]

_CONSENT_FLAGS = {"0": False, "1": True}


def insurance_card_query(
    search: Mapping[str, str | None], *, confirm_date: str | None
) -> InsuranceCardQuery:
    """Build the query of QualificationConfirmSearchInfo for QualificationConfirmationDate.

    :raises InvalidInput: naming the first field that is missing or malformed.
    """
    if not confirm_date:
        raise MissingField("QualificationConfirmationDate")
    birthdate = search.get("Birthdate")
    if not birthdate:
        raise MissingField("Birthdate")
    flag = search.get("LimitApplicationCertificateRelatedConsFlg") or "0"
    if flag not in _CONSENT_FLAGS:
        raise InvalidInput("LimitApplicationCertificateRelatedConsFlg", "must be 0 or 1")
    return InsuranceCardQuery(
        insurer_number=normalize_insurer_number(search.get("InsurerNumber") or ""),
        symbol=normalize_symbol(search.get("InsuredCardSymbol")),
        number=normalize_card_number(search.get("InsuredIdentificationNumber") or ""),
        branch=normalize_branch_number(search.get("InsuredBranchNumber")),
        birthdate=parse_date(birthdate, field="Birthdate"),
        confirm_date=parse_date(confirm_date, field="QualificationConfirmationDate"),
        limit_consent=_CONSENT_FLAGS[flag],
    )
