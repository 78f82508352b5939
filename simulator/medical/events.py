"""Scenario and admin events about consents and medical information.

They share the shape and the log of the life events (:mod:`.events`), but change no
qualification: each handler writes through the repository and returns an empty ``Change``.

    consent           person, institution, kinds: [drug, checkup, diagnosis, operation],
                      medical_treatment_flag — as if given on the reader at ``at``
    consent_withdraw  person, institution, kinds (default: all), withdraw_reason (OQSCD031) —
                      ends the consents live at ``at`` (none live: nothing to do)
    drug              person, drugs: [...] — drug lines reach OQS (claims with their lag)
    checkup           person, checkup: {...} — a 特定健診, uploaded after the insurer's delay
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..consent.model import (
    InfoKind,
    TreatmentFlag,
    WithdrawReason,
    consents_given,
    live_consent,
)
from ..registry import fields
from ..registry.change import Change
from ..registry.errors import InvalidInput
from . import masters
from .input import checkup, drug

if TYPE_CHECKING:  # the handlers receive events.EventContext and events.Event
    from ..registry.events import EventContext

__all__ = ["KINDS", "DEFAULT_CONSENT_HOURS"]

DEFAULT_CONSENT_HOURS: Mapping[str, int] = {"1": 24, "2": 24, "3": 24, "4": 24}
_VIEWABLE = (InfoKind.DRUG, InfoKind.CHECKUP, InfoKind.DIAGNOSIS, InfoKind.OPERATION)


def _institution(ctx: EventContext, event) -> str:
    code = fields.text(event.raw, "institution", event.path)
    if ctx.repo.get_institution(code) is None:
        raise InvalidInput(event.at_path("institution"), f"no institution {code}")
    return code


def _kinds(event, *, required: bool) -> list[InfoKind]:
    raw = event.raw.get("kinds")
    if raw is None and not required:
        return list(_VIEWABLE)
    allowed = {kind.value for kind in _VIEWABLE}
    if not isinstance(raw, list) or not raw or not all(isinstance(k, str) for k in raw):
        raise InvalidInput(event.at_path("kinds"), f"give a list of {', '.join(allowed)}")
    unknown = [k for k in raw if k not in allowed]
    if unknown:
        raise InvalidInput(event.at_path("kinds"), f"{unknown[0]!r} is not one of "
                           f"{', '.join(sorted(allowed))}")
    return [InfoKind(k) for k in raw]


def _consent(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    institution = _institution(ctx, event)
    kinds = _kinds(event, required=True)
    flag = fields.choice(event.raw, event.path, "medical_treatment_flag", TreatmentFlag,
                         TreatmentFlag.OUTPATIENT)
    hours = {**DEFAULT_CONSENT_HOURS, **ctx.consent_hours}
    given = consents_given(person_id=event.person.id, institution=institution, kinds=kinds,
                           at=event.at, flag=flag, hours=hours, source="scenario")
    used["consent_ids"] = [ctx.repo.add_consent(consent) for consent in given]
    return Change()


def _consent_withdraw(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    institution = _institution(ctx, event)
    reason = fields.choice(event.raw, event.path, "withdraw_reason", WithdrawReason,
                           WithdrawReason.BY_PATIENT)
    consents = ctx.repo.consents_of(event.person.id, institution=institution)
    withdrawn = []
    for kind in _kinds(event, required=False):
        live = live_consent(consents, institution=institution, kind=kind, at=event.at)
        if live is not None:
            ctx.repo.withdraw_consent(live.id, at=event.at, reason=reason)
            withdrawn.append(live.id)
    used["consent_ids"] = withdrawn  # empty when nothing was live: withdrawing is then a no-op

    return Change()


def _drug(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    raw = event.raw.get("drugs")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(event.at_path("drugs"), "give a list of drug lines")
    used["drug_ids"] = [
        ctx.repo.add_drug(drug(item, f"{event.at_path('drugs')}[{index}]",
                               person_id=event.person.id, drugs=masters.drugs(),
                               known_at=event.at))
        for index, item in enumerate(raw)
    ]
    return Change()


def _checkup(ctx: EventContext, event, used: dict[str, Any]) -> Change:
    record = checkup(event.raw.get("checkup"), event.at_path("checkup"), person=event.person,
                     records=event.records, items=masters.checkup_items(), known=ctx.known,
                     upload_days=lambda kind: ctx.profiles.of(kind).checkup_upload_days)
    used["checkup_id"] = ctx.repo.add_checkup(record)
    return Change()


KINDS = {
    "consent": _consent,
    "consent_withdraw": _consent_withdraw,
    "drug": _drug,
    "checkup": _checkup,
}
