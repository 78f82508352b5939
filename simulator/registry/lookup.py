"""What a lookup asks and what it answers, and the audit line it leaves: plain, immutable
values. Standard library only.

- ``InsuranceCardQuery`` (照会区分 2) and ``PersonQuery`` (照会区分 1): validated questions.
- ``Confirmation``: the answer, the qualifications as OQS shows them at the business instant.
- ``AuditEntry``: who looked at whose information, when, on what basis.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .model import Qualification, Validity

__all__ = ["InsuranceCardQuery", "PersonQuery", "ConsentShown", "Confirmation", "AuditEntry"]


@dataclass(frozen=True, slots=True)
class InsuranceCardQuery:
    """A lookup by the items of the insurance card (照会区分 2), already validated."""

    insurer_number: str  # canonical
    number: str
    birthdate: dt.date
    confirm_date: dt.date  # QualificationConfirmationDate (資格確認日)
    symbol: str | None = None
    branch: str | None = None
    limit_consent: bool = False  # LimitApplicationCertificateRelatedConsFlg == "1"


@dataclass(frozen=True, slots=True)
class PersonQuery:
    """A lookup of one known person (照会区分 1: the My Number card identified them)."""

    person_id: int
    confirm_date: dt.date
    limit_consent: bool = False


@dataclass(frozen=True, slots=True)
class ConsentShown:
    """One consent group of a result (``<Kind>ConsFlg`` / ``ConsTime`` / ``AvailableTime``).

    ``kind`` is a :class:`simulator.medical.model.InfoKind` value (drug, checkup, diagnosis,
    operation); ``state`` its OQSCD016 value.
    """

    kind: str
    state: str
    given_at: dt.datetime | None = None
    available_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The outcome of one qualification confirmation, with what the result message needs.

    ``results`` holds the qualifications *as OQS shows them*: a loss not yet registered is
    absent, certificates are those valid on the confirmation date, and the 限度額 certificate
    only when the request consented to it. ``as_of`` is the business instant of processing
    (ProcessExecutionTime); ``consent_time`` is set when the 限度額 consent was given.
    ``consents`` are the consent groups the result carries (the card route: what the patient
    chose on the reader); ``reference_numbers`` the asking institution's 照会番号, as
    ``(person_id, 照会番号)`` for each person shown who has one; ``limit_unchanged`` (bulk
    results) the persons whose 限度額 certificates are unchanged since the institution's
    previous confirmation (:func:`~.rules.limit_certificate_changed`).
    """

    validity: Validity
    query: InsuranceCardQuery | PersonQuery
    as_of: dt.datetime
    results: tuple[Qualification, ...] = field(default=())
    consents: tuple[ConsentShown, ...] = ()
    reference_numbers: tuple[tuple[int, str], ...] = ()
    limit_unchanged: tuple[int, ...] = ()

    def reference_number_of(self, person_id: int) -> str | None:
        """The 照会番号 to show on the result of ``person_id``."""
        return dict(self.reference_numbers).get(person_id)

    def limit_changed(self, person_id: int) -> str:
        """LimitApplicationCertificateChanged (OQSCD014) of ``person_id``'s result: 0 変更なし
        when known unchanged, else 1 変更あり または 判定不能."""
        return "0" if person_id in self.limit_unchanged else "1"

    @property
    def consent_time(self) -> dt.datetime | None:
        return self.as_of if self.query.limit_consent else None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit trail: who looked at whose information, when, and on what basis.

    ``kind``: qualification, drug, checkup, reference_number, card_register.
    ``route``: insurance_card, card, file. ``basis``: consent, disaster, emergency, none
    (qualification lookups need no consent). ``outcome``: "ok" or the result-code name that
    refused it. ``count``: records returned (drug lines, checkups, results).
    """

    at: dt.datetime
    institution_code: str
    kind: str
    route: str
    basis: str = "none"
    person_id: int | None = None
    basis_id: int | None = None
    outcome: str = "ok"
    count: int | None = None
    id: int | None = None
