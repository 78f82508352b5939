"""Use cases of the admin API on consents and the audit trail (docs/interfaces.md).

- The audit trail of one person: who looked at what, when and on which basis — what
  マイナポータル shows a citizen as 閲覧履歴.
- Consents (閲覧同意): list them with their OQSCD016 state at business now, record some as if
  the patient gave them at the reader, withdraw one (OQSCD031 reason).

Each takes its dependencies keyword-only, reads the raw request values itself (errors name the
field) and owns its transaction: a refused request leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..clock import Clock
from ..consent.model import (
    Consent,
    InfoKind,
    TreatmentFlag,
    WithdrawReason,
    consent_state,
    consents_given,
)
from ..registry import fields
from ..registry.errors import Conflict, InvalidInput, MissingField, NotFound
from ..registry.lookup import AuditEntry
from ..registry.model import JST, Person
from ..registry.person_ref import find_person
from ..registry.services import UnitOfWork

if TYPE_CHECKING:
    from ..store import Repository

__all__ = ["VIEWABLE", "audit_trail", "consent_list", "give_consents", "withdraw_consent"]

#: Kinds a patient consents to at the reader (薬剤, 特定健診, 診療, 手術).
VIEWABLE = (InfoKind.DRUG, InfoKind.CHECKUP, InfoKind.DIAGNOSIS, InfoKind.OPERATION)
#: Reasons an admin may give for a withdrawal (0 is expiry by the care setting, not one).
_WITHDRAW_REASONS = tuple(r for r in WithdrawReason if r is not WithdrawReason.SETTING)


def _instant(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(JST).isoformat()


def _person(person: Person) -> dict[str, Any]:
    return {"id": person.id, "name": person.name, "kana": person.kana,
            "birthdate": person.birthdate.isoformat(), "sex": person.sex.value}


class _Names:
    """Institution names by code, read once each."""

    def __init__(self, repo: Repository) -> None:
        self.repo, self.known = repo, {}

    def __call__(self, code: str) -> dict[str, Any]:
        if code not in self.known:
            found = self.repo.get_institution(code)
            self.known[code] = None if found is None else found.name
        return {"code": code, "name": self.known[code]}


# -- the audit trail ---------------------------------------------------------------------------


def _entry(entry: AuditEntry, names: _Names) -> dict[str, Any]:
    return {"at": _instant(entry.at), "institution": names(entry.institution_code),
            "kind": entry.kind, "route": entry.route, "basis": entry.basis,
            "basis_id": entry.basis_id, "outcome": entry.outcome, "count": entry.count}


def audit_trail(*, uow: UnitOfWork, person: Any, institution: str | None = None) -> dict:
    """The person's audit entries, oldest first (only ``institution``'s when given).

    :raises InvalidInput: (person) absent or naming nobody.
    """
    with uow:
        found = find_person(uow.repo, person)
        entries = uow.repo.audit(person_id=found.id, institution=institution or None)
        names = _Names(uow.repo)
        return {"person": _person(found), "entries": [_entry(e, names) for e in entries]}


# -- consents ----------------------------------------------------------------------------------


def _consent(consent: Consent, names: _Names, now: dt.datetime) -> dict[str, Any]:
    state, _ = consent_state([consent], institution=consent.institution_code,
                             kind=consent.kind, at=now)
    return {
        "id": consent.id,
        "person": consent.person_id,
        "kind": consent.kind.value,
        "institution": names(consent.institution_code),
        "given_at": _instant(consent.given_at),
        "available_until": _instant(consent.available_until),
        "treatment_flag": consent.treatment_flag.value,
        "withdrawn_at": _instant(consent.withdrawn_at),
        "withdraw_reason": consent.withdraw_reason.value if consent.withdraw_reason else None,
        "source": consent.source,
        "state": state.value,
        "live": consent.live_at(now),
    }


def consent_list(*, uow: UnitOfWork, clock: Clock, person: Any,
                 institution: str | None = None) -> dict[str, Any]:
    """The person's consents, oldest first, with their state (OQSCD016) at business now.

    :raises InvalidInput: (person) absent or naming nobody.
    """
    now = clock.now()
    with uow:
        found = find_person(uow.repo, person)
        consents = uow.repo.consents_of(found.id, institution=institution or None)
        names = _Names(uow.repo)
        return {"person": _person(found), "at": _instant(now),
                "consents": [_consent(c, names, now) for c in consents]}


def _choice(body: Mapping[str, Any], key: str, choices: tuple, default=None):
    value = body.get(key)
    if value is None:
        if default is None:
            raise MissingField(key, f"is required: one of {', '.join(c.value for c in choices)}")
        return default
    for choice in choices:
        if value == choice.value:
            return choice
    raise InvalidInput(key, f"{value!r} is not one of {', '.join(c.value for c in choices)}")


def _kinds(body: Mapping[str, Any]) -> list[InfoKind]:
    raw = body.get("kinds")
    allowed = ", ".join(k.value for k in VIEWABLE)
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("kinds", f"give a list of {allowed}")
    by_value = {k.value: k for k in VIEWABLE}
    for item in raw:
        if not isinstance(item, str) or item not in by_value:
            raise InvalidInput("kinds", f"{item!r} is not one of {allowed}")
    return [by_value[item] for item in raw]


def _institution(repo: Repository, body: Mapping[str, Any]) -> str:
    code = body.get("institution")
    if code is None or code == "":
        raise MissingField("institution", "is required: a 10-digit 医療機関コード")
    if not isinstance(code, str) or repo.get_institution(code) is None:
        raise InvalidInput("institution", f"no institution {code!r}")
    return code


def give_consents(*, uow: UnitOfWork, clock: Clock, hours: Mapping[str, int],
                  body: Mapping[str, Any]) -> dict[str, Any]:
    """Record consents as if the patient gave them at the reader (source admin).

    ``body``: ``person``, ``institution``, ``kinds``, optional ``at`` (default business now)
    and ``medical_treatment_flag`` (OQSCD028, default 1 外来); each lasts ``hours[flag]``.

    :raises InvalidInput: naming the field.
    """
    now = clock.now()
    with uow:
        person = find_person(uow.repo, body.get("person"))
        institution = _institution(uow.repo, body)
        kinds = _kinds(body)
        at = fields.optional_instant(body, "at", "") or now
        flag = _choice(body, "medical_treatment_flag", tuple(TreatmentFlag),
                       TreatmentFlag.OUTPATIENT)
        given = consents_given(person_id=person.id, institution=institution, kinds=kinds, at=at,
                               flag=flag, hours=hours, source="admin")
        ids = [uow.repo.add_consent(consent) for consent in given]
        names = _Names(uow.repo)
        views = [_consent(uow.repo.consent(consent_id), names, now) for consent_id in ids]
        uow.commit()
    return {"consents": views}


def _check_withdrawable(consent: Consent, at: dt.datetime) -> None:
    if at < consent.given_at:
        raise InvalidInput("at", f"is before the consent was given ({_instant(consent.given_at)})")
    if consent.withdrawn_at is not None:
        raise Conflict(f"consent {consent.id} was withdrawn at {_instant(consent.withdrawn_at)}")
    if not consent.live_at(at):
        raise Conflict(f"consent {consent.id} expired at {_instant(consent.available_until)}")


def withdraw_consent(*, uow: UnitOfWork, clock: Clock, consent_id: int,
                     body: Mapping[str, Any]) -> dict[str, Any]:
    """Withdraw a consent (``reason`` OQSCD031 1, 2 or 3) at ``at`` (default business now).

    :raises NotFound: no such consent. :raises InvalidInput: naming the field.
    :raises Conflict: the consent is not live at ``at`` (withdrawn already, or expired).
    """
    now = clock.now()
    reason = _choice(body, "reason", _WITHDRAW_REASONS)
    at = fields.optional_instant(body, "at", "") or now
    with uow:
        consent = uow.repo.consent(consent_id)
        if consent is None:
            raise NotFound(f"no consent {consent_id}")
        _check_withdrawable(consent, at)
        uow.repo.withdraw_consent(consent_id, at=at, reason=reason)
        view = _consent(uow.repo.consent(consent_id), _Names(uow.repo), now)
        uow.commit()
    return view
