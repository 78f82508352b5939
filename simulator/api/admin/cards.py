"""``/sim/v1/cards``: virtual My Number cards — issue, list, bundle, revoke, resume, expire,
register."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...cards import service as card_service
from ...clock import parse_instant
from ...registry.errors import InvalidInput
from ...registry.identifiers import parse_date
from ...registry.model import JST
from ...runtime import current_runtime
from . import bp
from .body import json_object, known_keys, person_arg

_ISSUE_KEYS = frozenset({"person", "expires", "insurance_use", "pin"})


def _optional_text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(key, "must be a string")
    return value


@bp.post("/cards")
def post_card():
    """Body: ``{"person": id | "scenario/handle", "expires"?: "YYYY-MM-DD",
    "insurance_use"?: bool, "pin"?: "NNNN"}``; the private key is in the answer only."""
    runtime = current_runtime()
    body = json_object()
    known_keys(body, _ISSUE_KEYS)
    expires = _optional_text(body, "expires")
    insurance_use = body.get("insurance_use", True)
    if not isinstance(insurance_use, bool):
        raise InvalidInput("insurance_use", "must be true or false")
    issued = card_service.issue_card(
        uow=runtime.uow(), clock=runtime.clock, ca=runtime.jpki.ca(), person=body.get("person"),
        expires=parse_date(expires, field="expires") if expires else None,
        insurance_use=insurance_use, pin=body.get("pin", card_service.DEFAULT_PIN))
    return _bundle(issued), 201


def _bundle(issued: card_service.IssuedCard) -> dict[str, Any]:
    """The card's bundle as JSON: the private key is in this answer only."""
    bundle = issued.bundle
    return {
        "serial": bundle.serial,
        "person": issued.person_id,
        "certificate": bundle.cert_pem.decode("ascii"),
        "private_key": bundle.key_pem.decode("ascii"),
        "ca_certificate": bundle.ca_pem.decode("ascii"),
        "not_after": bundle.not_after.astimezone(JST).isoformat(),
    }


@bp.get("/cards")
def get_cards():
    """``?person=`` (id or scenario/handle) for one person's cards; every card without it."""
    runtime = current_runtime()
    person = person_arg()
    return {"cards": card_service.card_list(uow=runtime.uow(), clock=runtime.clock,
                                            person=person)}


@bp.post("/cards/<serial>/bundle")
def post_card_bundle(serial: str):
    """Body: ``{"replace"?: bool}``. The certificate of the card (a held card's first, or with
    ``replace`` a new one) and a new key, answered once, as ``POST /cards`` answers them."""
    runtime = current_runtime()
    body = json_object(required=False)
    known_keys(body, {"replace"})
    replace = body.get("replace", False)
    if not isinstance(replace, bool):
        raise InvalidInput("replace", "true または false を指定してください")
    issued = card_service.bundle_card(uow=runtime.uow(), ca=runtime.jpki.ca(), serial=serial,
                                      replace=replace)
    return _bundle(issued)


@bp.post("/cards/<serial>/revoke")
def post_card_revoke(serial: str):
    """Body: ``{"reason": "lost"}`` (一時停止, may be resumed) or ``"revoked"`` (失効, the
    default)."""
    runtime = current_runtime()
    body = json_object(required=False)
    known_keys(body, {"reason"})
    return card_service.revoke_card(uow=runtime.uow(), clock=runtime.clock, serial=serial,
                                    reason=body.get("reason", "revoked"))


@bp.post("/cards/<serial>/resume")
def post_card_resume(serial: str):
    runtime = current_runtime()
    return card_service.resume_card(uow=runtime.uow(), clock=runtime.clock, serial=serial)


@bp.post("/cards/<serial>/expire")
def post_card_expire(serial: str):
    """Body: ``{"at"?: ISO 8601 instant}`` (default business now): the card dies then."""
    runtime = current_runtime()
    body = json_object(required=False)
    known_keys(body, {"at"})
    at = _optional_text(body, "at")
    return card_service.expire_card(uow=runtime.uow(), clock=runtime.clock, serial=serial,
                                    at=parse_instant(at, field="at") if at else None)


@bp.post("/cards/<serial>/register")
def post_card_register(serial: str):
    """初回登録 (保険証利用登録) at business now."""
    runtime = current_runtime()
    return card_service.register_card(uow=runtime.uow(), clock=runtime.clock, serial=serial)
