"""``/sim/v1`` events, holds, persons and reset."""

from __future__ import annotations

from flask import request

from ...config import consent_hours
from ...registry import admin
from ...registry.errors import InvalidInput
from ...runtime import current_runtime
from . import bp
from .body import json_object, optional_int


@bp.post("/events")
def post_event():
    """Apply a life event (the scenario ``timeline`` shape); ``at`` defaults to business now."""
    runtime = current_runtime()
    event = dict(json_object())
    scenario = event.pop("scenario", None)
    if scenario is not None and not isinstance(scenario, str):
        raise InvalidInput("scenario", "must be a scenario name")
    applied = admin.record_event(uow=runtime.uow(), clock=runtime.clock,
                                 profiles=runtime.profiles, event=event, scenario=scenario,
                                 consent_hours=consent_hours(runtime.settings))
    return applied, 201


@bp.get("/events")
def get_events():
    events = admin.event_log(uow=current_runtime().uow(), scenario=request.args.get("scenario"),
                             person=optional_int("person"))
    return {"events": events}


@bp.get("/holds")
def get_holds():
    """Holds in force at business now; ``?all=1`` for every hold ever placed."""
    runtime = current_runtime()
    everything = request.args.get("all") in ("1", "true")
    return {"holds": admin.hold_list(uow=runtime.uow(), clock=runtime.clock,
                                     everything=everything)}


@bp.post("/holds/<int:hold_id>/release")
def post_hold_release(hold_id: int):
    runtime = current_runtime()
    return admin.release_hold(uow=runtime.uow(), clock=runtime.clock, hold_id=hold_id)


@bp.post("/holds/<int:hold_id>/correct")
def post_hold_correct(hold_id: int):
    """Body: ``{"fields": ["kana"]}`` (set to the person's values) or ``{"fields": {...}}``."""
    runtime = current_runtime()
    fields = json_object().get("fields")
    return admin.correct_hold(uow=runtime.uow(), clock=runtime.clock, hold_id=hold_id,
                              fields=fields)


@bp.get("/persons/<int:person_id>")
def get_person(person_id: int):
    return admin.person_view(uow=current_runtime().uow(), person_id=person_id)


@bp.post("/reset")
def post_reset():
    """Body: ``{}`` (everything), ``{"scenario": name}`` or ``{"person": id}``."""
    body = json_object(required=False)
    unknown = sorted(set(body) - {"scenario", "person"})
    if unknown:
        raise InvalidInput(unknown[0], "unknown key; give scenario, person or nothing")
    scenario, person = body.get("scenario"), body.get("person")
    if scenario is not None and not isinstance(scenario, str):
        raise InvalidInput("scenario", "must be a scenario name")
    if person is not None and (isinstance(person, bool) or not isinstance(person, int)):
        raise InvalidInput("person", "must be a person id")
    return admin.reset(uow=current_runtime().uow(), scenario=scenario, person=person)
