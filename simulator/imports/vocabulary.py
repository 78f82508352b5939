"""The import's vocabulary, taken from the scenario schema (``datasets/scenario.schema.json``)
so that one set of keys serves scenario files and imports alike.

- The JSON document is ``{"insurers": [...], "persons": [...]}``: the scenario's ``insurers``
  and ``persons``, with one difference: a qualification's ``registered_at`` may be left out (it
  defaults to 00:00 JST of ``valid_from``: OQS knew the record from its first day).
- A CSV column is a person's or a qualification's key; a key of a block is ``block.key``
  (``card.expires``, ``elderly.ratio``); lists (``specific_diseases``, ``drugs``,
  ``checkups``) have no column. ``insurer_name`` and ``insurer_kind`` name and check the
  insurer of the row.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..datasets import DATASETS

__all__ = [
    "SCENARIO_SCHEMA", "Column", "import_schema", "columns", "PERSON_REQUIRED", "INSURER_NAME",
    "INSURER_KIND",
]

SCENARIO_SCHEMA = DATASETS / "scenario.schema.json"
INSURER_NAME, INSURER_KIND = "insurer_name", "insurer_kind"
#: Defaults the import adds to the scenario vocabulary.
DEFAULTED = ("registered_at",)


@cache
def _scenario() -> dict[str, Any]:
    return json.loads(SCENARIO_SCHEMA.read_text(encoding="utf-8"))


@cache
def import_schema() -> dict[str, Any]:
    """The JSON Schema of an import document, built from the scenario schema's definitions."""
    scenario = copy.deepcopy(_scenario())
    definitions = scenario["$defs"]
    qualification = definitions["qualification"]
    qualification["required"] = [k for k in qualification["required"] if k not in DEFAULTED]
    return {
        "$schema": scenario["$schema"],
        "$defs": definitions,
        "type": "object",
        "additionalProperties": False,
        "required": ["persons"],
        "properties": {
            "insurers": scenario["properties"]["insurers"],
            "persons": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/person"}},
        },
    }


@dataclass(frozen=True)
class Column:
    """A CSV column: the key it fills (``block`` is the block it lies in, or None) of the
    person or of the row's qualification (``person``)."""

    name: str
    person: bool
    key: str
    block: str | None = None
    boolean: bool = False


def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _scenario()["$defs"][schema["$ref"].rpartition("/")[2]]
    return schema


def _columns_of(properties: dict[str, Any], *, person: bool) -> list[Column]:
    found = []
    for key, raw in properties.items():
        schema = _resolved(raw)
        kind = schema.get("type")
        if kind == "array":
            continue
        if kind == "object":
            for inner, inner_raw in schema["properties"].items():
                found.append(Column(f"{key}.{inner}", person, inner, key,
                                    _resolved(inner_raw).get("type") == "boolean"))
        else:
            found.append(Column(key, person, key, None, kind == "boolean"))
    return found


@cache
def columns() -> dict[str, Column]:
    """Every CSV column but the insurer's, by name: the person's first."""
    definitions = _scenario()["$defs"]
    found = (_columns_of(definitions["person"]["properties"], person=True)
             + _columns_of(definitions["qualification"]["properties"], person=False))
    return {column.name: column for column in found}


#: The person columns a CSV file must have.
PERSON_REQUIRED = tuple(_scenario()["$defs"]["person"]["required"])
