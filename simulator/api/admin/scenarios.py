"""``/sim/v1/scenarios``: the catalogue, loading, checking and removing scenarios.

A scenario is sent as the file itself (``Content-Type: application/yaml`` or JSON), or named
from the catalogue with ``{"name": "job-change-lag"}``.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from flask import request

from ...auth import hash_password
from ...clock import wall_now
from ...config import consent_hours
from ...messages.jsonbody import decode_json
from ...pki.card_files import scenario_card_folder, write_bundle
from ...registry import admin
from ...registry.errors import EncodingError, InvalidInput
from ...runtime import current_runtime
from ...scenarios.check import check_files
from ...scenarios.load import (
    Scenario,
    catalogue,
    find_scenario,
    load_scenario,
    parse_scenario,
)
from ..common import read_body
from . import bp

_CATALOGUE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")


def _catalogue_name(value: object) -> str:
    """A catalogue scenario's name (kebab-case), never a path on the server."""
    if not isinstance(value, str) or not _CATALOGUE_NAME.fullmatch(value):
        raise InvalidInput("name", "must be the kebab-case name of a catalogue scenario")
    return value


def _sent_scenario() -> tuple[str, str]:
    """(text, source name) of the scenario in the body."""
    raw = read_body(current_runtime().settings.max_body_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EncodingError("body", f"byte {error.start} is not valid UTF-8") from error
    if not text.strip():
        raise InvalidInput("body", "send a scenario file, or {\"name\": <catalogue name>}")
    if request.mimetype == "application/json":
        document = decode_json(raw)
        if isinstance(document, dict) and set(document) == {"name"}:
            path = find_scenario(_catalogue_name(document["name"]), catalogue_only=True)
            return path.read_text(encoding="utf-8"), path.name
        return text, "request.json"
    return text, "request.yaml"


def _summary(found: Scenario) -> dict:
    return {"name": found.name, "title": found.title, "description": found.description,
            "clock": found.clock.isoformat()}


@bp.get("/scenarios")
def list_scenarios():
    """The catalogue shipped in datasets/scenarios, and the scenarios loaded in this store."""
    shipped = [_summary(parse_scenario(p.read_text(encoding="utf-8"), p.name))
               for p in catalogue()]
    with current_runtime().uow() as uow:
        loaded = [{"name": row.name, "title": row.title, "clock": row.clock.isoformat()}
                  for row in uow.repo.scenarios()]
    return {"catalogue": shipped, "loaded": loaded}


@bp.post("/scenarios")
def post_scenario():
    """Load a scenario (replacing one of the same name) and set the clock to its start."""
    runtime = current_runtime()
    text, source = _sent_scenario()
    found = parse_scenario(text, source)
    cards = {}

    def keep_card(handle, bundle) -> None:
        folder = scenario_card_folder(runtime.settings.pki_dir, found.name, handle)
        cards[handle] = str(write_bundle(folder, bundle))

    counts = load_scenario(uow=runtime.uow(), scenario=found, profiles=runtime.profiles,
                           password_hash=hash_password, wall=wall_now(), jpki=runtime.jpki,
                           consent_hours=consent_hours(runtime.settings), on_card=keep_card)
    return {**_summary(found), "loaded": counts, "cards": cards}, 201


@bp.post("/scenarios/check")
def post_scenario_check():
    """Check a scenario in a fresh store of its own (this store is not touched)."""
    text, source = _sent_scenario()
    with tempfile.TemporaryDirectory(prefix="oqs-sim-request-") as tmp:
        path = Path(tmp) / (source if source.endswith((".yaml", ".json")) else "request.yaml")
        path.write_text(text, encoding="utf-8")
        (report,) = check_files([path])
    return {
        "name": report.name,
        "ok": report.ok,
        "error": report.error,
        "expectations": [
            {"index": o.index, "at": o.at.isoformat(), "route": o.route, "ok": o.ok,
             "expected": o.expected,
             "actual": {k: o.actual.get(k) for k in o.expected},
             "differences": o.differences}
            for o in report.outcomes
        ],
    }


@bp.delete("/scenarios/<name>")
def delete_scenario(name: str):
    """Remove everything the scenario loaded (its persons, institutions and events)."""
    return admin.reset(uow=current_runtime().uow(), scenario=name)
