"""Use cases of virtual My Number cards: issue, bundle (the certificate of a held card),
revoke (一時停止 / 失効), resume, expire, 初回登録, list; the card reader's use cases live in
:mod:`.reader` and are re-exported here.

Each takes its dependencies keyword-only and owns its transaction. Card instants are business
time. The private key of an issued or bundled card is returned once (in the bundle) and never
stored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..auth import hash_password
from ..clock import Clock
from ..pki.jpki import CA_NOT_BEFORE, CardBundle, JpkiCa, issue_card_certificate, serial_number
from ..registry.errors import Conflict, InvalidInput, NotFound
from ..registry.model import JST
from ..registry.person_ref import find_person
from ..registry.services import UnitOfWork
from .model import Card, RevokeReason, expiring_soon, refusal
from .reader import (
    CHALLENGE_TTL,
    CardOutcome,
    Challenge,
    ChallengeInvalid,
    Presentation,
    new_challenge,
    present_card,
)

if TYPE_CHECKING:
    from ..store import Repository

__all__ = [
    "DEFAULT_PIN", "CARD_YEARS", "CHALLENGE_TTL", "ChallengeInvalid", "IssuedCard", "Challenge",
    "Presentation", "CardOutcome", "new_card", "issue_card", "bundle_card", "card_view",
    "card_list", "revoke_card", "resume_card", "expire_card", "register_card", "new_challenge",
    "present_card",
]

DEFAULT_PIN = "1234"
CARD_YEARS = 5
_PIN = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class IssuedCard:
    person_id: int
    bundle: CardBundle


# -- issuing and the card's life ---------------------------------------------------------------


def _check_pin(pin: object, field: str = "pin") -> str:
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        raise InvalidInput(field, "must be 4 digits (利用者証明用暗証番号)")
    return pin


def new_card(
    repo: Repository, ca: JpkiCa, *, person_id: int, at: dt.datetime,
    expires: dt.date | None = None, insurance_use: bool = True, pin: str = DEFAULT_PIN,
) -> CardBundle:
    """Issue a card to the person inside the caller's transaction; return its bundle.

    ``expires`` is the last day the card works (JST, inclusive; default the same day
    :data:`CARD_YEARS` years on, a simplified 5th-birthday rule). With ``insurance_use`` the
    card is registered for insurance use at ``at``.

    :raises InvalidInput: a PIN that is not 4 digits, ``expires`` before the issue day, or a
        business time before 1950.
    """
    pin = _check_pin(pin)
    if at < CA_NOT_BEFORE:
        raise InvalidInput("at", "My Number cards cannot be issued before 1950 (business time)")
    today = at.astimezone(JST).date()
    last_day = expires or _years_after(today, CARD_YEARS)
    if last_day < today:
        raise InvalidInput("expires", "must not be before the issue day")
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), JST)
    bundle = issue_card_certificate(ca, at=at, expires=end)
    repo.add_card(Card(
        person_id=person_id, serial=bundle.serial, certificate=bundle.cert_pem.decode("ascii"),
        not_before=bundle.not_before, not_after=bundle.not_after,
        insurance_registered_at=at if insurance_use else None,
        pin_hash=hash_password(pin),
    ))
    return bundle


def _years_after(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def issue_card(
    *, uow: UnitOfWork, clock: Clock, ca: JpkiCa, person: object,
    expires: dt.date | None = None, insurance_use: bool = True, pin: str = DEFAULT_PIN,
) -> IssuedCard:
    """Issue a card to ``person`` (id or ``scenario/handle``) at business now."""
    at = clock.now()
    with uow:
        person_id = find_person(uow.repo, person).id
        bundle = new_card(uow.repo, ca, person_id=person_id, at=at, expires=expires,
                          insurance_use=insurance_use, pin=pin)
        uow.commit()
    return IssuedCard(person_id, bundle)


def bundle_card(*, uow: UnitOfWork, ca: JpkiCa, serial: str, replace: bool = False) -> IssuedCard:
    """Issue the certificate of card ``serial`` for its serial, valid ``[not_before,
    not_after)`` of the card, with a new key; store the certificate and return the bundle (the
    key, once).

    A held card gets its first certificate. A card that has one is refused unless ``replace``:
    then the new certificate replaces the stored one and the old key stops working on the
    reader. The card's state (revoked, expired, not registered, PIN locked) does not matter:
    the reader judges it as it judges any card.

    :raises NotFound: no such card. :raises Conflict: it has a certificate (and not
        ``replace``). :raises InvalidInput: its serial or validity cannot make a certificate.
    """
    with uow:
        card = _card(uow.repo, serial)
        if card.certificate is not None and not replace:
            raise _bundled_already(card.serial)
        _check_certifiable(card)
        bundle = issue_card_certificate(ca, at=card.not_before, expires=card.not_after,
                                        serial=card.serial)
        if not uow.repo.set_card_certificate(card.serial, bundle.cert_pem.decode("ascii"),
                                             replace=replace):
            raise _bundled_already(card.serial)  # another bundle got there first
        uow.commit()
    return IssuedCard(card.person_id, bundle)


def _bundled_already(serial: str) -> Conflict:
    return Conflict(f"serial: カード {serial} の利用者証明用電子証明書は発行済みです。"
                    "発行し直すには replace を指定してください（それまでの鍵は使えなくなります）")


def _check_certifiable(card: Card) -> None:
    """Refuse a card whose serial or validity cannot make a certificate, naming the field."""
    try:
        serial_number(card.serial)
    except ValueError:
        raise InvalidInput("serial", f"カード {card.serial} のシリアル番号は証明書に使えません"
                           "（先頭に0のない小文字の16進数で、1以上2^159未満）") from None
    if card.not_before < CA_NOT_BEFORE:
        raise InvalidInput("not_before", f"カード {card.serial} の有効期間の開始が1950年より前です")
    if card.not_after.replace(microsecond=0) <= card.not_before.replace(microsecond=0):
        raise InvalidInput("not_after", f"カード {card.serial} の有効期間の終了が開始より後では"
                           "ありません")


def _instant(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(JST).isoformat()


def card_view(card: Card, *, at: dt.datetime) -> dict[str, Any]:
    """The card as the admin API and the CLI show it; ``status`` is its refusal at ``at``,
    card_expiring, or ok."""
    status = refusal(card, at=at) or ("card_expiring" if expiring_soon(card, at=at) else "ok")
    return {
        "serial": card.serial, "person": card.person_id, "status": status,
        "certificate_issued": card.certificate is not None,
        "not_before": _instant(card.not_before), "not_after": _instant(card.not_after),
        "expires_at": _instant(card.expires_at),
        "insurance_registered_at": _instant(card.insurance_registered_at),
        "revoked_at": _instant(card.revoked_at),
        "revoke_reason": card.revoke_reason.value if card.revoke_reason else None,
        "pin_failures": card.pin_failures, "pin_locked_at": _instant(card.pin_locked_at),
    }


def card_list(*, uow: UnitOfWork, clock: Clock, person: object = None) -> list[dict[str, Any]]:
    """Every card, or the cards of ``person`` (id or ``scenario/handle``)."""
    at = clock.now()
    with uow:
        person_id = None if person is None else find_person(uow.repo, person).id
        return [card_view(card, at=at) for card in uow.repo.cards_of(person_id)]


def _card(repo: Repository, serial: str) -> Card:
    card = repo.card_by_serial(serial.strip().lower())
    if card is None:
        raise NotFound(f"no card with serial {serial}")
    return card


def _changed(uow: UnitOfWork, serial: str, at: dt.datetime) -> dict[str, Any]:
    view = card_view(uow.repo.card_by_serial(serial), at=at)
    uow.commit()
    return view


def revoke_card(*, uow: UnitOfWork, clock: Clock, serial: str, reason: object) -> dict:
    """一時停止 (``lost``) or 失効 (``revoked``) from business now; a suspended card may still
    be revoked for good.

    :raises InvalidInput: another reason. :raises NotFound: no such card.
    :raises Conflict: already revoked (or already suspended, for ``lost``).
    """
    if reason not in tuple(RevokeReason):
        raise InvalidInput("reason", "must be 'lost' (一時停止) or 'revoked' (失効)")
    at = clock.now()
    with uow:
        card = _card(uow.repo, serial)
        if card.revoke_reason is RevokeReason.REVOKED or card.revoke_reason == reason:
            raise Conflict(f"card {card.serial} is already {card.revoke_reason.value}")
        uow.repo.set_card_revoked(card.serial, at=at, reason=RevokeReason(reason))
        return _changed(uow, card.serial, at)


def resume_card(*, uow: UnitOfWork, clock: Clock, serial: str) -> dict:
    """Lift a 一時停止. :raises Conflict: the card is not suspended (or was revoked for good)."""
    at = clock.now()
    with uow:
        card = _card(uow.repo, serial)
        if card.revoke_reason is not RevokeReason.LOST:
            raise Conflict(f"card {card.serial} is not suspended (lost); a 失効 is final")
        uow.repo.set_card_resumed(card.serial)
        return _changed(uow, card.serial, at)


def expire_card(*, uow: UnitOfWork, clock: Clock, serial: str,
                at: dt.datetime | None = None) -> dict:
    """The card dies at ``at`` (default business now), before its certificate would."""
    now = clock.now()
    with uow:
        card = _card(uow.repo, serial)
        uow.repo.expire_card(card.serial, at=at or now)
        return _changed(uow, card.serial, now)


def register_card(*, uow: UnitOfWork, clock: Clock, serial: str) -> dict:
    """初回登録 (保険証利用登録) at business now; a registered card stays as it is."""
    at = clock.now()
    with uow:
        card = _card(uow.repo, serial)
        if not card.registered(at):
            uow.repo.register_insurance_use(card.serial, at=at)
        return _changed(uow, card.serial, at)

