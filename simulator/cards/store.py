"""Virtual My Number cards and the card reader's one-time nonces (part of the repository)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from . import tables
from .model import Card, RevokeReason

__all__ = ["CardQueries", "ChallengeState"]

_k, _n = tables.cards, tables.card_challenges


class ChallengeState:
    """Why a nonce could not be taken (the ``detail`` of challenge_invalid)."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    OTHER_INSTITUTION = "other_institution"


class CardQueries:
    """Mixed into :class:`~.repository.Repository`; works on ``self.connection``."""

    connection: Connection

    # -- cards -------------------------------------------------------------------------------

    def add_card(self, card: Card) -> int:
        result = self.connection.execute(insert(_k).values(
            person_id=card.person_id,
            serial=card.serial,
            certificate=card.certificate,
            not_before=card.not_before,
            not_after=card.not_after,
            expires_at=card.expires_at,
            insurance_registered_at=card.insurance_registered_at,
            revoked_at=card.revoked_at,
            revoke_reason=card.revoke_reason.value if card.revoke_reason else None,
            pin_hash=card.pin_hash,
            pin_failures=card.pin_failures,
            pin_locked_at=card.pin_locked_at,
        ))
        return result.inserted_primary_key[0]

    def add_held_cards(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert many held cards at once (one executemany); return how many.

        Each row maps columns of the ``cards`` table to values, every row with the same keys:
        ``person_id``, ``serial`` (lower-case hexadecimal without leading zeros, below 2^159,
        unique), ``not_before``, ``not_after`` (aware instants) and optionally
        ``insurance_registered_at``, ``pin_hash``, … ``revoke_reason`` is its string value.
        ``certificate`` is normally left out: the card is held until it is bundled.
        """
        if not rows:
            return 0
        self.connection.execute(insert(_k), list(rows))
        return len(rows)

    def set_card_certificate(self, serial: str, certificate: str, *, replace: bool) -> bool:
        """Store the card's certificate (PEM). Unless ``replace``, only a card that has none
        takes it (one statement, so two bundles never both win); return whether it was
        stored."""
        statement = update(_k).where(_k.c.serial == serial).values(certificate=certificate)
        if not replace:
            statement = statement.where(_k.c.certificate.is_(None))
        return self.connection.execute(statement).rowcount == 1

    def card_by_serial(self, serial: str, *, for_update: bool = False) -> Card | None:
        """The card; ``for_update`` locks its row until the transaction ends (PostgreSQL), so
        concurrent PIN entries count one after the other."""
        statement = select(_k).where(_k.c.serial == serial)
        if for_update:
            statement = statement.with_for_update()
        row = self.connection.execute(statement).first()
        return None if row is None else _card(row)

    def cards_of(self, person_id: int | None = None) -> list[Card]:
        """The person's cards (every card when ``person_id`` is None), oldest first."""
        statement = select(_k).order_by(_k.c.id)
        if person_id is not None:
            statement = statement.where(_k.c.person_id == person_id)
        return [_card(row) for row in self.connection.execute(statement)]

    def _set(self, serial: str, **values: Any) -> None:
        self.connection.execute(update(_k).where(_k.c.serial == serial).values(**values))

    def set_card_revoked(self, serial: str, *, at: dt.datetime, reason: RevokeReason) -> None:
        self._set(serial, revoked_at=at, revoke_reason=reason.value)

    def set_card_resumed(self, serial: str) -> None:
        self._set(serial, revoked_at=None, revoke_reason=None)

    def expire_card(self, serial: str, *, at: dt.datetime) -> None:
        self._set(serial, expires_at=at)

    def register_insurance_use(self, serial: str, *, at: dt.datetime) -> None:
        self._set(serial, insurance_registered_at=at)

    def record_pin_failure(self, serial: str) -> None:
        """Count one wrong PIN (an atomic increment, so concurrent entries both count)."""
        self._set(serial, pin_failures=_k.c.pin_failures + 1)

    def reset_pin_failures(self, serial: str) -> None:
        self._set(serial, pin_failures=0)

    def lock_pin(self, serial: str, *, at: dt.datetime) -> None:
        self._set(serial, pin_locked_at=at)

    # -- challenges (wall time) --------------------------------------------------------------

    def add_challenge(self, nonce: str, *, institution: str, at: dt.datetime) -> None:
        self.connection.execute(insert(_n).values(nonce=nonce, institution_code=institution,
                                                  issued_at=at))

    def purge_challenges(self, *, issued_before: dt.datetime) -> int:
        """Delete the nonces issued before the instant; return how many."""
        return self.connection.execute(
            delete(_n).where(_n.c.issued_at < issued_before)).rowcount

    def take_challenge(
        self, nonce: str, *, institution: str, at: dt.datetime, issued_after: dt.datetime
    ) -> str | None:
        """Use the nonce once: it must be unused, issued to ``institution`` after
        ``issued_after``. Return None when taken, else the :class:`ChallengeState` that
        refused it. The update is one statement, so two readers never take the same nonce."""
        taken = self.connection.execute(
            update(_n)
            .where(_n.c.nonce == nonce, _n.c.used_at.is_(None),
                   _n.c.institution_code == institution, _n.c.issued_at > issued_after)
            .values(used_at=at)
        ).rowcount
        if taken == 1:
            return None
        row = self.connection.execute(select(_n).where(_n.c.nonce == nonce)).first()
        if row is None:
            return ChallengeState.UNKNOWN
        if row.institution_code != institution:
            return ChallengeState.OTHER_INSTITUTION
        if row.used_at is not None:
            return ChallengeState.USED
        return ChallengeState.EXPIRED


def _card(row: Any) -> Card:
    return Card(
        id=row.id,
        person_id=row.person_id,
        serial=row.serial,
        certificate=row.certificate,
        not_before=row.not_before,
        not_after=row.not_after,
        expires_at=row.expires_at,
        insurance_registered_at=row.insurance_registered_at,
        revoked_at=row.revoked_at,
        revoke_reason=RevokeReason(row.revoke_reason) if row.revoke_reason else None,
        pin_hash=row.pin_hash,
        pin_failures=row.pin_failures,
        pin_locked_at=row.pin_locked_at,
    )
