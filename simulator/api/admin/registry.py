"""``/sim/v1`` events, holds, persons and reset."""

from __future__ import annotations

from flask import request

from ... import timeline
from ...config import consent_hours
from ...registry import admin
from ...registry.errors import InvalidInput
from ...runtime import current_runtime
from . import bp
from .body import flag_arg, json_object, optional_int
from .schema import check_body


@bp.post("/events")
def post_event():
    """Apply a life event (the scenario ``timeline`` shape); ``at`` defaults to business now."""
    runtime = current_runtime()
    event = dict(json_object())
    scenario = event.pop("scenario", None)
    if scenario is not None and not isinstance(scenario, str):
        raise InvalidInput("scenario", "must be a scenario name")
    applied = timeline.record_event(uow=runtime.uow(), clock=runtime.clock,
                                 profiles=runtime.profiles, event=event, scenario=scenario,
                                 consent_hours=consent_hours(runtime.settings))
    return applied, 201


@bp.get("/events")
def get_events():
    events = timeline.event_log(uow=current_runtime().uow(), scenario=request.args.get("scenario"),
                             person=optional_int("person"))
    return {"events": events}


@bp.get("/holds")
def get_holds():
    """Holds in force at business now; ``?all=1`` for every hold ever placed."""
    runtime = current_runtime()
    everything = flag_arg("all")
    return {"holds": admin.hold_list(uow=runtime.uow(), clock=runtime.clock,
                                     everything=everything)}


@bp.post("/holds/<id:hold_id>/release")
def post_hold_release(hold_id: int):
    runtime = current_runtime()
    return admin.release_hold(uow=runtime.uow(), clock=runtime.clock, hold_id=hold_id)


@bp.post("/holds/<id:hold_id>/correct")
def post_hold_correct(hold_id: int):
    """Body: ``{"fields": ["kana"]}`` (set to the person's values) or ``{"fields": {...}}``."""
    runtime = current_runtime()
    fields = json_object().get("fields")
    return admin.correct_hold(uow=runtime.uow(), clock=runtime.clock, hold_id=hold_id,
                              fields=fields)


@bp.get("/persons/<id:person_id>")
def get_person(person_id: int):
    return admin.person_view(uow=current_runtime().uow(), person_id=person_id)


_RESET_CHOICES = ('give one target: {"all": true} (or ?all=1) for everything, '
                  '{"scenario": name} or {"person": id}')


@bp.post("/reset")
def post_reset():
    """Body: ``{"all": true}`` (or ``?all=1``: everything), ``{"scenario": name}`` or
    ``{"person": id}``; anything else (``{}``, a null target) is a 400 listing the choices."""
    body = json_object(required=False, checked=False)
    scope = _reset_scope(body, everything=flag_arg("all"))
    if body:  # ?all=1 comes without one
        check_body("/reset", "post", body)
    return admin.reset(uow=current_runtime().uow(), **scope)


def _reset_scope(body, *, everything: bool) -> dict:
    """The one target the request names. :raises InvalidInput: none, several, or an empty one."""
    unknown = sorted(set(body) - {"all", "scenario", "person"})
    if unknown:
        raise InvalidInput(unknown[0], f"unknown key; {_RESET_CHOICES}")
    for key, value in body.items():
        if value is None or value == "" or value is False:
            raise InvalidInput(key, f"{value!r} names nothing; {_RESET_CHOICES}")
    targets = sorted(body) + (["?all"] if everything else [])
    if len(targets) != 1:
        field = targets[1] if targets else "body"
        raise InvalidInput(field, f"{'several targets' if targets else 'no target'}; "
                                  f"{_RESET_CHOICES}")
    if everything or "all" in body:
        return {"everything": True}
    return {"scenario": body.get("scenario"), "person": body.get("person")}
