"""Scenario and admin events about My Number cards.

They share the shape and the log of the life events, but change no qualification: each handler
writes through the repository and returns an empty ``Change``.

    card_revoke       person, revoke_reason: lost (一時停止) | revoked (失効)
    card_resume       person — a card suspended as lost is found again
    card_expire       person — the card dies at ``at``
    card_register     person — 保険証利用登録 done elsewhere (マイナポータル, ATM)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..registry import fields
from ..registry.change import Change
from ..registry.errors import InvalidInput
from .model import RevokeReason

if TYPE_CHECKING:  # the handlers receive events.EventContext and events.Event
    from ..registry.events import EventContext

__all__ = ["KINDS"]


def _card_serial(ctx: EventContext, event) -> str:
    cards = ctx.repo.cards_of(event.person.id)
    if not cards:
        raise InvalidInput(event.at_path("person"), "holds no My Number card")
    return max(cards, key=lambda card: card.id).serial  # the latest card issued


def _card_revoke(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    reason = fields.choice(event.raw, event.path, "revoke_reason", RevokeReason,
                           RevokeReason.LOST)
    ctx.repo.set_card_revoked(_card_serial(ctx, event), at=event.at, reason=reason)
    return Change()


def _card_resume(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    serial = _card_serial(ctx, event)
    card = ctx.repo.card_by_serial(serial)
    if card.revoked_at is None or card.revoke_reason is not RevokeReason.LOST:
        raise InvalidInput(event.at_path("person"), "the card is not suspended (一時停止)")
    ctx.repo.set_card_resumed(serial)
    return Change()


def _card_expire(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    ctx.repo.expire_card(_card_serial(ctx, event), at=event.at)
    return Change()


def _card_register(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    ctx.repo.register_insurance_use(_card_serial(ctx, event), at=event.at)
    return Change()


KINDS = {
    "card_revoke": _card_revoke,
    "card_resume": _card_resume,
    "card_expire": _card_expire,
    "card_register": _card_register,
}
