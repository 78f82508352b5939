"""Scenario files (docs/scenarios.md): read, validate, load into the store.

A file is read strictly (YAML without implicit dates, so ``2026-04-01`` stays the string the
schema expects; duplicate keys fail), validated against ``datasets/scenario.schema.json``, then
loaded in one transaction: a file that fails anywhere changes nothing, and the error names the
file, the path inside it and the problem. Loading a scenario again replaces what it loaded
before (idempotent).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..clock import ClockState, write_state
from ..datasets import DATASETS, DatasetError, StrictLoader
from ..pki.jpki import JpkiHolder
from ..registry import fields
from ..registry.coverage_input import insurer_kind
from ..registry.errors import InvalidInput, NotFound, OqsError
from ..registry.events import EventContext
from ..registry.identifiers import normalize_insurer_number, parse_institution_code
from ..registry.model import Insurer
from ..timeline import apply_event
from .cast import CardSink, Cast, institutions, insurers, persons

__all__ = [
    "CATALOGUE",
    "Scenario",
    "ScenarioError",
    "parse_scenario",
    "read_scenario",
    "find_scenario",
    "catalogue",
    "load_scenario",
]

#: The scenario catalogue shipped with the simulator.
CATALOGUE = DATASETS / "scenarios"
SCHEMA = DATASETS / "scenario.schema.json"


class ScenarioError(InvalidInput):
    """A scenario file that cannot be loaded; the message names the file and the place."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        super().__init__(field, problem)
        self.source = source
        self.message = f"{source}: {field or '(top)'}: {problem}"

    def __str__(self) -> str:
        return self.message


