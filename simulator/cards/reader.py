"""The virtual card reader (顔認証付きカードリーダー): one-time nonces and card presentations.

Nonces are wall time (they guard the wire, not the story): base64url of 32 random bytes, valid
for :data:`CHALLENGE_TTL`, once, for the institution that asked. The card signs the nonce's
ASCII bytes.

A presentation (:func:`present_card`) runs in one transaction, in this order: take the nonce;
verify the certificate and the signature at business now; find the card by serial, holding
this very certificate (an unknown serial, a held card without a certificate, or a certificate
replaced since → card_signature_invalid); revoked / expired; the method (PIN: wrong →
pin_wrong, the third wrong in a row → pin_locked, a right one resets the count; face: no match
→ face_mismatch; a PIN lock does not stop face authentication); registration for insurance use
(``register`` performs 初回登録 here); then QualificationValidity of the card route, with the
consents chosen on the reader recorded and shown (the 限度額 consent is recorded as a consent
of kind ``limit`` too, and shown by LimitApplicationCertificateRelatedConsFlg). A refused card
(ProcessingResultStatus 2) records no consent but keeps its PIN count; every presentation is
audited (kind qualification, route card).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from werkzeug.security import check_password_hash

from ..clock import Clock
from ..consent.model import Consent, InfoKind, TreatmentFlag, consents_given
from ..pki.card_check import CardCertificate, fingerprint, verify_card
from ..pki.jpki import JpkiCa
from ..registry import rules
from ..registry.errors import InvalidInput, Unauthorized
from ..registry.lookup import AuditEntry, Confirmation, ConsentShown, PersonQuery
from ..registry.model import JST
from ..registry.services import UnitOfWork
from .model import Card, CardRefused, expiring_soon, pin_check, registration_refusal, status_refusal
from .store import ChallengeState

if TYPE_CHECKING:
    from ..store import Repository

__all__ = [
    "CHALLENGE_TTL", "SHOWN_KINDS", "ChallengeInvalid", "Challenge", "Presentation",
    "CardOutcome", "new_challenge", "present_card",
]

CHALLENGE_TTL = dt.timedelta(minutes=5)
CHALLENGE_KEPT = dt.timedelta(days=1)  # older nonces are purged when a new one is issued
NONCE_BYTES = 32
#: The consent groups a face result carries, in the reader's order.
SHOWN_KINDS = (InfoKind.DRUG, InfoKind.CHECKUP, InfoKind.DIAGNOSIS, InfoKind.OPERATION)
_CHALLENGE_DETAIL = {
    ChallengeState.UNKNOWN: "nonce: 発行されていない値です",
    ChallengeState.USED: "nonce: 使用済みです",
    ChallengeState.EXPIRED: "nonce: 有効期限（5分）が切れています",
    ChallengeState.OTHER_INSTITUTION: "nonce: 別の医療機関に発行された値です",
}


class ChallengeInvalid(InvalidInput):
    """The nonce is unknown, used, expired or another institution's (an envelope error)."""

    code = "challenge_invalid"

    def __init__(self, state: str) -> None:
        super().__init__("nonce", _CHALLENGE_DETAIL[state])


@dataclass(frozen=True)
class Challenge:
    nonce: str
    expires: dt.datetime  # wall time


@dataclass(frozen=True)
class Presentation:
    """A card presented on the reader, already checked for form (the API's JSON body)."""

    nonce: str
    certificate: str  # PEM
    signature: bytes  # of the nonce's ASCII bytes
    method: str  # "face" | "pin"
    pin: str | None = None
    face_matched: bool = True
    consents: tuple[InfoKind, ...] = ()
    limit_consent: bool = False
    confirm_date: dt.date | None = None  # None: the business date
    treatment_flag: TreatmentFlag = TreatmentFlag.OUTPATIENT


@dataclass(frozen=True)
class CardOutcome:
    """What the face result needs. ``refusal`` (a result-code name, with ``detail``) when the
    card was refused, else ``confirmation`` with ``notice`` (card_expiring) when due.
    ``sequence`` is the audit entry's id (the face file counter); ``treatment_flag`` the
    setting the card was presented in (外来, 訪問, オンライン, 救急時)."""

    institution: str
    as_of: dt.datetime
    confirm_date: dt.date
    sequence: int
    confirmation: Confirmation | None = None
    refusal: str | None = None
    detail: str | None = None
    notice: str | None = None
    treatment_flag: TreatmentFlag = TreatmentFlag.OUTPATIENT


def new_challenge(*, uow: UnitOfWork, wall: dt.datetime, institution: str) -> Challenge:
    """A one-time nonce (base64url of 32 random bytes) for the institution, valid 5 minutes."""
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    with uow:
        uow.repo.purge_challenges(issued_before=wall - CHALLENGE_KEPT)
        uow.repo.add_challenge(nonce, institution=institution, at=wall)
        uow.commit()
    return Challenge(nonce, wall + CHALLENGE_TTL)


