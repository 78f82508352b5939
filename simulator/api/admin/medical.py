"""``/sim/v1`` audit trail and consents.

``person`` is a person id or ``scenario/handle`` everywhere; an absent or unknown one is a 400
naming ``person``.
"""

from __future__ import annotations

from flask import request

from ...config import consent_hours
from ...consent import service as consent_admin
from ...runtime import current_runtime
from . import bp
from .body import json_object, person_arg


@bp.get("/audit")
def get_audit():
    """Who looked at the person's information (閲覧履歴), oldest first; ``?institution=``."""
    return consent_admin.audit_trail(uow=current_runtime().uow(),
                                     person=person_arg(),
                                     institution=request.args.get("institution"))


@bp.get("/consents")
def get_consents():
    """The person's consents with their state (OQSCD016) at business now; ``?institution=``."""
    runtime = current_runtime()
    return consent_admin.consent_list(uow=runtime.uow(), clock=runtime.clock,
                                      person=person_arg(),
                                      institution=request.args.get("institution"))


@bp.post("/consents")
def post_consents():
    """Body: ``{"person", "institution", "kinds": [drug, checkup, diagnosis, operation],
    "at"?, "medical_treatment_flag"?}`` — as if given at the reader."""
    runtime = current_runtime()
    given = consent_admin.give_consents(uow=runtime.uow(), clock=runtime.clock,
                                        hours=consent_hours(runtime.settings),
                                        body=json_object())
    return given, 201


@bp.post("/consents/<id:consent_id>/withdraw")
def post_consent_withdraw(consent_id: int):
    """Body: ``{"reason": "1"|"2"|"3", "at"?}`` (OQSCD031); 409 when not live any more."""
    runtime = current_runtime()
    return consent_admin.withdraw_consent(uow=runtime.uow(), clock=runtime.clock,
                                          consent_id=consent_id, body=json_object())