class _Loader(StrictLoader):
    """Strict YAML (no duplicate keys) without implicit timestamps: dates stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in StrictLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Scenario:
    """A validated scenario document and where it came from."""

    name: str
    title: str
    description: str
    clock: dt.datetime
    document: Mapping[str, Any]
    source: str  # file name, for messages
    text: str  # the file as given

    def steps(self) -> list[tuple[dt.datetime, str, int, Mapping[str, Any]]]:
        """Timeline events and expectations in time order (events first at one instant)."""
        found = []
        for order, part in enumerate(("timeline", "expect")):
            for index, item in enumerate(self.document.get(part, [])):
                at = fields.instant(item, "at", f"{part}[{index}]")
                found.append((at, order, index, part, item))
        found.sort(key=lambda step: step[:3])
        return [(at, part, index, item) for at, _, index, part, item in found]


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _path(parts) -> str:
    text = ""
    for part in parts:
        text = fields.at_path(text, part)
    return text


def _schema_problem(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    if error.validator in ("oneOf", "anyOf") and error.context:
        return min(error.context, key=lambda e: len(e.message)).message
    return error.message


_TOO_DEEP = "nested too deeply to be a scenario"


def read_scenario(text: str, source: str) -> Mapping[str, Any]:
    """Parse and schema-check a scenario; return the document.

    :raises ScenarioError: naming ``source``, the path and the problem.
    """
    try:
        document = (json.loads(text) if source.endswith(".json")
                    else yaml.load(text, Loader=_Loader))
    except (yaml.YAMLError, ValueError) as error:
        raise ScenarioError(source, "", f"not valid YAML/JSON: {error}") from None
    except DatasetError as error:  # a repeated key, placed by its line
        raise ScenarioError(source, "", str(error).removeprefix("<unicode string>, ")) from None
    except RecursionError:
        raise ScenarioError(source, "", _TOO_DEEP) from None
    if not isinstance(document, Mapping):
        raise ScenarioError(source, "", "a scenario is a mapping (name, title, clock, ...)")
    try:
        errors = sorted(_validator().iter_errors(document),
                        key=lambda e: (list(map(str, e.absolute_path)), e.message))
    except RecursionError:
        raise ScenarioError(source, "", _TOO_DEEP) from None
    if errors:
        first = errors[0]
        raise ScenarioError(source, _path(first.absolute_path), _schema_problem(first))
    return document


def _unique(document: Mapping[str, Any], part: str, key: str, source: str) -> None:
    seen = set()
    for index, item in enumerate(document.get(part, [])):
        value = item[key].strip()
        if value in seen:
            raise ScenarioError(source, f"{part}[{index}].{key}", f"duplicate {key} {value!r}")
        seen.add(value)


def parse_scenario(text: str, source: str) -> Scenario:
    """Read and check a scenario file's text (schema, then identifiers and references).

    :raises ScenarioError: naming ``source``, the path and the problem.
    """
    document = read_scenario(text, source)
    for part, key in (("persons", "id"), ("institutions", "code"), ("insurers", "number")):
        _unique(document, part, key, source)
    try:
        clock = fields.instant(document, "clock", "")
        _check_references(document)
    except OqsError as error:
        raise _scenario_error(source, error) from None
    return Scenario(document["name"], document["title"], document.get("description", ""),
                    clock, document, source, text)


def _scenario_error(source: str, error: OqsError) -> ScenarioError:
    field = getattr(error, "field", "")
    return ScenarioError(source, field, getattr(error, "reason", error.message))


def _check_references(document: Mapping[str, Any]) -> None:
    for index, item in enumerate(document.get("institutions", [])):
        parse_institution_code(item["code"], field=f"institutions[{index}].code")
    for index, item in enumerate(document.get("insurers", [])):
        path = f"insurers[{index}].number"
        insurer_kind(normalize_insurer_number(item["number"], field=path), field=path)
    persons = {person["id"] for person in document.get("persons", [])}
    institutions = {item["code"] for item in document.get("institutions", [])}
    for index, item in enumerate(document.get("timeline", [])):
        for key in ("person", "dependent"):
            if isinstance(item.get(key), str) and item[key] not in persons:
                raise InvalidInput(f"timeline[{index}].{key}", f"no person {item[key]!r}")
    for index, item in enumerate(document.get("expect", [])):
        if item["institution"] not in institutions:
            raise InvalidInput(f"expect[{index}].institution",
                               f"institution {item['institution']} is not declared")
        person = item["query"].get("person")
        if person is not None and person not in persons:
            raise InvalidInput(f"expect[{index}].query.person", f"no person {person!r}")


def catalogue() -> list[Path]:
    """The scenario files shipped in ``datasets/scenarios``, by name."""
    return sorted(CATALOGUE.glob("*.yaml"))


def find_scenario(name_or_path: str, *, catalogue_only: bool = False) -> Path:
    """A file path (unless ``catalogue_only``), or the name of a scenario in the catalogue.

    :raises NotFound: when it is neither.
    """
    path = Path(name_or_path)
    if not catalogue_only and path.is_file():
        return path
    shipped = CATALOGUE / f"{name_or_path}.yaml"
    if shipped.is_file():
        return shipped
    raise NotFound(f"no scenario file or catalogue scenario named {name_or_path!r}")


# -- loading -----------------------------------------------------------------------------------


def load_scenario(
    *,
    uow,
    scenario: Scenario,
    profiles,
    password_hash: Callable[[str], str],
    wall: dt.datetime,
    timeline: bool = True,
    jpki: JpkiHolder | None = None,
    consent_hours: Mapping[str, int] | None = None,
    on_card: CardSink | None = None,
) -> dict[str, int]:
    """Load ``scenario`` in one transaction and set the business clock to its ``clock``.

    ``timeline=False`` loads only the cast (the checker applies events as it walks the clock).
    A scenario of the same name loaded before is replaced. Cards (``persons[].card``) are
    issued by ``jpki`` at the scenario's clock; each bundle, with its private key, goes to
    ``on_card`` only (the store keeps the certificate).

    :raises ScenarioError: naming the file and the place; nothing is changed then.
    """
    try:
        with uow:
            counts = _load(uow.repo, scenario, password_hash, timeline,
                           Cast(profiles, lambda _: None, jpki, on_card), consent_hours)
            write_state(uow.connection, ClockState(scenario.clock, wall, 1.0, True))
            uow.commit()
    except ScenarioError:
        raise
    except OqsError as error:
        raise _scenario_error(scenario.source, error) from None
    return counts


def _load(repo, scenario: Scenario, password_hash, timeline: bool, cast: Cast,
          consent_hours: Mapping[str, int] | None) -> dict[str, int]:
    repo.delete_scenario(scenario.name)
    repo.add_scenario(name=scenario.name, title=scenario.title,
                      description=scenario.description, source=scenario.text,
                      clock=scenario.clock)
    declared = insurers(repo, scenario.document)
    institutions(repo, scenario, password_hash)
    persons(repo, scenario, replace(cast, known=declared.get), at=scenario.clock)
    events = 0
    if timeline:
        context = event_context(repo, scenario, cast.profiles, declared, consent_hours)
        for _, part, index, item in scenario.steps():
            if part == "timeline":
                apply_event(context, item, f"timeline[{index}]")
                events += 1
    return {
        "insurers": len(declared),
        "institutions": len(scenario.document.get("institutions", [])),
        "persons": len(scenario.document.get("persons", [])),
        "events": events,
    }


def event_context(repo, scenario: Scenario, profiles,
                  declared: Mapping[str, Insurer] | None = None,
                  consent_hours: Mapping[str, int] | None = None) -> EventContext:
    """The context events of ``scenario`` are applied in (its persons, its insurers, how long
    consents last)."""
    if declared is None:
        declared = {}
        for item in scenario.document.get("insurers", []):
            number = normalize_insurer_number(item["number"])
            declared[number] = repo.get_insurer(number)
    context = EventContext(repo=repo, profiles=profiles, known=declared.get,
                           scenario=scenario.name, seed=scenario.name)
    return context if consent_hours is None else replace(context, consent_hours=consent_hours)