def present_card(
    *, uow: UnitOfWork, clock: Clock, wall: dt.datetime, ca: JpkiCa, hours: Mapping[str, int],
    institution: str, presentation: Presentation, register: bool = False,
) -> CardOutcome:
    """Answer a card presented at ``institution`` (module docstring); ``register`` performs
    初回登録 after the card is verified.

    :raises ChallengeInvalid: the nonce cannot be used (nothing is written).
    :raises Unauthorized: the institution is not in the store.
    """
    as_of = clock.now()
    day = presentation.confirm_date or as_of.astimezone(JST).date()
    with uow:
        repo = uow.repo
        if repo.get_institution(institution) is None:
            raise Unauthorized(f"no institution {institution}", code="institution_unknown")
        state = repo.take_challenge(presentation.nonce, institution=institution, at=wall,
                                    issued_after=wall - CHALLENGE_TTL)
        if state is not None:
            raise ChallengeInvalid(state)
        reader = _Reader(repo, ca, institution, as_of, day)
        outcome = reader.answer(presentation, hours=hours, register=register)
        uow.commit()
    return outcome


@dataclass
class _Reader:
    """One presentation inside its transaction."""

    repo: Repository
    ca: JpkiCa
    institution: str
    as_of: dt.datetime
    day: dt.date
    person_id: int | None = None

    def answer(self, p: Presentation, *, hours: Mapping[str, int], register: bool) -> CardOutcome:
        try:
            card = self._usable_card(p, register=register)
        except CardRefused as refused:
            sequence = self._audit(refused.code, 0)
            return CardOutcome(self.institution, self.as_of, self.day, sequence,
                               refusal=refused.code, detail=refused.detail,
                               treatment_flag=p.treatment_flag)
        confirmation = self._confirm(p, hours)
        sequence = self._audit("ok", len(confirmation.results))
        notice = "card_expiring" if expiring_soon(card, at=self.as_of) else None
        return CardOutcome(self.institution, self.as_of, self.day, sequence,
                           confirmation=confirmation, notice=notice,
                           treatment_flag=p.treatment_flag)

    def _usable_card(self, p: Presentation, *, register: bool) -> Card:
        verified = verify_card(self.ca, certificate=p.certificate, signature=p.signature,
                               nonce=p.nonce.encode("ascii"), at=self.as_of)
        card = self.repo.card_by_serial(verified.serial, for_update=True)
        if card is None or not _current(card, verified):
            raise CardRefused("card_signature_invalid", "no card has this certificate")
        self.person_id = card.person_id
        _raise(status_refusal(card, at=self.as_of))
        self._check_method(card, p)
        if register and not card.registered(self.as_of):
            self.repo.register_insurance_use(card.serial, at=self.as_of)
            card = replace(card, insurance_registered_at=self.as_of)
            self._audit("ok", None, kind="card_register")
        _raise(registration_refusal(card, at=self.as_of))
        return card

    def _check_method(self, card: Card, p: Presentation) -> None:
        if p.method == "face":
            if not p.face_matched:
                raise CardRefused("face_mismatch", "the reader's face match failed")
            return
        right = card.pin_hash is not None and check_password_hash(card.pin_hash, p.pin or "")
        check = pin_check(card, right=right, at=self.as_of)
        if check.failures > card.pin_failures:
            self.repo.record_pin_failure(card.serial)
        elif check.failures == 0 and card.pin_failures:
            self.repo.reset_pin_failures(card.serial)
        if check.locks:
            self.repo.lock_pin(card.serial, at=self.as_of)
        if check.refusal is not None:
            raise CardRefused(check.refusal, "PIN refused", detail=str(check.remaining))

    def _confirm(self, p: Presentation, hours: Mapping[str, int]) -> Confirmation:
        query = PersonQuery(self.person_id, self.day, p.limit_consent)
        confirmation = rules.confirm_by_person(self.repo.records_of(self.person_id),
                                               query=query, as_of=self.as_of)
        kinds = (*p.consents, InfoKind.LIMIT) if p.limit_consent else p.consents
        given = consents_given(person_id=self.person_id, institution=self.institution,
                               kinds=kinds, at=self.as_of, flag=p.treatment_flag,
                               hours=hours)
        for consent in given:
            self.repo.add_consent(consent)
        numbers = self.repo.reference_numbers(institution=self.institution,
                                              person_ids=[self.person_id])
        return replace(confirmation, consents=_shown(given),
                       reference_numbers=tuple(numbers.items()))

    def _audit(self, outcome: str, count: int | None, *, kind: str = "qualification") -> int:
        return self.repo.add_audit(AuditEntry(
            at=self.as_of, institution_code=self.institution, kind=kind, route="card",
            basis="none", person_id=self.person_id, outcome=outcome, count=count))


def _current(card: Card, verified: CardCertificate) -> bool:
    """Tell whether the presented certificate is the card's stored one: a held card (no
    certificate yet) has none, and a certificate replaced by a later bundle is no longer it."""
    return card.certificate is not None and fingerprint(card.certificate) == verified.fingerprint


def _raise(code: str | None) -> None:
    if code is not None:
        raise CardRefused(code, code)


def _shown(given: list[Consent]) -> tuple[ConsentShown, ...]:
    by_kind = {c.kind: c for c in given}
    return tuple(
        ConsentShown(kind.value, "1", by_kind[kind].given_at, by_kind[kind].available_until)
        if kind in by_kind else ConsentShown(kind.value, "0")
        for kind in SHOWN_KINDS
    )
