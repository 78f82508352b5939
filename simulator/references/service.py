"""照会番号 registration (docs/interfaces.md): an institution attaches its own patient number to
the person an insurance card names; later qualification results for that institution carry it
back as ``ReferenceNumber``. It is never a lookup key, and never shown to another institution.

The request names the person by card items without a birthdate (保険者番号, 記号, 番号, 枝番),
so several persons may match: twins under one 記号番号 need the 枝番.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..clock import Clock
from ..registry import rules
from ..registry.errors import Conflict, InvalidInput, MissingField, NotFound
from ..registry.lookup import AuditEntry
from ..registry.queries import card_items
from ..registry.services import UnitOfWork

if TYPE_CHECKING:
    from ..store import Repository

__all__ = [
    "REFERENCE_NUMBER_MAX_LENGTH",
    "ReferenceRegistration",
    "Registered",
    "reference_registration",
    "identify_person",
    "register_reference_number",
]

REFERENCE_NUMBER_MAX_LENGTH = 50


@dataclass(frozen=True, slots=True)
class ReferenceRegistration:
    """A validated ``ReferenceNumberRegistrationInfo``."""

    reference_number: str  # 照会番号
    insurer_number: str  # canonical
    number: str
    symbol: str | None = None
    branch: str | None = None


@dataclass(frozen=True, slots=True)
class Registered:
    person_id: int
    at: dt.datetime  # business instant of the registration (ProcessExecutionTime)


def _reference_number(value: object) -> str:
    field = "ReferenceNumber"
    if value is not None and not isinstance(value, str):
        raise InvalidInput(field, "文字列にしてください。")
    number = (value or "").strip()
    if not number:
        raise MissingField(field, "値を設定してください。")
    if len(number) > REFERENCE_NUMBER_MAX_LENGTH:
        raise InvalidInput(field, f"{REFERENCE_NUMBER_MAX_LENGTH}文字以内にしてください"
                                  f"（{len(number)}文字です）。")
    if any(unicodedata.category(char) == "Cc" for char in number):
        raise InvalidInput(field, "制御文字は使えません。")
    return number


def reference_registration(info: Mapping[str, object]) -> ReferenceRegistration:
    """Read ``ReferenceNumberRegistrationInfo`` (raw strings), in element order.

    :raises InvalidInput: naming the first element that is missing or malformed.
    """
    reference_number = _reference_number(info.get("ReferenceNumber"))
    items = card_items(info)
    return ReferenceRegistration(reference_number, items.insurer, items.number, items.symbol,
                                 items.branch)


def identify_person(repo: Repository, *, insurer: str, number: str, symbol: str | None,
                    branch: str | None, as_of: dt.datetime) -> int:
    """The one person the card items name among the records visible at ``as_of``.

    :raises NotFound: (person_not_found) nobody. :raises Conflict: (person_multiple) several.
    """
    persons = rules.identify(repo.records_under(insurer, number), insurer=insurer,
                             number=number, symbol=symbol, branch=branch, as_of=as_of)
    if not persons:
        raise NotFound(f"no person under {insurer} {number}", code="person_not_found")
    if len(persons) > 1:
        raise Conflict(f"{len(persons)} persons under {insurer} {number}; give the branch",
                       code="person_multiple")
    return persons[0]


def register_reference_number(
    *, uow: UnitOfWork, clock: Clock, institution: str, registration: ReferenceRegistration
) -> Registered:
    """Store ``institution``'s 照会番号 for the person the card items name (replacing the one
    registered before) and audit it (kind reference_number, route file), at business now.

    :raises NotFound / Conflict: as :func:`identify_person`; nothing is stored or audited.
    """
    now = clock.now()
    with uow:
        person_id = identify_person(
            uow.repo, insurer=registration.insurer_number, number=registration.number,
            symbol=registration.symbol, branch=registration.branch, as_of=now)
        uow.repo.set_reference_number(institution=institution, person_id=person_id,
                                      number=registration.reference_number, at=now)
        uow.repo.add_audit(AuditEntry(now, institution, "reference_number", "file",
                                      person_id=person_id, count=1))
        uow.commit()
    return Registered(person_id, now)
